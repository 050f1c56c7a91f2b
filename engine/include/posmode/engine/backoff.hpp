#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <stdexcept>

namespace posmode::engine {

/** How reconnect attempts are spaced. */
struct backoff_options {
  std::chrono::milliseconds initial{50};  ///< the delay before the first backed-off attempt
  std::chrono::milliseconds max{5'000};   ///< the cap on any delay
  double multiplier = 2.0;                ///< growth per consecutive failure, at least 1
  /**
   * The fraction of each delay drawn at random, 0..1: the delay is uniform in
   * `[(1 - jitter) * d, d]`. Jitter keeps many connections that failed together (a venue restart)
   * from reconnecting in lock-step.
   */
  double jitter = 0.5;
};

/**
 * Exponential backoff with jitter for reconnects: `next_delay()` gives `initial`, then
 * `initial * multiplier`, ... capped at `max`, each shrunk by a random share of at most `jitter`;
 * `reset()` after a success starts over. The generator is SplitMix64, seeded by the caller, so a
 * test can reproduce a sequence.
 *
 * **Threads.** One owner thread. **Allocation.** None. **Errors.** The constructor throws
 * `std::invalid_argument` for a non-positive initial delay, `max < initial`, `multiplier < 1` or
 * `jitter` outside 0..1.
 */
class backoff_policy {
 public:
  explicit backoff_policy(backoff_options options = {}, std::uint64_t seed = 0x9e3779b97f4a7c15)
      : options_(options), state_(seed) {
    if (options.initial.count() <= 0) throw std::invalid_argument("backoff: initial must be > 0");
    if (options.max < options.initial) throw std::invalid_argument("backoff: max < initial");
    if (!(options.multiplier >= 1.0)) throw std::invalid_argument("backoff: multiplier < 1");
    if (!(options.jitter >= 0.0 && options.jitter <= 1.0))
      throw std::invalid_argument("backoff: jitter must be within 0..1");
  }

  /** The delay before the next attempt; each call counts one more consecutive failure. */
  [[nodiscard]] std::chrono::milliseconds next_delay() noexcept {
    const double cap = static_cast<double>(options_.max.count());
    const double base = std::min(
        cap, static_cast<double>(current_ms_ == 0 ? options_.initial.count() : current_ms_));
    current_ms_ = static_cast<std::int64_t>(std::min(cap, base * options_.multiplier));
    ++failures_;
    const double u = static_cast<double>(next_random() >> 11) * 0x1.0p-53;  // [0, 1)
    const double delay = base * (1.0 - options_.jitter * u);
    return std::chrono::milliseconds(std::max<std::int64_t>(1, static_cast<std::int64_t>(delay)));
  }

  /**
   * Moves straight to the cap: the next delay is `max` (jittered), until `reset()`. For a failure
   * that retrying cannot fix soon (a certificate that does not verify).
   */
  void saturate() noexcept { current_ms_ = options_.max.count(); }

  /** Forgets the failures: the next delay is `initial` again. */
  void reset() noexcept {
    current_ms_ = 0;
    failures_ = 0;
  }

  /** Consecutive failures since the last `reset()`. */
  [[nodiscard]] std::uint32_t failures() const noexcept { return failures_; }
  [[nodiscard]] const backoff_options& options() const noexcept { return options_; }

 private:
  std::uint64_t next_random() noexcept {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return z ^ (z >> 31);
  }

  backoff_options options_;
  std::uint64_t state_;
  std::int64_t current_ms_ = 0;
  std::uint32_t failures_ = 0;
};

}  // namespace posmode::engine
