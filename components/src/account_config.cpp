#include "posmode/components/account_config.hpp"

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>

#include "posmode/engine/host_name.hpp"

namespace posmode::components {
namespace {

// Messages are joined by appending to one reserved string: g++ 12 at -O3 reports a false
// -Wrestrict inside chains of `const char* + std::string` (libstdc++'s operator+ inlined).
std::string joined(std::initializer_list<std::string_view> parts) {
  std::size_t size = 0;
  for (const std::string_view p : parts)
    size += p.size();
  std::string s;
  s.reserve(size);
  for (const std::string_view p : parts)
    s.append(p);
  return s;
}

[[noreturn]] void refuse(std::string_view field, std::initializer_list<std::string_view> why) {
  std::string message = joined({field, ": "});
  message.append(joined(why));
  throw std::invalid_argument(message);
}

constexpr std::size_t max_id_length = 64;

bool is_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// The window a signature's age is budgeted against: recvWindow for Binance, the assumed one for
// Bitget (it documents none).
std::int64_t venue_window_ms(const account_config& c) noexcept {
  return is_binance(c.venue_kind) ? c.recv_window_ms : bitget_assumed_window_ms;
}

// The normal product type a Bitget demo key uses instead of an S-prefixed one.
std::string_view live_type_of(product p) noexcept {
  switch (p) {
    case product::susdt_futures:
      return to_string(product::usdt_futures);
    case product::scoin_futures:
      return to_string(product::coin_futures);
    case product::susdc_futures:
      return to_string(product::usdc_futures);
    default:
      return to_string(p);
  }
}

void check_environment(const account_config& c, std::string_view where) {
  const venue_environment e = c.environment;
  if (e != venue_environment::production && e != venue_environment::testnet &&
      e != venue_environment::demo)
    refuse("environment", {"unknown value (production, testnet or demo)", where});
  if (c.venue_kind == venue::binance_papi && e != venue_environment::production)
    refuse("environment", {"binance-papi has no test environment; '", to_string(e),
                           "' is not available (use production; binance-usdm and binance-coinm "
                           "have testnet and demo)",
                           where});
  if (c.venue_kind == venue::bitget && e == venue_environment::testnet)
    refuse("environment",
           {"bitget has no testnet; use demo (api.bitget.com with paptrading: 1 and a demo API "
            "key)",
            where});
  if (c.bitget_demo_key && c.venue_kind != venue::bitget)
    refuse("bitget_demo_key", {"is a Bitget setting", where});
  if (!bitget_paptrading(c)) return;
  // Demo through the header excludes the S-prefixed types: Bitget answers 40099 (docs/venues.md
  // §3.4).
  const bool by_environment = e == venue_environment::demo;
  for (product p : c.products) {
    if (!is_bitget_demo_product(p)) continue;
    if (by_environment)
      refuse("environment", {"demo (paptrading: 1) cannot be used with ", to_string(p),
                             ": Bitget answers 40099; use ", live_type_of(p), " in demo, or ",
                             to_string(p), " in production", where});
    refuse("bitget_demo_key",
           {"a demo key (paptrading: 1) cannot be used with ", to_string(p),
            ": Bitget answers 40099; use the normal product type with a demo key, or the "
            "S-prefixed type without it",
            where});
  }
}

bool is_symbol_text(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

}  // namespace

std::string_view default_host(venue v) noexcept {
  return default_host(v, venue_environment::production);
}

// docs/venues.md §1.2 (PAPI: production only), §2 (fapi/dapi testnet and demo hosts; the current
// USD-M doc names demo-fapi as its testnet, @binance/common keeps testnet.binancefuture.com for
// both), §3.4 (Bitget demo: the same host plus a header).
std::string_view default_host(venue v, venue_environment e) noexcept {
  switch (v) {
    case venue::binance_papi:
      return e == venue_environment::production ? "papi.binance.com" : "";
    case venue::binance_usdm:
      switch (e) {
        case venue_environment::production:
          return "fapi.binance.com";
        case venue_environment::testnet:
          return "testnet.binancefuture.com";
        case venue_environment::demo:
          return "demo-fapi.binance.com";
      }
      return "";
    case venue::binance_coinm:
      switch (e) {
        case venue_environment::production:
          return "dapi.binance.com";
        case venue_environment::testnet:
          return "testnet.binancefuture.com";
        case venue_environment::demo:
          return "demo-dapi.binance.com";
      }
      return "";
    case venue::bitget:
      return e == venue_environment::testnet ? "" : "api.bitget.com";
  }
  return "";
}

std::string_view api_host(const account_config& config) noexcept {
  return config.host.empty() ? default_host(config.venue_kind, config.environment) : config.host;
}

bool bitget_paptrading(const account_config& config) noexcept {
  return config.venue_kind == venue::bitget &&
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

std::string_view default_bitget_symbol(product p) noexcept {
  switch (p) {
    case product::coin_futures:
      return "BTCUSD";
    case product::usdc_futures:
      return "BTCPERP";
    case product::susdt_futures:
      return "SBTCSUSDT";
    case product::scoin_futures:
      return "SBTCSUSD";
    case product::susdc_futures:
      return "SBTCSPERP";
    default:
      return "BTCUSDT";
  }
}

std::string_view default_bitget_margin_coin(product p) noexcept {
  switch (p) {
    case product::coin_futures:
      return "BTC";
    case product::usdc_futures:
      return "USDC";
    case product::susdt_futures:
      return "SUSDT";
    case product::scoin_futures:
      return "SBTC";
    case product::susdc_futures:
      return "SUSDC";
    default:
      return "USDT";
  }
}

std::int64_t execution_window_ms(const account_config& config) noexcept {
  return is_binance(config.venue_kind) ? config.recv_window_ms : bitget_acceptance_window_ms;
}

std::int64_t ahead_tolerance_ms(venue v) noexcept {
  return is_binance(v) ? binance_ahead_tolerance_ms : bitget_acceptance_window_ms;
}

void validate_account(const account_config& c) {
  if (c.id.empty()) refuse("id", {"must not be empty"});
  // The id is never echoed when it is refused: it may hold bytes a terminal would act on.
  if (c.id.size() > max_id_length || !std::all_of(c.id.begin(), c.id.end(), is_id_char))
    refuse("id", {"must be 1..64 letters, digits, '.', '_' or '-'"});
  const std::string where = joined({" (account '", c.id, "')"});
  if (c.products.empty()) refuse("products", {"at least one product is required", where});
  for (std::size_t i = 0; i < c.products.size(); ++i) {
    const product p = c.products[i];
    if (venue_of(p) != c.venue_kind)
      refuse("products",
             {"'", to_string(p), "' does not belong to venue ", to_string(c.venue_kind), where});
    if (std::find(c.products.begin(), c.products.begin() + static_cast<std::ptrdiff_t>(i), p) !=
        c.products.begin() + static_cast<std::ptrdiff_t>(i))
      refuse("products", {"'", to_string(p), "' listed twice", where});
  }
  if (c.port == 0) refuse("port", {"must be 1..65535", where});
  if (!c.host.empty())
    if (const std::string_view why = engine::host_problem(c.host); !why.empty())
      refuse("host", {why, where});

  if (c.recv_window_ms < 1 || c.recv_window_ms > binance_max_recv_window_ms)
    refuse("recv_window_ms", {std::to_string(c.recv_window_ms),
                              " is outside 1..60000 (Binance refuses more than 60000)", where});
  const std::int64_t window = venue_window_ms(c);
  const std::int64_t max_age = std::max<std::int64_t>(1, window / 2);
  if (c.presign_max_age_ms < 0 || c.presign_max_age_ms > max_age)
    refuse("presign_max_age_ms",
           {std::to_string(c.presign_max_age_ms), " must be 0 (automatic) or 1..",
            std::to_string(max_age), " (half the venue's ", std::to_string(window), " ms window)",
            where});

  check_environment(c, where);
  if (!is_symbol_text(c.bitget_query_symbol))
    refuse("bitget_query_symbol",
           {"'", c.bitget_query_symbol, "' must be upper-case letters and digits", where});
  if (!is_symbol_text(c.bitget_query_margin_coin))
    refuse("bitget_query_margin_coin",
           {"'", c.bitget_query_margin_coin, "' must be upper-case letters and digits", where});
}

}  // namespace posmode::components
