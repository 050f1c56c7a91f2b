#pragma once

// One account's side of the component: its connection pools, clock offset, pre-signed requests,
// warm-up (account_session.cpp), and the per-request state machine (request_flow.cpp). Private to
// posmode::components.

#include <array>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "component_core.hpp"
#include "posmode/components/account_requests.hpp"
#include "posmode/engine/clock_offset.hpp"
#include "posmode/engine/connection_pool.hpp"
#include "posmode/engine/fixed_string.hpp"
#include "posmode/engine/handler_memory.hpp"

namespace posmode::components::detail {

/** The most products one account may switch (Bitget's six product types). */
inline constexpr std::size_t max_products_per_account = 6;

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
  [[nodiscard]] bool warm() const noexcept { return warm_; }

  /**
   * Takes a trigger for this account: starts it at once when idle, else queues it. False when
   * the queue is full (the caller publishes `rejected`). The caller reserved its events.
   */
  [[nodiscard]] bool admit(const trigger& t) noexcept;
  /** The most events one request may publish (products, plus verification). */
  [[nodiscard]] std::size_t events_per_request() const noexcept;
  [[nodiscard]] const account_config& config() const noexcept;

 private:
  enum class phase : std::uint8_t {
    idle,
    waiting,       // for a free connection (or the warm-up) before `next`
    set_sent,      // the set request is on the wire
    query_sent,    // settling an open outcome by reading the mode
    verify_sent,   // verify-after-set query
    resyncing,     // a time probe after a timestamp refusal
    rate_waiting,  // Retry-After
    landing_wait,  // an earlier opposite set may still execute: wait until it no longer can
    settling,      // this request's set may still execute: read back once it no longer can
  };
  enum class action : std::uint8_t { send_set, send_query, send_verify };
  enum class in_flight : std::uint8_t { none, warm_query, job };

  /** What an API connection is carrying, so that a late answer is matched or ignored. */
  struct slot_use {
    in_flight kind = in_flight::none;
    std::uint64_t generation = 0;
  };

  /**
   * A set request of a finished request whose answer never came: the venue may still execute it
   * until `until_ns` (monotonic), so a later request for the other mode must not race it.
   */
  struct landing {
    bool active = false;
    bool mixed = false;  // sets of both modes may land: every request waits
    position_mode mode = position_mode::hedge;
    std::int64_t until_ns = 0;
  };

  struct job {
    bool active = false;
    std::uint64_t generation = 0;  // answers and timers of an older job are ignored
    trigger t;
    phase step = phase::idle;
    action next = action::send_set;
    std::size_t product_index = 0;
    std::uint8_t attempts = 0;
    std::size_t rate_retries = 0;
    bool clock_retry_used = false;
    bool verify_mismatch = false;
    std::size_t mismatch_product = 0;
    bool has_observed = false;
    position_mode observed = position_mode::hedge;
    std::int64_t on_wire_ns = 0;
    std::int64_t response_ns = 0;
    std::int64_t deadline_ns = 0;
    std::size_t events_left = 0;  // reserved event slots not yet used
    bool has_open_reply = false;
    venue_reply open_reply;  // the answer whose effect a query must establish
    // When the set on the wire (step set_sent) can no longer be executed (monotonic).
    std::int64_t sent_cutoff_ns = 0;
    // 0, or when the last of the current product's sets that got no answer showing the venue
    // processed them can no longer be executed: until then one of them may still land.
    std::int64_t open_until_ns = 0;
    bool resent = false;            // the current product's set was sent again after a read-back
    bool query_retry_used = false;  // a read-back that got no answer is repeated once
  };

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
  /**
   * The monotonic time after which a set stamped `stamp_ms` can no longer be executed: its
   * stamp plus the venue's window, carried over to the local clock with the clock's error bound
   * (and, before the venue's clock was read, the venue's tolerance for stamps ahead of it).
   */
  [[nodiscard]] std::int64_t execution_cutoff_ns(std::int64_t stamp_ms,
                                                 std::int64_t now_ns) const noexcept;
  [[nodiscard]] product current_product() const noexcept;
  [[nodiscard]] std::chrono::nanoseconds attempt_timeout(std::int64_t now_ns) const noexcept;

  // pool callbacks
  void on_pool_ready(bool time_pool) noexcept;
  void on_owner_response(std::size_t slot, const engine::http_response_parser& r,
                         const engine::exchange_timing& timing) noexcept;
  void on_owner_failure(std::size_t slot, std::error_code ec,
                        const engine::http_response_parser& partial) noexcept;
  void on_time_answer(const engine::http_response_parser& r,
                      const engine::exchange_timing& timing) noexcept;
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
  void arm_refresh() noexcept;
  void arm_resync() noexcept;

  // requests (request_flow.cpp)
  void begin(const trigger& t) noexcept;
  void advance() noexcept;
  /** `now`: the monotonic time advance() read, so the trigger path reads the clock once. */
  void send_set(std::int64_t now) noexcept;
  void send_query(phase purpose, std::int64_t now) noexcept;
  void on_job_reply(const venue_reply& reply) noexcept;
  void on_set_reply(const venue_reply& reply) noexcept;
  void on_query_reply(const venue_reply& reply) noexcept;
  void on_verify_reply(const venue_reply& reply) noexcept;
  void product_succeeded(event_status status, const venue_reply* reply) noexcept;
  /** True when a set of the current product may still be executed (in flight or unanswered). */
  [[nodiscard]] bool set_may_land() const noexcept;
  void close_open_set() noexcept;
  void fill_reply(position_event& e, const venue_reply* reply,
                  std::string_view reason) const noexcept;
  [[nodiscard]] position_event make_event(event_status status, const venue_reply* reply,
                                          std::string_view reason) const noexcept;
  void publish_terminal(event_status status, const venue_reply* reply,
                        std::string_view reason) noexcept;
  void finish(event_status status, const venue_reply* reply, std::string_view reason) noexcept;
  void publish_verification(event_status status, const venue_reply* reply,
                            std::string_view reason) noexcept;
  void finish_job() noexcept;
  void end_on_stop() noexcept;
  void reject_queued(const trigger& t, std::string_view reason) noexcept;
  void arm_deadline() noexcept;
  void start_deadline_wait(std::int64_t at_ns) noexcept;
  void on_deadline() noexcept;
  void wait_until(std::int64_t at_ns, phase why, action then) noexcept;

  component_core& core_;
  const account_settings& settings_;
  std::size_t index_;
  account_requests requests_;
  std::unique_ptr<pool_events> api_events_;
  std::unique_ptr<pool_events> time_events_;
  std::unique_ptr<engine::connection_pool> api_;
  std::unique_ptr<engine::connection_pool> time_;  // null when the API host serves the time
  engine::clock_offset_estimator clock_;
  boost::asio::steady_timer deadline_timer_;
  std::int64_t deadline_timer_at_ = 0;  // monotonic ns of the pending deadline wait, 0: none
  // Shared: a cancelled deadline wait returns its memory after the session may be gone.
  std::shared_ptr<engine::handler_memory> deadline_memory_ =
      std::make_shared<engine::handler_memory>();
  boost::asio::steady_timer step_timer_;
  bool step_armed_ = false;
  boost::asio::steady_timer refresh_timer_;
  boost::asio::steady_timer resync_timer_;
  boost::asio::steady_timer warm_timer_;

  bool running_ = false;
  bool stopped_ = false;  // stop() ran: no queued request starts any more
  bool warm_ = false;
  bool clock_synced_ = false;
  std::size_t clock_probes_ = 0;
  bool clock_probe_in_flight_ = false;
  std::size_t warm_product_ = 0;
  bool busy_warm_ = false;
  std::array<slot_use, engine::max_pool_connections> slot_use_{};
  // API slots, then time slots: for the lost-connection count.
  std::array<bool, 2 * engine::max_pool_connections> slot_up_{};
  std::array<landing, max_products_per_account> landing_{};
  // Why the API connections went down last (error and OpenSSL's or the resolver's detail): the
  // cause a request that could not be sent reports.
  /// "host:port: what failed (detail)", as the API pool last reported a connection failure
  engine::fixed_string<96> last_connection_error_;
  /// the API host's certificate or name did not verify, and no connection has come up since
  bool verify_failed_ = false;

  job job_;
  std::array<trigger, max_pending_per_account> queue_{};  // behind the running one (FIFO)
  std::size_t queue_head_ = 0;
  std::size_t queue_count_ = 0;
};

}  // namespace posmode::components::detail
