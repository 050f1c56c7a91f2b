#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace posmode::engine {

/** One reading of a venue's time endpoint, as the requester saw it. */
struct clock_sample {
  std::int64_t sent_monotonic_ns = 0;      ///< when the request went on the wire
  std::int64_t received_monotonic_ns = 0;  ///< when the answer was complete
  std::int64_t received_wall_ms = 0;       ///< the local wall clock at that moment
  std::int64_t server_ms = 0;              ///< the server's clock in the answer (Unix ms)
};

/**
 * The venue's clock as seen from here: for stamping requests (`venue_ms`), which must never run
 * ahead of the server's clock (Binance refuses a timestamp 1000 ms or more ahead; one behind by
 * less than `recvWindow` is accepted).
 *
 * The server read its clock somewhere inside the round trip. The classic estimate puts that read
 * at the midpoint: `server - (sent + received) / 2`. posmode biases it into the past by half the
 * round trip plus one millisecond of integer truncation, which is the lower bound of what the
 * offset can be: `server - received - 1`. A stamp `local + offset` is then behind the server's
 * clock by at most the round trip (plus 2 ms of rounding), and never ahead, whatever the path's
 * asymmetry.
 *
 * The estimator keeps the last `window` samples and uses the one with the shortest round trip
 * (the tightest bound), as NTP's clock filter does, so one slow answer does not move the offset.
 *
 * `venue_ms(monotonic_ns)` carries that bound forward along the local *monotonic* clock, not the
 * wall clock: a host clock stepped by NTP or an operator after the sample moves no stamp. What
 * remains is the rate difference between the two clocks since the sample, bounded by
 * `drift_bound_ns` (`max_drift_ppm`, the most an NTP-disciplined clock is slewed, times the
 * sample's age), which callers that need a hard bound (when can a request no longer be executed?)
 * add to it.
 *
 * **Threads.** One owner thread. **Allocation.** None. **Errors.** Samples with a negative round
 * trip or a non-positive server time are ignored (`add` returns false).
 */
class clock_offset_estimator {
 public:
  static constexpr std::size_t window = 8;

  /** Records a sample; false when it is implausible and was ignored. */
  bool add(const clock_sample& s) noexcept {
    if (s.received_monotonic_ns < s.sent_monotonic_ns || s.server_ms <= 0) return false;
    samples_[next_] = s;
    next_ = (next_ + 1) % window;
    if (count_ < window) ++count_;
    best_ = 0;
    for (std::size_t i = 1; i < count_; ++i)
      if (rtt_of(samples_[i]) < rtt_of(samples_[best_])) best_ = i;
    return true;
  }

  /** True once a sample was recorded. */
  [[nodiscard]] bool valid() const noexcept { return count_ > 0; }
  [[nodiscard]] std::size_t samples() const noexcept { return count_; }

  /** The rate difference assumed possible between the local monotonic clock and the venue's. */
  static constexpr std::int64_t max_drift_ppm = 500;

  /**
   * The venue's clock (Unix ms) at local monotonic time `monotonic_ns`: the best sample's lower
   * bound carried forward along the monotonic clock. Never ahead of the server's clock by more
   * than `drift_bound_ns(monotonic_ns)`. Only meaningful when `valid()`.
   */
  [[nodiscard]] std::int64_t venue_ms(std::int64_t monotonic_ns) const noexcept {
    const clock_sample& s = samples_[best_];
    const std::int64_t elapsed = monotonic_ns - s.received_monotonic_ns;
    // Floor, so that rounding never moves a stamp ahead.
    const std::int64_t elapsed_ms =
        elapsed >= 0 ? elapsed / 1'000'000 : -((-elapsed + 999'999) / 1'000'000);
    return s.server_ms - 1 + elapsed_ms;
  }

  /**
   * How far `venue_ms(monotonic_ns)` may be off by clock drift since the sample it uses:
   * `max_drift_ppm` of the sample's age, plus one millisecond of rounding.
   */
  [[nodiscard]] std::int64_t drift_bound_ns(std::int64_t monotonic_ns) const noexcept {
    if (!valid()) return 0;
    const std::int64_t age = monotonic_ns - samples_[best_].received_monotonic_ns;
    return (age > 0 ? age / 1'000'000 * max_drift_ppm : 0) + 1'000'000;
  }

  /** The offset to add to the local wall clock (ms), for display; 0 if none. */
  [[nodiscard]] std::int64_t offset_ms() const noexcept {
    if (!valid()) return 0;
    const clock_sample& s = samples_[best_];
    return s.server_ms - s.received_wall_ms - 1;
  }

  /** The unbiased midpoint estimate (ms), for display; stamps use `offset_ms()`. 0 if none. */
  [[nodiscard]] std::int64_t midpoint_offset_ms() const noexcept {
    if (!valid()) return 0;
    const clock_sample& s = samples_[best_];
    const std::int64_t half_rtt_ms = rtt_of(s) / 2'000'000;
    return s.server_ms - (s.received_wall_ms - half_rtt_ms);
  }

  /** The round trip of the sample in use (ns): the offset is exact to within it. */
  [[nodiscard]] std::int64_t round_trip_ns() const noexcept {
    return valid() ? rtt_of(samples_[best_]) : std::numeric_limits<std::int64_t>::max();
  }

  /** Forgets every sample (e.g. after the host's clock was stepped). */
  void reset() noexcept { count_ = next_ = best_ = 0; }

 private:
  static std::int64_t rtt_of(const clock_sample& s) noexcept {
    return s.received_monotonic_ns - s.sent_monotonic_ns;
  }

  std::array<clock_sample, window> samples_{};
  std::size_t count_ = 0;
  std::size_t next_ = 0;
  std::size_t best_ = 0;
};

}  // namespace posmode::engine
