#pragma once

// What the component's per-account sessions share: configuration, clock, classifier, the event
// publisher with its reservations, counters and the log hook. Private to posmode::components.

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "host_bans.hpp"
#include "log_repeats.hpp"
#include "posmode/components/position_mode_component.hpp"
#include "posmode/components/response_classifier.hpp"
#include "posmode/engine/backlog_publisher.hpp"
#include "posmode/engine/latency_histogram.hpp"
#include "posmode/engine/spsc_ring.hpp"
#include "trigger.hpp"

namespace posmode::components::detail {

/**
 * Counters read by `stats()` from any thread; written by the loop (relaxed). The risk thread's
 * own counters live apart, in the component's risk-side group, so that the two writers never
 * share a cache line.
 */
struct counters {
  std::atomic<std::uint64_t> events_published{0};
  std::atomic<std::uint64_t> events_backlogged{0};
  std::atomic<std::uint64_t> backlog_now{0};
  std::atomic<std::uint64_t> backlog_high_water{0};
  std::atomic<std::uint64_t> set_requests_sent{0};
  std::atomic<std::uint64_t> queries_sent{0};
  std::atomic<std::uint64_t> retries{0};
  std::atomic<std::uint64_t> inline_signatures{0};
  std::atomic<std::uint64_t> clock_syncs{0};
  std::atomic<std::uint64_t> connections_lost{0};
  std::atomic<std::uint64_t> handshakes{0};
  std::atomic<std::uint64_t> log_hook_failures{0};
  std::atomic<std::uint64_t> log_records{0};
};

inline void add(std::atomic<std::uint64_t>& c, std::uint64_t n) noexcept {
  c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}
inline void bump(std::atomic<std::uint64_t>& c) noexcept {
  add(c, 1);
}

/** The shared state; lives in the component's impl and outlives every session. */
class component_core {
 public:
  component_core(const component_config& config, engine::clock_ref clock)
      : config_(config),
        clock_(clock),
        events_(std::bit_ceil(config.event_ring_capacity)),
        publisher_(events_, config.event_backlog_capacity) {}

  [[nodiscard]] const component_config& config() const noexcept { return config_; }
  [[nodiscard]] engine::clock_ref clock() const noexcept { return clock_; }
  [[nodiscard]] response_classifier& classifier() noexcept { return classifier_; }
  [[nodiscard]] engine::spsc_ring<position_event>& events() noexcept { return events_; }
  [[nodiscard]] counters& stats() noexcept { return counters_; }
  [[nodiscard]] const counters& stats() const noexcept { return counters_; }
  /** All-time trigger -> wire and trigger -> event latencies (loop writes, any thread reads). */
  [[nodiscard]] engine::latency_histogram& wire_latency() noexcept { return *wire_; }
  [[nodiscard]] engine::latency_histogram& event_latency() noexcept { return *event_; }
  [[nodiscard]] const engine::latency_histogram& wire_latency() const noexcept { return *wire_; }
  [[nodiscard]] const engine::latency_histogram& event_latency() const noexcept { return *event_; }
  [[nodiscard]] host_bans& bans() noexcept { return bans_; }
  /**
   * Records a venue's ban of `host` until `until_ns` and tells every account (`on_ban`): the
   * health of the accounts on that host changes although none of them sent anything.
   */
  void ban(std::string_view host, std::int64_t until_ns) noexcept {
    bans_.ban(host, until_ns);
    if (on_ban_ != nullptr) on_ban_(on_ban_context_);
  }
  /** Set once by the component, after the sessions exist. */
  void set_on_ban(void (*hook)(void*) noexcept, void* context) noexcept {
    on_ban_ = hook;
    on_ban_context_ = context;
  }
  [[nodiscard]] const host_bans& bans() const noexcept { return bans_; }

  /**
   * Promises `n` event slots to work being admitted; false (nothing promised) when the backlog
   * could not hold them on top of every earlier promise. This is what makes `publish` lossless.
   */
  [[nodiscard]] bool reserve(std::size_t n) noexcept {
    if (!publisher_.has_room(reserved_ + n)) return false;
    reserved_ += n;
    return true;
  }
  /** Returns promised slots that will not be used (a request ended early). */
  void release(std::size_t n) noexcept { reserved_ -= std::min(n, reserved_); }

  /** Stamps `e` (sequence, published time) and publishes it on a slot reserved earlier. */
  void publish(position_event& e) noexcept {
    e.sequence = ++sequence_;
    e.published_ns = clock_.monotonic_ns();
    release(1);
    const std::size_t waiting_before = publisher_.waiting();
    (void)publisher_.publish(e);  // cannot fail: the slot was reserved
    bump(counters_.events_published);
    if (publisher_.waiting() > waiting_before) bump(counters_.events_backlogged);
    note_backlog();
  }

  /** Moves backlogged events into the ring; returns how many still wait. */
  std::size_t flush() noexcept {
    const std::size_t left = publisher_.waiting() == 0 ? 0 : publisher_.flush();
    note_backlog();
    return left;
  }
  [[nodiscard]] std::size_t backlog() const noexcept { return publisher_.waiting(); }

  /** An account finished warming up; `started()` is true once all have. Tells `on_warm`. */
  void account_warm() noexcept {
    warm_accounts_.fetch_add(1, std::memory_order_release);
    if (on_warm_ != nullptr) on_warm_(on_warm_context_);
  }
  /** Set once by the component: a waiting `check()` is answered when the last account is warm. */
  void set_on_warm(void (*hook)(void*) noexcept, void* context) noexcept {
    on_warm_ = hook;
    on_warm_context_ = context;
  }
  [[nodiscard]] std::size_t warm_accounts() const noexcept {
    return warm_accounts_.load(std::memory_order_acquire);
  }

  void set_log_hook(log_hook hook, log_level floor) {
    log_ = std::move(hook);
    floor_ = floor;
  }
  /**
   * True when a record of `level` would reach the host's hook: lets callers skip building a
   * record nobody reads.
   */
  [[nodiscard]] bool logging(log_level level) const noexcept {
    return level >= floor_ && static_cast<bool>(log_);
  }
  /**
   * Stamps `r` (wall and monotonic time) and hands it to the host's hook, if any; identical
   * records are merged (`log_repeats`). Off the hot path only. An exception from the hook is
   * caught and counted (`log_hook_failures`): a host's logging fault must not end the loop, and
   * the calls that log are noexcept.
   */
  void log(log_record& r) noexcept {
    if (!logging(r.level)) return;
    bump(counters_.log_records);
    r.monotonic_ns = clock_.monotonic_ns();
    r.wall_ms = clock_.wall_ms();
    const auto emit = [this](const log_record& x) { write_log(x); };
    if (repeats_.admit(r, emit)) write_log(r);
  }

  /** Writes the counts of held-back repeated records (at stop). */
  void flush_log() noexcept {
    if (log_) repeats_.flush_all([this](const log_record& x) { write_log(x); });
  }

 private:
  void write_log(const log_record& r) noexcept {
    try {
      log_(r);
    } catch (...) {
      bump(counters_.log_hook_failures);
    }
  }

  void note_backlog() noexcept {
    counters_.backlog_now.store(publisher_.waiting(), std::memory_order_relaxed);
    counters_.backlog_high_water.store(publisher_.high_water(), std::memory_order_relaxed);
  }

  const component_config& config_;
  engine::clock_ref clock_;
  response_classifier classifier_;
  engine::spsc_ring<position_event> events_;
  engine::backlog_publisher<position_event> publisher_;
  std::uint64_t sequence_ = 0;
  std::size_t reserved_ = 0;
  counters counters_;
  // 18 KB each: on the heap, so that the core's hot fields stay close together.
  std::unique_ptr<engine::latency_histogram> wire_ = std::make_unique<engine::latency_histogram>();
  std::unique_ptr<engine::latency_histogram> event_ = std::make_unique<engine::latency_histogram>();
  host_bans bans_;
  void (*on_ban_)(void*) noexcept = nullptr;
  void* on_ban_context_ = nullptr;
  void (*on_warm_)(void*) noexcept = nullptr;
  void* on_warm_context_ = nullptr;
  log_hook log_;
  log_level floor_ = log_level::debug;
  log_repeats repeats_;
  std::atomic<std::size_t> warm_accounts_{0};
};

}  // namespace posmode::components::detail
