#pragma once

#include <cstdint>

#include "posmode/engine/fixed_string.hpp"

namespace posmode::components {

/**
 * One venue API host (name and port) as the accounts that talk to it see it
 * (`position_mode_component::host`): how many of them are ready, their connections, and whether
 * the venue banned this machine's IP there. Built on read from the accounts' `health()` copies:
 * fixed size, trivially copyable, never a secret. Times are the component clock's monotonic
 * nanoseconds.
 */
struct host_health {
  engine::fixed_string<253> host;  ///< the DNS name or IP literal the accounts connect to
  std::uint16_t port = 0;
  std::uint16_t accounts = 0;        ///< accounts whose API connections go to this host
  std::uint16_t accounts_ready = 0;  ///< of them, in `account_state::ready`
  std::uint16_t accounts_warm = 0;   ///< of them, past their warm-up
  std::uint32_t connections_up = 0;  ///< over those accounts
  std::uint32_t connections_total = 0;
  /// the venue banned this machine there (HTTP 418, Bybit's 403): every account on it is banned
  /// until `banned_until_ns`, as of the loop's last update
  bool banned = false;
  std::int64_t banned_until_ns = 0;
  /// the highest rate-limit usage its accounts last reported (Binance counts weight per IP, so
  /// every account on a host reports the same budget); -1 when none reports one
  std::int64_t used_weight = -1;
};

}  // namespace posmode::components
