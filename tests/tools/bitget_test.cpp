// The mock exchange's Bitget v2 behaviour (docs/venues.md §3), checked over real TLS with requests
// the test builds and signs itself.

#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "posmode/mock/exchange.hpp"
#include "tools/mock_client.hpp"

namespace {

using namespace posmode;
using mock::position_mode;
using test::bitget_credentials;
using test::bitget_request;
using test::mock_client;
using test::now_ms;

constexpr std::string_view set_path = "/api/v2/mix/account/set-position-mode";
constexpr std::string_view account_path = "/api/v2/mix/account/account";
constexpr std::string_view account_query =
    "marginCoin=USDT&productType=USDT-FUTURES&symbol=BTCUSDT";

// The documented fake inputs (docs/venues.md, top table).
const bitget_credentials live{"bg_0123456789abcdef0123456789abcdef",
                              "bgsecret0123456789abcdef0123456789abcdef0123456789abcdef01234567",
                              "Passphrase1", false};
const bitget_credentials demo{"bg_demo_0123456789abcdef", "demo-secret", "Passphrase2", true};

std::string body_for(std::string_view product_type, std::string_view mode) {
  return R"({"productType":")" + std::string(product_type) + R"(","posMode":")" +
         std::string(mode) + R"("})";
}

struct bitget_fixture {
  mock::exchange ex;
  mock_client client{ex.port(), ex.ca_pem()};

  bitget_fixture() {
    mock::bitget_account account;
    account.api_key = live.key;
    account.secret = live.secret;
    account.passphrase = live.passphrase;
    ex.add_bitget_account(account);
    mock::bitget_account demo_account;
    demo_account.api_key = demo.key;
    demo_account.secret = demo.secret;
    demo_account.passphrase = demo.passphrase;
    demo_account.demo_key = true;
    ex.add_bitget_account(demo_account);
    REQUIRE(!client.connect());
  }

  test::read_result set(const bitget_credentials& who, std::string_view product_type,
                        std::string_view mode, std::int64_t ts = now_ms()) {
    return client.request(
        bitget_request("POST", set_path, "", body_for(product_type, mode), who, ts));
  }
};

bool has_code(const test::read_result& r, std::string_view code) {
  return r.response.body().starts_with(R"({"code":")" + std::string(code) + '"');
}

}  // namespace

TEST_CASE_FIXTURE(bitget_fixture, "a Bitget switch is applied, and repeating it is success") {
  auto first = set(live, "USDT-FUTURES", "hedge_mode");
  REQUIRE(!first.ec);
  CHECK(first.status() == 200);
  const std::string& body = first.response.body();
  CHECK(body.starts_with(R"({"code":"00000","msg":"success","data":{"posMode":"hedge_mode"},)"
                         R"("requestTime":)"));
  CHECK(ex.bitget_mode(live.key, "USDT-FUTURES") == position_mode::hedge);
  CHECK(ex.bitget_mode(live.key, "coin-futures") == position_mode::one_way);

  auto again = set(live, "USDT-FUTURES", "hedge_mode");
  CHECK(again.status() == 200);
  CHECK(has_code(again, "00000"));

  auto query =
      client.request(bitget_request("GET", account_path, account_query, "", live, now_ms()));
  CHECK(query.status() == 200);
  CHECK(query.response.body().find(R"("posMode":"hedge_mode")") != std::string::npos);
  CHECK(query.response.body().find(R"("marginCoin":"USDT")") != std::string::npos);
}

TEST_CASE_FIXTURE(bitget_fixture, "the mock accepts the Bitget signatures in docs/venues.md") {
  ex.set_clock_skew(std::chrono::milliseconds(1'700'000'000'100 - now_ms()));
  // bitget-api's key order, then ccxt's; signatures as published.
  auto sdk = client.request(test::bitget_request_signed(
      "POST", set_path, R"({"productType":"USDT-FUTURES","posMode":"hedge_mode"})", live,
      1'700'000'000'000, "2Gdz2auu+jzKidxaH31F06Y3yfd6s3i4XPMpMQBosAQ="));
  CHECK(sdk.status() == 200);
  ex.set_bitget_mode(live.key, "USDT-FUTURES", position_mode::one_way);
  auto ccxt = client.request(test::bitget_request_signed(
      "POST", set_path, R"({"posMode":"hedge_mode","productType":"USDT-FUTURES"})", live,
      1'700'000'000'000, "KOUv+7MHyvbtZLehWB7Smntu0p6H+a9DN/hv6JpRi3I="));
  CHECK(ccxt.status() == 200);
  CHECK(ex.bitget_mode(live.key, "USDT-FUTURES") == position_mode::hedge);
  auto get = client.request(test::bitget_request_signed(
      "GET", std::string(account_path) + "?" + std::string(account_query), "", live,
      1'700'000'000'000, "bF06fQ8DvqlgrxjnOGkZ3eGJETknMtxKmK3sF+h1AyE="));
  CHECK(get.status() == 200);
}

TEST_CASE_FIXTURE(bitget_fixture, "Bitget refuses bad signatures, timestamps and credentials") {
  SUBCASE("wrong signature") {
    bitget_credentials wrong = live;
    wrong.secret = "not-the-secret";
    auto r = set(wrong, "USDT-FUTURES", "hedge_mode");
    CHECK(r.status() == 400);
    CHECK(r.response.body().starts_with(
        R"({"code":"40009","msg":"sign signature error","requestTime":)"));
  }
  SUBCASE("stale timestamp") {
    auto r = set(live, "USDT-FUTURES", "hedge_mode", now_ms() - 31'000);
    CHECK(r.status() == 400);
    CHECK(has_code(r, "40008"));
  }
  SUBCASE("timestamp ahead") {
    CHECK(has_code(set(live, "USDT-FUTURES", "hedge_mode", now_ms() + 31'000), "40008"));
  }
  SUBCASE("wrong passphrase") {
    bitget_credentials wrong = live;
    wrong.passphrase = "Passphrase9";
    CHECK(has_code(set(wrong, "USDT-FUTURES", "hedge_mode"), "40012"));
  }
  SUBCASE("unknown key") {
    bitget_credentials wrong = live;
    wrong.key = "bg_unknown";
    auto r = set(wrong, "USDT-FUTURES", "hedge_mode");
    CHECK(r.status() == 400);
    CHECK(has_code(r, "40037"));
  }
  SUBCASE("a POST without Content-Type: application/json") {
    const std::string body = body_for("USDT-FUTURES", "hedge_mode");
    std::string request = bitget_request("POST", set_path, "", body, live, now_ms());
    const std::string json = "Content-Type: application/json\r\n";
    const auto at = request.find(json);
    REQUIRE(at != std::string::npos);
    SUBCASE("absent") {
      request.erase(at, json.size());
    }
    SUBCASE("form-encoded") {
      request.replace(at, json.size(), "Content-Type: text/plain\r\n");
    }
    auto r = client.request(request);
    CHECK(r.status() == 400);
    CHECK(has_code(r, "40007"));
  }
  SUBCASE("bad body") {
    CHECK(has_code(set(live, "USDT-FUTURES", "both_ways"), "40017"));
    CHECK(has_code(set(live, "SPOT", "hedge_mode"), "40017"));
  }
  CHECK(ex.bitget_mode(live.key, "USDT-FUTURES") == position_mode::one_way);
}

TEST_CASE_FIXTURE(bitget_fixture, "Bitget takes application/json with a charset parameter") {
  const std::string body = body_for("USDT-FUTURES", "hedge_mode");
  std::string request = bitget_request("POST", set_path, "", body, live, now_ms());
  const std::string json = "Content-Type: application/json\r\n";
  request.replace(request.find(json), json.size(),
                  "Content-Type: application/json; charset=utf-8\r\n");
  CHECK(has_code(client.request(request), "00000"));
  CHECK(ex.bitget_mode(live.key, "USDT-FUTURES") == position_mode::hedge);
}

TEST_CASE_FIXTURE(bitget_fixture, "Bitget answers 40099 when demo and live are mixed") {
  bitget_credentials live_with_header = live;
  live_with_header.paptrading = true;
  CHECK(has_code(set(live_with_header, "USDT-FUTURES", "hedge_mode"), "40099"));
  CHECK(has_code(set(demo, "SUSDT-FUTURES", "hedge_mode"), "40099"));
  bitget_credentials demo_without_header = demo;
  demo_without_header.paptrading = false;
  CHECK(has_code(set(demo_without_header, "USDT-FUTURES", "hedge_mode"), "40099"));

  // The two valid environments.
  CHECK(has_code(set(demo, "USDT-FUTURES", "hedge_mode"), "00000"));
  CHECK(ex.bitget_mode(demo.key, "USDT-FUTURES") == position_mode::hedge);
  CHECK(has_code(set(live, "SUSDT-FUTURES", "hedge_mode"), "00000"));
  CHECK(ex.bitget_mode(live.key, "SUSDT-FUTURES") == position_mode::hedge);
  CHECK(ex.bitget_mode(live.key, "USDT-FUTURES") == position_mode::one_way);
}

TEST_CASE_FIXTURE(bitget_fixture, "open positions or orders block a Bitget switch") {
  ex.set_bitget_flags(live.key, true, false);
  auto positions = set(live, "USDT-FUTURES", "hedge_mode");
  CHECK(positions.status() == 400);
  CHECK(has_code(positions, "45117"));
  ex.set_bitget_flags(live.key, false, true);
  CHECK(has_code(set(live, "USDT-FUTURES", "hedge_mode"), "45117"));
  // Asking for the mode it already has is still success.
  CHECK(has_code(set(live, "USDT-FUTURES", "one_way_mode"), "00000"));
  CHECK(ex.bitget_mode(live.key, "USDT-FUTURES") == position_mode::one_way);
}

TEST_CASE_FIXTURE(bitget_fixture, "Bitget allows 5 switches per second per key, then 429") {
  for (int i = 0; i < 5; ++i) {
    CHECK(set(live, "USDT-FUTURES", i % 2 == 0 ? "hedge_mode" : "one_way_mode").status() == 200);
  }
  auto limited = set(live, "USDT-FUTURES", "hedge_mode");
  CHECK(limited.status() == 429);
  CHECK(limited.response.body().starts_with(R"({"code":"429","msg":"Too many requests",)"));
  // Per key: another account is not limited.
  CHECK(set(demo, "USDT-FUTURES", "hedge_mode").status() == 200);
}

TEST_CASE_FIXTURE(bitget_fixture, "Bitget public time and unknown paths") {
  const auto before = now_ms();
  auto time = client.request(test::plain_get("/api/v2/public/time"));
  CHECK(time.status() == 200);
  const std::string& body = time.response.body();
  REQUIRE(body.starts_with(R"({"code":"00000","msg":"success","requestTime":)"));
  const auto server = std::stoll(body.substr(body.find(R"("serverTime":")") + 14));
  CHECK(server >= before);
  CHECK(server <= now_ms());
  auto missing = client.request(test::plain_get("/api/v2/mix/account/nothing"));
  CHECK(missing.status() == 404);
  CHECK(has_code(missing, "40404"));
}
