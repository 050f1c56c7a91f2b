// Bitget request layout, byte for byte (docs/venues.md "Wire layout posmode uses" and §3; the
// signatures of USDT-FUTURES set-hedge and the account query are the captured vectors of §6,
// the others computed with `openssl dgst -sha256 -hmac ... -binary | base64`).

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "components/request_bytes.hpp"
#include "posmode/components/account_requests.hpp"
#include "posmode/version.hpp"
#include "support/expected_requests.hpp"

using namespace posmode::components;
using posmode::test::query_bytes;
using posmode::test::set_bytes;

namespace {

credentials bitget_credentials() {
  credentials c;
  c.api_key = "bg_0123456789abcdef0123456789abcdef";
  c.secret = secret_string("bgsecret0123456789abcdef0123456789abcdef0123456789abcdef01234567");
  c.passphrase = secret_string("Passphrase1");
  return c;
}

account_config account(std::vector<product> products, bool demo_key = false) {
  account_config c;
  c.id = "bg";
  c.venue_kind = venue::bitget;
  c.products = std::move(products);
  c.bitget_demo_key = demo_key;
  return c;
}

}  // namespace

TEST_CASE("Bitget USDT-FUTURES set-hedge is the exact documented bytes") {
  account_requests r(account({product::usdt_futures}), bitget_credentials());
  CHECK(set_bytes(r, product::usdt_futures, position_mode::hedge) ==
        posmode::test::bitget_usdt_set_hedge);
  CHECK(
      r.presigned(product::usdt_futures, position_mode::hedge)->request().signed_view() ==
      R"(1700000000000POST/api/v2/mix/account/set-position-mode{"productType":"USDT-FUTURES","posMode":"hedge_mode"})");
  CHECK(set_bytes(r, product::usdt_futures, position_mode::one_way) ==
        posmode::test::bitget_usdt_set_one_way);
}

TEST_CASE("Bitget account query has sorted keys, no body and the captured signature") {
  account_requests r(account({product::usdt_futures, product::coin_futures}), bitget_credentials());
  CHECK(query_bytes(r, product::usdt_futures) ==
        "GET /api/v2/mix/account/account?marginCoin=USDT&productType=USDT-FUTURES&symbol=BTCUSDT"
        " HTTP/1.1\r\n"
        "Host: api.bitget.com\r\n"
        "User-Agent: posmode/" POSMODE_VERSION_STRING
        "\r\n"
        "ACCESS-KEY: bg_0123456789abcdef0123456789abcdef\r\n"
        "ACCESS-SIGN: bF06fQ8DvqlgrxjnOGkZ3eGJETknMtxKmK3sF+h1AyE=\r\n"
        "ACCESS-TIMESTAMP: 1700000000000\r\n"
        "ACCESS-PASSPHRASE: Passphrase1\r\n"
        "locale: en-US\r\n"
        "\r\n");
  CHECK(query_bytes(r, product::coin_futures) ==
        "GET /api/v2/mix/account/account?marginCoin=BTC&productType=COIN-FUTURES&symbol=BTCUSD"
        " HTTP/1.1\r\n"
        "Host: api.bitget.com\r\n"
        "User-Agent: posmode/" POSMODE_VERSION_STRING
        "\r\n"
        "ACCESS-KEY: bg_0123456789abcdef0123456789abcdef\r\n"
        "ACCESS-SIGN: SjeIoRJJT8npppBd4Fqdr7hNspkJZdPlEg0aT02Fnjw=\r\n"
        "ACCESS-TIMESTAMP: 1700000000000\r\n"
        "ACCESS-PASSPHRASE: Passphrase1\r\n"
        "locale: en-US\r\n"
        "\r\n");
  CHECK(set_bytes(r, product::coin_futures, position_mode::hedge)
            .find("ACCESS-SIGN: jc7zPlmUrQ95JRqv8+AjDQxPdmaapb05OWP2KEvV5qI=\r\n") !=
        std::string::npos);
}

TEST_CASE("Bitget query symbol and margin coin can be overridden") {
  auto config = account({product::usdt_futures});
  config.bitget_query_symbol = "ETHUSDT";
  config.bitget_query_margin_coin = "USDT";
  account_requests r(config, bitget_credentials());
  CHECK(query_bytes(r, product::usdt_futures)
            .starts_with("GET /api/v2/mix/account/account?marginCoin=USDT"
                         "&productType=USDT-FUTURES&symbol=ETHUSDT HTTP/1.1\r\n"));
}

TEST_CASE("a Bitget demo key adds paptrading: 1 and leaves the signature unchanged") {
  account_requests r(account({product::usdt_futures}, true), bitget_credentials());
  CHECK(set_bytes(r, product::usdt_futures, position_mode::hedge) ==
        "POST /api/v2/mix/account/set-position-mode HTTP/1.1\r\n"
        "Host: api.bitget.com\r\n"
        "User-Agent: posmode/" POSMODE_VERSION_STRING
        "\r\n"
        "ACCESS-KEY: bg_0123456789abcdef0123456789abcdef\r\n"
        "ACCESS-SIGN: 2Gdz2auu+jzKidxaH31F06Y3yfd6s3i4XPMpMQBosAQ=\r\n"
        "ACCESS-TIMESTAMP: 1700000000000\r\n"
        "ACCESS-PASSPHRASE: Passphrase1\r\n"
        "Content-Type: application/json\r\n"
        "locale: en-US\r\n"
        "paptrading: 1\r\n"
        "Content-Length: 53\r\n"
        "\r\n"
        R"({"productType":"USDT-FUTURES","posMode":"hedge_mode"})");
}

TEST_CASE("a Bitget account in the demo environment sends paptrading: 1 on every signed request") {
  auto config = account({product::usdt_futures});
  config.environment = venue_environment::demo;
  account_requests r(config, bitget_credentials());
  // Byte-equal to the demo-key request above: environment = demo is the same switch.
  account_requests by_key(account({product::usdt_futures}, true), bitget_credentials());
  const std::string set = set_bytes(r, product::usdt_futures, position_mode::hedge);
  CHECK(set == set_bytes(by_key, product::usdt_futures, position_mode::hedge));
  CHECK(set.find("\r\nHost: api.bitget.com\r\n") != std::string::npos);
  CHECK(set.find("\r\nlocale: en-US\r\npaptrading: 1\r\n") != std::string::npos);
  CHECK(query_bytes(r, product::usdt_futures).find("\r\npaptrading: 1\r\n") != std::string::npos);
  CHECK(r.api_endpoint().host == "api.bitget.com");
  // Production sends no such header.
  account_requests live(account({product::usdt_futures}), bitget_credentials());
  CHECK(set_bytes(live, product::usdt_futures, position_mode::hedge).find("paptrading") ==
        std::string::npos);
}

TEST_CASE("Bitget S-prefixed demo product types are sent without the demo header") {
  account_requests r(account({product::susdc_futures}), bitget_credentials());
  CHECK(set_bytes(r, product::susdc_futures, position_mode::one_way) ==
        "POST /api/v2/mix/account/set-position-mode HTTP/1.1\r\n"
        "Host: api.bitget.com\r\n"
        "User-Agent: posmode/" POSMODE_VERSION_STRING
        "\r\n"
        "ACCESS-KEY: bg_0123456789abcdef0123456789abcdef\r\n"
        "ACCESS-SIGN: /CoVKy6wo5UQtnm4DkT76LK/BV6gT97Vs/rwUf/QXDc=\r\n"
        "ACCESS-TIMESTAMP: 1700000000000\r\n"
        "ACCESS-PASSPHRASE: Passphrase1\r\n"
        "Content-Type: application/json\r\n"
        "locale: en-US\r\n"
        "Content-Length: 56\r\n"
        "\r\n"
        R"({"productType":"SUSDC-FUTURES","posMode":"one_way_mode"})");
  CHECK(query_bytes(r, product::susdc_futures)
            .starts_with("GET /api/v2/mix/account/account?marginCoin=SUSDC"
                         "&productType=SUSDC-FUTURES&symbol=SBTCSPERP HTTP/1.1\r\n"));
}

TEST_CASE("Bitget keeps the connection warm and the clock with the public time endpoint") {
  account_requests r(account({product::usdt_futures}), bitget_credentials());
  const std::string_view expected =
      "GET /api/v2/public/time HTTP/1.1\r\nHost: api.bitget.com\r\nUser-Agent: "
      "posmode/" POSMODE_VERSION_STRING
      "\r\n"
      "locale: en-US\r\n\r\n";
  CHECK(std::string_view(r.ping().data(), r.ping().size()) == expected);
  CHECK(std::string_view(r.server_time().data(), r.server_time().size()) == expected);
}
