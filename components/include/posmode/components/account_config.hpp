#pragma once

#include <cstdint>
#include <optional>
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
 * The longest a pre-signed set request may wait before it is handed out when the pre-sign age is
 * automatic (`presign_max_age_ms = 0`): the age is half the venue's window, capped here.
 */
inline constexpr std::int64_t default_presign_max_age_ms = 1'000;

/**
 * Which of a venue's environments an account lives in (docs/venues.md §0, §1.2, §2, §3.4). The
 * environment picks the default host (`default_host(venue, venue_environment)`) and, for Bitget,
 * the demo header; an explicit `account_config::host` still overrides the host.
 *
 * | venue         | production         | testnet                     | demo                       |
 * |---------------|--------------------|-----------------------------|----------------------------|
 * | binance-papi  | papi.binance.com   | none (refused)              | none (refused)             |
 * | binance-usdm  | fapi.binance.com   | testnet.binancefuture.com   | demo-fapi.binance.com      |
 * | binance-coinm | dapi.binance.com   | testnet.binancefuture.com   | demo-dapi.binance.com      |
 * | bitget        | api.bitget.com     | none (refused: use demo)    | api.bitget.com + header    |
 *
 * Bitget's demo is its production host with the header `paptrading: 1` and a demo API key, used
 * with the normal product types (the S-prefixed types are the other, header-less, way to reach
 * demo funds and cannot be combined with it: Bitget answers 40099).
 */
enum class venue_environment : std::uint8_t {
  production,  ///< the live venue (the default)
  testnet,     ///< Binance USD-M and COIN-M's testnet host
  demo,        ///< Binance USD-M/COIN-M demo hosts; Bitget demo trading (`paptrading: 1`)
};

/**
 * One venue account as posmode sees it: where to connect, which products it switches, and the
 * timing of its signed requests. Plain data; `validate_account()` checks it.
 */
struct account_config {
  std::string id;  ///< the host's name for the account (logs, events)
  venue venue_kind = venue::binance_papi;
  std::vector<product> products;  ///< papi_um and/or papi_cm; usdm; coinm; Bitget types
  /** Production, testnet or demo: picks the default host and Bitget's demo header. */
  venue_environment environment = venue_environment::production;
  /** Override of the venue host (empty: `default_host(venue_kind, environment)`). */
  std::string host;
  std::uint16_t port = 443;
  std::int64_t recv_window_ms = 5'000;  ///< Binance `recvWindow`, always sent; 1..60000
  /**
   * The oldest a pre-signed set request may be when it is handed out. 0 (the default) is
   * automatic: half the venue's window, at least 1 ms and at most `default_presign_max_age_ms`,
   * so that it follows `recv_window_ms`. Read it through `effective_presign_max_age_ms()`.
   */
  std::int64_t presign_max_age_ms = 0;
  /**
   * The older spelling of `environment = demo` for Bitget: send `paptrading: 1` (a demo key with
   * the normal product types). Either one turns the header on (`bitget_paptrading()`).
   */
  bool bitget_demo_key = false;
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
 * - `environment` one the venue has: binance-papi is production only (no testnet, no demo),
 *   Bitget has no testnet (its test environment is `demo`);
 * - `recv_window_ms` in 1..60000 (Binance; unused by Bitget);
 * - `presign_max_age_ms` 0 (automatic) or at most half the venue's window (recvWindow for
 *   Binance, `bitget_assumed_window_ms` for Bitget; at least 1), leaving the other half for
 *   transit and clock error;
 * - `bitget_demo_key` only with Bitget; Bitget demo (`environment = demo` or `bitget_demo_key`)
 *   never with an S-prefixed product type: that combination is refused by Bitget with 40099
 *   (docs/venues.md §3.4);
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

/** The production host of a venue (`papi.binance.com`, ...): `default_host(v, production)`. */
[[nodiscard]] std::string_view default_host(venue v) noexcept;

/**
 * The host of a venue in an environment (table at `venue_environment`); empty when the venue has
 * no such environment (binance-papi testnet or demo, Bitget testnet). No allocation.
 */
[[nodiscard]] std::string_view default_host(venue v, venue_environment e) noexcept;

/**
 * The host an account's requests go to: `config.host` when set, else
 * `default_host(config.venue_kind, config.environment)`. No allocation.
 */
[[nodiscard]] std::string_view api_host(const account_config& config) noexcept;

/**
 * True when the account's Bitget requests carry `paptrading: 1`: Bitget with `environment = demo`
 * or `bitget_demo_key`. False for every Binance account. No allocation.
 */
[[nodiscard]] bool bitget_paptrading(const account_config& config) noexcept;

/**
 * The pre-sign age the account's requests use: `presign_max_age_ms` when it is positive (the host
 * chose it), else half the venue's window (`recv_window_ms` for Binance,
 * `bitget_assumed_window_ms` for Bitget), clamped to 1..`default_presign_max_age_ms`. Every reader
 * of the age goes through this. No allocation.
 */
[[nodiscard]] std::int64_t effective_presign_max_age_ms(const account_config& config) noexcept;

/** `production`, `testnet`, `demo`: static strings, as in configuration files. */
[[nodiscard]] std::string_view to_string(venue_environment e) noexcept;
/** The environment named `name` (exact, lower case), or nothing. No allocation. */
[[nodiscard]] std::optional<venue_environment> parse_venue_environment(
    std::string_view name) noexcept;

/** Bitget's mode query needs a symbol and margin coin; these are the defaults per product type. */
[[nodiscard]] std::string_view default_bitget_symbol(product p) noexcept;
[[nodiscard]] std::string_view default_bitget_margin_coin(product p) noexcept;

}  // namespace posmode::components
