#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace posmode::components {

/**
 * The venue variants posmode speaks to. Each is one API surface with its own host and paths
 * (docs/venues.md §0): a Binance Portfolio Margin account is not reachable through fapi,
 * and the other way round. Each value has one row in the venue table (`venue_facts.hpp`);
 * docs/adding-a-venue.md says how to add one.
 */
enum class venue : std::uint8_t {
  binance_papi,   ///< Binance Portfolio Margin, papi.binance.com (products papi_um, papi_cm)
  binance_usdm,   ///< Binance USDⓈ-M futures, fapi.binance.com (product usdm)
  binance_coinm,  ///< Binance COIN-M futures, dapi.binance.com (product coinm)
  bitget,         ///< Bitget v2 mix, api.bitget.com (the six product types)
  okx,            ///< OKX v5, www.okx.com (one account-wide scope: product okx_account)
  bybit,          ///< Bybit v5, api.bybit.com (linear-USDT, linear-USDC, linear-symbol)
  gate,           ///< Gate APIv4 perpetual futures, api.gateio.ws (one scope per settle currency)
};

/**
 * The scope a position mode applies to: Binance switches a whole account per product (UM, CM);
 * Bitget per product type; OKX per account; Bybit per category and settle coin, or per symbol;
 * Gate per settle currency.
 * The S-prefixed Bitget types are its demo products.
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
  okx_account,          ///< OKX: `posMode` applies to the whole account (FUTURES and SWAP together)
  bybit_linear_usdt,    ///< Bybit category linear, settle coin USDT
  bybit_linear_usdc,    ///< Bybit category linear, settle coin USDC
  bybit_linear_symbol,  ///< Bybit category linear, the account's symbol
  gate_usdt,            ///< Gate futures settled in USDT (`settle` usdt)
  gate_btc,             ///< Gate futures settled in BTC (`settle` btc)
};

/** The two futures position modes. */
enum class position_mode : std::uint8_t {
  hedge,    ///< both sides (Binance dualSidePosition=true, Bitget hedge_mode, OKX long_short_mode)
  one_way,  ///< one net position (Binance dualSidePosition=false, Bitget one_way_mode, OKX
            ///< net_mode)
};

/** The requests an account sends. */
enum class request_kind : std::uint8_t { set_mode, query_mode, ping, server_time };

/**
 * The venue a product belongs to, from the venue table (the row that lists it); nothing for a
 * value no row lists. No allocation.
 */
[[nodiscard]] std::optional<venue> venue_of(product p) noexcept;

/**
 * Canonical names, as used in configuration files, the CLI and logs: venues
 * `binance-papi`, `binance-usdm`, `binance-coinm`, `bitget`, `okx`; products `um`, `cm`, `usdm`,
 * `coinm`, Bitget's own spelling (`USDT-FUTURES`, ...) and OKX's `account`; modes `hedge`,
 * `one-way`. Venue and product
 * names come from the venue table (`venue_facts.hpp`). The `to_string` functions return static
 * strings (`?` for a value the table does not know); the parsers return nothing for an unknown
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
