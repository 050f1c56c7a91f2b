// Gate APIv4 request layout, byte for byte (docs/venues.md §7 "Wire layout" and §5b; the three
// signatures are the vectors G3, G4 and G6 of §5b.5): the mode in the query string, the empty
// body's SHA-512 in the signed string, whole seconds in `Timestamp`, HMAC-SHA512 in `SIGN`.

#include <doctest/doctest.h>

#include <stdexcept>
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

credentials gate_credentials() {
  credentials c;
  c.api_key = "gatekey0123456789abcdef0123456789";
  c.secret = secret_string("gatesecret0123456789abcdef0123456789abcdef0123456789abcdef0123");
  return c;
}

account_config account(std::vector<product> products = {product::gate_usdt},
                       venue_environment e = venue_environment::production) {
  account_config c;
  c.id = "gate";
  c.venue_kind = venue::gate;
  c.products = std::move(products);
  c.environment = e;
  return c;
}

constexpr std::string_view empty_body_hash =
    "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec"
    "2f63b931bd47417a81a538327af927da3e";

}  // namespace

TEST_CASE("Gate set-hedge and set-one-way are the exact bytes of vectors G4 and G3") {
  account_requests r(account(), gate_credentials());
  CHECK(set_bytes(r, product::gate_usdt, position_mode::hedge) == posmode::test::gate_set_hedge);
  CHECK(r.presigned(product::gate_usdt, position_mode::hedge)->request().signed_view() ==
        "POST\n/api/v4/futures/usdt/set_position_mode\nposition_mode=dual\n" +
            std::string(empty_body_hash) + "\n1700000000");
  CHECK(set_bytes(r, product::gate_usdt, position_mode::one_way) ==
        posmode::test::gate_set_one_way);
}

TEST_CASE("Gate's mode query reads the settle account: vector G6, no body, no Content-Length") {
  account_requests r(account(), gate_credentials());
  CHECK(query_bytes(r, product::gate_usdt) == posmode::test::gate_query);
}

TEST_CASE("Gate re-signs with whole seconds: milliseconds are cut from header and signed string") {
  account_requests r(account(), gate_credentials());
  std::error_code ec;
  const auto bytes = r.set_mode(product::gate_usdt, position_mode::hedge, 1700000061999, ec);
  REQUIRE_FALSE(ec);
  const std::string_view wire(bytes.data(), bytes.size());
  CHECK(wire.find("Timestamp: 1700000061\r\n") != std::string_view::npos);
  const auto& request = r.presigned(product::gate_usdt, position_mode::hedge)->request();
  CHECK(request.signed_view().ends_with("\n1700000061"));
  CHECK(request.timestamp_ms() == 1700000061999);
  CHECK(request.signature_view().size() == 128);
  CHECK(wire.find("b3580438412d68e2") == std::string_view::npos);  // G4's signature is gone
}

TEST_CASE("Gate's BTC settle account has its own path in target and signed string") {
  account_requests r(account({product::gate_usdt, product::gate_btc}), gate_credentials());
  const std::string set = set_bytes(r, product::gate_btc, position_mode::hedge);
  CHECK(set.starts_with(
      "POST /api/v4/futures/btc/set_position_mode?position_mode=dual HTTP/1.1\r\n"));
  CHECK(r.presigned(product::gate_btc, position_mode::hedge)
            ->request()
            .signed_view()
            .starts_with("POST\n/api/v4/futures/btc/set_position_mode\nposition_mode=dual\n"));
  CHECK(query_bytes(r, product::gate_btc).starts_with("GET /api/v4/futures/btc/accounts HTTP/1.1"));
}

TEST_CASE("Gate keeps the connection warm and the clock with the public spot time endpoint") {
  account_requests r(account(), gate_credentials());
  const std::string_view expected =
      "GET /api/v4/spot/time HTTP/1.1\r\nHost: api.gateio.ws\r\nUser-Agent: "
      "posmode/" POSMODE_VERSION_STRING "\r\nAccept: application/json\r\n\r\n";
  CHECK(std::string_view(r.ping().data(), r.ping().size()) == expected);
  CHECK(std::string_view(r.server_time().data(), r.server_time().size()) == expected);
  CHECK(r.api_endpoint().host == "api.gateio.ws");
}

TEST_CASE("Gate's testnet is its own host, and it has no demo") {
  account_requests r(account({product::gate_usdt}, venue_environment::testnet), gate_credentials());
  CHECK(r.api_endpoint().host == "fx-api-testnet.gateio.ws");
  CHECK(set_bytes(r, product::gate_usdt, position_mode::hedge)
            .find("Host: fx-api-testnet.gateio.ws\r\n") != std::string::npos);
  // Refused naming the field, with the environment Gate has instead.
  CHECK_THROWS_WITH_AS(
      account_requests(account({product::gate_usdt}, venue_environment::demo), gate_credentials()),
      doctest::Contains("environment: Gate has no demo environment; its test environment is "
                        "environment = testnet"),
      std::invalid_argument);
}
