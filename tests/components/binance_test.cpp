// Binance request layout, byte for byte, for every variant (docs/venues.md "Wire layout posmode
// uses"; signatures: the captured vectors of docs/venues.md §6 where the signed string is the same,
// otherwise computed with `openssl dgst -sha256 -hmac`).

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "components/request_bytes.hpp"
#include "posmode/components/account_requests.hpp"
#include "posmode/version.hpp"

using namespace posmode::components;
using posmode::test::query_bytes;
using posmode::test::set_bytes;

namespace {

constexpr std::string_view key = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";

credentials binance_credentials() {
  credentials c;
  c.api_key = std::string(key);
  c.secret = secret_string("NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j");
  return c;
}

account_config account(venue v, std::vector<product> products) {
  account_config c;
  c.id = "acct";
  c.venue_kind = v;
  c.products = std::move(products);
  return c;
}

std::string str(std::span<const char> s) {
  return {s.data(), s.size()};
}

}  // namespace

TEST_CASE("Binance PAPI UM set-hedge and set-one-way are the exact documented bytes") {
  account_requests r(account(venue::binance_papi, {product::papi_um, product::papi_cm}),
                     binance_credentials());
  CHECK(set_bytes(r, product::papi_um, position_mode::hedge) ==
        "POST /papi/v1/um/positionSide/dual?dualSidePosition=true&recvWindow=5000"
        "&timestamp=1700000000000"
        "&signature=d11f2869d49a3801fb5a6bad60898968cc6c370033a79aab2c9c9251e454b3c3 HTTP/1.1\r\n"
        "Host: papi.binance.com\r\n"
        "User-Agent: posmode/" POSMODE_VERSION_STRING
        "\r\n"
        "X-MBX-APIKEY: vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A\r\n"
        "Content-Length: 0\r\n"
        "\r\n");
  // docs/venues.md §6, official connector vector: a32912a3...d171.
  CHECK(set_bytes(r, product::papi_um, position_mode::one_way) ==
        "POST /papi/v1/um/positionSide/dual?dualSidePosition=false&recvWindow=5000"
        "&timestamp=1700000000000"
        "&signature=a32912a3e10cf6eedb7c887756f4b5eb7878077e1f50d1fcac3681b75a0ad171 HTTP/1.1\r\n"
        "Host: papi.binance.com\r\n"
        "User-Agent: posmode/" POSMODE_VERSION_STRING
        "\r\n"
        "X-MBX-APIKEY: vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A\r\n"
        "Content-Length: 0\r\n"
        "\r\n");
}

TEST_CASE("Binance PAPI CM uses the cm path with the same signed string") {
  account_requests r(account(venue::binance_papi, {product::papi_cm}), binance_credentials());
  CHECK(set_bytes(r, product::papi_cm, position_mode::hedge) ==
        "POST /papi/v1/cm/positionSide/dual?dualSidePosition=true&recvWindow=5000"
        "&timestamp=1700000000000"
        "&signature=d11f2869d49a3801fb5a6bad60898968cc6c370033a79aab2c9c9251e454b3c3 HTTP/1.1\r\n"
        "Host: papi.binance.com\r\n"
        "User-Agent: posmode/" POSMODE_VERSION_STRING
        "\r\n"
        "X-MBX-APIKEY: vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A\r\n"
        "Content-Length: 0\r\n"
        "\r\n");
  CHECK(query_bytes(r, product::papi_cm) ==
        "GET /papi/v1/cm/positionSide/dual?recvWindow=5000&timestamp=1700000000000"
        "&signature=87e5c6222562009dfc00b491bbc2a244513b1555abde13b604bc2c22cf991114 HTTP/1.1\r\n"
        "Host: papi.binance.com\r\n"
        "User-Agent: posmode/" POSMODE_VERSION_STRING
        "\r\n"
        "X-MBX-APIKEY: vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A\r\n"
        "\r\n");
  // The UM product was not configured: nothing is handed out.
  std::error_code ec;
  CHECK(r.set_mode(product::papi_um, position_mode::hedge, posmode::test::vector_time_ms, ec)
            .empty());
  CHECK(ec == std::errc::invalid_argument);
}

TEST_CASE("Binance PAPI pings papi and takes its clock from fapi's time endpoint") {
  account_requests r(account(venue::binance_papi, {product::papi_um}), binance_credentials());
  CHECK(str(r.ping()) ==
        "GET /papi/v1/ping HTTP/1.1\r\nHost: papi.binance.com\r\nUser-Agent: "
        "posmode/" POSMODE_VERSION_STRING "\r\n\r\n");
  CHECK(str(r.server_time()) ==
        "GET /fapi/v1/time HTTP/1.1\r\nHost: fapi.binance.com\r\nUser-Agent: "
        "posmode/" POSMODE_VERSION_STRING "\r\n\r\n");
  CHECK(r.api_endpoint().host == "papi.binance.com");
  CHECK(r.time_endpoint().host == "fapi.binance.com");
  CHECK(r.time_endpoint().port == 443);
}

TEST_CASE("Binance USD-M uses fapi for everything") {
  account_requests r(account(venue::binance_usdm, {product::usdm}), binance_credentials());
  CHECK(set_bytes(r, product::usdm, position_mode::one_way) ==
        "POST /fapi/v1/positionSide/dual?dualSidePosition=false&recvWindow=5000"
        "&timestamp=1700000000000"
        "&signature=a32912a3e10cf6eedb7c887756f4b5eb7878077e1f50d1fcac3681b75a0ad171 HTTP/1.1\r\n"
        "Host: fapi.binance.com\r\n"
        "User-Agent: posmode/" POSMODE_VERSION_STRING
        "\r\n"
        "X-MBX-APIKEY: vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A\r\n"
        "Content-Length: 0\r\n"
        "\r\n");
  CHECK(query_bytes(r, product::usdm) ==
        "GET /fapi/v1/positionSide/dual?recvWindow=5000&timestamp=1700000000000"
        "&signature=87e5c6222562009dfc00b491bbc2a244513b1555abde13b604bc2c22cf991114 HTTP/1.1\r\n"
        "Host: fapi.binance.com\r\n"
        "User-Agent: posmode/" POSMODE_VERSION_STRING
        "\r\n"
        "X-MBX-APIKEY: vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A\r\n"
        "\r\n");
  CHECK(str(r.ping()) ==
        "GET /fapi/v1/ping HTTP/1.1\r\nHost: fapi.binance.com\r\nUser-Agent: "
        "posmode/" POSMODE_VERSION_STRING "\r\n\r\n");
  CHECK(str(r.server_time()) ==
        "GET /fapi/v1/time HTTP/1.1\r\nHost: fapi.binance.com\r\nUser-Agent: "
        "posmode/" POSMODE_VERSION_STRING "\r\n\r\n");
}

TEST_CASE("Binance COIN-M uses dapi for everything") {
  account_requests r(account(venue::binance_coinm, {product::coinm}), binance_credentials());
  CHECK(set_bytes(r, product::coinm, position_mode::hedge) ==
        "POST /dapi/v1/positionSide/dual?dualSidePosition=true&recvWindow=5000"
        "&timestamp=1700000000000"
        "&signature=d11f2869d49a3801fb5a6bad60898968cc6c370033a79aab2c9c9251e454b3c3 HTTP/1.1\r\n"
        "Host: dapi.binance.com\r\n"
        "User-Agent: posmode/" POSMODE_VERSION_STRING
        "\r\n"
        "X-MBX-APIKEY: vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A\r\n"
        "Content-Length: 0\r\n"
        "\r\n");
  CHECK(str(r.ping()) ==
        "GET /dapi/v1/ping HTTP/1.1\r\nHost: dapi.binance.com\r\nUser-Agent: "
        "posmode/" POSMODE_VERSION_STRING "\r\n\r\n");
  CHECK(str(r.server_time()) ==
        "GET /dapi/v1/time HTTP/1.1\r\nHost: dapi.binance.com\r\nUser-Agent: "
        "posmode/" POSMODE_VERSION_STRING "\r\n\r\n");
}

TEST_CASE("Binance recvWindow is always sent, as configured") {
  auto config = account(venue::binance_usdm, {product::usdm});
  config.recv_window_ms = 10000;
  account_requests r(config, binance_credentials());
  const std::string bytes = set_bytes(r, product::usdm, position_mode::hedge);
  CHECK(bytes.starts_with(
      "POST /fapi/v1/positionSide/dual?dualSidePosition=true&recvWindow=10000"
      "&timestamp=1700000000000"
      "&signature=6afb6578dffa4c9ef53c21a5e152117c4e9fe730e2a7ca3a3888161236570b1b HTTP/1.1\r\n"));
}

TEST_CASE("Binance USD-M and COIN-M test environments send everything, clock included, there") {
  struct row {
    venue v;
    product p;
    venue_environment e;
    const char* host;
    const char* time_path;
  };
  for (const row x : {row{venue::binance_usdm, product::usdm, venue_environment::testnet,
                          "testnet.binancefuture.com", "/fapi/v1/time"},
                      row{venue::binance_usdm, product::usdm, venue_environment::demo,
                          "demo-fapi.binance.com", "/fapi/v1/time"},
                      row{venue::binance_coinm, product::coinm, venue_environment::testnet,
                          "testnet.binancefuture.com", "/dapi/v1/time"},
                      row{venue::binance_coinm, product::coinm, venue_environment::demo,
                          "demo-dapi.binance.com", "/dapi/v1/time"}}) {
    CAPTURE(x.host);
    auto config = account(x.v, {x.p});
    config.environment = x.e;
    account_requests r(config, binance_credentials());
    CHECK(
        set_bytes(r, x.p, position_mode::hedge).find("\r\nHost: " + std::string(x.host) + "\r\n") !=
        std::string::npos);
    CHECK(str(r.server_time()) == "GET " + std::string(x.time_path) +
                                      " HTTP/1.1\r\nHost: " + x.host +
                                      "\r\nUser-Agent: posmode/" POSMODE_VERSION_STRING "\r\n\r\n");
    CHECK(r.api_endpoint().host == x.host);
    CHECK(r.time_endpoint().host == x.host);
    // An explicit host still wins over the environment's.
    config.host = "127.0.0.1";
    account_requests overridden(config, binance_credentials());
    CHECK(overridden.api_endpoint().host == "127.0.0.1");
    CHECK(overridden.time_endpoint().host == "127.0.0.1");
  }
}

TEST_CASE("an endpoint override sends every request, the clock included, to that host and port") {
  auto config = account(venue::binance_papi, {product::papi_um});
  config.host = "127.0.0.1";
  config.port = 8443;
  account_requests r(config, binance_credentials());
  CHECK(set_bytes(r, product::papi_um, position_mode::hedge).find("\r\nHost: 127.0.0.1:8443\r\n") !=
        std::string::npos);
  CHECK(str(r.server_time()) ==
        "GET /fapi/v1/time HTTP/1.1\r\nHost: 127.0.0.1:8443\r\nUser-Agent: "
        "posmode/" POSMODE_VERSION_STRING "\r\n\r\n");
  CHECK(r.time_endpoint().host == "127.0.0.1");
  CHECK(r.time_endpoint().port == 8443);
}
