#pragma once

#include <cstdint>
#include <string_view>
#include <type_traits>

#include "posmode/components/venue.hpp"
#include "posmode/engine/fixed_string.hpp"

namespace posmode::components {

/**
 * The longest wait a venue's Retry-After or ban end is taken for: three days, Binance's longest
 * documented IP ban (docs/venues.md §1.4). Longer values (or ones that overflow) saturate to this,
 * so that a ban never ends in the past by overflow.
 */
inline constexpr std::int64_t max_retry_after_ms = 3LL * 24 * 3600 * 1000;

/**
 * The wait from `now_ms` until `until_ms`, clamped to 0..`max_retry_after_ms` without overflow,
 * whatever the two values are (a venue's "banned until" time, a Retry-After date, the host's
 * wall clock). No allocation, never throws.
 */
[[nodiscard]] constexpr std::int64_t bounded_wait_ms(std::int64_t until_ms,
                                                     std::int64_t now_ms) noexcept {
  if (until_ms <= now_ms) return 0;
  // The true difference is in 1..2^64-1: unsigned subtraction gives it exactly, with no
  // signed overflow whatever the operands.
  const auto wait = static_cast<std::uint64_t>(until_ms) - static_cast<std::uint64_t>(now_ms);
  constexpr auto cap = static_cast<std::uint64_t>(max_retry_after_ms);
  return static_cast<std::int64_t>(wait < cap ? wait : cap);
}

/**
 * What a venue's answer means, one value per distinct reaction the component needs
 * (docs/venues.md §1.4, §1.5, §3.6, §9).
 */
enum class outcome : std::uint8_t {
  applied,                 ///< the mode was changed (Binance code 200, Bitget "00000", OKX "0")
  already_in_mode,         ///< nothing to change (Binance -4059): success
  mode_reported,           ///< a query answered; `mode` holds the account's current mode
  ok,                      ///< ping or server time answered (`server_time_ms` for the latter)
  blocked_positions,       ///< open positions prevent the change (Binance -4068)
  blocked_orders,          ///< open orders prevent the change (Binance -4067)
  blocked_um_cm_mismatch,  ///< PAPI UM and CM modes must match (Binance -4220)
  /// Bitget 45117 "Currently holding positions or orders": Bitget does not say which, and
  /// documents the code for margin-mode switches only, so the mode is still read back; OKX 59000
  /// and 59002 (positions, orders or trading bots), read back likewise
  blocked_positions_or_orders,
  clock_skew,     ///< timestamp outside the window (-1021; Bitget 40005, 40008; OKX 50102, 50112)
  bad_signature,  ///< signature refused (-1022; Bitget 40009; OKX 50113)
  key_or_permission,  ///< key, passphrase, IP or permission refused (-2014, -2015, 400xx, 501xx)
  wrong_environment,  ///< demo/live mix-up (Bitget 40099, OKX 50101)
  rate_limited,       ///< HTTP 429 or Binance -1003; `retry_after_ms` when sent
  ip_banned,          ///< HTTP 418; `retry_after_ms` until the ban ends when known
  unknown,            ///< the venue may or may not have acted (503 "Unknown error", -1006,
                      ///< -1007, HTTP 408): read the mode back
  venue_error,        ///< any other venue error; code and message kept
  malformed,          ///< not a venue answer: HTML page, non-JSON, truncated, oversize
  /// the venue does not offer the requested mode for this scope (Bybit 110029 "Hedge mode is not
  /// supported for this symbol"): never retried
  mode_not_supported,
};

/** A short, stable name for logs and tables ("applied", "blocked_positions", ...). */
[[nodiscard]] std::string_view to_string(outcome o) noexcept;

/**
 * The classified answer to one request: fixed size and trivially copyable, so it can be copied
 * into an event on a ring. Text fields are truncated to their capacity (flagged).
 */
struct venue_reply {
  outcome result = outcome::malformed;
  request_kind kind = request_kind::set_mode;
  /**
   * Set for a set-mode request whose effect this reply does not establish: outcome unknown or
   * malformed, or a Bitget error other than the recognised ones (Bitget documents no codes for
   * open positions/orders or for "already in mode", docs/venues.md §3.6). The component then reads
   * the mode back and reports what the venue says.
   */
  bool verify_by_query = false;
  bool has_mode = false;  ///< `mode` is meaningful (queries; Bitget's set echo)
  position_mode mode = position_mode::hedge;
  std::int16_t http_status = 0;        ///< 0 when no status line was parsed
  bool has_code = false;               ///< the body carried a venue code
  std::int64_t code = 0;               ///< the venue code as a number (Bitget "40009" -> 40009)
  engine::fixed_string<23> code_text;  ///< the code as sent when it is a JSON string (Bitget, Gate)
  engine::fixed_string<120> message;   ///< the venue's `msg`, or an HTML page's title
  /// from Retry-After (or a ban's end), at most `max_retry_after_ms`; -1 when unknown
  std::int64_t retry_after_ms = -1;
  std::int64_t server_time_ms = -1;  ///< server-time answers
  std::int64_t used_weight_1m = -1;  ///< Binance X-MBX-USED-WEIGHT-1M, -1 when absent
  int parse_error = 0;               ///< the `posmode::engine::errc` value behind `malformed`
  /// A mode read that shows the API key's permissions (OKX `perm`, e.g. "read_only,trade";
  /// docs/venues.md §10 A-O1): the value as sent, truncated; empty when the read shows none
  /// (every other venue).
  engine::fixed_string<31> key_permissions;
  /// `key_permissions` was shown and `trade` is not among them: a set would be refused
  bool key_cannot_trade = false;
};

static_assert(std::is_trivially_copyable_v<venue_reply>,
              "replies are copied into events that cross threads on a ring");

/** True for outcomes that mean the account is in the requested mode. */
[[nodiscard]] constexpr bool is_success(outcome o) noexcept {
  return o == outcome::applied || o == outcome::already_in_mode;
}

/** True for the "blocked" outcomes, which must never be retried automatically. */
[[nodiscard]] constexpr bool is_blocked(outcome o) noexcept {
  return o == outcome::blocked_positions || o == outcome::blocked_orders ||
         o == outcome::blocked_um_cm_mismatch || o == outcome::blocked_positions_or_orders;
}

}  // namespace posmode::components
