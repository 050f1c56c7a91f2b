#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "posmode/components/component_config.hpp"
#include "posmode/components/position_event.hpp"
#include "posmode/components/venue.hpp"
#include "posmode/engine/fixed_string.hpp"
#include "posmode/engine/percentiles.hpp"

namespace posmode::components {

/** Where an account stands (`account_health::state`). */
enum class account_state : std::uint8_t {
  connecting,  ///< warming up: no connection yet, or the clock and modes are still being read
  ready,       ///< warm, every API connection up, no ban
  degraded,    ///< warm, some API connections down (requests still go out on the others)
  /// the venue banned the host (HTTP 418 / 403): nothing is sent until `banned_until_ns`. The
  /// state is as of the loop's last update: past that instant the ban is over.
  banned,
  failed,  ///< no API connection up after the warm-up, or the certificate did not verify (`cause`)
};

/** "connecting", "ready", "degraded", "banned", "failed". */
[[nodiscard]] std::string_view to_string(account_state s) noexcept;

/** The number of `event_status` values, for per-status counters. */
inline constexpr std::size_t event_status_count =
    static_cast<std::size_t>(event_status::mode_not_supported) + 1;

/** The last mode posmode saw for one product of the account. */
struct product_health {
  product scope = product::papi_um;
  bool mode_known = false;  ///< a start-up read, a query or a success answer showed the mode
  position_mode mode = position_mode::hedge;
  std::int64_t observed_ns = 0;  ///< when (the component clock's monotonic ns)
};

/**
 * One account's health, as `position_mode_component::health()` returns it: a fixed-size copy,
 * trivially copyable. Times are the component clock's monotonic nanoseconds; 0 when never.
 */
struct account_health {
  account_state state = account_state::connecting;
  bool warm = false;               ///< the warm-up ended (`started()` counts these)
  bool warm_up_succeeded = false;  ///< ... and read every product's mode
  std::uint8_t connections_up = 0;
  std::uint8_t connections_total = 0;
  std::uint8_t product_count = 0;
  std::int64_t banned_until_ns = 0;     ///< while `state` is `banned`
  std::int64_t last_round_trip_ns = 0;  ///< of the last answered request or query
  bool clock_synced = false;            ///< the venue's clock was read
  std::int64_t clock_offset_ms = 0;     ///< venue minus local, as posmode stamps requests
  std::int64_t clock_synced_ns = 0;     ///< when it was last read
  std::int64_t used_weight = -1;   ///< the venue's last reported usage (Binance weight), -1 none
  std::uint64_t requests = 0;      ///< requests ended (terminal events)
  std::uint64_t sets_sent = 0;     ///< set requests written for this account
  std::uint64_t queries_sent = 0;  ///< mode queries written (start-up, read-backs, verify)
  /// the part of `queries_sent` written for a request: read-backs after an unclear answer and
  /// verifications of a success
  std::uint64_t read_backs = 0;
  /// set requests written again for the same request (clock skew, rate limit, a lost connection)
  std::uint64_t retries = 0;
  /// how old the last set request's signature was when it was written (venue ms), -1 before
  /// the first; at most the pre-sign age unless it was signed inline (then 0)
  std::int64_t signature_age_ms = -1;
  std::uint64_t inline_signatures = 0;  ///< set requests of this account signed inline
  /// a read showed the API key cannot trade (OKX's `perm` without `trade`, docs/venues.md A-O1):
  /// every set will be refused. Venues whose reads show no permission never set it.
  bool key_cannot_trade = false;
  std::array<std::uint32_t, event_status_count> outcomes{};         ///< events published, by status
  std::array<product_health, max_products_per_account> products{};  ///< the first `product_count`
  engine::fixed_string<96> cause;  ///< why `failed` or `degraded`: the last connection failure
};

/**
 * One of an account's all-time latency histograms (`position_mode_component::account_histogram`).
 */
enum class latency_kind : std::uint8_t {
  trigger_to_wire,   ///< `request` to the first set request in the kernel
  trigger_to_event,  ///< `request` to its terminal event published
  answer,            ///< an API request (set or query) written to its answer parsed
};

/** The number of `latency_kind` values. */
inline constexpr std::size_t latency_kind_count = 3;

/** "trigger_to_wire", "trigger_to_event", "answer". */
[[nodiscard]] std::string_view to_string(latency_kind k) noexcept;

/**
 * One account's latencies since construction, in nanoseconds, read from its log-linear
 * histograms (`position_mode_component::latency`): min and max exact, each percentile at most
 * 1/64 (1.6 %) above the true sample.
 */
struct account_latency {
  engine::percentile_summary trigger_to_wire;
  engine::percentile_summary trigger_to_event;
  engine::percentile_summary answer;
};

}  // namespace posmode::components
