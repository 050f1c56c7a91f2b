// OKX request layout, byte for byte (docs/venues.md §7 "Wire layout" and §4; the three
// signatures are the captured vectors of §6, recomputed with `openssl dgst -sha256 -hmac ...
// -binary | base64`): ISO-8601 timestamps in the header and the signed string, the demo header.

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

credentials okx_credentials() {
  credentials c;
  c.api_key = "37c541a1-0000-4000-8000-10fe7a038418";
  c.secret = secret_string("22582BD0CFF14C41EDBF1AB98506286D");
  c.passphrase = secret_string("Passphrase1");
  return c;
}

account_config account(venue_environment e = venue_environment::production) {
  account_config c;
  c.id = "okx";
  c.venue_kind = venue::okx;
  c.products = {product::okx_account};
  c.environment = e;
  return c;
}

}  // namespace

TEST_CASE("OKX set-hedge and set-one-way are the exact captured bytes") {
  account_requests r(account(), okx_credentials());
  CHECK(set_bytes(r, product::okx_account, position_mode::hedge) == posmode::test::okx_set_hedge);
  CHECK(
      r.presigned(product::okx_account, position_mode::hedge)->request().signed_view() ==
      R"(2023-11-14T22:13:20.000ZPOST/api/v5/account/set-position-mode{"posMode":"long_short_mode"})");
  CHECK(set_bytes(r, product::okx_account, position_mode::one_way) ==
        posmode::test::okx_set_one_way);
  CHECK(r.presigned(product::okx_account, position_mode::one_way)->request().signed_view() ==
        R"(2023-11-14T22:13:20.000ZPOST/api/v5/account/set-position-mode{"posMode":"net_mode"})");
}

TEST_CASE("OKX account configuration query: no body, no Content-Type, the captured signature") {
  account_requests r(account(), okx_credentials());
  CHECK(query_bytes(r, product::okx_account) == posmode::test::okx_query);
}

TEST_CASE("OKX re-signs the ISO-8601 timestamp of header and signed string together") {
  account_requests r(account(), okx_credentials());
  std::error_code ec;
  const auto bytes = r.set_mode(product::okx_account, position_mode::hedge, 1700000061234, ec);
  REQUIRE_FALSE(ec);
  const std::string_view wire(bytes.data(), bytes.size());
  CHECK(wire.find("OK-ACCESS-TIMESTAMP: 2023-11-14T22:14:21.234Z\r\n") != std::string::npos);
  CHECK(r.presigned(product::okx_account, position_mode::hedge)
            ->request()
            .signed_view()
            .starts_with("2023-11-14T22:14:21.234ZPOST/api/v5/account/set-position-mode"));
  CHECK(wire.find("HrKhP4rlz0P43dreIt36x9wWzb+WpG9ZnfHKR9g21YU=") == std::string::npos);
}

TEST_CASE("OKX demo adds x-simulated-trading: 1 on the production host, signatures unchanged") {
  account_requests r(account(venue_environment::demo), okx_credentials());
  const std::string set = set_bytes(r, product::okx_account, position_mode::hedge);
  CHECK(set ==
        "POST /api/v5/account/set-position-mode HTTP/1.1\r\n"
        "Host: www.okx.com\r\n"
        "User-Agent: posmode/" POSMODE_VERSION_STRING
        "\r\n"
        "OK-ACCESS-KEY: 37c541a1-0000-4000-8000-10fe7a038418\r\n"
        "OK-ACCESS-SIGN: HrKhP4rlz0P43dreIt36x9wWzb+WpG9ZnfHKR9g21YU=\r\n"
        "OK-ACCESS-TIMESTAMP: 2023-11-14T22:13:20.000Z\r\n"
        "OK-ACCESS-PASSPHRASE: Passphrase1\r\n"
        "Content-Type: application/json\r\n"
        "x-simulated-trading: 1\r\n"
        "Content-Length: 29\r\n"
        "\r\n"
        R"({"posMode":"long_short_mode"})");
  CHECK(query_bytes(r, product::okx_account) ==
        "GET /api/v5/account/config HTTP/1.1\r\n"
        "Host: www.okx.com\r\n"
        "User-Agent: posmode/" POSMODE_VERSION_STRING
        "\r\n"
        "OK-ACCESS-KEY: 37c541a1-0000-4000-8000-10fe7a038418\r\n"
        "OK-ACCESS-SIGN: bCn8zVlTJqoobCkHSywuaN0ys4sP75zNhIiys58mkkU=\r\n"
        "OK-ACCESS-TIMESTAMP: 2023-11-14T22:13:20.000Z\r\n"
        "OK-ACCESS-PASSPHRASE: Passphrase1\r\n"
        "x-simulated-trading: 1\r\n"
        "\r\n");
  CHECK(r.api_endpoint().host == "www.okx.com");
  account_requests live(account(), okx_credentials());
  CHECK(set_bytes(live, product::okx_account, position_mode::hedge).find("x-simulated") ==
        std::string::npos);
}

TEST_CASE("OKX keeps the connection warm and the clock with the public time endpoint") {
  for (const auto e : {venue_environment::production, venue_environment::demo}) {
    account_requests r(account(e), okx_credentials());
    const std::string_view expected =
        "GET /api/v5/public/time HTTP/1.1\r\nHost: www.okx.com\r\nUser-Agent: "
        "posmode/" POSMODE_VERSION_STRING "\r\n\r\n";
    CHECK(std::string_view(r.ping().data(), r.ping().size()) == expected);
    CHECK(std::string_view(r.server_time().data(), r.server_time().size()) == expected);
    CHECK(r.time_endpoint().host == "www.okx.com");
  }
}

TEST_CASE("an OKX account needs its passphrase") {
  credentials none = okx_credentials();
  none.passphrase = secret_string();
  CHECK_THROWS_AS(account_requests(account(), none), std::invalid_argument);
}
