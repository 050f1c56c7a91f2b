// The mock exchange's OKX v5 behaviour (docs/venues.md §4, docs/mock-exchange.md), checked over
// real TLS with requests the test builds and signs itself (ISO-8601 timestamps by gmtime_r).

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <utility>

#include "posmode/mock/exchange.hpp"
#include "tools/mock_client.hpp"

namespace {

using namespace posmode;
using mock::position_mode;
using test::mock_client;
using test::now_ms;
using test::okx_credentials;
using test::okx_request;

constexpr std::string_view set_path = "/api/v5/account/set-position-mode";
constexpr std::string_view config_path = "/api/v5/account/config";
constexpr std::string_view hedge_body = R"({"posMode":"long_short_mode"})";
constexpr std::string_view net_body = R"({"posMode":"net_mode"})";

// The documented fake inputs (docs/venues.md, top table), and a demo key.
const okx_credentials live{"37c541a1-0000-4000-8000-10fe7a038418",
                           "22582BD0CFF14C41EDBF1AB98506286D", "Passphrase1", false};
const okx_credentials demo{"okx-demo-key", "okx-demo-secret", "Passphrase2", true};

// The model with a rate limit no test below reaches; the limit has its own test.
mock::exchange_options unlimited() {
  mock::exchange_options options;
  options.okx_rate_limit = 1'000;
  return options;
}

struct okx_fixture {
  mock::exchange ex;
  mock_client client{ex.port(), ex.ca_pem()};

  explicit okx_fixture(mock::exchange_options options = unlimited()) : ex(std::move(options)) {
    mock::okx_account account;
    account.api_key = live.key;
    account.secret = live.secret;
    account.passphrase = live.passphrase;
    ex.add_okx_account(account);
    mock::okx_account demo_account;
    demo_account.api_key = demo.key;
    demo_account.secret = demo.secret;
    demo_account.passphrase = demo.passphrase;
    demo_account.demo_key = true;
    ex.add_okx_account(demo_account);
    REQUIRE(!client.connect());
  }

  test::read_result set(const okx_credentials& who, std::string_view body,
                        std::int64_t ts = now_ms()) {
    return client.request(okx_request("POST", set_path, "", body, who, ts));
  }
  test::read_result config(const okx_credentials& who, std::int64_t ts = now_ms()) {
    return client.request(okx_request("GET", config_path, "", "", who, ts));
  }
};

// The documented limit (exchange_options' default).
struct limited_fixture : okx_fixture {
  limited_fixture() : okx_fixture(mock::exchange_options{}) {}
};

bool has_code(const test::read_result& r, std::string_view code) {
  const std::string& body = r.response.body();
  return body.find(R"("code":")" + std::string(code) + '"') != std::string::npos;
}

}  // namespace

TEST_CASE_FIXTURE(okx_fixture,
                  "an OKX switch is applied account-wide, and repeating it is success") {
  auto first = set(live, hedge_body);
  REQUIRE(!first.ec);
  CHECK(first.status() == 200);
  CHECK(first.response.body() == R"({"code":"0","msg":"","data":[{"posMode":"long_short_mode"}]})");
  CHECK(ex.okx_mode(live.key) == position_mode::hedge);
  CHECK(ex.okx_mode(demo.key) == position_mode::one_way);

  auto again = set(live, hedge_body);
  CHECK(again.status() == 200);
  CHECK(again.response.body() == first.response.body());

  auto read = config(live);
  CHECK(read.status() == 200);
  CHECK(read.response.body().starts_with(R"({"code":"0","data":[{"acctLv":"2",)"));
  CHECK(read.response.body().find(R"("posMode":"long_short_mode")") != std::string::npos);
  CHECK(has_code(set(live, net_body), "0"));
  CHECK(ex.okx_mode(live.key) == position_mode::one_way);
  const auto history = ex.mode_history();
  REQUIRE(history.size() == 2);
  CHECK(history[0].product == "account");
  CHECK(history[0].mode == position_mode::hedge);
}

TEST_CASE_FIXTURE(okx_fixture, "the mock accepts the OKX signatures of docs/venues.md §6") {
  ex.set_clock_skew(std::chrono::milliseconds(1'700'000'000'100 - now_ms()));
  const std::string ts = "2023-11-14T22:13:20.000Z";
  auto hedge = client.request(test::okx_request_signed(
      "POST", set_path, hedge_body, live, ts, "HrKhP4rlz0P43dreIt36x9wWzb+WpG9ZnfHKR9g21YU="));
  CHECK(hedge.status() == 200);
  CHECK(ex.okx_mode(live.key) == position_mode::hedge);
  auto net = client.request(test::okx_request_signed(
      "POST", set_path, net_body, live, ts, "LyOPapOy5STno7xqwO/QgU5t79CqmsE4PL0JHMtdxlM="));
  CHECK(net.status() == 200);
  CHECK(ex.okx_mode(live.key) == position_mode::one_way);
  auto get = client.request(test::okx_request_signed(
      "GET", config_path, "", live, ts, "bCn8zVlTJqoobCkHSywuaN0ys4sP75zNhIiys58mkkU=", ""));
  CHECK(get.status() == 200);
  CHECK(get.response.body().find(R"("posMode":"net_mode")") != std::string::npos);
}

TEST_CASE_FIXTURE(okx_fixture, "OKX refuses missing headers, bad timestamps, keys and signatures") {
  const std::string ts = test::iso_timestamp(now_ms());
  const auto signed_with = [&](okx_credentials who, std::string_view timestamp) {
    const std::string prehash =
        std::string(timestamp) + "POST" + std::string(set_path) + std::string(hedge_body);
    return test::okx_request_signed("POST", set_path, hedge_body, who, timestamp,
                                    test::sign_base64(who.secret, prehash));
  };
  SUBCASE("missing headers, each with its code") {
    okx_credentials no_key = live;
    no_key.key.clear();
    auto r = client.request(signed_with(no_key, ts));
    CHECK(r.status() == 401);
    CHECK(has_code(r, "50103"));
    okx_credentials no_pass = live;
    no_pass.passphrase.clear();
    CHECK(client.request(signed_with(no_pass, ts)).response.body() ==
          R"({"msg":"Request header \"OK-ACCESS-PASSPHRASE\" cannot be empty.","code":"50104"})");
    CHECK(has_code(
        client.request(test::okx_request_signed("POST", set_path, hedge_body, live, ts, "")),
        "50106"));
    CHECK(has_code(client.request(signed_with(live, "")), "50107"));
  }
  SUBCASE("timestamps that are not ISO-8601 with milliseconds") {
    for (const std::string& bad :
         {std::to_string(now_ms()), std::string("2023-11-14T22:13:20Z"),
          std::string("2023-11-14T22:13:20.000+00:00"), std::string("2023-02-29T22:13:20.000Z"),
          std::string("2023-11-14 22:13:20.000Z")}) {
      CAPTURE(bad);
      auto r = client.request(signed_with(live, bad));
      CHECK(r.status() == 401);
      CHECK(has_code(r, "50112"));
    }
  }
  SUBCASE("stale and early timestamps: 50102 beyond 30 s either side") {
    CHECK(has_code(set(live, hedge_body, now_ms() - 31'000), "50102"));
    CHECK(has_code(set(live, hedge_body, now_ms() + 31'000), "50102"));
    CHECK(has_code(set(live, net_body, now_ms() - 25'000), "0"));  // inside the window
  }
  SUBCASE("unknown key, wrong passphrase, wrong signature") {
    okx_credentials unknown = live;
    unknown.key = "unknown";
    CHECK(has_code(set(unknown, hedge_body), "50111"));
    okx_credentials wrong_pass = live;
    wrong_pass.passphrase = "Passphrase9";
    CHECK(has_code(set(wrong_pass, hedge_body), "50105"));
    okx_credentials wrong_secret = live;
    wrong_secret.secret = "not-the-secret";
    auto r = set(wrong_secret, hedge_body);
    CHECK(r.status() == 401);
    CHECK(r.response.body() == R"({"msg":"Invalid Sign","code":"50113"})");
  }
  CHECK(ex.okx_mode(live.key) == position_mode::one_way);
}

TEST_CASE_FIXTURE(okx_fixture, "OKX answers 50101 when demo and live are mixed") {
  okx_credentials live_with_header = live;
  live_with_header.simulated = true;
  CHECK(has_code(set(live_with_header, hedge_body), "50101"));
  okx_credentials demo_without_header = demo;
  demo_without_header.simulated = false;
  CHECK(has_code(set(demo_without_header, hedge_body), "50101"));
  CHECK(has_code(config(demo_without_header), "50101"));
  CHECK(has_code(set(demo, hedge_body), "0"));
  CHECK(ex.okx_mode(demo.key) == position_mode::hedge);
  CHECK(ex.okx_mode(live.key) == position_mode::one_way);
}

TEST_CASE_FIXTURE(okx_fixture, "OKX parameters belong in a JSON body, once, with Content-Type") {
  const auto send = [&](std::string_view method, std::string_view target, std::string_view body,
                        std::string_view content_type) {
    const std::string ts = test::iso_timestamp(now_ms());
    const std::string prehash = ts + std::string(method) + std::string(target) + std::string(body);
    return client.request(test::okx_request_signed(
        method, target, body, live, ts, test::sign_base64(live.secret, prehash), content_type));
  };
  // Each is signed correctly: the refusal is about where and how the parameter is sent.
  auto in_query = send("POST", "/api/v5/account/set-position-mode?posMode=long_short_mode", "",
                       "application/json");
  CHECK(in_query.status() == 400);
  CHECK(has_code(in_query, "51000"));
  CHECK(has_code(send("POST", set_path, hedge_body, ""), "51000"));
  CHECK(has_code(send("POST", set_path, hedge_body, "application/x-www-form-urlencoded"), "51000"));
  CHECK(has_code(send("POST", set_path, hedge_body, "application/jsonp"), "51000"));
  CHECK(has_code(send("POST", set_path, "posMode=long_short_mode", "application/json"), "51000"));
  CHECK(has_code(send("POST", set_path, R"({"posMode":"net_mode","posMode":"long_short_mode"})",
                      "application/json"),
                 "51000"));
  CHECK(has_code(send("POST", set_path, R"({"posMode":"long_short_mode","instType":"SWAP"})",
                      "application/json"),
                 "51000"));
  CHECK(has_code(send("POST", set_path, R"({"posMode":"both"})", "application/json"), "51000"));
  CHECK(has_code(send("POST", set_path, R"({})", "application/json"), "51000"));
  CHECK(has_code(send("GET", "/api/v5/account/config?posMode=net_mode", "", ""), "51000"));
  CHECK(ex.okx_mode(live.key) == position_mode::one_way);
  // The same parameter, well placed, is accepted; charset after the type is fine.
  CHECK(has_code(send("POST", set_path, hedge_body, "application/json; charset=utf-8"), "0"));
  CHECK(ex.okx_mode(live.key) == position_mode::hedge);
}

TEST_CASE_FIXTURE(okx_fixture, "positions, orders, bots and borrowings block an OKX switch") {
  ex.set_okx_flags(live.key, {.positions = true});
  auto positions = set(live, hedge_body);
  CHECK(positions.status() == 200);
  CHECK(positions.response.body() ==
        R"({"code":"59000","data":[],"msg":"Settings failed. Close any open positions or orders )"
        R"(before modifying settings."})");
  ex.set_okx_flags(live.key, {.orders = true});
  CHECK(has_code(set(live, hedge_body), "59000"));
  ex.set_okx_flags(live.key, {.bots = true});
  auto bots = set(live, hedge_body);
  CHECK(has_code(bots, "59000"));
  CHECK(bots.response.body().find("stop trading bots first") != std::string::npos);
  ex.set_okx_flags(live.key, {.borrowings = true});
  CHECK(has_code(set(live, hedge_body), "59001"));
  // Asking for the mode it already has is still success.
  CHECK(has_code(set(live, net_body), "0"));
  CHECK(ex.okx_mode(live.key) == position_mode::one_way);
  ex.set_okx_flags(live.key, {});
  CHECK(has_code(set(live, hedge_body), "0"));
}

TEST_CASE("a portfolio-margin OKX account supports only net_mode") {
  mock::exchange ex;
  mock::okx_account pm;
  pm.api_key = live.key;
  pm.secret = live.secret;
  pm.passphrase = live.passphrase;
  pm.portfolio_margin = true;
  ex.add_okx_account(pm);
  mock_client client(ex.port(), ex.ca_pem());
  REQUIRE(!client.connect());
  auto hedge = client.request(okx_request("POST", set_path, "", hedge_body, live, now_ms()));
  CHECK(hedge.status() == 400);
  CHECK(has_code(hedge, "51000"));
  CHECK(ex.okx_mode(live.key) == position_mode::one_way);
  CHECK(has_code(client.request(okx_request("POST", set_path, "", net_body, live, now_ms())), "0"));
  auto read = client.request(okx_request("GET", config_path, "", "", live, now_ms()));
  CHECK(read.response.body().find(R"("acctLv":"4")") != std::string::npos);
}

TEST_CASE_FIXTURE(limited_fixture,
                  "OKX allows 5 calls per 2 s per key and endpoint, then 429 50011") {
  for (int i = 0; i < 5; ++i)
    CHECK(set(live, i % 2 == 0 ? hedge_body : net_body).status() == 200);
  auto limited = set(live, hedge_body);
  CHECK(limited.status() == 429);
  CHECK(limited.response.body() == R"({"msg":"Too Many Requests","code":"50011"})");
  // Per endpoint and per key.
  CHECK(config(live).status() == 200);
  CHECK(set(demo, hedge_body).status() == 200);
  // Two seconds later (the mock's window clock, no sleep) the key may switch again.
  ex.advance_time(std::chrono::milliseconds(2'001));
  CHECK(set(live, hedge_body).status() == 200);
}

TEST_CASE_FIXTURE(okx_fixture, "OKX public time, the 503 fault and unknown paths") {
  const auto before = now_ms();
  auto time = client.request(test::plain_get("/api/v5/public/time"));
  CHECK(time.status() == 200);
  const std::string& body = time.response.body();
  REQUIRE(body.starts_with(R"({"code":"0","data":[{"ts":")"));
  const auto server = std::stoll(body.substr(body.find(R"("ts":")") + 6));
  CHECK(server >= before);
  CHECK(server <= now_ms());
  ex.set_clock_skew(std::chrono::milliseconds(-60'000));
  auto skewed = client.request(test::plain_get("/api/v5/public/time"));
  const std::string& skewed_body = skewed.response.body();
  CHECK(std::stoll(skewed_body.substr(skewed_body.find(R"("ts":")") + 6)) <= now_ms() - 59'000);
  CHECK(has_code(set(live, hedge_body), "50102"));  // a client on the host clock is a minute off
  ex.set_clock_skew(std::chrono::milliseconds(0));

  mock::fault_set fault;
  fault.unknown_error_503 = true;
  fault.apply_change = true;
  ex.set_account_faults(live.key, fault);
  auto unavailable = set(live, hedge_body);
  CHECK(unavailable.status() == 503);
  CHECK(has_code(unavailable, "50001"));
  CHECK(ex.okx_mode(live.key) == position_mode::hedge);  // the venue logic ran first
  ex.clear_account_faults(live.key);

  auto missing = client.request(test::plain_get("/api/v5/account/nothing"));
  CHECK(missing.status() == 404);
  // Bitget's paths are still Bitget's.
  auto bitget = client.request(test::plain_get("/api/v2/public/time"));
  CHECK(bitget.response.body().starts_with(R"({"code":"00000")"));
}

TEST_CASE_FIXTURE(okx_fixture, "OKX faults: the echo of the other mode, a lost reply, a late set") {
  SUBCASE("echo_other_mode without the change: the echo lies, the state is unchanged") {
    mock::fault_set faults;
    faults.echo_other_mode = true;
    ex.set_account_faults(live.key, faults);
    auto r = set(live, hedge_body);
    CHECK(r.response.body() == R"({"code":"0","msg":"","data":[{"posMode":"net_mode"}]})");
    CHECK(ex.okx_mode(live.key) == position_mode::one_way);
    faults.apply_change = true;
    ex.set_account_faults(live.key, faults);
    CHECK(set(live, hedge_body).response.body().find("net_mode") != std::string::npos);
    CHECK(ex.okx_mode(live.key) == position_mode::hedge);
  }
  SUBCASE("drop_before_reply with apply_change: no reply, the mode changed") {
    mock::fault_set faults;
    faults.drop_before_reply = true;
    faults.apply_change = true;
    ex.set_account_faults(live.key, faults);
    REQUIRE(!client.send(okx_request("POST", set_path, "", hedge_body, live, now_ms())));
    boost::system::error_code ec;
    CHECK(client.read_until_end(ec).empty());
    CHECK(ex.okx_mode(live.key) == position_mode::hedge);
    const auto log = ex.request_log();
    REQUIRE(!log.empty());
    CHECK(log.back().outcome == "-");
    CHECK(log.back().api_key.starts_with("37c5"));  // faults and the log find OK-ACCESS-KEY
  }
  SUBCASE("a set delayed past its window is refused when it lands: 50102") {
    mock::fault_set faults;
    faults.delay = std::chrono::milliseconds(50);
    ex.set_account_faults(live.key, faults);
    // Stamped 29.98 s ago: inside the window when sent, outside when the venue gets to it.
    auto r = set(live, hedge_body, now_ms() - 29'980);
    CHECK(has_code(r, "50102"));
    CHECK(ex.okx_mode(live.key) == position_mode::one_way);
  }
}
