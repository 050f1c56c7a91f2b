#pragma once

#include <atomic>
#include <chrono>
#include <concepts>
#include <cstdint>

namespace posmode::engine {

/**
 * What posmode needs from a clock. This header is the one place in posmode where time is read:
 * every other file receives a clock (a `clock_ref`, or a template parameter satisfying this
 * concept) so that tests and replays can drive time by hand.
 *
 * - `monotonic_ns()`: nanoseconds on a clock that never jumps, for latencies and deadlines.
 * - `wall_ms()`: milliseconds since the Unix epoch, for venue timestamps.
 */
template <typename C>
concept clock_source = requires(const C& c) {
  { c.monotonic_ns() }
  noexcept->std::same_as<std::int64_t>;
  { c.wall_ms() }
  noexcept->std::same_as<std::int64_t>;
};

/**
 * The operating system's clocks. On Linux both reads go through the vDSO: no system call, no
 * allocation, no lock. Safe from any thread.
 */
struct system_clock {
  /** Nanoseconds of `CLOCK_MONOTONIC` (`std::chrono::steady_clock`). */
  [[nodiscard]] static std::int64_t monotonic_ns() noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  /** Milliseconds since the Unix epoch (`CLOCK_REALTIME`). */
  [[nodiscard]] static std::int64_t wall_ms() noexcept {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

/**
 * A clock that moves only when told to: for tests and replays. Any thread may read it while one
 * thread sets or advances it; values are atomics, so readers see each update whole.
 */
class manual_clock {
 public:
  /** Starts at the given readings. */
  explicit manual_clock(std::int64_t monotonic_ns = 0, std::int64_t wall_ms = 0) noexcept
      : monotonic_ns_(monotonic_ns), wall_ns_(wall_ms * 1'000'000) {}

  [[nodiscard]] std::int64_t monotonic_ns() const noexcept {
    return monotonic_ns_.load(std::memory_order_acquire);
  }
  [[nodiscard]] std::int64_t wall_ms() const noexcept {
    return wall_ns_.load(std::memory_order_acquire) / 1'000'000;
  }

  /** Moves both clocks forward by `d` (wall time keeps sub-millisecond remainders). */
  void advance(std::chrono::nanoseconds d) noexcept {
    monotonic_ns_.fetch_add(d.count(), std::memory_order_acq_rel);
    wall_ns_.fetch_add(d.count(), std::memory_order_acq_rel);
  }

  /** Sets the wall clock alone, e.g. to model a host clock that jumped or drifted. */
  void set_wall_ms(std::int64_t ms) noexcept {
    wall_ns_.store(ms * 1'000'000, std::memory_order_release);
  }

 private:
  std::atomic<std::int64_t> monotonic_ns_;
  std::atomic<std::int64_t> wall_ns_;
};

/**
 * A non-owning, copyable handle to any `clock_source`, which compiled code stores instead of a
 * template parameter. A default-constructed `clock_ref` reads `system_clock` directly (one
 * predictable branch, no indirect call); one bound to another clock calls it through a function
 * pointer. The referenced clock must outlive every copy of the handle. Reads never allocate, lock
 * or throw; thread safety is that of the referenced clock.
 */
class clock_ref {
 public:
  /** The system clock. */
  constexpr clock_ref() noexcept = default;

  /** The system clock, as the default constructor (and so `is_system()`). */
  explicit constexpr clock_ref(const system_clock& /*clock*/) noexcept {}

  /** Binds to `clock`, which must outlive this handle and all its copies. */
  template <clock_source C>
  explicit clock_ref(const C& clock) noexcept
      : context_(&clock),
        monotonic_(
            +[](const void* c) noexcept { return static_cast<const C*>(c)->monotonic_ns(); }),
        wall_(+[](const void* c) noexcept { return static_cast<const C*>(c)->wall_ms(); }) {}

  [[nodiscard]] std::int64_t monotonic_ns() const noexcept {
    return context_ == nullptr ? system_clock::monotonic_ns() : monotonic_(context_);
  }
  [[nodiscard]] std::int64_t wall_ms() const noexcept {
    return context_ == nullptr ? system_clock::wall_ms() : wall_(context_);
  }

  /** True when this handle reads the system clock. */
  [[nodiscard]] bool is_system() const noexcept { return context_ == nullptr; }

 private:
  using read_fn = std::int64_t (*)(const void*) noexcept;
  const void* context_ = nullptr;
  read_fn monotonic_ = nullptr;
  read_fn wall_ = nullptr;
};

static_assert(clock_source<system_clock> && clock_source<manual_clock> && clock_source<clock_ref>,
              "every clock posmode ships must satisfy clock_source");

}  // namespace posmode::engine
