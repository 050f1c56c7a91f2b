#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "posmode/components/account_check.hpp"
#include "posmode/components/account_health.hpp"
#include "posmode/components/component_config.hpp"
#include "posmode/components/host_health.hpp"
#include "posmode/components/log_record.hpp"
#include "posmode/components/position_event.hpp"
#include "posmode/engine/latency_histogram.hpp"
#include "posmode/engine/percentiles.hpp"

namespace boost::asio {
class io_context;
}

namespace posmode::components {

/**
 * The host's log sink: receives one `log_record` (level, time, account, host, connection slot,
 * event kind, the venue's status and code, message) per thing worth saying: start-up,
 * connection changes, clock resyncs, clock-skew retries, rate limits, bans, verification
 * mismatches, refused requests. Called on the loop thread, never between a trigger and its
 * socket write or between received bytes and the published event (records about an answer are
 * handed over once its event is out). Identical records within ten seconds are merged into one
 * summary (`log_record::repeats`). Records are built in fixed buffers, and only when a hook is
 * installed and their level reaches its floor. The record never contains a secret. An exception
 * thrown by the hook is caught and counted (`component_stats::log_hook_failures`); it never
 * reaches the loop. `format_text` and `format_json` (log_record.hpp) make a line of a record.
 */
using log_hook = std::function<void(const log_record&)>;

/**
 * The line-based sink `set_log_hook` took before records (issue 17): receives `format_text(record,
 * …, {.time = false, .level = false})`, e.g. `rate_limited account=bn-1#0 host=…:443 http=429
 * code=-1003: …`. Kept for hosts that log lines; a new host takes the record (`log_hook`).
 */
using text_log_hook = std::function<void(log_level, std::string_view)>;

/**
 * Receives the preflight's verdicts (`position_mode_component::check`): one per account, in
 * configuration order, valid during the call.
 */
using check_handler = std::function<void(std::span<const account_check>)>;

/** A snapshot of what the component has done (`stats()`). */
struct component_stats {
  std::uint64_t requests_accepted = 0;   ///< `request` calls that returned true
  std::uint64_t requests_refused = 0;    ///< `request` calls refused: ring full, or after stop()
  std::uint64_t events_published = 0;    ///< events handed to the ring or backlog
  std::uint64_t events_backlogged = 0;   ///< of which had to wait in the backlog
  std::uint64_t backlog_now = 0;         ///< events waiting now
  std::uint64_t backlog_high_water = 0;  ///< the most that ever waited
  std::uint64_t set_requests_sent = 0;   ///< set-mode requests written
  std::uint64_t queries_sent = 0;        ///< mode queries written (unknown outcome, verify)
  std::uint64_t retries = 0;             ///< set requests repeated (clock skew, rate limit)
  /// set requests that found no fresh pre-signed copy and were signed between trigger and
  /// write (`position_event::signed_inline`); with Ed25519 or RSA keys each costs tens to
  /// hundreds of µs
  std::uint64_t inline_signatures = 0;
  std::uint64_t clock_syncs = 0;        ///< time-endpoint answers used
  std::uint64_t connections_lost = 0;   ///< established connections that went down
  std::uint64_t handshakes = 0;         ///< TLS handshakes completed (resumed or not)
  std::uint64_t log_hook_failures = 0;  ///< calls of the log hook that threw
  /// log records built: only while a hook listens and the record's level reaches its floor
  std::uint64_t log_records = 0;
  /// OpenSSL contexts made: one per distinct (`ca_file`, `ca_pem`) among the accounts, shared
  std::uint64_t tls_contexts = 0;
  /**
   * Over every request since construction, in nanoseconds, from log-linear histograms: min and max
   * exact, each percentile at most 1/64 (1.6 %) above the true sample.
   */
  engine::percentile_summary trigger_to_wire;   ///< `request` to set bytes in the kernel
  engine::percentile_summary trigger_to_event;  ///< `request` to terminal event published
};

/**
 * The position-mode component: lives in the host's `io_context`, takes mode-change requests from
 * the risk module on a lock-free SPSC ring, and publishes fixed-size outcome events to the order
 * manager on another.
 *
 * **Lifecycle.** Construct (validates the configuration; throws `std::invalid_argument` naming
 * the field, a CA file that cannot be loaded included, and `std::system_error` or
 * `std::runtime_error` when the eventfd or OpenSSL's context cannot be made), optionally
 * `set_log_hook`, then `start()` on the loop thread: it connects every account's pool, syncs the
 * clock from the venue's time endpoint, reads the current mode of each product (published as
 * `current_mode` events) and keeps the set requests pre-signed. `started()` turns true when every
 * account has finished warming up, successfully or not. Requests made before that wait for their
 * account's connection, within their deadline. `stop()` ends everything (below); a stopped
 * component cannot be started again (construct a new one).
 *
 * **Per request** (docs/venues.md behaviour, docs/design.md "State machine"): the pre-signed set
 * request is written at once; applied or already-in-mode ends it; an open outcome (deadline,
 * dropped connection, 503 unknown, malformed answer, any Bitget answer but "00000") is resolved by
 * a mode query; a timestamp refusal resyncs the clock and retries once; a 429 waits Retry-After
 * within the deadline; blocked answers end it at once. Binance PAPI with UM and CM switches UM
 * first, then CM (the mock's model; Binance documents no order, docs/venues.md §10).
 *
 * **Claims are true.** A set whose answer was lost may still be executed until its timestamp
 * plus the venue's window has passed (carried over to the local clock with the clock's error
 * bound and `settle_margin`). Reading back the other mode before then proves nothing, so
 * `not_applied` is published only once that moment has passed (the component waits for it within
 * the deadline, else says `unknown`); the requested mode read back is `confirmed` at once. Until
 * that moment a later request for the other mode on the same product waits (within its deadline,
 * else `unknown`, not sent). Nothing is ever sent after its request's deadline: such a request
 * ends `timeout` ("not sent"); one whose set was sent but not answered by then ends `unknown`.
 *
 * **Threads.** One risk thread calls `request`; one order-manager thread calls `try_pop`; the
 * loop thread (running the `io_context`) calls everything else. `stats()` and `started()` may be
 * called from any thread.
 *
 * **Hot path.** `request` is wait-free (one ring push, plus one eventfd write per burst in
 * `wakeup_mode::eventfd`); from there to the socket write and from received bytes to the
 * published event: no allocation, no lock, no formatting, no exception, no system call other
 * than the socket's (the request's deadline timer is armed after the write).
 */
class position_mode_component {
 public:
  position_mode_component(boost::asio::io_context& io, component_config config);
  ~position_mode_component();
  position_mode_component(const position_mode_component&) = delete;
  position_mode_component& operator=(const position_mode_component&) = delete;

  /**
   * Installs the log sink; call before `start()`. Records below `floor` are neither built nor
   * passed to the hook. Allocates (the hook's copy); may throw what copying the hook throws.
   */
  void set_log_hook(log_hook hook, log_level floor = log_level::debug);
  /**
   * Installs a line-based sink (`text_log_hook`): each record is formatted with `format_text`
   * (no time, no level: the hook receives the level) into a stack buffer and handed over.
   * Otherwise as above.
   */
  void set_log_hook(text_log_hook hook, log_level floor = log_level::debug);

  /**
   * Starts warming up (asynchronous, on the loop); see the class comment. A second call does
   * nothing. @throws std::logic_error after `stop()`, or when the event backlog cannot hold the
   * start-up reports.
   */
  void start();
  /**
   * Loop thread: closes every connection, stops the timers and ends every accepted request with
   * one terminal event: the running one `unknown` if its set went out unanswered, else
   * `rejected` ("not sent: the component stopped") or `transport_error`; the queued ones and
   * those still in the request ring `rejected`. From the moment it begins, `request` returns
   * false. If the order manager fell behind, the last events wait in the backlog and reach the
   * ring while the host keeps running or polling the `io_context` (`stats().backlog_now`).
   * Idempotent; also run by the destructor.
   */
  void stop();
  /**
   * Preflight, loop thread: starts the component if `start()` has not run (connect, sync the
   * clock, read every product's mode) and, once every account's warm-up has ended, hands `done`
   * one verdict per account (`account_check`: ready or the cause, each product's mode against
   * `account_settings::expected_mode`, clock offset, round trips). It sends only what the warm-up
   * sends, all of it reads (the venue's time, pings, one mode query per product): nothing is
   * changed unless `request` is called. `done` runs on the loop thread, posted (never inside
   * `check`): within `request_deadline` of `start()`, the warm-up's bound, or at `stop()`, which
   * hands over what is known then (`not_finished` for an account still warming up). The verdicts
   * are the warm-up's: a check on a component started long ago reports its start-up reads (see
   * `health()` for what changed since). Allocates (the handler, the verdicts); an exception from
   * `done` leaves the `io_context`'s `run()`/`poll()` like any handler's.
   * @throws std::logic_error after `stop()` or while an earlier check waits,
   *         std::invalid_argument for an empty `done`, and what `start()` throws.
   */
  void check(check_handler done);

  /** True once every account finished warming up. Any thread. */
  [[nodiscard]] bool started() const noexcept;

  /**
   * Risk thread: asks for account `account` (its index in the configuration) to be put in `mode`
   * for every product in its scope. False when the request ring is full, or once `stop()` has
   * begun. Accepted requests get ids 1, 2, 3, ... in call order (`request_id` of their events);
   * an unknown index is accepted and ends in a `rejected` event. Wait-free: one seq_cst store,
   * two loads and the ring push (plus the eventfd write of `wakeup_mode::eventfd`).
   */
  [[nodiscard]] bool request(std::size_t account, position_mode mode) noexcept;

  /** Order-manager thread: takes the oldest published event, if any. */
  [[nodiscard]] bool try_pop(position_event& out) noexcept;

  /**
   * Loop thread, for a host spinning on `io_context::poll()` (`wakeup_mode::busy_poll`): takes
   * and starts the requests waiting in the ring, and returns how many. Harmless in the other mode.
   */
  std::size_t poll() noexcept;

  /** The index of the account with this id, for `request`. */
  [[nodiscard]] std::optional<std::size_t> find_account(std::string_view id) const noexcept;
  [[nodiscard]] std::size_t account_count() const noexcept;

  /** Counters and latencies. Any thread; never allocates, never waits for the loop. */
  [[nodiscard]] component_stats stats() const;

  /**
   * One account's health: state (connecting, ready, degraded, banned, failed with its cause),
   * connections, last round trip, clock offset, the venue's reported usage, the last mode seen
   * per product, and counters. Any thread, at any time after construction: a copy of what the loop
   * last published (it publishes after each change, never between a trigger and its event), read
   * without a lock or an allocation; the loop never waits for a reader. nullopt for an index
   * that names no account.
   */
  [[nodiscard]] std::optional<account_health> health(std::size_t account) const noexcept;

  /** The number of distinct API hosts (name and port) the accounts talk to; fixed. Any thread. */
  [[nodiscard]] std::size_t host_count() const noexcept;

  /**
   * One API host's health (index < `host_count()`, in the order the accounts first name them):
   * its accounts' states and connections summed, its ban, the usage its accounts last saw. Any
   * thread, without a lock or an allocation: it reads each of the host's accounts' `health()`
   * copies, so two accounts may be a few microseconds apart. nullopt for an index that names no
   * host.
   */
  [[nodiscard]] std::optional<host_health> host(std::size_t index) const noexcept;

  /**
   * One account's latencies since construction (trigger to wire, trigger to event, answer time),
   * from its all-time histograms. Any thread, at any time after construction: the loop records
   * into relaxed atomic cells and never waits for a reader; no lock, no allocation. A read
   * concurrent with recording sees some recent state, not one instant. nullopt for an index that
   * names no account.
   */
  [[nodiscard]] std::optional<account_latency> latency(std::size_t account) const noexcept;

  /**
   * One account's histogram of `kind`, for a host that merges or exports them itself
   * (`engine::latency_histogram::merge_into`, `quantile`, `bucket`). Valid for the component's
   * life; read from any thread as above. Null for an index that names no account.
   */
  [[nodiscard]] const engine::latency_histogram* account_histogram(
      std::size_t account, latency_kind kind) const noexcept;

  /**
   * Writes `stats()` and the two latency histograms (all-time, in seconds) in the Prometheus text
   * exposition format into `out`, for the host to serve (docs/operations.md): counters
   * `posmode_*_total`, gauges `posmode_backlog_events`, `posmode_backlog_high_water_events`, and
   * histograms `posmode_trigger_to_wire_seconds`, `posmode_trigger_to_event_seconds`; then each
   * account's `health()` with an `account="<id>"` label (`posmode_account_state{state=…}` one-hot,
   * `_connections_up`, `_connections`, `_key_cannot_trade`, `_clock_offset_seconds`,
   * `_signature_age_seconds`,
   * `_used_weight` where known; counters `_requests_total`, `_set_requests_total`,
   * `_queries_total`, `_read_backs_total`, `_retries_total`, `_inline_signatures_total`,
   * `_events_total{status=…}`) and histograms: `posmode_account_trigger_to_wire_seconds`,
   * `posmode_account_trigger_to_event_seconds`, `posmode_account_answer_seconds`. `labels`
   * (`key="value",…`, escaped by the caller, at most 900 bytes, or empty) goes on every sample.
   * Any thread; no allocation, no exception.
   * @return the bytes written, or 0 when `out` is too small (about 6 KiB plus 8 KiB per account)
   *         or `labels` too long.
   */
  [[nodiscard]] std::size_t write_metrics(std::span<char> out,
                                          std::string_view labels = {}) const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace posmode::components
