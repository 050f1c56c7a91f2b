// The mock exchange's Bybit v5 behaviour (docs/venues.md §5), checked over real TLS with requests
// the test builds and signs itself (OpenSSL one-shot HMAC, nothing of posmode's signer).

#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "posmode/mock/exchange.hpp"
#include "tools/mock_client.hpp"

namespace {

using namespace posmode;
using mock::position_mode;
using test::mock_client;
using test::now_ms;

constexpr std::string_view switch_path = "/v5/position/switch-mode";
constexpr std::string_view list_path = "/v5/position/list";

// The documented fake inputs (docs/venues.md, top table).
constexpr std::string_view key = "XXXXXXXXXXXXXXXXXX";
constexpr std::string_view secret = "YYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYY";

struct bybit_call {
  std::string_view method = "POST";
  std::string_view path = switch_path;
  std::string_view query{};
  std::string body{};
  std::int64_t timestamp = 0;  ///< 0: now
  std::string window = "5000";
  bool content_type = true;
  std::string signature{};  ///< empty: computed
  std::string api_key = std::string(key);
};

// X-BAPI-SIGN = hex(HMAC(ts + key + recv_window + body-or-query)).
std::string bybit_request(const bybit_call& c) {
  const std::string ts = std::to_string(c.timestamp != 0 ? c.timestamp : now_ms());
  const std::string payload =
      ts + c.api_key + c.window + (c.method == "POST" ? c.body : std::string(c.query));
  const std::string sign = c.signature.empty() ? test::sign_hex(secret, payload) : c.signature;
  std::string out = std::string(c.method) + " " + std::string(c.path) +
                    (c.query.empty() ? "" : "?" + std::string(c.query)) +
                    " HTTP/1.1\r\nHost: localhost\r\n";
  if (!c.api_key.empty()) out += "X-BAPI-API-KEY: " + c.api_key + "\r\n";
  out += "X-BAPI-TIMESTAMP: " + ts + "\r\n";
  if (!c.window.empty()) out += "X-BAPI-RECV-WINDOW: " + c.window + "\r\n";
  out += "X-BAPI-SIGN: " + sign + "\r\n";
  if (c.content_type && c.method == "POST") out += "Content-Type: application/json\r\n";
  if (c.method == "POST" || !c.body.empty())
    out += "Content-Length: " + std::to_string(c.body.size()) + "\r\n";
  return out + "\r\n" + c.body;
}

std::string coin_body(std::string_view coin, int mode) {
  return R"({"category":"linear","coin":")" + std::string(coin) + R"(","mode":)" +
         std::to_string(mode) + "}";
}

struct bybit_fixture {
  mock::exchange ex;
  mock_client client{ex.port(), ex.ca_pem()};

  bybit_fixture() {
    mock::bybit_account account;
    account.api_key = std::string(key);
    account.secret = std::string(secret);
    ex.add_bybit_account(account);
    REQUIRE(!client.connect());
  }

  test::read_result call(const bybit_call& c) { return client.request(bybit_request(c)); }
  test::read_result switch_coin(std::string_view coin, int mode) {
    return call({.body = coin_body(coin, mode)});
  }
  test::read_result list(std::string_view query) {
    return call({.method = "GET", .path = list_path, .query = query});
  }
};

bool has_code(const test::read_result& r, long code) {
  return r.response.body().starts_with(R"({"retCode":)" + std::to_string(code) + ",");
}

}  // namespace

TEST_CASE_FIXTURE(bybit_fixture, "a Bybit coin switch is applied, and again it answers 110025") {
  auto first = switch_coin("USDT", 3);
  REQUIRE(!first.ec);
  CHECK(first.status() == 200);
  CHECK(has_code(first, 0));
  CHECK(first.response.body().find(R"("retMsg":"OK","result":{},"retExtInfo":{},"time":)") !=
        std::string::npos);
  CHECK(ex.bybit_mode(key, "USDT") == position_mode::hedge);
  CHECK(ex.bybit_mode(key, "btcusdt") == position_mode::hedge);  // the coin's default
  CHECK(ex.bybit_mode(key, "USDC") == position_mode::one_way);
  // Rate-limit headers on every switch answer.
  CHECK(first.header("X-Bapi-Limit") == "10");
  CHECK(first.header("X-Bapi-Limit-Status") == "9");
  CHECK_FALSE(first.header("X-Bapi-Limit-Reset-Timestamp").empty());

  auto again = switch_coin("USDT", 3);
  CHECK(again.status() == 200);
  CHECK(has_code(again, 110025));
  CHECK(again.response.body().find("Position mode has not been modified.") != std::string::npos);

  CHECK(has_code(switch_coin("USDT", 0), 0));
  CHECK(ex.bybit_mode(key, "USDT") == position_mode::one_way);
  const auto history = ex.mode_history();
  REQUIRE(history.size() == 2);
  CHECK(history[0].product == "linear:USDT");
  CHECK(history[0].by_request);
}

TEST_CASE_FIXTURE(bybit_fixture, "a Bybit symbol switch wins over its coin's default") {
  auto r = call({.body = R"({"category":"linear","symbol":"ETHUSDT","mode":3})"});
  CHECK(has_code(r, 0));
  CHECK(ex.bybit_mode(key, "ETHUSDT") == position_mode::hedge);
  CHECK(ex.bybit_mode(key, "USDT") == position_mode::one_way);
  CHECK(ex.bybit_mode(key, "BTCUSDT") == position_mode::one_way);
  // Both named: the symbol has priority; a null coin is Bybit's own example.
  r = call({.body = R"({"category":"linear","symbol":"BTCUSDT","coin":null,"mode":3})"});
  CHECK(has_code(r, 0));
  CHECK(ex.bybit_mode(key, "BTCUSDT") == position_mode::hedge);
  // A coin switch sets every symbol of the coin.
  CHECK(has_code(switch_coin("USDT", 3), 0));
  CHECK(has_code(switch_coin("USDT", 0), 0));
  CHECK(ex.bybit_mode(key, "ETHUSDT") == position_mode::one_way);
}

TEST_CASE_FIXTURE(bybit_fixture, "the position list carries the mode in every row's positionIdx") {
  auto r = list("category=linear&symbol=BTCUSDT");
  CHECK(has_code(r, 0));
  CHECK(r.response.body().find(R"("list":[{"positionIdx":0,"symbol":"BTCUSDT")") !=
        std::string::npos);
  ex.set_bybit_mode(key, "USDT", position_mode::hedge);
  r = list("category=linear&symbol=BTCUSDT");
  // Hedge: both sides, the flat side first.
  CHECK(r.response.body().find(R"({"positionIdx":1,"symbol":"BTCUSDT","side":"","size":"0")") !=
        std::string::npos);
  CHECK(r.response.body().find(R"({"positionIdx":2,)") != std::string::npos);
  // By settle coin only: held positions only, so none here.
  r = list("category=linear&settleCoin=USDT");
  CHECK(r.response.body().find(R"("list":[])") != std::string::npos);
  ex.set_bybit_flags(key, true, false);
  r = list("category=linear&settleCoin=USDT");
  CHECK(r.response.body().find(R"("size":"0.01")") != std::string::npos);
}

TEST_CASE_FIXTURE(bybit_fixture, "positions, orders and one-way-only scopes block a Bybit switch") {
  ex.set_bybit_flags(key, true, true);
  CHECK(has_code(switch_coin("USDT", 3), 110024));
  ex.set_bybit_flags(key, false, true);
  CHECK(has_code(switch_coin("USDT", 3), 110028));
  ex.set_bybit_flags(key, false, false);
  // USDC perpetuals are one-way only (UTA 2.0): hedge is 110029, one-way is "not modified".
  const auto r = switch_coin("USDC", 3);
  CHECK(has_code(r, 110029));
  CHECK(r.response.body().find("Hedge mode is not supported for this symbol.") !=
        std::string::npos);
  CHECK(has_code(call({.body = R"({"category":"linear","symbol":"BTCPERP","mode":3})"}), 110029));
  CHECK(has_code(switch_coin("USDC", 0), 110025));
  CHECK(ex.mode_history().empty());
}

TEST_CASE_FIXTURE(bybit_fixture,
                  "a Bybit coin switch can skip the symbol holding positions, as documented") {
  ex.set_bybit_mode(key, "ETHUSDT", position_mode::one_way);
  ex.set_bybit_flags(key, true, false);
  mock::bybit_account skipping;
  skipping.api_key = "skipper";
  skipping.secret = std::string(secret);
  skipping.has_orders = true;
  skipping.coin_switch_skips_held = true;
  ex.add_bybit_account(skipping);
  const auto r = call({.body = coin_body("USDT", 3), .api_key = "skipper"});
  CHECK(has_code(r, 0));
  CHECK(ex.bybit_mode("skipper", "USDT") == position_mode::hedge);
  CHECK(ex.bybit_mode("skipper", "ETHUSDT") == position_mode::hedge);
  CHECK(ex.bybit_mode("skipper", "BTCUSDT") == position_mode::one_way);  // held: unchanged
  // A symbol switch of the held symbol is refused; the default account refuses the coin too.
  CHECK(has_code(
      call({.body = R"({"category":"linear","symbol":"BTCUSDT","mode":3})", .api_key = "skipper"}),
      110028));
  CHECK(has_code(switch_coin("USDT", 3), 110024));
}

TEST_CASE_FIXTURE(bybit_fixture, "the mock checks Bybit's signature, headers and time window") {
  // A signature over other bytes.
  auto r = call({.body = coin_body("USDT", 3), .signature = std::string(64, 'a')});
  CHECK(has_code(r, 10004));
  // The window header is part of the signed string: signed with 5000, sent with 6000.
  const std::int64_t ts = now_ms();
  const std::string good =
      test::sign_hex(secret, std::to_string(ts) + std::string(key) + "5000" + coin_body("USDT", 3));
  r = call({.body = coin_body("USDT", 3), .timestamp = ts, .window = "6000", .signature = good});
  CHECK(has_code(r, 10004));
  // No window header: the default 5000 is signed.
  r = call({.body = coin_body("USDT", 3), .timestamp = ts, .window = "", .signature = good});
  CHECK(has_code(r, 0));
  // Missing or unknown key: HTTP 401.
  r = call({.body = coin_body("USDT", 0), .api_key = ""});
  CHECK(r.status() == 401);
  CHECK(has_code(r, 10003));
  r = call({.body = coin_body("USDT", 0), .api_key = "nobody"});
  CHECK(r.status() == 401);
  // server - recv_window <= timestamp < server + 1000.
  CHECK(has_code(call({.body = coin_body("USDT", 0), .timestamp = now_ms() - 6'000}), 10002));
  CHECK(has_code(call({.body = coin_body("USDT", 0), .timestamp = now_ms() + 1'500}), 10002));
  CHECK(has_code(
      call({.body = coin_body("USDT", 0), .timestamp = now_ms() - 15'000, .window = "20000"}), 0));
  // The mock's clock moves with the skew.
  ex.set_clock_skew(std::chrono::milliseconds(-3'000));
  CHECK(has_code(call({.body = coin_body("USDT", 3)}), 10002));
}

TEST_CASE_FIXTURE(bybit_fixture, "Bybit parameters: placement, duplicates, types and values") {
  // A POST without Content-Type, with its parameters in the query, or with a body that is not
  // the switch object.
  CHECK(has_code(call({.body = coin_body("USDT", 3), .content_type = false}), 10001));
  CHECK(has_code(call({.query = "category=linear", .body = coin_body("USDT", 3)}), 10001));
  CHECK(
      has_code(call({.body = R"({"category":"linear","coin":"USDT","mode":3,"mode":0})"}), 10001));
  CHECK(has_code(call({.body = R"({"category":"linear","coin":"USDT","mode":"3"})"}), 10001));
  CHECK(has_code(call({.body = R"({"category":"linear","coin":"USDT","mode":1})"}), 10001));
  CHECK(has_code(call({.body = R"({"category":"linear","coin":"USDT"})"}), 10001));
  CHECK(has_code(call({.body = R"({"category":"inverse","coin":"USDT","mode":3})"}), 10001));
  CHECK(has_code(call({.body = R"({"category":"linear","mode":3})"}), 10001));
  CHECK(has_code(call({.body = R"({"category":"linear","coin":"usdt","mode":3})"}), 10001));
  CHECK(has_code(call({.body = R"({"category":"linear","coin":"USDT","mode":3,"x":1})"}), 10001));
  CHECK(has_code(call({.body = "not json"}), 10001));
  // A GET: parameters in the query only, once each; a body is HTTP 403.
  CHECK(has_code(list("category=linear&symbol=BTCUSDT&symbol=ETHUSDT"), 10001));
  CHECK(has_code(list("category=linear"), 10001));
  CHECK(has_code(list("category=linear&symbol=btcusdt"), 10001));
  CHECK(has_code(list("category=linear&symbol=BTCUSDT&side=Buy"), 10001));
  const auto with_body = call({.method = "GET",
                               .path = list_path,
                               .query = "category=linear&symbol=BTCUSDT",
                               .body = "{}"});
  CHECK(with_body.status() == 403);
  CHECK(ex.mode_history().empty());
}

TEST_CASE_FIXTURE(bybit_fixture, "Bybit answers its time publicly, and 404 elsewhere under /v5/") {
  const auto before = now_ms();
  const auto r = client.request(test::plain_get("/v5/market/time"));
  CHECK(r.status() == 200);
  const std::string& body = r.response.body();
  CHECK(body.starts_with(R"({"retCode":0,"retMsg":"OK","result":{"timeSecond":")"));
  const auto at = body.find(R"("time":)");
  REQUIRE(at != std::string::npos);
  const std::int64_t time = std::stoll(body.substr(at + 7));
  CHECK(time >= before);
  CHECK(time <= now_ms());
  CHECK(client.request(test::plain_get("/v5/position/nothing")).status() == 404);
  // A switch by GET is no route either.
  CHECK(call({.method = "GET", .query = "category=linear"}).status() == 404);
}

TEST_CASE_FIXTURE(bybit_fixture, "Bybit rate limits: 10006 with the reset time, then 403 bans") {
  ex.set_bybit_limits(2, 600);
  const std::int64_t before = now_ms();
  CHECK(has_code(switch_coin("USDT", 3), 0));
  CHECK(has_code(switch_coin("USDT", 0), 0));
  const auto limited = switch_coin("USDT", 3);
  const std::int64_t after = now_ms();
  CHECK(limited.status() == 200);
  CHECK(has_code(limited, 10006));
  CHECK(limited.header("X-Bapi-Limit-Status") == "0");
  // When the oldest call of the window (made between `before` and `after`) leaves it: one second
  // later, rounded up, plus a millisecond. Bracketed by the test's own readings, not a duration.
  const std::int64_t reset = std::stoll(limited.header("X-Bapi-Limit-Reset-Timestamp"));
  CHECK(reset >= before + 1'000);
  CHECK(reset <= after + 1'002);
  // The window moves with the mock's clock, not with sleeps.
  ex.advance_time(std::chrono::milliseconds(1'001));
  CHECK(has_code(switch_coin("USDT", 3), 0));

  // The IP limit: every request counts, the next one is banned for ten minutes. The requests
  // above leave the 5 s window first.
  ex.advance_time(std::chrono::seconds(5));
  ex.set_bybit_limits(100, 3);
  CHECK(client.request(test::plain_get("/v5/market/time")).status() == 200);
  CHECK(client.request(test::plain_get("/v5/market/time")).status() == 200);
  CHECK(client.request(test::plain_get("/v5/market/time")).status() == 200);
  auto banned = client.request(test::plain_get("/v5/market/time"));
  CHECK(banned.status() == 403);
  CHECK(banned.response.body() == "access too frequent");
  ex.advance_time(std::chrono::minutes(9));
  CHECK(switch_coin("USDT", 0).status() == 403);
  ex.advance_time(std::chrono::minutes(1));
  CHECK(client.request(test::plain_get("/v5/market/time")).status() == 200);
}

TEST_CASE_FIXTURE(bybit_fixture, "Bybit under the 503 fault answers 10016 Server error") {
  mock::fault_set f;
  f.unknown_error_503 = true;
  ex.set_account_faults(key, f);
  const auto r = switch_coin("USDT", 3);
  CHECK(r.status() == 503);
  CHECK(has_code(r, 10016));
  CHECK(ex.bybit_mode(key, "USDT") == position_mode::one_way);
  f.apply_change = true;
  ex.set_account_faults(key, f);
  CHECK(switch_coin("USDT", 3).status() == 503);
  CHECK(ex.bybit_mode(key, "USDT") == position_mode::hedge);
}
