// Each fault of the mock exchange, observed by a client; the clock skew; the request log.

#include <doctest/doctest.h>

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "posmode/mock/exchange.hpp"
#include "tools/mock_client.hpp"

namespace {

using namespace posmode;
using mock::binance_product;
using mock::position_mode;
using test::binance_request;
using test::mock_client;
using test::now_ms;
using namespace std::chrono_literals;

constexpr std::string_view key = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
constexpr std::string_view secret =
    "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
constexpr std::string_view other_key = "other-binance-key-0123456789";

struct fault_fixture {
  mock::exchange ex;
  mock_client client{ex.port(), ex.ca_pem()};

  fault_fixture() {
    for (const auto k : {key, other_key}) {
      mock::binance_account account;
      account.api_key = std::string(k);
      account.secret = std::string(secret);
      ex.add_binance_account(account);
    }
    REQUIRE(!client.connect());
  }

  static std::string set_hedge(std::string_view api_key = key) {
    return binance_request("POST", "/fapi/v1/positionSide/dual",
                           "dualSidePosition=true&timestamp=" + std::to_string(now_ms()), api_key,
                           secret);
  }
};

bool is_connection_end(const boost::system::error_code& ec) {
  return ec == boost::asio::error::eof || ec == boost::asio::ssl::error::stream_truncated ||
         ec == boost::asio::error::connection_reset;
}

}  // namespace

TEST_CASE_FIXTURE(fault_fixture, "drop before reply closes the connection without a byte") {
  mock::fault_set faults;
  faults.drop_before_reply = true;
  SUBCASE("the change is not applied") {
    ex.set_faults(faults);
    REQUIRE(!client.send(set_hedge()));
    boost::system::error_code ec;
    CHECK(client.read_until_end(ec).empty());
    CHECK(is_connection_end(ec));
    CHECK(ex.binance_mode(key, binance_product::usdm) == position_mode::one_way);
  }
  SUBCASE("the change is applied") {
    faults.apply_change = true;
    ex.set_faults(faults);
    REQUIRE(!client.send(set_hedge()));
    boost::system::error_code ec;
    CHECK(client.read_until_end(ec).empty());
    CHECK(ex.binance_mode(key, binance_product::usdm) == position_mode::hedge);
  }
  const auto log = ex.request_log();
  REQUIRE(log.size() == 1);
  CHECK(log[0].http_status == 0);
  CHECK(log[0].outcome == "-");
  CHECK(log[0].fault == "drop_before");
}

TEST_CASE_FIXTURE(fault_fixture,
                  "the 503 fault answers unknown error, with or without the change") {
  mock::fault_set faults;
  faults.unknown_error_503 = true;
  faults.apply_change = true;
  ex.set_faults(faults);
  auto r = client.request(set_hedge());
  CHECK(r.status() == 503);
  CHECK(r.response.body() ==
        R"({"code":-1000,"msg":"Unknown error, please check your request or try again later."})");
  CHECK(ex.binance_mode(key, binance_product::usdm) == position_mode::hedge);

  faults.apply_change = false;
  ex.set_faults(faults);
  ex.set_binance_mode(key, binance_product::usdm, position_mode::one_way);
  CHECK(client.request(set_hedge()).status() == 503);
  CHECK(ex.binance_mode(key, binance_product::usdm) == position_mode::one_way);
}

TEST_CASE_FIXTURE(fault_fixture, "the HTML 502 fault answers a CloudFront page") {
  mock::fault_set faults;
  faults.html_502 = true;
  ex.set_faults(faults);
  auto r = client.request(set_hedge());
  CHECK(r.status() == 502);
  CHECK(r.header("Content-Type") == "text/html");
  CHECK(r.response.body().find("<center>CloudFront</center>") != std::string::npos);
  CHECK(ex.binance_mode(key, binance_product::usdm) == position_mode::one_way);
}

TEST_CASE_FIXTURE(fault_fixture, "the Connection: close fault closes after the reply") {
  mock::fault_set faults;
  faults.connection_close = true;
  ex.set_faults(faults);
  auto r = client.request(set_hedge());
  CHECK(r.status() == 200);
  CHECK(r.header("Connection") == "close");
  boost::system::error_code ec;
  CHECK(client.read_until_end(ec).empty());
  CHECK(ec == boost::asio::error::eof);  // a TLS close_notify: a clean end
}

TEST_CASE_FIXTURE(fault_fixture,
                  "drop after reply sends the whole reply, then cuts the connection") {
  mock::fault_set faults;
  faults.drop_after_reply = true;
  ex.set_faults(faults);
  auto r = client.request(set_hedge());
  CHECK(r.status() == 200);
  CHECK(r.header("Connection") == "keep-alive");
  boost::system::error_code ec;
  CHECK(client.read_until_end(ec).empty());
  CHECK(is_connection_end(ec));
}

TEST_CASE_FIXTURE(fault_fixture, "a dripped reply arrives whole, one byte at a time") {
  mock::fault_set faults;
  faults.drip = true;
  faults.drip_interval = 0ms;
  ex.set_faults(faults);
  auto r = client.request(set_hedge());
  REQUIRE(!r.ec);
  CHECK(r.status() == 200);
  CHECK(r.response.body() == R"({"code":200,"msg":"success"})");
  CHECK(r.reads > 20);
  // The connection stays usable.
  ex.set_faults({});
  CHECK(client.request(test::plain_get("/fapi/v1/ping")).status() == 200);
}

TEST_CASE_FIXTURE(fault_fixture, "the delay fault holds the reply back") {
  mock::fault_set faults;
  faults.delay = 50ms;
  ex.set_faults(faults);
  const auto start = std::chrono::steady_clock::now();
  CHECK(client.request(test::plain_get("/fapi/v1/ping")).status() == 200);
  CHECK(std::chrono::steady_clock::now() - start >= 50ms);
}

TEST_CASE_FIXTURE(fault_fixture, "per-key faults replace the global ones for that key only") {
  mock::fault_set faults;
  faults.unknown_error_503 = true;
  ex.set_account_faults(other_key, faults);
  CHECK(client.request(set_hedge(other_key)).status() == 503);
  CHECK(client.request(set_hedge(key)).status() == 200);
  ex.set_faults(faults);
  ex.set_account_faults(key, {});
  CHECK(client.request(set_hedge(key)).status() == 400);  // -4059: no fault for this key
  ex.clear_account_faults(key);
  CHECK(client.request(set_hedge(key)).status() == 503);
}

TEST_CASE_FIXTURE(fault_fixture, "a skewed clock shows in the time endpoint and the window") {
  ex.set_clock_skew(600'000ms);
  const auto before = now_ms();
  auto r = client.request(test::plain_get("/fapi/v1/time"));
  const auto after = now_ms();
  const auto server = std::stoll(r.response.body().substr(14));
  CHECK(server >= before + 600'000);
  CHECK(server <= after + 600'000);
  // A timestamp from the local clock is now 10 minutes stale.
  auto stale = client.request(set_hedge());
  CHECK(stale.response.body().find(R"("code":-1021)") != std::string::npos);
}

TEST_CASE("the request log records each request and feeds the observer") {
  std::mutex mutex;
  std::vector<std::string> lines;
  mock::exchange_options options;
  options.on_request = [&](const mock::request_record& record) {
    const std::lock_guard lock(mutex);
    lines.push_back(mock::format_record(record));
  };
  mock::exchange ex(options);
  mock::binance_account account;
  account.api_key = std::string(key);
  account.secret = std::string(secret);
  ex.add_binance_account(account);
  mock_client client(ex.port(), ex.ca_pem());
  REQUIRE(!client.connect());
  const std::string request = fault_fixture::set_hedge();
  CHECK(client.request(request).status() == 200);
  CHECK(client.request(request).status() == 400);
  CHECK(client.request(test::plain_get("/fapi/v1/ping")).status() == 200);

  const auto log = ex.request_log();
  REQUIRE(log.size() == 3);
  CHECK(log[0].method == "POST");
  CHECK(log[0].target == request.substr(5, request.find(" HTTP/1.1") - 5));
  CHECK(log[0].api_key == "vmPU...Eh8A");
  CHECK(log[0].outcome == "200");
  CHECK(log[0].http_status == 200);
  CHECK(log[0].fault.empty());
  CHECK(log[1].outcome == "-4059");
  CHECK(log[1].http_status == 400);
  CHECK(log[2].api_key.empty());
  CHECK(log[2].outcome == "ok");
  CHECK(log[0].time <= log[2].time);
  {
    const std::lock_guard lock(mutex);
    REQUIRE(lines.size() == 3);
    CHECK(lines[1].find("POST /fapi/v1/positionSide/dual?") != std::string::npos);
    CHECK(lines[1].ends_with("key=vmPU...Eh8A -> 400 -4059"));
    CHECK(lines[1].find(secret) == std::string::npos);
  }
  CHECK(log[0].venue == "binance");
  CHECK(log[2].venue == "binance");
  const std::string json = mock::format_record_json(log[1]);
  CHECK(json.starts_with(R"({"time":")"));
  CHECK(json.find(R"(Z","venue":"binance","method":"POST",)"
                  R"("path":"/fapi/v1/positionSide/dual","query":"dualSidePosition=true&)") !=
        std::string::npos);
  CHECK(json.ends_with(R"(","key":"vmPU...Eh8A","http_status":400,"code":"-4059","fault":null})"));
  CHECK(json.find(secret) == std::string::npos);
  CHECK(mock::format_record_json(log[2]).find(
            R"("query":null,"key":null,"http_status":200,"code":"ok")") != std::string::npos);
  ex.clear_request_log();
  CHECK(ex.request_log().empty());
  CHECK(mock::mask_api_key("short") == "****");
  CHECK(mock::mask_api_key("").empty());
}

TEST_CASE("a JSON log line escapes whatever the client sent and names no venue it has not") {
  mock::request_record r;
  r.method = "GET";
  r.target = std::string("/nowhere/\"q\\\x01\xff?a=\x7f");
  r.outcome = std::string(1, '-');  // not = "-": g++ 12 -O3 false -Wrestrict (GCC 105329)
  r.fault = "drop_before";
  CHECK(mock::format_record_json(r) ==
        R"({"time":"1970-01-01T00:00:00.000Z","venue":null,"method":"GET",)"
        R"("path":"/nowhere/\"q\\\u0001\u00ff","query":"a=\u007f","key":null,)"
        R"("http_status":null,"code":null,"fault":"drop_before"})");
}
