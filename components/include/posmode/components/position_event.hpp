#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "posmode/components/venue.hpp"
#include "posmode/engine/fixed_string.hpp"

namespace posmode::components {

/** What happened to a request, per product (see `position_event`). */
enum class event_status : std::uint8_t {
  applied,                 ///< the venue changed the mode
  already_in_mode,         ///< the account was already in the requested mode
  confirmed,               ///< the answer left the outcome open; a query shows the requested mode
  not_applied,             ///< the answer left the outcome open; a query shows the other mode
  verified,                ///< verification event: a query after success shows the requested mode
  verify_mismatch,         ///< verification event: a query after success shows the other mode
  blocked_positions,       ///< open positions prevent the change (never retried)
  blocked_orders,          ///< open orders prevent the change (never retried)
  blocked_um_cm_mismatch,  ///< PAPI: UM and CM must match (-4220; never retried)
  /// Bitget 45117 "positions or orders" (it does not say which), or OKX 59000/59002 (positions,
  /// orders or trading bots), and the mode read back is not the requested one (never retried)
  blocked_positions_or_orders,
  auth_failed,   ///< signature, key, passphrase, IP, permission or environment refused
  clock_skew,    ///< timestamp refused again after a clock resync
  rate_limited,  ///< limited, and Retry-After does not fit in the deadline
  /// the host answered HTTP 418 (IP banned), now or earlier: nothing is sent to it, by any
  /// account, until the ban ends (`Retry-After`, else the "banned until" time in the message)
  ip_banned,
  venue_error,      ///< another venue error; code and message kept
  unknown,          ///< the outcome could not be established (the query failed too)
  transport_error,  ///< no usable connection, or it failed and no query could follow
  /// the venue's certificate or host name did not verify (TLS); nothing was sent. Retrying
  /// cannot fix it: the connections back off to their longest delay. Check `ca_file` and `host`.
  tls_verification_failed,
  timeout,       ///< the request's deadline passed
  rejected,      ///< not attempted: unknown account, or too many pending requests
  current_mode,  ///< start-up report: the mode read from the venue (`observed_mode`)
  /// the venue does not offer the requested mode for this scope (Bybit 110029 "Hedge mode is not
  /// supported for this symbol"); code and message kept; never retried
  mode_not_supported,
};

/** A short, stable name for logs and tables ("applied", "blocked_positions", ...). */
[[nodiscard]] std::string_view to_string(event_status s) noexcept;

/** True for the statuses that mean the product is in the requested mode. */
[[nodiscard]] constexpr bool is_success(event_status s) noexcept {
  return s == event_status::applied || s == event_status::already_in_mode ||
         s == event_status::confirmed || s == event_status::verified;
}

/**
 * One outcome, published by the component to the order manager on an SPSC ring: fixed size and
 * trivially copyable. Every `request` ends in exactly one event with `terminal` set; a request
 * over several products (Binance PAPI UM and CM) first publishes one non-terminal event per
 * product that succeeded. On a unified account (`account_config::unified_position_mode`) a book
 * switched by its twin's set gets an event of its own right after the twin's, with the twin's
 * outcome whatever it is, `attempts` 0 and `coupled` set. With verify-after-set, a successful
 * terminal event is followed by one event with `verification` set. `current_mode` events (one per
 * account and product, at start-up) answer no request (`request_id` 0).
 *
 * Timestamps are the component clock's monotonic nanoseconds; 0 when the stage did not happen.
 */
struct position_event {
  std::uint64_t sequence = 0;    ///< 1, 2, 3, ... in publication order, across all accounts
  std::uint64_t request_id = 0;  ///< `request()`'s id for this request; 0 for start-up reports
  std::uint64_t account = 0;     ///< the account's index as given to `request` (kept whole)
  venue venue_kind = venue::binance_papi;
  product product_scope = product::papi_um;
  position_mode requested = position_mode::hedge;
  event_status status = event_status::unknown;
  bool terminal = false;      ///< the request's last event (before any verification event)
  bool verification = false;  ///< the verify-after-set report
  bool has_observed_mode = false;
  position_mode observed_mode = position_mode::hedge;  ///< what a query read, when one did
  std::uint8_t attempts = 0;                           ///< set requests written for this product
  /**
   * The product's book moves together with another one (Binance's CM migration, docs/venues.md
   * §2.1; docs/design.md, "Coupled books"). On an account configured
   * `account_config::unified_position_mode`: set on every event of its requests (and its start-up
   * reports). On any other account: set when this book was found already in the requested mode
   * right after the set of its twin changed the twin, having been read in the other mode before
   * (the venue switched both; the message says so and a warning is logged).
   *
   * Layout: the byte right after `attempts`, taken from the padding the event had (`has_code`
   * moved to the byte after `message`); the event stays 192 bytes (asserted below).
   */
  bool coupled = false;
  std::int16_t http_status = 0;        ///< of the answer behind the status
  engine::fixed_string<23> code_text;  ///< a string code as sent (Bitget "40009", Gate labels)
  engine::fixed_string<87> message;    ///< the venue's message, or posmode's reason (truncated)
  /// a set request of this product had no fresh pre-signed copy and was signed between the
  /// trigger and the socket write (with an Ed25519 or RSA key: tens to hundreds of µs); the byte
  /// freed by `message` holding 87 characters instead of 88
  bool signed_inline = false;
  bool has_code = false;          ///< the venue sent a code (`code`)
  std::int64_t code = 0;          ///< e.g. -4068, or Bitget 40009
  std::int64_t trigger_ns = 0;    ///< `request()` was called
  std::int64_t on_wire_ns = 0;    ///< the first set request was in the kernel
  std::int64_t response_ns = 0;   ///< the answer behind the status was complete
  std::int64_t published_ns = 0;  ///< the event was handed to the ring (or backlog)
};

static_assert(std::is_trivially_copyable_v<position_event>,
              "events cross threads by copy on an SPSC ring");
static_assert(sizeof(position_event) == 192,
              "an event is three cache lines: the ring's slots and copies stay that size");
static_assert(offsetof(position_event, coupled) == offsetof(position_event, attempts) + 1,
              "`coupled` is the byte right after `attempts` (docs/design.md, the event's layout)");
static_assert(offsetof(position_event, has_code) + 1 == offsetof(position_event, code),
              "`has_code` fills the byte between `message` and `code`: no padding is left");
static_assert(offsetof(position_event, signed_inline) + 1 == offsetof(position_event, has_code),
              "`signed_inline` is the byte after `message` (87 characters): no field moved");

}  // namespace posmode::components
