#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace posmode::components {

/**
 * The venue variants posmode speaks to. Each is one API surface with its own host and paths
 * (docs/venues.md §0): a Binance Portfolio Margin account is not reachable through fapi,
 * and the other way round.
 */
enum class venue : std::uint8_t {
  binance_papi,   ///< Binance Portfolio Margin, papi.binance.com (products papi_um, papi_cm)
  binance_usdm,   ///< Binance USDⓈ-M futures, fapi.binance.com (product usdm)
  binance_coinm,  ///< Binance COIN-M futures, dapi.binance.com (product coinm)
  bitget,         ///< Bitget v2 mix, api.bitget.com (the six product types)
};

/**
 * The scope a position mode applies to: Binance switches a whole account per product (UM, CM);
 * Bitget per product type. The S-prefixed Bitget types are its demo products.
 */
enum class product : std::uint8_t {
  papi_um,
  papi_cm,
  usdm,
  coinm,
  usdt_futures,
  coin_futures,
  usdc_futures,
  susdt_futures,
  scoin_futures,
  susdc_futures,
};

/** The two futures position modes. */
enum class position_mode : std::uint8_t {
  hedge,    ///< both sides (Binance dualSidePosition=true, Bitget hedge_mode)
  one_way,  ///< one net position (Binance dualSidePosition=false, Bitget one_way_mode)
};

/** The requests an account sends. */
enum class request_kind : std::uint8_t { set_mode, query_mode, ping, server_time };

/** The venue a product belongs to. */
[[nodiscard]] constexpr venue venue_of(product p) noexcept {
  switch (p) {
    case product::papi_um:
    case product::papi_cm:
      return venue::binance_papi;
    case product::usdm:
      return venue::binance_usdm;
    case product::coinm:
      return venue::binance_coinm;
    default:
      return venue::bitget;
  }
}

/** True for the Binance variants. */
[[nodiscard]] constexpr bool is_binance(venue v) noexcept {
  // Named one by one: a venue added later must not pass for Binance by default.
  return v == venue::binance_papi || v == venue::binance_usdm || v == venue::binance_coinm;
}

/** True for Bitget's S-prefixed demo product types. */
[[nodiscard]] constexpr bool is_bitget_demo_product(product p) noexcept {
  return p == product::susdt_futures || p == product::scoin_futures || p == product::susdc_futures;
}

/**
 * Canonical names, as used in configuration files, the CLI and logs: venues
 * `binance-papi`, `binance-usdm`, `binance-coinm`, `bitget`; products `um`, `cm`, `usdm`, `coinm`
 * and Bitget's own spelling (`USDT-FUTURES`, ...); modes `hedge`, `one-way`.
 * The `to_string` functions return static strings; the parsers return nothing for an unknown
 * name (product names compare case-insensitively). No allocation.
 */
[[nodiscard]] std::string_view to_string(venue v) noexcept;
[[nodiscard]] std::string_view to_string(product p) noexcept;
[[nodiscard]] std::string_view to_string(position_mode m) noexcept;
[[nodiscard]] std::string_view to_string(request_kind k) noexcept;
[[nodiscard]] std::optional<venue> parse_venue(std::string_view name) noexcept;
[[nodiscard]] std::optional<product> parse_product(std::string_view name) noexcept;
[[nodiscard]] std::optional<position_mode> parse_position_mode(std::string_view name) noexcept;

}  // namespace posmode::components
