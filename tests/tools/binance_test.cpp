// The mock exchange's Binance behaviour (docs/venues.md §1, §2), checked over real TLS with
// requests the test builds and signs itself.

#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "posmode/mock/exchange.hpp"
#include "tools/mock_client.hpp"

namespace {

using namespace posmode;
using mock::binance_product;
using mock::position_mode;
using test::binance_request;
using test::mock_client;
using test::now_ms;
using test::plain_get;

// The documented fake inputs (docs/venues.md, top table).
constexpr std::string_view key = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
constexpr std::string_view secret =
    "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

struct binance_fixture {
  mock::exchange ex;
  mock_client client{ex.port(), ex.ca_pem()};

  binance_fixture() {
    mock::binance_account account;
    account.api_key = std::string(key);
    account.secret = std::string(secret);
    ex.add_binance_account(account);
    REQUIRE(!client.connect());
  }

  test::read_result set(std::string_view path, bool hedge, std::int64_t ts = now_ms()) {
    const std::string params = std::string("dualSidePosition=") + (hedge ? "true" : "false") +
                               "&recvWindow=5000&timestamp=" + std::to_string(ts);
    return client.request(binance_request("POST", path, params, key, secret));
  }
  test::read_result get(std::string_view path) {
    const std::string params = "recvWindow=5000&timestamp=" + std::to_string(now_ms());
    return client.request(binance_request("GET", path, params, key, secret));
  }
};

}  // namespace

TEST_CASE_FIXTURE(binance_fixture, "a Binance switch is applied once, then answers -4059") {
  auto first = set("/fapi/v1/positionSide/dual", true);
  REQUIRE(!first.ec);
  CHECK(first.status() == 200);
  CHECK(first.response.body() == R"({"code":200,"msg":"success"})");
  CHECK(first.header("Content-Type") == "application/json");
  CHECK(first.header("X-MBX-USED-WEIGHT-1M") == "1");
  CHECK(ex.binance_mode(key, binance_product::usdm) == position_mode::hedge);
  CHECK(ex.binance_mode(key, binance_product::coinm) == position_mode::one_way);

  // Same keep-alive connection.
  auto again = set("/fapi/v1/positionSide/dual", true);
  CHECK(again.status() == 400);
  CHECK(again.response.body() == R"({"code":-4059,"msg":"No need to change position side."})");

  auto query = get("/fapi/v1/positionSide/dual");
  CHECK(query.status() == 200);
  CHECK(query.response.body() == R"({"dualSidePosition":true})");
  CHECK(query.header("X-MBX-USED-WEIGHT-1M") == "32");

  auto coinm = set("/dapi/v1/positionSide/dual", true);
  CHECK(coinm.status() == 200);
  CHECK(ex.binance_mode(key, binance_product::coinm) == position_mode::hedge);
}

TEST_CASE_FIXTURE(binance_fixture, "the mock accepts the signatures published in docs/venues.md") {
  // Server clock set so that the vectors' fixed timestamp is 100 ms old.
  ex.set_clock_skew(std::chrono::milliseconds(1'700'000'000'100 - now_ms()));
  auto official = client.request(
      "POST /fapi/v1/positionSide/dual?dualSidePosition=true&timestamp=1700000000000&signature="
      "cb6b612f248c74276e300efcba8f71430c445f88841b39b31ce310fe518f9a19 HTTP/1.1\r\n"
      "Host: localhost\r\nX-MBX-APIKEY: " +
      std::string(key) + "\r\nContent-Length: 0\r\n\r\n");
  CHECK(official.status() == 200);
  CHECK(ex.binance_mode(key, binance_product::usdm) == position_mode::hedge);

  // The official connector's vector, signature as published.
  auto published = client.request(
      "POST /fapi/v1/positionSide/dual?dualSidePosition=false&recvWindow=5000&timestamp="
      "1700000000000&signature=a32912a3e10cf6eedb7c887756f4b5eb7878077e1f50d1fcac3681b75a0ad171 "
      "HTTP/1.1\r\nHost: localhost\r\nX-MBX-APIKEY: " +
      std::string(key) + "\r\nContent-Length: 0\r\n\r\n");
  CHECK(published.status() == 200);
  CHECK(ex.binance_mode(key, binance_product::usdm) == position_mode::one_way);

  // ccxt's form: parameters in a form body, signature last, and upper-case hex.
  const std::string body =
      "timestamp=1700000000000&dualSidePosition=true&recvWindow=10000&signature="
      "F454BBABE14AB4EAAED8289A2DC702B5EE6D632F3CC5F8B475A5B1E3489D7C90";
  auto ccxt = client.request(
      "POST /papi/v1/um/positionSide/dual HTTP/1.1\r\nHost: localhost\r\nX-MBX-APIKEY: " +
      std::string(key) + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body);
  CHECK(ccxt.status() == 200);
  CHECK(ex.binance_mode(key, binance_product::papi_um) == position_mode::hedge);
}

TEST_CASE_FIXTURE(binance_fixture, "Binance refuses bad keys, signatures and timestamps") {
  const std::string params =
      "dualSidePosition=true&recvWindow=5000&timestamp=" + std::to_string(now_ms());
  SUBCASE("wrong signature") {
    auto r = client.request(
        binance_request("POST", "/fapi/v1/positionSide/dual", params, key, "not-the-secret"));
    CHECK(r.status() == 400);
    CHECK(r.response.body() ==
          R"({"code":-1022,"msg":"Signature for this request is not valid."})");
  }
  SUBCASE("unknown key") {
    auto r = client.request(
        binance_request("POST", "/fapi/v1/positionSide/dual", params, "unknown-key", secret));
    CHECK(r.status() == 401);
    CHECK(r.response.body() ==
          R"({"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."})");
  }
  SUBCASE("stale timestamp") {
    auto r = set("/fapi/v1/positionSide/dual", true, now_ms() - 6'000);
    CHECK(r.status() == 400);
    CHECK(r.response.body() ==
          R"({"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."})");
  }
  SUBCASE("timestamp 1000 ms ahead") {
    auto r = set("/fapi/v1/positionSide/dual", true, now_ms() + 1'500);
    CHECK(
        r.response.body() ==
        R"({"code":-1021,"msg":"Timestamp for this request was 1000ms ahead of the server's time."})");
  }
  SUBCASE("recvWindow above 60000") {
    const std::string wide =
        "dualSidePosition=true&recvWindow=60001&timestamp=" + std::to_string(now_ms());
    auto r =
        client.request(binance_request("POST", "/fapi/v1/positionSide/dual", wide, key, secret));
    CHECK(r.status() == 400);
    CHECK(r.response.body().find("-1130") != std::string::npos);
  }
  SUBCASE("a signature that is not the last parameter, even a correct one") {
    // The same signed parameters, with the signature moved before recvWindow and timestamp.
    const std::string lead = "dualSidePosition=true";
    const std::string tail = "recvWindow=5000&timestamp=" + std::to_string(now_ms());
    const std::string sig = test::sign_hex(secret, lead + "&" + tail);
    auto r =
        client.request("POST /fapi/v1/positionSide/dual?" + lead + "&signature=" + sig + "&" +
                       tail + " HTTP/1.1\r\nHost: localhost\r\nX-MBX-APIKEY: " + std::string(key) +
                       "\r\nContent-Length: 0\r\n\r\n");
    CHECK(r.status() == 400);
    CHECK(r.response.body() ==
          R"({"code":-1022,"msg":"Signature for this request is not valid."})");
  }
  SUBCASE("a parameter sent twice (even signed)") {
    const std::string twice = params + "&timestamp=" + std::to_string(now_ms());
    auto r =
        client.request(binance_request("POST", "/fapi/v1/positionSide/dual", twice, key, secret));
    CHECK(r.status() == 400);
    CHECK(r.response.body() ==
          R"({"code":-1101,"msg":"Duplicate values for a parameter detected."})");
  }
  SUBCASE("missing signature") {
    auto r = client.request("GET /fapi/v1/positionSide/dual?timestamp=" + std::to_string(now_ms()) +
                            " HTTP/1.1\r\nHost: localhost\r\n" +
                            "X-MBX-APIKEY: " + std::string(key) + "\r\n\r\n");
    CHECK(r.status() == 400);
    CHECK(r.response.body().find("-1102") != std::string::npos);
  }
  CHECK(ex.binance_mode(key, binance_product::usdm) == position_mode::one_way);
}

TEST_CASE_FIXTURE(binance_fixture, "open positions or orders block a Binance switch") {
  ex.set_binance_flags(key, true, true);
  auto positions = set("/fapi/v1/positionSide/dual", true);
  CHECK(positions.response.body() ==
        R"({"code":-4068,"msg":"Position side cannot be changed if there exists position."})");
  ex.set_binance_flags(key, false, true);
  auto orders = set("/fapi/v1/positionSide/dual", true);
  CHECK(orders.response.body() ==
        R"({"code":-4067,"msg":"Position side cannot be changed if there exists open orders."})");
  CHECK(ex.binance_mode(key, binance_product::usdm) == position_mode::one_way);
  ex.set_binance_flags(key, false, false);
  CHECK(set("/fapi/v1/positionSide/dual", true).status() == 200);
}

TEST_CASE_FIXTURE(binance_fixture, "PAPI refuses a CM mode that differs from UM (-4220)") {
  auto cm_first = set("/papi/v1/cm/positionSide/dual", true);
  CHECK(cm_first.status() == 400);
  CHECK(cm_first.response.body().find(R"("code":-4220)") != std::string::npos);
  CHECK(ex.binance_mode(key, binance_product::papi_cm) == position_mode::one_way);

  // UM first, then CM: both succeed.
  CHECK(set("/papi/v1/um/positionSide/dual", true).status() == 200);
  CHECK(set("/papi/v1/cm/positionSide/dual", true).status() == 200);
  CHECK(ex.binance_mode(key, binance_product::papi_um) == position_mode::hedge);
  CHECK(ex.binance_mode(key, binance_product::papi_cm) == position_mode::hedge);
  CHECK(get("/papi/v1/cm/positionSide/dual").response.body() == R"({"dualSidePosition":true})");
}

TEST_CASE("Binance weight over the limit answers 429 with Retry-After") {
  mock::exchange_options options;
  options.weight_limit = 31;
  mock::exchange ex(options);
  mock::binance_account account;
  account.api_key = std::string(key);
  account.secret = std::string(secret);
  ex.add_binance_account(account);
  mock_client client(ex.port(), ex.ca_pem());
  REQUIRE(!client.connect());
  const auto query = [&] {
    return client.request(binance_request("GET", "/fapi/v1/positionSide/dual",
                                          "timestamp=" + std::to_string(now_ms()), key, secret));
  };
  CHECK(query().header("X-MBX-USED-WEIGHT-1M") == "30");
  CHECK(client.request(plain_get("/fapi/v1/ping")).header("X-MBX-USED-WEIGHT-1M") == "31");
  auto limited = query();
  CHECK(limited.status() == 429);
  CHECK(limited.response.body().find(R"("code":-1003)") != std::string::npos);
  CHECK(limited.response.body().find("current limit is 31 requests per minute") !=
        std::string::npos);
  const std::string retry_after = limited.header("Retry-After");
  REQUIRE(!retry_after.empty());
  CHECK(std::stoi(retry_after) >= 1);
  CHECK(std::stoi(retry_after) <= 60);
}

TEST_CASE("repeated 429s ban the IP with 418 until the ban ends, each ban twice as long") {
  mock::exchange_options options;
  options.weight_limit = 1;
  options.ban_after_rate_limited = 2;
  options.ban_duration = std::chrono::milliseconds(300);
  mock::exchange ex(options);
  mock_client client(ex.port(), ex.ca_pem());
  REQUIRE(!client.connect());
  const auto ping = [&] { return client.request(plain_get("/fapi/v1/ping")); };
  // The end of the ban a 418 announces, checked against the wall clock around the request that
  // earned it and the 418 itself (whole milliseconds, so 2 ms of slack).
  const auto ban_end = [](const test::read_result& r) -> std::int64_t {
    const std::string body = r.response.body();
    const auto at = body.find("IP banned until ");
    return at == std::string::npos ? -1 : std::stoll(body.substr(at + 16));
  };
  CHECK(ping().status() == 200);
  CHECK(ping().status() == 429);
  auto earned_from = now_ms();
  CHECK(ping().status() == 429);  // the second 429 within a minute earns the ban
  auto banned = ping();
  auto earned_to = now_ms();
  CHECK(banned.status() == 418);
  CHECK(banned.header("Retry-After") == "1");  // 300 ms, rounded up to whole seconds
  CHECK(banned.response.body().find(R"("code":-1003)") != std::string::npos);
  CHECK(ban_end(banned) >= earned_from + 300 - 2);
  CHECK(ban_end(banned) <= earned_to + 300 + 2);

  ex.advance_time(std::chrono::milliseconds(350));  // past the 300 ms ban, within the minute
  CHECK(ping().status() == 429);  // the ban is over; the weight window is still full
  earned_from = now_ms();
  CHECK(ping().status() == 429);
  banned = ping();
  earned_to = now_ms();
  CHECK(banned.status() == 418);
  CHECK(ban_end(banned) >= earned_from + 600 - 2);  // the second ban is twice as long
  CHECK(ban_end(banned) <= earned_to + 600 + 2);
}

TEST_CASE_FIXTURE(binance_fixture, "a banned IP changes nothing until the ban is lifted") {
  ex.ban_ip("127.0.0.1", std::chrono::minutes(5));
  const auto refused = set("/fapi/v1/positionSide/dual", true);
  CHECK(refused.status() == 418);
  CHECK(std::stoi(refused.header("Retry-After")) >= 299);
  CHECK(ex.binance_mode(key, binance_product::usdm) == position_mode::one_way);
  ex.ban_ip("127.0.0.1", std::chrono::milliseconds(0));
  CHECK(set("/fapi/v1/positionSide/dual", true).status() == 200);
  CHECK(ex.binance_mode(key, binance_product::usdm) == position_mode::hedge);
}

TEST_CASE_FIXTURE(binance_fixture, "Binance ping, time and unknown paths") {
  auto ping = client.request(plain_get("/papi/v1/ping"));
  CHECK(ping.status() == 200);
  CHECK(ping.response.body() == "{}");
  const auto before = now_ms();
  auto time = client.request(plain_get("/dapi/v1/time"));
  CHECK(time.status() == 200);
  const std::string& body = time.response.body();
  REQUIRE(body.starts_with(R"({"serverTime":)"));
  const auto server = std::stoll(body.substr(14));
  CHECK(server >= before);
  CHECK(server <= now_ms());
  auto missing = client.request(plain_get("/papi/v1/time"));
  CHECK(missing.status() == 404);
  CHECK(missing.response.body().find(R"("code":-5000)") != std::string::npos);
  // A path no venue of the mock serves is nobody's: no venue's handler guesses at it.
  // (/v5/ is Bybit's since it is modelled; its v3 paths are nobody's.)
  auto nobody = client.request(plain_get("/v3/private/position/switch-mode\"x"));
  CHECK(nobody.status() == 404);
  CHECK(nobody.response.body() ==
        R"({"code":404,"msg":"no venue serves /v3/private/position/switch-mode?x"})");
}
