#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "posmode/components/account_config.hpp"
#include "posmode/components/credentials.hpp"
#include "posmode/engine/backoff.hpp"
#include "posmode/engine/clock.hpp"

namespace posmode::components {

/** The most requests one account may queue behind its running one (`pending_per_account`). */
inline constexpr std::size_t max_pending_per_account = 64;
/** The most accounts one component manages. */
inline constexpr std::size_t max_accounts = 65'535;
/** The most products one account may switch (Bitget's six product types). */
inline constexpr std::size_t max_products_per_account = 6;
/** The longest any configured timeout, deadline or wait may be: one hour. */
inline constexpr std::chrono::milliseconds max_configured_wait{3'600'000};

/** One account the component manages: venue, products, credentials and connections. */
struct account_settings {
  /** Id, venue variant, product scope, host/port override, recvWindow, pre-sign age, Bitget. */
  account_config account;
  credentials creds;    ///< key, secret (and Bitget passphrase); never logged
  std::string ca_file;  ///< PEM file of CAs to trust; empty: the system trust store
  std::string ca_pem;   ///< PEM text of CAs to trust as well (e.g. the mock exchange's)
  /**
   * Skip certificate checks. Accepted only with `account.host` 127.0.0.1 (a local test server);
   * refused otherwise, and logged as a warning whenever used.
   */
  bool insecure_loopback = false;
  std::size_t connections = 2;    ///< TLS connections to the account's API host, 1..16
  bool verify_after_set = false;  ///< after success, query the mode and publish a second event
  /**
   * The mode every product of the account should be in, for the preflight (`check()`: each
   * product's verdict says whether its mode is this one). Nothing is ever changed because of
   * it; empty: no expectation.
   */
  std::optional<position_mode> expected_mode;
};

/** How the component retries. Blocked answers (positions, orders, -4220) are never retried. */
struct retry_policy {
  bool resync_on_clock_skew = true;  ///< on a timestamp refusal: resync the clock, retry once
  bool wait_on_rate_limit = true;    ///< on 429: wait Retry-After if it fits the deadline, retry
  /** The wait assumed when a 429 carries no Retry-After. */
  std::chrono::milliseconds default_retry_after{1'000};
  std::size_t max_rate_limit_retries = 2;  ///< set attempts after rate limiting, per product
  engine::backoff_options reconnect;       ///< spacing of reconnect attempts
};

/** How a host wakes the component's loop when the risk module calls `request`. */
enum class wakeup_mode : std::uint8_t {
  /**
   * For a host that blocks in `io_context::run()`: `request` writes an eventfd that the
   * `io_context` watches (one `write` per burst of requests, on the calling thread). The loop
   * reads it once per wake-up (one `read`, so that re-arming the wait does not report it again)
   * besides its own `epoll_wait`; a spinning host uses `busy_poll` and pays neither.
   */
  eventfd,
  /**
   * For a host that spins on `io_context::poll()`: `request` makes no system call at all; the
   * host calls `position_mode_component::poll()` in its spin loop, which takes requests from
   * the ring (one atomic load when there are none).
   */
  busy_poll,
};

/**
 * Everything the component needs; validated when the component is constructed. Every duration
 * is at most `max_configured_wait` (one hour), the clock resync interval at most a day.
 */
struct component_config {
  std::vector<account_settings> accounts;
  std::chrono::milliseconds attempt_timeout{2'000};   ///< one HTTP exchange (set, query, time)
  std::chrono::milliseconds request_deadline{8'000};  ///< `request` to terminal event, retries in
  /** Resolve, TCP connect and TLS handshake of one connection attempt; then back off and retry. */
  std::chrono::milliseconds connect_timeout{2'000};
  std::chrono::milliseconds keepalive_interval{15'000};  ///< idle time before a keep-alive; 0: off
  std::chrono::milliseconds clock_resync_interval{60'000};  ///< time-endpoint probes; 0: start only
  /**
   * Added to the moment a set request whose answer was lost can no longer be executed (its
   * timestamp plus the venue's window, carried over with the clock's own error bound): covers the
   * venue's servers disagreeing among themselves by a little. See docs/design.md, "State machine".
   */
  std::chrono::milliseconds settle_margin{250};
  std::size_t clock_samples_at_start = 4;  ///< time-endpoint round trips at `start()`, 1..8
  retry_policy retry;
  std::size_t request_ring_capacity = 64;     ///< risk thread to loop (rounded up to a power of 2)
  std::size_t event_ring_capacity = 256;      ///< loop to order manager (power of 2 likewise)
  std::size_t event_backlog_capacity = 1024;  ///< events waiting while the ring is full
  std::size_t pending_per_account = 8;        ///< requests queued behind a running one, 0..64
  wakeup_mode wakeup = wakeup_mode::eventfd;
  /**
   * Record each request in the latency histograms (`stats()`, `latency()`, `write_metrics`) and
   * update `health()` at each event. Off only to measure what that costs (bench/
   * component_latency.cpp): the histograms then stay empty and `health()` keeps its connection,
   * clock and start-up facts but stops counting requests and outcomes.
   */
  bool record_latency = true;
  /**
   * The component's one clock: monotonic time for deadlines and events, wall time for stamps, and
   * the clock every timer of the component and its connections runs on (`engine::clock_timer`):
   * request deadlines, Retry-After and landing waits, connect timeouts, reconnect backoff,
   * keep-alives, re-signing and clock resyncs. The default is the system clock. Any other clock
   * (tests, replays) is followed through 1 ms real-time slices; the event backlog's 1 ms flush
   * poll alone runs on real time, since it waits for the order manager, not for a moment.
   */
  engine::clock_ref clock;
};

/**
 * Checks `config` and throws `std::invalid_argument` whose message starts with the field's path,
 * e.g. "accounts[1].connections: 0 is outside 1..16" or "accounts[0].creds.api_key: empty".
 * Checks every account (`validate_account`, credentials present, Bitget passphrase, insecure only
 * for 127.0.0.1, unique ids), positive timeouts with `attempt_timeout <= request_deadline`, every
 * duration within its bound (`max_configured_wait`), ring, backlog and queue capacities, and that
 * the backlog can hold the events of start-up, of a request in progress and of every request the
 * ring may hold when `stop()` ends them. Messages never contain a secret. Allocates.
 */
void validate_config(const component_config& config);

}  // namespace posmode::components
