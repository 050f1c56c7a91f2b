#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "posmode/components/venue.hpp"

namespace posmode::components {

/** Binance's documented upper bound for `recvWindow` (docs/venues.md §1.3). */
inline constexpr std::int64_t binance_max_recv_window_ms = 60'000;
/**
 * The window posmode assumes for Bitget timestamps. Bitget documents none (docs/venues.md §3.3;
 * third-party articles say 30 s), so posmode budgets as if it were Binance's default.
 */
inline constexpr std::int64_t bitget_assumed_window_ms = 5'000;
/**
 * How long after its timestamp posmode assumes a Bitget request may still be executed, and how
 * far ahead of Bitget's clock a timestamp may be: the 30 s either side that third-party articles
 * give (docs/venues.md §3.3; Bitget documents none), which the mock exchange enforces too. Used
 * only to bound when a request whose answer was lost can no longer land, never to budget signing.
 */
inline constexpr std::int64_t bitget_acceptance_window_ms = 30'000;
/** Binance refuses a timestamp 1000 ms or more ahead of its clock (docs/venues.md §1.3). */
inline constexpr std::int64_t binance_ahead_tolerance_ms = 1'000;

/**
 * One venue account as posmode sees it: where to connect, which products it switches, and the
 * timing of its signed requests. Plain data; `validate_account()` checks it.
 */
struct account_config {
  std::string id;  ///< the host's name for the account (logs, events)
  venue venue_kind = venue::binance_papi;
  std::vector<product> products;  ///< papi_um and/or papi_cm; usdm; coinm; Bitget types
  std::string host;               ///< override of the venue host (empty: the production host)
  std::uint16_t port = 443;
  std::int64_t recv_window_ms = 5'000;      ///< Binance `recvWindow`, always sent; 1..60000
  std::int64_t presign_max_age_ms = 1'000;  ///< oldest signature handed out (see validate)
  bool bitget_demo_key = false;          ///< send `paptrading: 1` (demo key, normal product types)
  std::string bitget_query_symbol;       ///< symbol for Bitget's mode query (default per type)
  std::string bitget_query_margin_coin;  ///< margin coin for it (default per type)
};

/**
 * Checks `config` and throws `std::invalid_argument` whose message starts with the field's name
 * (e.g. "recv_window_ms: 70000 exceeds Binance's maximum of 60000"). Checks:
 * - `id`: 1 to 64 letters, digits, '.', '_' or '-' (it appears in logs and events);
 * - `products` not empty, no duplicates, each belonging to `venue_kind`;
 * - `port` not 0; `host` empty (the venue's) or a DNS name or IP literal that
 *   `engine::host_problem` accepts (no port, no zone id, no control or reserved characters);
 * - `recv_window_ms` in 1..60000 (Binance; unused by Bitget);
 * - `presign_max_age_ms` positive and at most half the venue's window (recvWindow for Binance,
 *   `bitget_assumed_window_ms` for Bitget), leaving the other half for transit and clock error;
 * - `bitget_demo_key` only with Bitget, and never with an S-prefixed product type: that
 *   combination is refused by Bitget with 40099 (docs/venues.md §3.4);
 * - Bitget query symbol and margin coin: upper-case letters and digits only.
 * Not for the hot path (allocates for the message).
 */
void validate_account(const account_config& config);

/**
 * How long after its own timestamp (venue time) a set request of this account may still be
 * executed by the venue: `recv_window_ms` for Binance (`serverTime - timestamp <= recvWindow`),
 * `bitget_acceptance_window_ms` for Bitget. No allocation.
 */
[[nodiscard]] std::int64_t execution_window_ms(const account_config& config) noexcept;

/**
 * How far ahead of the venue's clock a timestamp may be and still be accepted: the bound posmode
 * uses for a request stamped from the local clock, before the venue's clock was ever read.
 */
[[nodiscard]] std::int64_t ahead_tolerance_ms(venue v) noexcept;

/** The production host of a venue (`papi.binance.com`, ...). */
[[nodiscard]] std::string_view default_host(venue v) noexcept;

/** Bitget's mode query needs a symbol and margin coin; these are the defaults per product type. */
[[nodiscard]] std::string_view default_bitget_symbol(product p) noexcept;
[[nodiscard]] std::string_view default_bitget_margin_coin(product p) noexcept;

}  // namespace posmode::components
