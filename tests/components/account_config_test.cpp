#include "posmode/components/account_config.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <utility>

#include "posmode/components/account_requests.hpp"
#include "posmode/components/credentials.hpp"
#include "posmode/components/venue.hpp"
#include "posmode/components/venue_facts.hpp"
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
  refused(c, "presign_max_age_ms", "0 (automatic) or 1..2500");
  c.presign_max_age_ms = -1;
  refused(c, "presign_max_age_ms");
  c.presign_max_age_ms = 0;  // automatic
  CHECK_NOTHROW(validate_account(c));
  auto b = valid_bitget();
  b.presign_max_age_ms = 2501;
  refused(b, "presign_max_age_ms", "5000 ms window");
}

TEST_CASE("an automatic pre-sign age follows recvWindow: half of it, 1 ms to 1000 ms") {
  auto c = valid_binance();
  CHECK(c.presign_max_age_ms == 0);
  CHECK(effective_presign_max_age_ms(c) == 1000);  // recvWindow 5000: capped at today's default
  // Not a structured binding: clang 14 cannot capture one in CAPTURE's lambda.
  for (const auto& window_age :
       {std::pair{60000, 1000}, std::pair{2000, 1000}, std::pair{1999, 999}, std::pair{1000, 500},
        std::pair{3, 1}, std::pair{2, 1}, std::pair{1, 1}}) {
    const int window = window_age.first;
    const int age = window_age.second;
    CAPTURE(window);
    c.recv_window_ms = window;
    CHECK_NOTHROW(validate_account(c));
    CHECK(effective_presign_max_age_ms(c) == age);
  }
  // A host's explicit choice is kept as it is.
  c.recv_window_ms = 1000;
  c.presign_max_age_ms = 300;
  CHECK(effective_presign_max_age_ms(c) == 300);
  c.presign_max_age_ms = 501;
  refused(c, "presign_max_age_ms", "1..500");
  // With recvWindow 1 the only explicit age is 1 ms, the same as the automatic one.
  c.recv_window_ms = 1;
  c.presign_max_age_ms = 1;
  CHECK_NOTHROW(validate_account(c));
  c.presign_max_age_ms = 2;
  refused(c, "presign_max_age_ms", "1..1");
  // Bitget budgets against its assumed 5000 ms window.
  auto b = valid_bitget();
  b.recv_window_ms = 1;  // unused by Bitget
  CHECK(effective_presign_max_age_ms(b) == 1000);
}

TEST_CASE("an account with recvWindow 1000 signs and hands out its requests") {
  auto c = valid_binance();
  c.recv_window_ms = 1000;
  credentials creds;
  creds.api_key = "key";
  creds.secret = secret_string("secret");
  account_requests r(c, creds);
  REQUIRE(r.presigned(product::papi_um, position_mode::hedge) != nullptr);
  CHECK(r.presigned(product::papi_um, position_mode::hedge)->max_age_ms() == 500);
}

TEST_CASE("default_host names each venue's host per environment, or none where it has none") {
  using e = venue_environment;
  CHECK(default_host(venue::binance_papi, e::production) == "papi.binance.com");
  CHECK(default_host(venue::binance_papi, e::testnet).empty());
  CHECK(default_host(venue::binance_papi, e::demo).empty());
  CHECK(default_host(venue::binance_usdm, e::production) == "fapi.binance.com");
  CHECK(default_host(venue::binance_usdm, e::testnet) == "testnet.binancefuture.com");
  CHECK(default_host(venue::binance_usdm, e::demo) == "demo-fapi.binance.com");
  CHECK(default_host(venue::binance_coinm, e::production) == "dapi.binance.com");
  CHECK(default_host(venue::binance_coinm, e::testnet) == "testnet.binancefuture.com");
  CHECK(default_host(venue::binance_coinm, e::demo) == "demo-dapi.binance.com");
  CHECK(default_host(venue::bitget, e::production) == "api.bitget.com");
  CHECK(default_host(venue::bitget, e::testnet).empty());
  CHECK(default_host(venue::bitget, e::demo) == "api.bitget.com");
  CHECK(default_host(venue::okx, e::production) == "www.okx.com");
  CHECK(default_host(venue::okx, e::testnet).empty());
  CHECK(default_host(venue::okx, e::demo) == "www.okx.com");
  for (const venue v :
       {venue::binance_papi, venue::binance_usdm, venue::binance_coinm, venue::bitget, venue::okx})
    CHECK(default_host(v) == default_host(v, e::production));
}

TEST_CASE("api_host is the override when set, else the environment's host") {
  auto c = valid_binance();
  c.venue_kind = venue::binance_usdm;
  c.products = {product::usdm};
  CHECK(api_host(c) == "fapi.binance.com");
  c.environment = venue_environment::demo;
  CHECK(api_host(c) == "demo-fapi.binance.com");
  c.host = "fapi-mm.example";
  CHECK(api_host(c) == "fapi-mm.example");
}

TEST_CASE("environments a venue lacks are refused, naming the one to use") {
  auto c = valid_binance();
  c.environment = venue_environment::testnet;
  refused(c, "environment", "binance-papi has no test environment; 'testnet' is not available");
  c.environment = venue_environment::demo;
  refused(c, "environment", "(use production;");
  auto b = valid_bitget();
  b.environment = venue_environment::testnet;
  refused(b, "environment", "bitget has no testnet; use demo");
  b.environment = venue_environment::demo;
  CHECK_NOTHROW(validate_account(b));
  CHECK(bitget_paptrading(b));
  // Bitget demo through the header excludes the S-prefixed types (Bitget answers 40099).
  b.products = {product::usdt_futures, product::scoin_futures};
  refused(b, "environment", "use COIN-FUTURES in demo, or SCOIN-FUTURES in production");
  b.environment = venue_environment::production;
  CHECK_NOTHROW(validate_account(b));
  CHECK_FALSE(bitget_paptrading(b));
  c = valid_binance();
  c.venue_kind = venue::binance_usdm;
  c.products = {product::usdm};
  for (const auto env : {venue_environment::testnet, venue_environment::demo}) {
    c.environment = env;
    CHECK_NOTHROW(validate_account(c));
    CHECK_FALSE(bitget_paptrading(c));
  }
  c.environment = static_cast<venue_environment>(7);
  refused(c, "environment", "production, testnet or demo");
}

TEST_CASE("environment names round-trip, and unknown ones parse to nothing") {
  for (const auto env :
       {venue_environment::production, venue_environment::testnet, venue_environment::demo})
    CHECK(parse_venue_environment(to_string(env)) == env);
  CHECK(to_string(venue_environment::demo) == "demo");
  CHECK_FALSE(parse_venue_environment("Demo").has_value());
  CHECK_FALSE(parse_venue_environment("").has_value());
}

TEST_CASE("a Bitget demo key with an S-prefixed product type is refused (40099)") {
  auto c = valid_bitget();
  c.bitget_demo_key = true;
  CHECK_NOTHROW(validate_account(c));
  CHECK(bitget_paptrading(c));  // the older spelling of environment = demo
  c.products = {product::usdt_futures, product::susdt_futures};
  refused(c, "bitget_demo_key", "40099");
  c.bitget_demo_key = false;
  CHECK_NOTHROW(validate_account(c));
  auto b = valid_binance();
  b.bitget_demo_key = true;
  refused(b, "bitget_demo_key");
}

TEST_CASE("OKX: demo through the header, no testnet, no Bitget demo key, its one scope") {
  account_config c;
  c.id = "okx";
  c.venue_kind = venue::okx;
  c.products = {product::okx_account};
  CHECK_NOTHROW(validate_account(c));
  CHECK_FALSE(bitget_paptrading(c));
  c.environment = venue_environment::demo;
  CHECK_NOTHROW(validate_account(c));
  CHECK(bitget_paptrading(c));  // x-simulated-trading: 1
  CHECK(api_host(c) == "www.okx.com");
  c.environment = venue_environment::testnet;
  refused(c, "environment", "okx has no testnet; use demo");
  c.environment = venue_environment::production;
  c.bitget_demo_key = true;
  refused(c, "bitget_demo_key", "for OKX use environment = demo");
  c.bitget_demo_key = false;
  c.products = {product::usdt_futures};
  refused(c, "products", "does not belong");
  c.products = {product::okx_account, product::okx_account};
  refused(c, "products", "twice");
  // The window is OKX's assumed one: half of 5000 ms, capped at 1000 ms.
  c.products = {product::okx_account};
  CHECK(effective_presign_max_age_ms(c) == 1'000);
  CHECK(execution_window_ms(c) == 30'000);
  CHECK(ahead_tolerance_ms(venue::okx) == 30'000);
  c.presign_max_age_ms = 2'501;
  refused(c, "presign_max_age_ms");
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
  for (auto v :
       {venue::binance_papi, venue::binance_usdm, venue::binance_coinm, venue::bitget, venue::okx})
    CHECK(parse_venue(to_string(v)) == v);
  for (auto p :
       {product::papi_um, product::papi_cm, product::usdm, product::coinm, product::usdt_futures,
        product::coin_futures, product::usdc_futures, product::susdt_futures,
        product::scoin_futures, product::susdc_futures, product::okx_account})
    CHECK(parse_product(to_string(p)) == p);
  CHECK(parse_product("usdt-futures") == product::usdt_futures);
  CHECK_FALSE(parse_product("USDT-FUTURE").has_value());
  CHECK(parse_position_mode("hedge") == position_mode::hedge);
  CHECK(parse_position_mode("one-way") == position_mode::one_way);
  CHECK_FALSE(parse_position_mode("oneway").has_value());
  CHECK_FALSE(parse_venue("binance").has_value());
}

TEST_CASE("Bybit accounts: scopes of Bybit only, a symbol for linear-symbol, every environment") {
  account_config c;
  c.id = "bb";
  c.venue_kind = venue::bybit;
  c.products = {product::bybit_linear_usdt, product::bybit_linear_usdc};
  CHECK_NOTHROW(validate_account(c));
  for (const venue_environment e :
       {venue_environment::production, venue_environment::testnet, venue_environment::demo}) {
    c.environment = e;
    CHECK_NOTHROW(validate_account(c));
  }
  CHECK(default_host(venue::bybit, venue_environment::testnet) == "api-testnet.bybit.com");
  CHECK(default_host(venue::bybit, venue_environment::demo) == "api-demo.bybit.com");
  // A scope of another venue is an unknown scope for Bybit.
  c.products = {product::usdt_futures};
  refused(c, "products");
  c.products = {product::bybit_linear_usdt, product::bybit_linear_usdt};
  refused(c, "products");
  // linear-symbol switches one symbol: it must be named, in Bybit's upper case.
  c.products = {product::bybit_linear_symbol};
  refused(c, "bitget_query_symbol", "linear-symbol switches one symbol and needs it");
  c.bitget_query_symbol = "btcusdt";
  refused(c, "bitget_query_symbol");
  c.bitget_query_symbol = "BTCUSDT";
  CHECK_NOTHROW(validate_account(c));
  // The window is sent in X-BAPI-RECV-WINDOW, bounded like Binance's.
  c.recv_window_ms = 60'001;
  refused(c, "recv_window_ms");
  c.recv_window_ms = 20'000;
  CHECK_NOTHROW(validate_account(c));
  // No demo header exists: bitget_demo_key is refused.
  c.bitget_demo_key = true;
  refused(c, "bitget_demo_key");
  // Bybit scopes on another venue are refused too.
  account_config b;
  b.id = "bg";
  b.venue_kind = venue::bitget;
  b.products = {product::bybit_linear_usdt};
  refused(b, "products");
}

TEST_CASE("unified_position_mode: only where the row couples books, CM listed right after UM") {
  account_config papi = valid_binance();
  papi.unified_position_mode = true;
  CHECK_NOTHROW(validate_account(papi));  // um, cm
  papi.products = {product::papi_um};
  CHECK_NOTHROW(validate_account(papi));  // UM's set moves CM, which the account does not list
  account_config usdm;
  usdm.id = "fut";
  usdm.venue_kind = venue::binance_usdm;
  usdm.products = {product::usdm};
  usdm.unified_position_mode = true;
  CHECK_NOTHROW(validate_account(usdm));

  // CM is switched through UM's set: alone, or before UM, it has no set to follow.
  papi.products = {product::papi_cm};
  refused(papi, "unified_position_mode", "'cm' is switched through 'um'");
  papi.products = {product::papi_cm, product::papi_um};
  refused(papi, "unified_position_mode", "list 'um' right before it");

  // Every other venue: refused, naming the ones that couple (never a venue test in the code).
  for (const venue_facts* f : known_venues()) {
    if (f->couples_books) continue;
    CAPTURE(f->name);
    account_config other;
    other.id = "x";
    other.venue_kind = f->id;
    other.products = {f->default_product};
    other.unified_position_mode = true;
    refused(other, "unified_position_mode", "only binance-papi, binance-usdm do");
  }
  CHECK_FALSE(facts_of(venue::binance_coinm).couples_books);  // a dapi set moving fapi: open
  CHECK(facts_of(venue::binance_papi).couples_books);
  CHECK(facts_of(venue::binance_usdm).couples_books);
}
