#pragma once

// One account's side of the component: its connection pools, clock offset, pre-signed requests,
// warm-up, and the per-request state machine. Private to posmode::components.

#include <array>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "component_core.hpp"
#include "posmode/components/account_requests.hpp"
#include "posmode/engine/clock_offset.hpp"
#include "posmode/engine/connection_pool.hpp"
#include "posmode/engine/handler_memory.hpp"

namespace posmode::components::detail {

class account_session {
 public:
  account_session(boost::asio::io_context& io, component_core& core,
                  const account_settings& settings, std::size_t index);
  ~account_session();
  account_session(const account_session&) = delete;
  account_session& operator=(const account_session&) = delete;

  /** Connects, syncs the clock, reads the modes (start-up events), pre-signs. */
  void start();
  /** Closes everything; the running and queued requests end with `transport_error`. */
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
  };
  enum class action : std::uint8_t { send_set, send_query, send_verify };
  enum class in_flight : std::uint8_t { none, warm_query, job };

  /** What an API connection is carrying, so that a late answer is matched or ignored. */
  struct slot_use {
    in_flight kind = in_flight::none;
    std::uint64_t generation = 0;
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
  [[nodiscard]] std::int64_t venue_now_ms() const noexcept;
  [[nodiscard]] product current_product() const noexcept;
  [[nodiscard]] std::chrono::nanoseconds attempt_timeout() const noexcept;

  // pool callbacks
  void on_pool_ready(bool time_pool) noexcept;
  void on_owner_response(std::size_t slot, const engine::http_response_parser& r) noexcept;
  void on_owner_failure(std::size_t slot, std::error_code ec,
                        const engine::http_response_parser& partial) noexcept;
  void on_time_answer(const engine::http_response_parser& r,
                      const engine::probe_timing& timing) noexcept;
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

  // requests
  void begin(const trigger& t) noexcept;
  void advance() noexcept;
  void send_set() noexcept;
  void send_query(phase purpose) noexcept;
  void on_job_reply(const venue_reply& reply) noexcept;
  void on_set_reply(const venue_reply& reply) noexcept;
  void on_query_reply(const venue_reply& reply) noexcept;
  void on_verify_reply(const venue_reply& reply) noexcept;
  void product_succeeded(event_status status, const venue_reply* reply) noexcept;
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
  void arm_deadline() noexcept;
  void start_deadline_wait(std::int64_t at_ns) noexcept;
  void on_deadline() noexcept;
  void wait_then(std::chrono::milliseconds delay) noexcept;

  component_core& core_;
  const account_settings& settings_;
  std::size_t index_;
  account_requests requests_;
  std::unique_ptr<engine::tls_client_context> tls_;
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
  boost::asio::steady_timer refresh_timer_;
  boost::asio::steady_timer resync_timer_;
  boost::asio::steady_timer warm_timer_;

  bool running_ = false;
  bool warm_ = false;
  bool clock_synced_ = false;
  std::size_t clock_probes_ = 0;
  bool clock_probe_in_flight_ = false;
  std::size_t warm_product_ = 0;
  bool busy_warm_ = false;
  std::array<slot_use, 16> slot_use_{};
  std::array<bool, 32> slot_up_{};  // API slots, then time slots: for the lost-connection count

  job job_;
  std::array<trigger, 64> queue_{};  // requests waiting behind the running one (FIFO)
  std::size_t queue_head_ = 0;
  std::size_t queue_count_ = 0;
};

}  // namespace posmode::components::detail
