#pragma once

// One account's side of the component: its connection pools, clock offset, pre-signed requests,
// warm-up (account_session.cpp), and the per-request state machine (request_flow.cpp). Private to
// posmode::components.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "component_core.hpp"
#include "posmode/components/account_check.hpp"
#include "posmode/components/account_health.hpp"
#include "posmode/components/account_requests.hpp"
#include "posmode/engine/clock_offset.hpp"
#include "posmode/engine/clock_timer.hpp"
#include "posmode/engine/connection_pool.hpp"
#include "posmode/engine/fixed_string.hpp"
#include "posmode/engine/handler_memory.hpp"
#include "posmode/engine/latency_histogram.hpp"
#include "posmode/engine/seqlock.hpp"
#include "request_machine.hpp"

namespace posmode::components::detail {

class account_session {
 public:
  /** `tls` is shared with every account of the same trust settings and outlives the session. */
  account_session(boost::asio::io_context& io, component_core& core,
                  const account_settings& settings, std::size_t index,
                  engine::tls_client_context& tls);
  ~account_session();
  account_session(const account_session&) = delete;
  account_session& operator=(const account_session&) = delete;

  /** Connects, syncs the clock, reads the modes (start-up events), pre-signs. */
  void start();
  /**
   * Closes everything and ends the running and queued requests, each with one terminal event:
   * `unknown` when a set was sent and its fate is open, `rejected` ("not sent") when nothing
   * was sent, `transport_error` otherwise.
   */
  void stop() noexcept;
  [[nodiscard]] bool warm() const noexcept { return facts_.warm; }

  /**
   * Takes a trigger for this account: starts it at once when idle, else queues it. False when
   * the queue is full (the caller publishes `rejected`). The caller reserved its events.
   */
  [[nodiscard]] bool admit(const trigger& t) noexcept;
  /** The most events one request may publish (products, plus verification). */
  [[nodiscard]] std::size_t events_per_request() const noexcept;
  [[nodiscard]] const account_config& config() const noexcept;
  /** The API host and port, for records about the account. */
  [[nodiscard]] std::string_view api_host() const noexcept { return api_->endpoint().host; }
  [[nodiscard]] std::uint16_t api_port() const noexcept { return api_->endpoint().port; }

  /** Any thread: the health the loop last published (account_health.cpp). */
  [[nodiscard]] account_health health() const noexcept;
  /** Any thread: the account's all-time histogram of `kind` (the loop records into it). */
  [[nodiscard]] const engine::latency_histogram& histogram(latency_kind kind) const noexcept {
    return latency_->of[static_cast<std::size_t>(kind)];
  }
  /** Loop: a host was banned (by this account's answer or another's): publish again. */
  void on_ban() noexcept { publish_health(); }
  /**
   * Loop: the preflight's verdict (account_check.cpp), made of what the warm-up found: its
   * start-up reports, the connections, the clock, the health's state. Sends nothing.
   */
  [[nodiscard]] account_check verdict() const noexcept;

 private:
  class pool_events;

  [[nodiscard]] bool serves_time(bool time_pool) const noexcept;
  [[nodiscard]] engine::connection_pool& time_pool() noexcept;
  [[nodiscard]] engine::connection_pool& pool(bool time_pool) noexcept;
  /** True while the venue's ban (HTTP 418) of `pool`'s host lasts: nothing may be sent. */
  [[nodiscard]] bool banned(const engine::connection_pool& pool) const noexcept;
  /**
   * Classifies an answer that came from `from`; a ban (HTTP 418) is recorded there for every
   * account that talks to that host.
   */
  [[nodiscard]] venue_reply classify(engine::connection_pool& from, request_kind kind,
                                     position_mode requested, const engine::http_response_parser& r,
                                     std::int64_t wall_ms) noexcept;
  /** The venue's clock now, as stamped into requests (never ahead of the venue's). */
  [[nodiscard]] std::int64_t venue_now_ms() const noexcept;
  /** The same at the monotonic time `now_ns`, read by the caller. */
  [[nodiscard]] std::int64_t venue_now_ms(std::int64_t now_ns) const noexcept;
  /**
   * The monotonic time after which a set stamped `stamp_ms` can no longer be executed: its
   * stamp plus the venue's window, carried over to the local clock with the clock's error bound
   * (and, before the venue's clock was read, the venue's tolerance for stamps ahead of it).
   */
  [[nodiscard]] std::int64_t execution_cutoff_ns(std::int64_t stamp_ms,
                                                 std::int64_t now_ns) const noexcept;

  // pool callbacks
  void on_pool_ready(bool time_pool) noexcept;
  /** The end of an exchange this session put on an API connection. */
  void on_api_result(const engine::ticket& t, const engine::exchange_result& result) noexcept;
  void count_connections() noexcept;
  /** `probe`: the answer to a clock probe (start, periodic resync, skew), not a keep-alive. */
  void on_time_answer(const engine::http_response_parser& r, const engine::exchange_timing& timing,
                      bool probe) noexcept;
  void on_time_failure() noexcept;
  void on_ping_answer(const engine::http_response_parser& r) noexcept;
  void connection_changed(std::size_t slot, bool time_pool, std::error_code ec,
                          std::string_view detail) noexcept;

  // clock and warm-up
  void probe_clock() noexcept;
  void after_clock_probe() noexcept;
  void query_next_at_start() noexcept;
  void on_warm_response(const venue_reply& reply) noexcept;
  void publish_startup(event_status status, const venue_reply* reply,
                       std::string_view reason) noexcept;
  void finish_warmup() noexcept;
  /** Unified account whose coupled books read differently at start-up: a warning. */
  void warn_if_not_coupled() noexcept;
  /** The pre-sign refresh timer: after its period, or at once (`now`: more slices to sign). */
  void arm_refresh(bool now = false) noexcept;
  /** Starts the refresh now when the account's signatures are expensive (after the clock
   *  moved and its requests were marked stale). */
  void kick_refresh() noexcept;
  void arm_resync() noexcept;

  // requests (request_flow.cpp): request_machine's driver
  void start_request(const trigger& t) noexcept;
  /** Reads the clock once for an input and brings the machine's account facts up to date. */
  std::int64_t input_time() noexcept;
  void sync_facts(std::int64_t now) noexcept;
  /** Carries out `steps` and every list they lead to. */
  void run(const step_list* steps) noexcept;
  /** Carries out one list; returns the list the machine answered a send with, or null. */
  const step_list* carry_out(const step_list& steps) noexcept;
  const step_list* send(const step& s) noexcept;
  const step_list* resync_clock() noexcept;
  const step_list* end_request() noexcept;
  void publish_event(position_event& e) noexcept;
  /** A connection came free or the warm-up ended: the waiting request's send goes now. */
  void resume_waiting() noexcept;
  void end_on_stop() noexcept;
  void reject_queued(const trigger& t, std::string_view reason) noexcept;
  [[nodiscard]] bool pop_queued(trigger& t) noexcept;
  void arm_deadline() noexcept;
  void start_deadline_wait(std::int64_t at_ns) noexcept;
  void arm_step_timer(std::int64_t at_ns) noexcept;

  // logs (account_log.cpp): records are built only when the hook would take them, and those
  // about a request's answer are handed over after its steps, never before its event
  /** A record about this account and `pool`'s host (the API pool when null). */
  [[nodiscard]] log_record record(log_level level, log_event event,
                                  const engine::connection_pool* pool = nullptr) const noexcept;
  /** Keeps `reply` for a record (rate limit, ban, clock skew) written after the steps run. */
  void note_reply(const venue_reply& reply, bool time_pool) noexcept;
  /** Keeps a verification mismatch's event likewise. */
  void note_mismatch(const position_event& e) noexcept;
  /** Writes what was noted. */
  void flush_notes() noexcept;
  /** The record for a rate limit, ban or clock-skew answer from `pool`. */
  void log_reply(const venue_reply& reply, const engine::connection_pool& pool,
                 bool will_retry) noexcept;
  void log_connection(std::size_t slot, bool time_pool, std::error_code ec,
                      std::string_view cause) noexcept;
  void log_clock(bool start, bool after_skew) noexcept;
  void log_warm_up(std::string_view why) noexcept;

  // health (account_health.cpp): the loop keeps a draft and publishes it after each change
  void init_health() noexcept;
  /** Counts a published event and the mode it shows, then publishes the health. */
  void note_event(const position_event& e) noexcept;
  /** Recomputes the state (connections, ban, warm-up) and publishes the draft. */
  void publish_health() noexcept;

  component_core& core_;
  const account_settings& settings_;
  std::size_t index_;
  account_requests requests_;
  std::unique_ptr<pool_events> api_events_;
  std::unique_ptr<pool_events> time_events_;
  std::unique_ptr<engine::connection_pool> api_;
  std::unique_ptr<engine::connection_pool> time_;  // null when the API host serves the time
  engine::clock_offset_estimator clock_;
  engine::clock_timer deadline_timer_;
  std::int64_t deadline_timer_at_ = 0;  // monotonic ns of the pending deadline wait, 0: none
  // Shared: a cancelled deadline wait returns its memory after the session may be gone.
  std::shared_ptr<engine::handler_memory> deadline_memory_ =
      std::make_shared<engine::handler_memory>();
  engine::clock_timer step_timer_;  // the machine's wait_until steps
  bool step_armed_ = false;
  engine::clock_timer refresh_timer_;
  engine::clock_timer resync_timer_;
  engine::clock_timer warm_timer_;

  bool running_ = false;
  bool stopped_ = false;  // stop() ran: no queued request starts any more
  bool clock_synced_ = false;
  std::size_t clock_probes_ = 0;
  bool clock_probe_in_flight_ = false;
  std::size_t warm_product_ = 0;
  bool busy_warm_ = false;
  engine::ticket warm_ticket_;         // the start-up query on the wire, if any
  engine::ticket request_ticket_;      // the running request's exchange on the wire, if any
  std::uint64_t handshakes_seen_ = 0;  // the pools' counters already added to the component's
  std::uint64_t lost_seen_ = 0;
  // Why the API connections went down last (error and OpenSSL's or the resolver's detail): the
  // cause a request that could not be sent reports.
  /// "host:port: what failed (detail)", as the API pool last reported a connection failure
  engine::fixed_string<96> last_connection_error_;
  /// the API host's certificate or name did not verify, and no connection has come up since
  bool verify_failed_ = false;
  /// a start-up mode read showed the key's permissions without `trade` (OKX `perm`), and them
  bool key_cannot_trade_ = false;
  engine::fixed_string<31> key_permissions_;

  request_policy policy_;
  account_facts facts_;  // facts_.warm: the warm-up ended (well or not)
  request_machine machine_;
  std::uint64_t generation_ = 0;  // answers and timers of an older request are ignored
  std::int64_t now_ = 0;          // the time of the input being carried out
  bool starting_ = false;         // start_request takes the next queued trigger itself
  std::array<trigger, max_pending_per_account> queue_{};  // behind the running one (FIFO)
  std::size_t queue_head_ = 0;
  std::size_t queue_count_ = 0;

  std::size_t modes_read_at_start_ = 0;  // start-up reports that carried a mode
  // The start-up reports as published, the first `warm_product_`: what the preflight reads.
  std::array<position_event, max_products_per_account> startup_{};
  // Notes for records written once the steps of an answer have run (flush_notes).
  int run_depth_ = 0;
  bool reply_noted_ = false;
  bool noted_reply_time_pool_ = false;
  bool noted_will_retry_ = false;
  venue_reply noted_reply_;
  bool mismatch_noted_ = false;
  position_event noted_mismatch_;
  // Connections that went down (API slots in bits 0..15, the time pool's at 16..): the next
  // time one comes up it is a reconnect.
  std::uint32_t down_seen_ = 0;

  // All-time latencies of this account (54 KB: on the heap, away from the session's fields).
  struct histograms {
    std::array<engine::latency_histogram, latency_kind_count> of;
  };
  std::unique_ptr<histograms> latency_ = std::make_unique<histograms>();
  bool record_latency_ = true;  // component_config::record_latency
  void record_latency(latency_kind kind, std::int64_t ns) noexcept {
    latency_->of[static_cast<std::size_t>(kind)].record(ns);
  }

  account_health draft_;  // the loop's working copy
  engine::seqlock<account_health> health_;
};

}  // namespace posmode::components::detail
