#pragma once

// How a classified venue answer maps to the event status the order manager sees. Private to
// posmode::components.

#include <string_view>

#include "posmode/components/position_event.hpp"
#include "posmode/components/venue_reply.hpp"

namespace posmode::components::detail {

/** Why a request to a host under an IP ban (HTTP 418) was not sent. */
inline constexpr std::string_view ban_reason =
    "not sent: the host banned this IP (HTTP 418) and the ban has not ended";

/** The event status for a venue answer that ends a request as it stands. */
[[nodiscard]] constexpr event_status status_of(outcome o) noexcept {
  switch (o) {
    case outcome::applied:
      return event_status::applied;
    case outcome::already_in_mode:
      return event_status::already_in_mode;
    case outcome::blocked_positions:
      return event_status::blocked_positions;
    case outcome::blocked_orders:
      return event_status::blocked_orders;
    case outcome::blocked_um_cm_mismatch:
      return event_status::blocked_um_cm_mismatch;
    case outcome::blocked_positions_or_orders:
      return event_status::blocked_positions_or_orders;
    case outcome::clock_skew:
      return event_status::clock_skew;
    case outcome::bad_signature:
    case outcome::key_or_permission:
    case outcome::wrong_environment:
      return event_status::auth_failed;
    case outcome::rate_limited:
      return event_status::rate_limited;
    case outcome::ip_banned:
      return event_status::ip_banned;
    case outcome::venue_error:
    case outcome::mode_reported:
    case outcome::ok:
      return event_status::venue_error;
    case outcome::unknown:
    case outcome::malformed:
      return event_status::unknown;
  }
  return event_status::unknown;
}

/**
 * A refusal whose meaning is known even though a Bitget query reads the mode back: the query
 * cannot turn it into `not_applied`. Any other error (`venue_error`) leaves the effect open.
 */
[[nodiscard]] constexpr bool is_recognised_refusal(outcome o) noexcept {
  switch (o) {
    case outcome::blocked_positions:
    case outcome::blocked_orders:
    case outcome::blocked_um_cm_mismatch:
    case outcome::blocked_positions_or_orders:
    case outcome::clock_skew:
    case outcome::bad_signature:
    case outcome::key_or_permission:
    case outcome::wrong_environment:
    case outcome::rate_limited:
    case outcome::ip_banned:
      return true;
    default:
      return false;
  }
}

/**
 * True when a set request answered this way may still be executed later: no answer came (a
 * dropped connection, a deadline: `malformed`), or the venue said it does not know (`unknown`:
 * Binance 503 "Unknown error", -1006, -1007, HTTP 408; docs/venues.md §1.4). Every other answer, an
 * error code included, shows the venue processed the request, so it will not land afterwards.
 */
[[nodiscard]] constexpr bool may_still_execute(outcome o) noexcept {
  return o == outcome::unknown || o == outcome::malformed;
}

}  // namespace posmode::components::detail
