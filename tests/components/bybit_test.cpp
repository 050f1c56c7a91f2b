// Bybit request layout, byte for byte (docs/venues.md §5 and §7.8 to §7.10; the signatures of
// linear-USDT set-hedge and the BTCUSDT position-list query are the vectors of §6, the others
// computed with `openssl dgst -sha256 -hmac`).

#include <doctest/doctest.h>

#include <span>
#include <string>
#include <string_view>

#include "components/request_bytes.hpp"
#include "posmode/components/account_requests.hpp"
#include "posmode/engine/hmac_signer.hpp"
#include "posmode/version.hpp"
#include "support/expected_requests.hpp"

using namespace posmode::components;
using posmode::test::query_bytes;
using posmode::test::set_bytes;

namespace {

credentials bybit_credentials() {
  credentials c;
  c.api_key = "XXXXXXXXXXXXXXXXXX";
  c.secret = secret_string("YYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYY");
  return c;
}

account_config account(std::vector<product> products) {
  account_config c;
  c.id = "bb";
  c.venue_kind = venue::bybit;
  c.products = std::move(products);
  return c;
}

std::string hex_of(std::string_view message) {
  posmode::engine::hmac_signer signer("YYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYY");
  std::string out(posmode::engine::hmac_signer::hex_size, '?');
  REQUIRE(signer.sign_hex(
      message, std::span<char, posmode::engine::hmac_signer::hex_size>(out.data(), out.size())));
  return out;
}

}  // namespace

TEST_CASE("Bybit linear-USDT set-hedge is the exact bytes of the bybit-api vector") {
  account_requests r(account({product::bybit_linear_usdt}), bybit_credentials());
  CHECK(set_bytes(r, product::bybit_linear_usdt, position_mode::hedge) ==
        posmode::test::bybit_usdt_set_hedge);
  CHECK(r.presigned(product::bybit_linear_usdt, position_mode::hedge)->request().signed_view() ==
        R"(1700000000000XXXXXXXXXXXXXXXXXX5000{"category":"linear","coin":"USDT","mode":3})");
  CHECK(set_bytes(r, product::bybit_linear_usdt, position_mode::one_way) ==
        "POST /v5/position/switch-mode HTTP/1.1\r\n"
        "Host: api.bybit.com\r\n"
        "User-Agent: posmode/" POSMODE_VERSION_STRING
        "\r\n"
        "X-BAPI-API-KEY: XXXXXXXXXXXXXXXXXX\r\n"
        "X-BAPI-TIMESTAMP: 1700000000000\r\n"
        "X-BAPI-RECV-WINDOW: 5000\r\n"
        "X-BAPI-SIGN: 2d78edc24e42b7ca7642374f0a88c6035b4a6df70f9eed9757f10d5d7945e531\r\n"
        "Content-Type: application/json\r\n"
        "Content-Length: 44\r\n"
        "\r\n"
        R"({"category":"linear","coin":"USDT","mode":0})");
}

TEST_CASE("Bybit position-list query is the exact bytes of the GET vector") {
  account_requests r(account({product::bybit_linear_usdt, product::bybit_linear_usdc}),
                     bybit_credentials());
  CHECK(query_bytes(r, product::bybit_linear_usdt) ==
        "GET /v5/position/list?category=linear&symbol=BTCUSDT HTTP/1.1\r\n"
        "Host: api.bybit.com\r\n"
        "User-Agent: posmode/" POSMODE_VERSION_STRING
        "\r\n"
        "X-BAPI-API-KEY: XXXXXXXXXXXXXXXXXX\r\n"
        "X-BAPI-TIMESTAMP: 1700000000000\r\n"
        "X-BAPI-RECV-WINDOW: 5000\r\n"
        "X-BAPI-SIGN: b14074592d8a85590394add17143e96434315d51bfefd9779b6965dc3eb58d1b\r\n"
        "\r\n");
  CHECK(r.query_template(product::bybit_linear_usdt)->signed_view() ==
        "1700000000000XXXXXXXXXXXXXXXXXX5000category=linear&symbol=BTCUSDT");
  // linear-USDC: its own coin and query symbol.
  CHECK(set_bytes(r, product::bybit_linear_usdc, position_mode::hedge)
            .ends_with("X-BAPI-SIGN: "
                       "ad0fc99c16d6f1825f44e41be563ba20ba5d49226e348da9d5a4476349b889ac\r\n"
                       "Content-Type: application/json\r\n"
                       "Content-Length: 44\r\n\r\n"
                       R"({"category":"linear","coin":"USDC","mode":3})"));
  CHECK(
      query_bytes(r, product::bybit_linear_usdc)
          .find("X-BAPI-SIGN: c436218fa35443a6bd08eee2d7045314c14287cc804ce6c1a801f584bf26f1de\r\n"
                "\r\n") != std::string::npos);
  CHECK(query_bytes(r, product::bybit_linear_usdc)
            .starts_with("GET /v5/position/list?category=linear&symbol=BTCPERP HTTP/1.1\r\n"));
}

TEST_CASE("Bybit linear-symbol switches the account's symbol and reads it back") {
  auto config = account({product::bybit_linear_symbol});
  config.bitget_query_symbol = "BTCUSDT";
  account_requests r(config, bybit_credentials());
  CHECK(set_bytes(r, product::bybit_linear_symbol, position_mode::one_way)
            .ends_with("X-BAPI-SIGN: "
                       "477deca38e5aa2c5d713bfe62764b4570bbf29e294150d0f7c4a3f07c904238d\r\n"
                       "Content-Type: application/json\r\n"
                       "Content-Length: 49\r\n\r\n"
                       R"({"category":"linear","symbol":"BTCUSDT","mode":0})"));
  CHECK(query_bytes(r, product::bybit_linear_symbol)
            .starts_with("GET /v5/position/list?category=linear&symbol=BTCUSDT HTTP/1.1\r\n"));
}

TEST_CASE("a Bybit coin scope reads its own perpetual back, whatever the account's symbol") {
  auto config = account({product::bybit_linear_usdc, product::bybit_linear_symbol});
  config.bitget_query_symbol = "ETHUSDT";
  account_requests r(config, bybit_credentials());
  CHECK(query_bytes(r, product::bybit_linear_usdc)
            .starts_with("GET /v5/position/list?category=linear&symbol=BTCPERP HTTP/1.1\r\n"));
  CHECK(query_bytes(r, product::bybit_linear_symbol)
            .starts_with("GET /v5/position/list?category=linear&symbol=ETHUSDT HTTP/1.1\r\n"));
}

TEST_CASE("Bybit recvWindow is the account's, in the header and in the signed string") {
  auto config = account({product::bybit_linear_usdt});
  config.recv_window_ms = 20'000;
  account_requests r(config, bybit_credentials());
  const std::string set = set_bytes(r, product::bybit_linear_usdt, position_mode::hedge);
  CHECK(set.find("\r\nX-BAPI-RECV-WINDOW: 20000\r\n") != std::string::npos);
  const std::string_view signed_text =
      R"(1700000000000XXXXXXXXXXXXXXXXXX20000{"category":"linear","coin":"USDT","mode":3})";
  CHECK(r.presigned(product::bybit_linear_usdt, position_mode::hedge)->request().signed_view() ==
        signed_text);
  CHECK(set.find("X-BAPI-SIGN: " + hex_of(signed_text) + "\r\n") != std::string::npos);
}

TEST_CASE("Bybit testnet and demo are their own hosts") {
  auto config = account({product::bybit_linear_usdt});
  config.environment = venue_environment::testnet;
  account_requests testnet(config, bybit_credentials());
  CHECK(testnet.api_endpoint().host == "api-testnet.bybit.com");
  CHECK(set_bytes(testnet, product::bybit_linear_usdt, position_mode::hedge)
            .find("\r\nHost: api-testnet.bybit.com\r\n") != std::string::npos);
  config.environment = venue_environment::demo;
  account_requests demo(config, bybit_credentials());
  CHECK(demo.api_endpoint().host == "api-demo.bybit.com");
  // Same signature whatever the host: the host is not signed.
  CHECK(set_bytes(demo, product::bybit_linear_usdt, position_mode::hedge)
            .find("fa6b1e04895273fb5701eca48efb3bca9bf8ea9bc91e492570e7682b82c33cdc") !=
        std::string::npos);
}

TEST_CASE("Bybit keeps the connection warm and the clock with the public time endpoint") {
  account_requests r(account({product::bybit_linear_usdt}), bybit_credentials());
  const std::string_view expected =
      "GET /v5/market/time HTTP/1.1\r\nHost: api.bybit.com\r\nUser-Agent: "
      "posmode/" POSMODE_VERSION_STRING "\r\n\r\n";
  CHECK(std::string_view(r.ping().data(), r.ping().size()) == expected);
  CHECK(std::string_view(r.server_time().data(), r.server_time().size()) == expected);
}

TEST_CASE("the signer reproduces every Bybit vector of docs/venues.md §6, both key orders") {
  const std::string_view key_window = "1700000000000XXXXXXXXXXXXXXXXXX5000";
  CHECK(hex_of(std::string(key_window) + R"({"mode":3,"coin":"USDT","category":"linear"})") ==
        "0cde1d13ba752c43900d5e518f284849a655774c32309866e571427bd738bd48");
  CHECK(hex_of(std::string(key_window) + R"({"category":"linear","coin":"USDT","mode":3})") ==
        "fa6b1e04895273fb5701eca48efb3bca9bf8ea9bc91e492570e7682b82c33cdc");
  CHECK(hex_of(std::string(key_window) + R"({"mode":0,"symbol":"BTCUSDT","category":"linear"})") ==
        "baf35f378f5578b2c516f2f1838e013dac213186f29724467ac40b44bd8f733d");
  CHECK(hex_of(std::string(key_window) + "category=linear&symbol=BTCUSDT") ==
        "b14074592d8a85590394add17143e96434315d51bfefd9779b6965dc3eb58d1b");
}
