#include "posmode/components/account_config.hpp"

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <string>

#include "posmode/engine/host_name.hpp"
#include "venues/venue_table.hpp"

namespace posmode::components {
namespace {

using detail::refuse_field;

constexpr std::size_t max_id_length = 64;

bool is_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// The window a signature's age is budgeted against: recvWindow where the venue is sent one, else
// the row's assumed window (Bitget documents none).
std::int64_t venue_window_ms(const account_config& c) noexcept {
  const venue_facts& f = facts_of(c.venue_kind);
  return f.sends_recv_window ? c.recv_window_ms : f.assumed_window_ms;
}

// The venue's own explanation comes first (its row's check); a host missing for the environment,
// or the demo-key spelling on a venue without a demo header, is refused in general terms after.
void check_environment(const account_config& c, const detail::venue_row& row,
                       std::string_view where) {
  const venue_environment e = c.environment;
  if (e != venue_environment::production && e != venue_environment::testnet &&
      e != venue_environment::demo)
    refuse_field("environment", {"unknown value (production, testnet or demo)", where});
  row.check_account(c, where);
  if (row.facts.hosts.in(e).empty())
    refuse_field("environment", {row.facts.name, " has no ", to_string(e), " environment", where});
  if (c.bitget_demo_key && !row.facts.demo_by_header)
    refuse_field("bitget_demo_key", {"is a Bitget setting", where});
}

// Names every venue the table knows, for the refusal of one it does not.
std::string known_venue_names() {
  std::string names;
  for (const venue_facts* f : known_venues()) {
    if (!names.empty()) names += ", ";
    names += f->name;
  }
  return names;
}

// The venues whose row couples books, for the refusal of the setting elsewhere.
std::string coupling_venue_names() {
  std::string names;
  for (const venue_facts* f : known_venues()) {
    if (!f->couples_books) continue;
    if (!names.empty()) names += ", ";
    names += f->name;
  }
  return names;
}

// A unified account's set goes to the product that moves its twin; a product switched through
// its twin's set comes right after that twin, so that the request machine reports it with the
// twin's outcome (docs/design.md, "Coupled books").
void check_unified(const account_config& c, const venue_facts& facts, std::string_view where) {
  if (!c.unified_position_mode) return;
  if (!facts.couples_books)
    refuse_field("unified_position_mode",
                 {facts.name, " has no coupled books; only ", coupling_venue_names(),
                  " do (Binance's CM migration, docs/venues.md 2.1)", where});
  for (std::size_t i = 0; i < c.products.size(); ++i) {
    const product_facts* p = find_product(c.products[i]);
    if (p == nullptr || !p->has_coupled_twin || p->sets_coupled_twin) continue;
    if (i == 0 || c.products[i - 1] != p->coupled_twin)
      refuse_field("unified_position_mode",
                   {"'", p->name, "' is switched through '", to_string(p->coupled_twin),
                    "' (one set moves both): list '", to_string(p->coupled_twin),
                    "' right before it", where});
  }
}

bool is_symbol_text(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

}  // namespace

std::string_view to_string(api_key_type k) noexcept {
  switch (k) {
    case api_key_type::ed25519:
      return "ed25519";
    case api_key_type::rsa:
      return "rsa";
    case api_key_type::hmac:
      break;
  }
  return "hmac";
}

std::optional<api_key_type> parse_api_key_type(std::string_view name) noexcept {
  for (const auto k : {api_key_type::hmac, api_key_type::ed25519, api_key_type::rsa})
    if (name == to_string(k)) return k;
  return std::nullopt;
}

engine::signature_algorithm account_signature(const account_config& config) noexcept {
  switch (config.key_type) {
    case api_key_type::ed25519:
      return engine::signature_algorithm::ed25519;
    case api_key_type::rsa:
      return engine::signature_algorithm::rsa_sha256;
    case api_key_type::hmac:
      break;
  }
  return facts_of(config.venue_kind).signature;
}

std::string_view default_host(venue v) noexcept {
  return default_host(v, venue_environment::production);
}

std::string_view default_host(venue v, venue_environment e) noexcept {
  const venue_facts* f = find_venue(v);
  return f != nullptr ? f->hosts.in(e) : std::string_view{};
}

std::string_view api_host(const account_config& config) noexcept {
  return config.host.empty() ? default_host(config.venue_kind, config.environment) : config.host;
}

bool sends_demo_header(const account_config& config) noexcept {
  const venue_facts* f = find_venue(config.venue_kind);
  return f != nullptr && f->demo_by_header &&
         (config.bitget_demo_key || config.environment == venue_environment::demo);
}

std::int64_t effective_presign_max_age_ms(const account_config& config) noexcept {
  if (config.presign_max_age_ms > 0) return config.presign_max_age_ms;
  return std::clamp<std::int64_t>(venue_window_ms(config) / 2, 1, default_presign_max_age_ms);
}

std::string_view to_string(venue_environment e) noexcept {
  switch (e) {
    case venue_environment::production:
      return "production";
    case venue_environment::testnet:
      return "testnet";
    case venue_environment::demo:
      return "demo";
  }
  return "?";
}

std::optional<venue_environment> parse_venue_environment(std::string_view name) noexcept {
  for (const auto e :
       {venue_environment::production, venue_environment::testnet, venue_environment::demo})
    if (to_string(e) == name) return e;
  return std::nullopt;
}

std::int64_t execution_window_ms(const account_config& config) noexcept {
  const venue_facts& f = facts_of(config.venue_kind);
  return f.sends_recv_window ? config.recv_window_ms : f.acceptance_window_ms;
}

std::int64_t ahead_tolerance_ms(venue v) noexcept {
  return facts_of(v).ahead_tolerance_ms;
}

void validate_account(const account_config& c) {
  if (c.id.empty()) refuse_field("id", {"must not be empty"});
  // The id is never echoed when it is refused: it may hold bytes a terminal would act on.
  if (c.id.size() > max_id_length || !std::all_of(c.id.begin(), c.id.end(), is_id_char))
    refuse_field("id", {"must be 1..64 letters, digits, '.', '_' or '-'"});
  std::string where = " (account '";
  where.append(c.id).append("')");
  const detail::venue_row* row = detail::find_row(c.venue_kind);
  if (row == nullptr)
    refuse_field("venue_kind",
                 {"unknown venue ", std::to_string(static_cast<unsigned>(c.venue_kind)),
                  " (the venue table knows ", known_venue_names(), ")", where});
  const venue_facts& facts = row->facts;
  if (c.products.empty()) refuse_field("products", {"at least one product is required", where});
  for (std::size_t i = 0; i < c.products.size(); ++i) {
    const product p = c.products[i];
    if (std::none_of(facts.products.begin(), facts.products.end(),
                     [p](const product_facts& f) { return f.id == p; }))
      refuse_field("products", {"'", to_string(p), "' does not belong to venue ",
                                to_string(c.venue_kind), where});
    if (std::find(c.products.begin(), c.products.begin() + static_cast<std::ptrdiff_t>(i), p) !=
        c.products.begin() + static_cast<std::ptrdiff_t>(i))
      refuse_field("products", {"'", to_string(p), "' listed twice", where});
  }
  if (c.port == 0) refuse_field("port", {"must be 1..65535", where});
  if (!c.host.empty())
    if (const std::string_view why = engine::host_problem(c.host); !why.empty())
      refuse_field("host", {why, where});

  const std::int64_t max_window =
      facts.sends_recv_window ? facts.recv_window_max_ms : max_recv_window_ms;
  if (c.recv_window_ms < 1 || c.recv_window_ms > max_window)
    refuse_field(
        "recv_window_ms",
        {std::to_string(c.recv_window_ms), " is outside 1..", std::to_string(max_window),
         facts.sends_recv_window ? " (" : " (unused by ", facts.name,
         facts.sends_recv_window ? " refuses more)" : ", but bounded for every venue)", where});
  const std::int64_t window = venue_window_ms(c);
  const std::int64_t max_age = std::max<std::int64_t>(1, window / 2);
  if (c.presign_max_age_ms < 0 || c.presign_max_age_ms > max_age)
    refuse_field("presign_max_age_ms",
                 {std::to_string(c.presign_max_age_ms), " must be 0 (automatic) or 1..",
                  std::to_string(max_age), " (half the venue's ", std::to_string(window),
                  " ms window)", where});

  check_environment(c, *row, where);
  check_unified(c, facts, where);
  if (c.key_type != api_key_type::hmac && c.key_type != api_key_type::ed25519 &&
      c.key_type != api_key_type::rsa)
    refuse_field("key_type", {"unknown value (hmac, ed25519 or rsa)", where});
  if (c.key_type != api_key_type::hmac && !facts.accepts_asymmetric_keys)
    refuse_field("key_type", {"'", to_string(c.key_type), "' is not accepted by ", facts.name,
                              " (HMAC keys only; Ed25519 and RSA keys are Binance's)", where});
  if (!is_symbol_text(c.bitget_query_symbol))
    refuse_field("bitget_query_symbol",
                 {"'", c.bitget_query_symbol, "' must be upper-case letters and digits", where});
  if (!is_symbol_text(c.bitget_query_margin_coin))
    refuse_field("bitget_query_margin_coin", {"'", c.bitget_query_margin_coin,
                                              "' must be upper-case letters and digits", where});
}

}  // namespace posmode::components
