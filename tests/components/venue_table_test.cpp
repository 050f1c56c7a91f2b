// The venue table: every row complete and consistent with itself and with the generic code that
// reads it. A row added for a new venue (docs/adding-a-venue.md) passes these checks or names
// what it lacks.

#include "venues/venue_table.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>

#include "posmode/components/account_requests.hpp"
#include "posmode/components/component_config.hpp"
#include "posmode/components/response_classifier.hpp"
#include "posmode/components/venue_facts.hpp"
#include "posmode/engine/http_response.hpp"

using namespace posmode::components;
namespace detail = posmode::components::detail;

namespace {

constexpr venue_environment environments[] = {venue_environment::production,
                                              venue_environment::testnet, venue_environment::demo};

bool is_lower_header_prefix(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool is_env_name(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// An account of `f`'s venue that validate_account() accepts: its first product, the first
// environment it has a host for.
account_config account_of(const venue_facts& f) {
  account_config c;
  c.id = "row";
  c.venue_kind = f.id;
  c.products = {f.default_product};
  for (const venue_environment e : environments)
    if (!f.hosts.in(e).empty()) {
      c.environment = e;
      break;
    }
  return c;
}

credentials credentials_of(const venue_facts& f) {
  credentials creds;
  creds.api_key = "key";
  creds.secret = secret_string("secret");
  if (f.needs_passphrase) creds.passphrase = secret_string("pass");
  return creds;
}

}  // namespace

TEST_CASE("the table has one row per venue value, in order, and its public view is the same") {
  const auto rows = detail::venue_rows();
  const auto facts = known_venues();
  REQUIRE(rows.size() == facts.size());
  REQUIRE(rows.size() == 7);  // binance-papi, -usdm, -coinm, bitget, okx, bybit, gate
  for (std::size_t i = 0; i < rows.size(); ++i) {
    CAPTURE(i);
    const auto v = static_cast<venue>(i);
    REQUIRE(rows[i] != nullptr);
    CHECK(rows[i]->facts.id == v);
    CHECK(&rows[i]->facts == facts[i]);
    CHECK(detail::find_row(v) == rows[i]);
    CHECK(&detail::row_of(v) == rows[i]);
    CHECK(find_venue(v) == facts[i]);
    CHECK(&facts_of(v) == facts[i]);
  }
  const auto unknown = static_cast<venue>(rows.size());
  CHECK(detail::find_row(unknown) == nullptr);
  CHECK(find_venue(unknown) == nullptr);
  CHECK(to_string(unknown) == "?");
  CHECK_FALSE(detail::reads_back_on_error(unknown));
}

TEST_CASE("every row is complete: names, code, hosts, windows, credentials") {
  std::set<std::string_view> names;
  for (const detail::venue_row* row : detail::venue_rows()) {
    const venue_facts& f = row->facts;
    CAPTURE(f.name);
    // Names round-trip and are unique.
    CHECK_FALSE(f.name.empty());
    CHECK_FALSE(f.display_name.empty());
    CHECK_FALSE(f.family.empty());
    CHECK(names.insert(f.name).second);
    CHECK(to_string(f.id) == f.name);
    CHECK(parse_venue(f.name) == f.id);
    // The code of the row.
    CHECK(static_cast<bool>(row->build_product_specs));
    CHECK(static_cast<bool>(row->build_account_specs));
    CHECK(static_cast<bool>(row->check_account));
    CHECK(static_cast<bool>(row->classify));
    CHECK(static_cast<bool>(row->parse_mode));
    CHECK_FALSE(row->mode_answer.key.empty());
    // Where the answers carry their code, message, payload and clock.
    CHECK_FALSE(row->mode_answer.code_key.empty());
    CHECK_FALSE(row->mode_answer.message_key.empty());
    // A payload key, unless the answer is the payload itself (Gate's account object): then the
    // mode is a top-level key.
    if (row->mode_answer.data_key.empty()) CHECK_FALSE(row->mode_answer.in_data);
    CHECK_FALSE(row->mode_answer.time_key.empty());
    // A mode read from rows is inside the payload.
    if (!row->mode_answer.rows.empty()) CHECK(row->mode_answer.in_data);
    // A production host always; default_host() reads the row.
    CHECK_FALSE(f.hosts.production.empty());
    for (const venue_environment e : environments) {
      CAPTURE(to_string(e));
      CHECK(default_host(f.id, e) == f.hosts.in(e));
    }
    // Demo through a header means the demo host is the production host.
    if (f.demo_by_header) CHECK(f.hosts.demo == f.hosts.production);
    // Windows: either the venue is sent one, bounded by posmode's field bound, or it assumes
    // windows of its own.
    if (f.sends_recv_window) {
      CHECK(f.recv_window_default_ms >= 1);
      CHECK(f.recv_window_default_ms <= f.recv_window_max_ms);
      CHECK(f.recv_window_max_ms <= max_recv_window_ms);
      CHECK(f.assumed_window_ms == 0);
      CHECK(f.acceptance_window_ms == 0);
    } else {
      CHECK(f.recv_window_default_ms == 0);
      CHECK(f.recv_window_max_ms == 0);
      CHECK(f.assumed_window_ms >= 2);
      CHECK(f.acceptance_window_ms >= f.assumed_window_ms);
    }
    CHECK(f.ahead_tolerance_ms > 0);
    // Credentials: the passphrase rule holds in both directions.
    CHECK(is_env_name(f.credential_env.key));
    CHECK(is_env_name(f.credential_env.secret));
    CHECK(f.needs_passphrase == !f.credential_env.passphrase.empty());
    CHECK(f.needs_passphrase == !f.passphrase_header.empty());
    if (f.needs_passphrase) CHECK(is_env_name(f.credential_env.passphrase));
    CHECK_FALSE(f.key_header.empty());
    // Rate-limit headers: lower-case prefixes the engine accepts; the weight header is one of
    // those recorded.
    for (const std::string_view prefix : f.usage_header_prefixes)
      if (!prefix.empty()) CHECK(is_lower_header_prefix(prefix));
    if (!f.used_weight_header.empty()) {
      CHECK(is_lower_header_prefix(f.used_weight_header));
      CHECK(std::any_of(
          f.usage_header_prefixes.begin(), f.usage_header_prefixes.end(),
          [&f](std::string_view p) { return !p.empty() && f.used_weight_header.starts_with(p); }));
    }
    CHECK(detail::reads_back_on_error(f.id) == f.read_back_on_error);
  }
}

TEST_CASE("every product belongs to exactly one row, and each row's defaults are its own") {
  std::set<product> seen;
  std::set<std::string_view> cli_names;
  for (const venue_facts* f : known_venues()) {
    CAPTURE(f->name);
    REQUIRE_FALSE(f->products.empty());
    const auto listed = [f](product p) {
      return std::any_of(f->products.begin(), f->products.end(),
                         [p](const product_facts& e) { return e.id == p; });
    };
    CHECK(listed(f->default_product));
    for (const product p : f->default_products)
      CHECK(listed(p));
    bool any_cli_name = false;
    for (const product_facts& p : f->products) {
      CAPTURE(p.name);
      CHECK(seen.insert(p.id).second);
      CHECK(find_product(p.id) == &p);
      CHECK(venue_of(p.id) == f->id);
      CHECK(to_string(p.id) == p.name);
      CHECK(parse_product(p.name) == p.id);
      CHECK(listed(p.live_twin));
      CHECK(p.header_free_demo == (p.live_twin != p.id));
      // A query symbol and a margin coin come together, or not at all.
      CHECK(p.query_symbol.empty() == p.margin_coin.empty());
      if (!p.cli_name.empty()) {
        any_cli_name = true;
        CHECK(cli_names.insert(p.cli_name).second);
      }
    }
    // `posmode sign` either names every product of the venue or none (then --product).
    if (any_cli_name)
      CHECK(std::all_of(f->products.begin(), f->products.end(),
                        [](const product_facts& p) { return !p.cli_name.empty(); }));
    else
      CHECK(cli_names.insert(f->name).second);
  }
}

TEST_CASE("each row renders a valid account's requests and its parser limits name its headers") {
  for (const venue_facts* f : known_venues()) {
    CAPTURE(f->name);
    const account_config c = account_of(*f);
    REQUIRE_NOTHROW(validate_account(c));
    const account_requests requests(c, credentials_of(*f));
    CHECK(requests.api_endpoint().host == f->hosts.in(c.environment));
    CHECK(requests.presigned(f->default_product, position_mode::hedge) != nullptr);
    CHECK_FALSE(requests.server_time().empty());
    CHECK_FALSE(requests.ping().empty());
    // Every signed request of the row is signed with the row's algorithm, and signs (the
    // account's key schedule was built for it).
    for (const position_mode m : {position_mode::hedge, position_mode::one_way}) {
      const auto* set = requests.presigned(f->default_product, m);
      REQUIRE(set != nullptr);
      CHECK(set->request().algorithm() == f->signature);
    }
    CHECK(requests.query_template(f->default_product)->algorithm() == f->signature);
    account_requests signing(c, credentials_of(*f));
    std::error_code ec;
    CHECK_FALSE(
        signing.set_mode(f->default_product, position_mode::hedge, 1700000000000, ec).empty());
    CHECK_FALSE(ec);
    // Windows as the row gives them.
    CHECK(ahead_tolerance_ms(f->id) == f->ahead_tolerance_ms);
    CHECK(execution_window_ms(c) ==
          (f->sends_recv_window ? c.recv_window_ms : f->acceptance_window_ms));
    // The parser limits the component's pools get.
    const posmode::engine::http_limits limits = venue_http_limits(f->id, {100, 200});
    CHECK(limits.max_header_bytes == 100);
    CHECK(limits.max_body_bytes == 200);
    CHECK(limits.usage_header_prefixes == f->usage_header_prefixes);
    CHECK(limits.used_weight_header == f->used_weight_header);
    CHECK_NOTHROW(posmode::engine::http_response_parser{limits});
    // The passphrase rule as configuration applies it.
    if (f->needs_passphrase) {
      credentials none = credentials_of(*f);
      none.passphrase = secret_string();
      CHECK_THROWS_AS(account_requests(c, none), std::invalid_argument);
    }
  }
}

TEST_CASE("the Binance rows record X-MBX headers and Bitget's reads back every error") {
  for (const venue v : {venue::binance_papi, venue::binance_usdm, venue::binance_coinm}) {
    const venue_facts& f = facts_of(v);
    CAPTURE(f.name);
    CHECK(f.family == "binance");
    CHECK(f.usage_header_prefixes[0] == "x-mbx-used-weight-");
    CHECK(f.usage_header_prefixes[1] == "x-mbx-order-count-");
    CHECK(f.used_weight_header == "x-mbx-used-weight-1m");
    CHECK_FALSE(f.read_back_on_error);
    CHECK_FALSE(f.needs_passphrase);
    CHECK(f.sends_recv_window);
    CHECK(f.recv_window_max_ms == 60'000);
    CHECK(f.ahead_tolerance_ms == 1'000);
  }
  const venue_facts& bitget = facts_of(venue::bitget);
  CHECK(bitget.read_back_on_error);
  CHECK(detail::reads_back_on_error(venue::bitget));
  CHECK(bitget.needs_passphrase);
  CHECK(bitget.demo_by_header);
  CHECK(bitget.default_products.empty());  // a configuration names its product types
  CHECK(bitget.assumed_window_ms == 5'000);
  CHECK(bitget.acceptance_window_ms == 30'000);
  CHECK(bitget.ahead_tolerance_ms == 30'000);
  CHECK(std::all_of(bitget.usage_header_prefixes.begin(), bitget.usage_header_prefixes.end(),
                    [](std::string_view p) { return p.empty(); }));
  CHECK(find_product(product::scoin_futures)->query_symbol == "SBTCSUSD");
  CHECK(find_product(product::scoin_futures)->live_twin == product::coin_futures);
}

TEST_CASE("the OKX row: one account-wide scope, demo by header, ISO-8601 signatures, read-backs") {
  const venue_facts& okx = facts_of(venue::okx);
  CHECK(okx.name == "okx");
  CHECK(okx.family == "okx");
  CHECK(okx.read_back_on_error);
  CHECK(detail::reads_back_on_error(venue::okx));
  CHECK(okx.needs_passphrase);
  CHECK(okx.demo_by_header);
  CHECK(okx.hosts.production == "www.okx.com");
  CHECK(okx.hosts.testnet.empty());
  REQUIRE(okx.products.size() == 1);
  CHECK(okx.products[0].id == product::okx_account);
  REQUIRE(okx.default_products.size() == 1);  // a configuration need not name the scope
  CHECK(okx.default_products[0] == product::okx_account);
  CHECK(okx.credential_env.passphrase == "OKX_API_PASSPHRASE");
  CHECK(okx.key_header == "OK-ACCESS-KEY");
  CHECK(okx.passphrase_header == "OK-ACCESS-PASSPHRASE");
  CHECK(detail::row_of(venue::okx).mode_answer.key == "posMode");
  CHECK(detail::row_of(venue::okx).mode_answer.time_key == "ts");
  CHECK(venue_of(product::okx_account) == venue::okx);
}

TEST_CASE(
    "the Bybit row: its own hosts, a recv window header, X-Bapi-Limit headers, rows of "
    "positionIdx") {
  const venue_facts& f = facts_of(venue::bybit);
  CHECK(f.family == "bybit");
  CHECK(f.hosts.production == "api.bybit.com");
  CHECK(f.hosts.testnet == "api-testnet.bybit.com");
  CHECK(f.hosts.demo == "api-demo.bybit.com");
  CHECK_FALSE(f.demo_by_header);
  CHECK(f.sends_recv_window);
  CHECK(f.recv_window_default_ms == 5'000);
  CHECK(f.ahead_tolerance_ms == 1'000);
  CHECK_FALSE(f.read_back_on_error);
  CHECK_FALSE(f.needs_passphrase);
  CHECK(f.usage_header_prefixes[0] == "x-bapi-limit");
  CHECK(f.used_weight_header.empty());  // X-Bapi-Limit-Status is what remains, not a weight
  CHECK(f.credential_env.key == "BYBIT_API_KEY");
  CHECK(f.credential_env.secret == "BYBIT_API_SECRET");
  CHECK(f.key_header == "X-BAPI-API-KEY");
  REQUIRE(f.default_products.size() == 1);
  CHECK(f.default_products[0] == product::bybit_linear_usdt);
  const detail::venue_row& row = detail::row_of(venue::bybit);
  CHECK(row.mode_answer.key == "positionIdx");
  CHECK(row.mode_answer.rows == "list");
  CHECK(row.mode_answer.data_key == "result");
  CHECK(row.mode_answer.code_key == "retCode");
  CHECK(row.mode_answer.message_key == "retMsg");
  CHECK(row.mode_answer.time_key == "time");
  CHECK(find_product(product::bybit_linear_usdc)->margin_coin == "USDC");
  CHECK(find_product(product::bybit_linear_symbol)->query_symbol.empty());
}

TEST_CASE("the Gate row: a scope per settle, HMAC-SHA512, labels as codes, read-backs") {
  const venue_facts& f = facts_of(venue::gate);
  CHECK(f.name == "gate");
  CHECK(f.family == "gate");
  CHECK(f.signature == posmode::engine::signature_algorithm::hmac_sha512);
  CHECK(f.hosts.production == "api.gateio.ws");
  CHECK(f.hosts.testnet == "fx-api-testnet.gateio.ws");
  CHECK(f.hosts.demo.empty());
  CHECK_FALSE(f.demo_by_header);
  CHECK_FALSE(f.sends_recv_window);
  CHECK(f.acceptance_window_ms == 60'000);
  CHECK(f.read_back_on_error);
  CHECK(detail::reads_back_on_error(venue::gate));
  CHECK_FALSE(f.needs_passphrase);
  CHECK(f.usage_header_prefixes[0] == "x-gate-ratelimit");
  CHECK(f.used_weight_header.empty());
  CHECK(f.credential_env.key == "GATE_API_KEY");
  CHECK(f.credential_env.secret == "GATE_API_SECRET");
  CHECK(f.credential_env.passphrase.empty());
  CHECK(f.key_header == "KEY");
  REQUIRE(f.products.size() == 2);
  CHECK(f.products[0].name == "usdt");
  CHECK(f.products[1].name == "btc");
  REQUIRE(f.default_products.size() == 1);
  CHECK(f.default_products[0] == product::gate_usdt);
  const detail::venue_row& row = detail::row_of(venue::gate);
  CHECK(row.mode_answer.key == "position_mode");
  CHECK_FALSE(row.mode_answer.in_data);
  CHECK(row.mode_answer.code_key == "label");
  CHECK(row.mode_answer.message_key == "message");
  CHECK(row.mode_answer.time_key == "server_time");
  CHECK(venue_of(product::gate_btc) == venue::gate);
  // Every other row signs with HMAC-SHA256.
  for (const venue_facts* other : known_venues())
    if (other->id != venue::gate)
      CHECK(other->signature == posmode::engine::signature_algorithm::hmac_sha256);
}

TEST_CASE("a venue the table does not know is refused at configuration, naming the known ones") {
  account_config c;
  c.id = "x";
  c.venue_kind = static_cast<venue>(detail::venue_rows().size());
  c.products = {product::usdm};
  try {
    validate_account(c);
    FAIL("an unknown venue was accepted");
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    CHECK(
        what.starts_with("venue_kind: unknown venue 7 (the venue table knows binance-papi, "
                         "binance-usdm, binance-coinm, bitget, okx, bybit, gate) (account 'x')"));
  }

  component_config config;
  account_settings a;
  a.account = c;
  a.creds.api_key = "key";
  a.creds.secret = secret_string("secret");
  config.accounts.push_back(a);
  try {
    validate_config(config);
    FAIL("an unknown venue was accepted");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()).starts_with("accounts[0].account.venue_kind: unknown venue 7"));
  }
  credentials creds;
  creds.api_key = "key";
  creds.secret = secret_string("secret");
  CHECK_THROWS_AS(account_requests(c, creds), std::invalid_argument);
}

TEST_CASE("an environment a row has no host for is refused, with the venue's own words first") {
  for (const venue_facts* f : known_venues()) {
    CAPTURE(f->name);
    for (const venue_environment e : environments) {
      CAPTURE(to_string(e));
      account_config c = account_of(*f);
      c.environment = e;
      if (f->hosts.in(e).empty())
        CHECK_THROWS_AS(validate_account(c), std::invalid_argument);
      else
        CHECK_NOTHROW(validate_account(c));
    }
  }
}
