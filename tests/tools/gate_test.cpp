// The mock exchange's Gate APIv4 futures behaviour (docs/venues.md §5b, docs/mock-exchange.md):
// modes per settle account, the legacy endpoint, blocking flags, parameter placement, the split
// spelling and faults, over real TLS with requests the test signs itself (gate_test_support.hpp).
// Signatures, time window and rate limit: gate_auth_test.cpp.

#include <doctest/doctest.h>

#include <chrono>
#include <stdexcept>
#include <string>

#include "tools/gate_test_support.hpp"

namespace {

using namespace posmode;
using namespace posmode::test::gate;
using mock::gate_mode;
using mock::position_mode;

}  // namespace

TEST_CASE_FIXTURE(gate_fixture, "Gate answers its time publicly in milliseconds, with the skew") {
  const auto before = now_ms();
  auto time = client.request(test::plain_get("/api/v4/spot/time"));
  const auto after = now_ms();
  CHECK(time.status() == 200);
  const std::string& body = time.response.body();
  REQUIRE(body.starts_with(R"({"server_time":)"));
  const auto server = std::stoll(body.substr(15));
  CHECK(server >= before);
  CHECK(server <= after);
  ex.set_clock_skew(std::chrono::milliseconds(-90'000));
  auto skewed = client.request(test::plain_get("/api/v4/spot/time"));
  CHECK(std::stoll(skewed.response.body().substr(15)) <= now_ms() - 89'000);
  CHECK(ex.request_log().back().outcome == "ok");
}

TEST_CASE_FIXTURE(gate_fixture, "each Gate mode is set and read back per settle account") {
  auto dual = set("dual");
  REQUIRE(!dual.ec);
  CHECK(reads_mode(dual, "dual"));
  CHECK(has_text(dual, R"("in_dual_mode":true)"));
  CHECK(has_text(dual, R"("currency":"USDT")"));
  CHECK(has_text(dual, R"("history":{"dnw":)"));
  CHECK(ex.gate_mode_of(key, "usdt") == gate_mode::dual);
  CHECK(ex.gate_mode_of(key, "btc") == gate_mode::single);
  CHECK(reads_mode(accounts(), "dual"));
  const auto btc = accounts("/api/v4/futures/btc/accounts");
  CHECK(reads_mode(btc, "single"));
  CHECK(has_text(btc, R"("currency":"BTC")"));
  CHECK(has_text(btc, R"("in_dual_mode":false)"));

  auto split = set("dual_plus");
  CHECK(reads_mode(split, "dual_plus"));
  CHECK(has_text(split, R"("in_dual_mode":false)"));
  CHECK(ex.gate_mode_of(key, "usdt") == gate_mode::dual_plus);
  CHECK(reads_mode(accounts(), "dual_plus"));
  CHECK(reads_mode(set("single"), "single"));
  CHECK(reads_mode(set("dual", "/api/v4/futures/btc/set_position_mode"), "dual"));
  CHECK(ex.gate_mode_of(key, "btc") == gate_mode::dual);
  CHECK(ex.gate_mode_of(key, "usdt") == gate_mode::single);

  // The history knows dual (hedge) and single (one-way); the change to dual_plus is not in it.
  const auto history = ex.mode_history();
  REQUIRE(history.size() == 3);
  CHECK(history[0].product == "futures:usdt");
  CHECK(history[0].mode == position_mode::hedge);
  CHECK(history[1].product == "futures:usdt");
  CHECK(history[1].mode == position_mode::one_way);
  CHECK(history[2].product == "futures:btc");
  CHECK(history[2].by_request);
  const auto log = ex.request_log();
  REQUIRE(!log.empty());
  CHECK(log.back().outcome == "ok");
  CHECK(log.back().api_key == "gate...6789");
}

TEST_CASE_FIXTURE(gate_fixture, "the legacy Gate dual_mode endpoint sets dual or single") {
  CHECK(reads_mode(legacy(true), "dual"));
  CHECK(ex.gate_mode_of(key, "usdt") == gate_mode::dual);
  CHECK(reads_mode(legacy(false), "single"));
  ex.set_gate_mode(key, "usdt", gate_mode::dual_plus);
  CHECK(reads_mode(legacy(true), "dual"));
  CHECK(ex.gate_mode_of(key, "usdt") == gate_mode::dual);
  const auto bad = call({.path = dual_path, .query = "dual_mode=1"});
  CHECK(bad.status() == 400);
  CHECK(has_label(bad, "INVALID_PARAM_VALUE"));
  CHECK(has_label(call({.path = dual_path, .query = "position_mode=dual"}), "INVALID_PARAM_VALUE"));
}

TEST_CASE_FIXTURE(gate_fixture, "a Gate switch to the mode in place is success, even when held") {
  ex.set_gate_mode(key, "usdt", gate_mode::dual);
  ex.set_gate_flags(key, true, true);
  const auto history_before = ex.mode_history().size();
  CHECK(reads_mode(set("dual"), "dual"));
  CHECK(reads_mode(legacy(true), "dual"));
  CHECK(ex.mode_history().size() == history_before);
}

TEST_CASE_FIXTURE(gate_fixture, "positions or orders refuse a Gate switch with POSITION_HOLDING") {
  ex.set_gate_flags(key, true, false);
  const auto positions = set("dual");
  CHECK(positions.status() == 400);
  CHECK(has_label(positions, "POSITION_HOLDING"));
  CHECK(has_text(positions, "positions are held"));
  CHECK(has_label(legacy(true), "POSITION_HOLDING"));
  CHECK(has_label(set("dual", "/api/v4/futures/btc/set_position_mode"), "POSITION_HOLDING"));
  ex.set_gate_flags(key, false, true);
  const auto orders = set("dual_plus");
  CHECK(orders.status() == 400);
  CHECK(has_label(orders, "POSITION_HOLDING"));
  CHECK(has_text(orders, "orders are pending"));
  CHECK(ex.request_log().back().outcome == "POSITION_HOLDING");
  CHECK(ex.gate_mode_of(key, "usdt") == gate_mode::single);
  CHECK(ex.mode_history().empty());
  // The account object shows the margins that block it.
  CHECK(has_text(accounts(), R"("order_margin":"12.5")"));
  ex.set_gate_flags(key, false, false);
  CHECK(reads_mode(set("dual"), "dual"));
}

TEST_CASE_FIXTURE(gate_fixture, "Gate parameters: one query parameter, an empty body, a settle") {
  const auto invalid = [](const test::read_result& r, std::string_view text) {
    return r.status() == 400 && has_label(r, "INVALID_PARAM_VALUE") && has_text(r, text);
  };
  // Each is signed correctly: the refusal is about where and how the parameter is sent.
  CHECK(invalid(call({.body = R"({"position_mode":"dual"})"}), "query string"));
  CHECK(invalid(call({.query = "position_mode=dual", .body = R"({"position_mode":"dual"})"}),
                "body must be empty"));
  CHECK(invalid(call({}), "position_mode is required"));
  CHECK(invalid(call({.query = "position_mode=dual&position_mode=dual"}), "repeated"));
  CHECK(invalid(call({.query = "position_mode=dual&settle=usdt"}), "unknown parameter 'settle'"));
  CHECK(invalid(call({.query = "contract=BTC_USDT&position_mode=dual"}), "unknown parameter"));
  CHECK(invalid(set("hedge"), "single, dual or dual_plus"));
  CHECK(invalid(set("split"), "single, dual or dual_plus"));
  CHECK(
      invalid(set("dual", "/api/v4/futures/usd/set_position_mode"), "settle must be usdt or btc"));
  CHECK(invalid(set("dual", "/api/v4/futures/USDT/set_position_mode"), "settle"));
  CHECK(invalid(call({.method = "GET", .path = accounts_path, .query = "settle=usdt"}),
                "takes no parameter"));
  CHECK(
      invalid(call({.method = "GET", .path = accounts_path, .body = "{}"}), "takes no parameter"));
  CHECK(ex.gate_mode_of(key, "usdt") == gate_mode::single);
  CHECK(ex.request_log().back().outcome == "INVALID_PARAM_VALUE");
  // A percent-encoded value is decoded, and signed unescaped.
  CHECK(reads_mode(
      call({.query = "position_mode=dual%5Fplus", .signed_query = "position_mode=dual_plus"}),
      "dual_plus"));
  // Other paths and methods under /api/v4/ are Gate's 404.
  const auto missing = call({.method = "GET", .path = set_path, .query = "position_mode=dual"});
  CHECK(missing.status() == 404);
  CHECK(has_label(missing, "NOT_FOUND"));
  CHECK(client.request(test::plain_get("/api/v4/futures/usdt")).status() == 404);
}

TEST_CASE("a Gate account with split_spelling reads the split mode back as split") {
  mock::exchange ex;
  mock::gate_account account;
  account.api_key = std::string(key);
  account.secret = std::string(secret);
  account.split_spelling = true;
  account.modes = {{"usdt", gate_mode::dual_plus}};
  ex.add_gate_account(account);
  CHECK(ex.gate_mode_of(key, "usdt") == gate_mode::dual_plus);
  CHECK(ex.gate_mode_of(key, "btc") == gate_mode::single);  // added when missing
  mock_client client(ex.port(), ex.ca_pem());
  REQUIRE(!client.connect());
  CHECK(
      reads_mode(client.request(gate_request({.method = "GET", .path = accounts_path})), "split"));
  CHECK(reads_mode(client.request(gate_request({.query = "position_mode=dual_plus"})), "split"));
  CHECK(reads_mode(client.request(gate_request({.query = "position_mode=dual"})), "dual"));
}

TEST_CASE("Gate accounts are checked when added and looked up") {
  mock::exchange ex;
  mock::gate_account account;
  CHECK_THROWS_AS(ex.add_gate_account(account), std::invalid_argument);
  account.api_key = "k";
  account.modes = {{"usd1", gate_mode::dual}};
  CHECK_THROWS_AS(ex.add_gate_account(account), std::invalid_argument);
  account.modes = {};
  ex.add_gate_account(account);
  CHECK_THROWS_AS(ex.add_gate_account(account), std::invalid_argument);
  CHECK_THROWS_AS(static_cast<void>(ex.gate_mode_of("nobody", "usdt")), std::out_of_range);
  CHECK_THROWS_AS(static_cast<void>(ex.gate_mode_of("k", "usd1")), std::out_of_range);
  CHECK_THROWS_AS(ex.set_gate_mode("k", "eth", gate_mode::dual), std::out_of_range);
  CHECK_THROWS_AS(ex.set_gate_flags("nobody", true, true), std::out_of_range);
  ex.set_gate_mode("k", "btc", gate_mode::dual);
  const auto history = ex.mode_history();
  REQUIRE(history.size() == 1);
  CHECK(history[0].product == "futures:btc");
  CHECK_FALSE(history[0].by_request);
}

TEST_CASE_FIXTURE(gate_fixture, "Gate faults: unknown error, a lost reply, the other mode's echo") {
  SUBCASE("the unknown-error fault is HTTP 500 SERVER_ERROR, found by the KEY header") {
    mock::fault_set f;
    f.unknown_error_503 = true;
    ex.set_account_faults(key, f);
    const auto r = set("dual");
    CHECK(r.status() == 500);
    CHECK(has_label(r, "SERVER_ERROR"));
    CHECK(ex.gate_mode_of(key, "usdt") == gate_mode::single);
    f.apply_change = true;
    ex.set_account_faults(key, f);
    CHECK(set("dual").status() == 500);
    CHECK(ex.gate_mode_of(key, "usdt") == gate_mode::dual);  // the venue logic ran first
    CHECK(ex.request_log().back().outcome == "SERVER_ERROR");
    CHECK(ex.request_log().back().fault == "503");
  }
  SUBCASE("drop_before_reply with apply_change: no reply, the mode changed") {
    mock::fault_set f;
    f.drop_before_reply = true;
    f.apply_change = true;
    f.sets_only = true;
    ex.set_account_faults(key, f);
    REQUIRE(!client.send(gate_request({.query = "position_mode=dual_plus"})));
    boost::system::error_code ec;
    CHECK(client.read_until_end(ec).empty());
    CHECK(ex.gate_mode_of(key, "usdt") == gate_mode::dual_plus);
    CHECK(ex.request_log().back().outcome == "-");
    // sets_only: the read-back is answered.
    mock_client reader(ex.port(), ex.ca_pem());
    REQUIRE(!reader.connect());
    CHECK(reads_mode(reader.request(gate_request({.method = "GET", .path = accounts_path})),
                     "dual_plus"));
  }
  SUBCASE("echo_other_mode: success naming the other mode; the change only with apply_change") {
    mock::fault_set f;
    f.echo_other_mode = true;
    ex.set_account_faults(key, f);
    CHECK(reads_mode(set("dual"), "single"));
    CHECK(ex.gate_mode_of(key, "usdt") == gate_mode::single);
    f.apply_change = true;
    ex.set_account_faults(key, f);
    CHECK(reads_mode(set("dual"), "single"));
    CHECK(ex.gate_mode_of(key, "usdt") == gate_mode::dual);
  }
}
