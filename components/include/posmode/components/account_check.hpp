#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "posmode/components/component_config.hpp"
#include "posmode/components/position_event.hpp"
#include "posmode/components/venue.hpp"
#include "posmode/engine/fixed_string.hpp"

namespace posmode::components {

/** Why an account is not ready (`account_check::cause`); `none` when it is. */
enum class check_cause : std::uint8_t {
  none,         ///< connected, the venue's clock read, every product's mode read
  unreachable,  ///< no API connection was up when the warm-up ended (DNS, TCP, TLS handshake)
  tls_verification_failed,  ///< the venue's certificate or host name did not verify
  auth_failed,              ///< a mode read was refused: key, signature, passphrase, IP, permission
  /// every mode was read, but the read showed the API key's permissions without `trade` (OKX's
  /// `perm`, docs/venues.md §10 A-O1): a set would be refused. `message` names the permissions.
  /// The other venues' mode reads show no permissions: a key that may read but not trade passes
  /// the check there, and its first set ends `auth_failed`.
  key_cannot_trade,
  banned,  ///< the venue banned this host (HTTP 418, Bybit 403): nothing may be sent
  /// connected, but a product's mode could not be read otherwise (a venue error, a malformed or
  /// lost answer, a rate limit): the product's `report` keeps the venue's code and message
  mode_unreadable,
  /// every mode was read, but the venue's time could not be: sets would be stamped with the local
  /// clock and may be refused as out of the venue's window
  clock_unsynced,
  not_finished,  ///< the warm-up had not ended (`stop()` came first)
};

/**
 * "none", "unreachable", "tls_verification_failed", "auth_failed", "key_cannot_trade", "banned",
 * "mode_unreadable", "clock_unsynced", "not_finished".
 */
[[nodiscard]] std::string_view to_string(check_cause c) noexcept;

/** One product's part of the preflight: the read of its mode at start-up. */
struct product_check {
  /**
   * The start-up report the read published (`request_id` 0): `current_mode` with the mode, or the
   * status, HTTP status, venue code and message that say why the mode is not known.
   */
  position_event report;
  bool mode_known = false;                    ///< `report` is `current_mode` with an observed mode
  position_mode mode = position_mode::hedge;  ///< when `mode_known`
  /// the mode is known and is `account_check::expected_mode` (or the account expects none)
  bool as_expected = false;
};

/**
 * The preflight's verdict on one account (`position_mode_component::check`): whether it is ready
 * to take a request, why not, the mode of each product against the one the configuration expects
 * (`account_settings::expected_mode`), and the clock and round trip seen. Fixed size, trivially
 * copyable; nothing in it is a secret.
 */
struct account_check {
  bool ready = false;  ///< `cause` is `none`
  check_cause cause = check_cause::not_finished;
  /// what went wrong, in the venue's or the system's words ("localhost:9: Connection refused");
  /// empty when ready
  engine::fixed_string<96> message;
  venue venue_kind = venue::binance_papi;
  bool has_expected_mode = false;  ///< `account_settings::expected_mode` was set
  position_mode expected_mode = position_mode::hedge;
  bool clock_synced = false;             ///< the venue's time endpoint answered
  std::int64_t clock_offset_ms = 0;      ///< venue minus local, as posmode stamps requests
  std::int64_t clock_round_trip_ns = 0;  ///< of the time sample the offset comes from
  std::int64_t round_trip_ns = 0;        ///< of the last answered request (a mode read); 0 none
  std::uint8_t connections_up = 0;       ///< API connections up when the verdict was made
  std::uint8_t connections_total = 0;
  std::uint8_t product_count = 0;
  std::array<product_check, max_products_per_account> products{};  ///< the first `product_count`

  /** Ready, and every product's mode is the expected one (or none is expected). */
  [[nodiscard]] bool as_expected() const noexcept {
    if (!ready) return false;
    for (std::size_t i = 0; i < product_count; ++i)
      if (!products[i].as_expected) return false;
    return true;
  }
};

}  // namespace posmode::components
