#include "posmode/components/account_config.hpp"

#include <algorithm>
#include <initializer_list>
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

bool is_symbol_text(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

}  // namespace

std::string_view default_host(venue v) noexcept {
  switch (v) {
    case venue::binance_papi:
      return "papi.binance.com";
    case venue::binance_usdm:
      return "fapi.binance.com";
    case venue::binance_coinm:
      return "dapi.binance.com";
    case venue::bitget:
      return "api.bitget.com";
  }
  return "";
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
  const std::int64_t window =
      is_binance(c.venue_kind) ? c.recv_window_ms : bitget_assumed_window_ms;
  if (c.presign_max_age_ms < 1 || c.presign_max_age_ms > window / 2)
    refuse("presign_max_age_ms",
           {std::to_string(c.presign_max_age_ms), " must be 1..", std::to_string(window / 2),
            " (half the venue's ", std::to_string(window), " ms window)", where});

  if (c.bitget_demo_key) {
    if (c.venue_kind != venue::bitget) refuse("bitget_demo_key", {"is a Bitget setting", where});
    for (product p : c.products)
      if (is_bitget_demo_product(p))
        refuse("bitget_demo_key",
               {"a demo key (paptrading: 1) cannot be used with ", to_string(p),
                ": Bitget answers 40099; use the normal product type with a demo key, or the "
                "S-prefixed type without it",
                where});
  }
  if (!is_symbol_text(c.bitget_query_symbol))
    refuse("bitget_query_symbol",
           {"'", c.bitget_query_symbol, "' must be upper-case letters and digits", where});
  if (!is_symbol_text(c.bitget_query_margin_coin))
    refuse("bitget_query_margin_coin",
           {"'", c.bitget_query_margin_coin, "' must be upper-case letters and digits", where});
}

}  // namespace posmode::components
