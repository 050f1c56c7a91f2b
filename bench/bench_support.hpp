#pragma once

// Helpers shared by posmode's two-thread benchmarks: CPU pinning and bounded spin waits.
// Benchmark-only code; nothing here is part of the library.

#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <cstdint>
#include <thread>

#include "posmode/engine/clock.hpp"

namespace posmode::bench {

/** True when the machine has the two CPUs the two-thread benchmarks pin to (0 and 1). */
[[nodiscard]] inline bool can_pin_two_threads() noexcept {
  return std::thread::hardware_concurrency() >= 2;
}

/**
 * Pins the calling thread to one CPU for the lifetime of the object and restores the previous
 * affinity afterwards, so that a pinned benchmark does not leak its pinning into the next one.
 * Failure (container cpuset, CPU offline) is not an error: the benchmark just runs unpinned, and
 * `pinned()` says so.
 */
class scoped_cpu_pin {
 public:
  explicit scoped_cpu_pin(unsigned cpu) noexcept {
    if (!can_pin_two_threads()) return;
    saved_ok_ = pthread_getaffinity_np(pthread_self(), sizeof saved_, &saved_) == 0;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    pinned_ = pthread_setaffinity_np(pthread_self(), sizeof one, &one) == 0;
  }
  ~scoped_cpu_pin() {
    if (pinned_ && saved_ok_) {
      (void)pthread_setaffinity_np(pthread_self(), sizeof saved_, &saved_);
    }
  }
  scoped_cpu_pin(const scoped_cpu_pin&) = delete;
  scoped_cpu_pin& operator=(const scoped_cpu_pin&) = delete;

  [[nodiscard]] bool pinned() const noexcept { return pinned_; }

 private:
  cpu_set_t saved_{};
  bool saved_ok_ = false;
  bool pinned_ = false;
};

/** How long one side of a two-thread benchmark may wait for the other before giving up. */
inline constexpr std::int64_t stall_limit_ns = 5'000'000'000;

/**
 * Calls `try_once()` until it returns true. Every 4096 failed attempts it checks `stop` (set by
 * the other side when it gives up) and the time spent waiting, so that a lost item or a dead peer
 * ends the benchmark with an error instead of hanging it. The clock is not read on the fast path.
 * @return true when `try_once()` succeeded, false when stopped or stalled for `stall_limit_ns`.
 */
template <typename TryOnce>
[[nodiscard]] bool spin_until(TryOnce&& try_once, const std::atomic<bool>& stop) noexcept {
  std::uint32_t spins = 0;
  std::int64_t give_up_at = 0;
  while (!try_once()) {
    if ((++spins & 0xfffU) != 0) continue;
    // Anything published before `stop` is visible after this acquire: one last attempt.
    if (stop.load(std::memory_order_acquire)) return try_once();
    const std::int64_t now = engine::system_clock::monotonic_ns();
    if (give_up_at == 0) {
      give_up_at = now + stall_limit_ns;
    } else if (now > give_up_at) {
      return false;
    }
  }
  return true;
}

}  // namespace posmode::bench
