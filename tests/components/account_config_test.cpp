#include "posmode/components/account_config.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "posmode/components/account_requests.hpp"
#include "posmode/components/credentials.hpp"
#include "posmode/components/venue.hpp"
#include "support/core_dump.hpp"

using namespace posmode::components;

namespace {

account_config valid_binance() {
  account_config c;
  c.id = "pm";
  c.venue_kind = venue::binance_papi;
  c.products = {product::papi_um, product::papi_cm};
  return c;
}

account_config valid_bitget() {
  account_config c;
  c.id = "bg";
  c.venue_kind = venue::bitget;
  c.products = {product::usdt_futures};
  return c;
}

// The message must start with the field's name, so an operator knows what to fix.
void refused(const account_config& c, std::string_view field, std::string_view detail = {}) {
  CAPTURE(field);
  try {
    validate_account(c);
    FAIL("accepted");
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    CAPTURE(what);
    CHECK(what.starts_with(std::string(field) + ": "));
    CHECK(what.find(detail) != std::string::npos);
  }
}

}  // namespace

TEST_CASE("valid Binance and Bitget accounts are accepted") {
  CHECK_NOTHROW(validate_account(valid_binance()));
  CHECK_NOTHROW(validate_account(valid_bitget()));
}

TEST_CASE("recvWindow over 60000 or below 1 is refused at configuration") {
  auto c = valid_binance();
  c.recv_window_ms = 60000;
  c.presign_max_age_ms = 1000;
  CHECK_NOTHROW(validate_account(c));
  c.recv_window_ms = 60001;
  refused(c, "recv_window_ms", "60001");
  c.recv_window_ms = 0;
  refused(c, "recv_window_ms");
}

TEST_CASE("the pre-sign age must stay within half the venue's window") {
  auto c = valid_binance();
  c.presign_max_age_ms = 2500;  // recvWindow 5000
  CHECK_NOTHROW(validate_account(c));
  c.presign_max_age_ms = 2501;
  refused(c, "presign_max_age_ms", "1..2500");
  c.presign_max_age_ms = 0;
  refused(c, "presign_max_age_ms");
  auto b = valid_bitget();
  b.presign_max_age_ms = 2501;
  refused(b, "presign_max_age_ms", "5000 ms window");
}

TEST_CASE("a Bitget demo key with an S-prefixed product type is refused (40099)") {
  auto c = valid_bitget();
  c.bitget_demo_key = true;
  CHECK_NOTHROW(validate_account(c));
  c.products = {product::usdt_futures, product::susdt_futures};
  refused(c, "bitget_demo_key", "40099");
  c.bitget_demo_key = false;
  CHECK_NOTHROW(validate_account(c));
  auto b = valid_binance();
  b.bitget_demo_key = true;
  refused(b, "bitget_demo_key");
}

TEST_CASE("products must belong to the venue and appear once") {
  auto c = valid_binance();
  c.products = {product::usdm};
  refused(c, "products", "does not belong");
  c.products = {product::papi_um, product::papi_um};
  refused(c, "products", "twice");
  c.products = {};
  refused(c, "products");
}

TEST_CASE("id, host, port and Bitget query fields are checked") {
  auto c = valid_binance();
  c.id = "";
  refused(c, "id");
  c = valid_binance();
  c.host = "papi.binance.com:443";
  refused(c, "host");
  c.host = "https://papi.binance.com";
  refused(c, "host");
  c = valid_binance();
  c.port = 0;
  refused(c, "port");
  auto b = valid_bitget();
  b.bitget_query_symbol = "btcusdt";
  refused(b, "bitget_query_symbol");
  b = valid_bitget();
  b.bitget_query_margin_coin = "US DT";
  refused(b, "bitget_query_margin_coin");
}

TEST_CASE("account requests refuse missing or unsafe credentials without echoing secrets") {
  credentials creds;
  creds.api_key = "key";
  creds.secret = secret_string("s3cr3t-value");
  CHECK_THROWS_AS(account_requests(valid_bitget(), creds), std::invalid_argument);  // no passphrase
  creds.passphrase = secret_string("pass\r\nX-Injected: 1");
  try {
    account_requests r(valid_bitget(), creds);
    FAIL("accepted");
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    CHECK(what.starts_with("passphrase: "));
    CHECK(what.find("X-Injected") == std::string::npos);
  }
  credentials empty_secret;
  empty_secret.api_key = "key";
  CHECK_THROWS_WITH_AS(account_requests(valid_binance(), empty_secret), doctest::Contains("secret"),
                       std::invalid_argument);
}

TEST_CASE("credentials mask the key and keep secrets out of copies that are gone") {
  credentials c;
  c.api_key = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
  CHECK(c.masked_key() == "vmPU********************************************************Eh8A");
  c.api_key = "short";
  CHECK(c.masked_key() == "*****");
  secret_string a("secret-one");
  secret_string b(std::move(a));
  CHECK(b.reveal() == "secret-one");
  CHECK(a.reveal().empty());  // NOLINT(bugprone-use-after-move): the moved-from state is wiped
  // issue 11: the secret's bytes are kept out of core dumps, and so is every copy.
  CHECK(b.dump_excluded());
  CHECK(posmode::test::excluded_from_core_dumps(b.reveal().data()));
  const secret_string copy = b;
  CHECK(copy.reveal() == "secret-one");
  CHECK(copy.reveal().data() != b.reveal().data());
  CHECK(posmode::test::excluded_from_core_dumps(copy.reveal().data()));
}

TEST_CASE("venue, product and mode names round-trip") {
  for (auto v : {venue::binance_papi, venue::binance_usdm, venue::binance_coinm, venue::bitget})
    CHECK(parse_venue(to_string(v)) == v);
  for (auto p : {product::papi_um, product::papi_cm, product::usdm, product::coinm,
                 product::usdt_futures, product::coin_futures, product::usdc_futures,
                 product::susdt_futures, product::scoin_futures, product::susdc_futures})
    CHECK(parse_product(to_string(p)) == p);
  CHECK(parse_product("usdt-futures") == product::usdt_futures);
  CHECK_FALSE(parse_product("USDT-FUTURE").has_value());
  CHECK(parse_position_mode("hedge") == position_mode::hedge);
  CHECK(parse_position_mode("one-way") == position_mode::one_way);
  CHECK_FALSE(parse_position_mode("oneway").has_value());
  CHECK_FALSE(parse_venue("binance").has_value());
}
