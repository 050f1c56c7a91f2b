#pragma once

#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "posmode/engine/percentiles.hpp"

namespace posmode::engine {

/**
 * An all-time latency histogram with log-linear buckets (as HdrHistogram): values below 128 are
 * exact, and above, each power of two is cut into 64 buckets, so a percentile read back is within
 * 1/64 (1.6 %) of the true sample, over the whole range 0 .. 2^40 ns (18 minutes; larger values
 * land in the last bucket, `max` stays exact). Fixed memory (~18 KB), no allocation ever.
 *
 * **Threads.** One writer (`record`, `merge_into`'s target, `reset`), any number of readers
 * (`quantile`, `summary`, `count`, `for_each_bucket`, `merge_into`'s source) on other threads:
 * every cell is a relaxed atomic written only by the writer, so a reader never blocks or tears a
 * cell; a read concurrent with writes sees some recent state, not one instant.
 * **Cost.** `record` is a bit scan, a shift and four relaxed load/store pairs (no locked
 * instruction: there is one writer).
 */
class latency_histogram {
 public:
  static constexpr int sub_bucket_bits = 7;  ///< 128 exact values, then 64/octave
  static constexpr int max_value_bits = 40;  ///< 2^40 ns ~ 18.3 minutes
  static constexpr std::int64_t highest_trackable = (std::int64_t{1} << max_value_bits) - 1;
  static constexpr std::size_t half = std::size_t{1} << (sub_bucket_bits - 1);
  static constexpr std::size_t bucket_count =
      (std::size_t{1} << sub_bucket_bits) + (max_value_bits - sub_bucket_bits) * half;

  /** The bucket of `value` (clamped to 0 .. `highest_trackable`). */
  [[nodiscard]] static constexpr std::size_t index_of(std::int64_t value) noexcept {
    const auto v = static_cast<std::uint64_t>(
        value < 0 ? 0 : (value > highest_trackable ? highest_trackable : value));
    if (v < (std::uint64_t{1} << sub_bucket_bits)) return static_cast<std::size_t>(v);
    const auto shift = static_cast<int>(std::bit_width(v)) - sub_bucket_bits;  // >= 1
    return static_cast<std::size_t>(shift) * half + static_cast<std::size_t>(v >> shift);
  }
  /** The smallest value of bucket `i`. */
  [[nodiscard]] static constexpr std::int64_t lowest_of(std::size_t i) noexcept {
    if (i < (std::size_t{1} << sub_bucket_bits)) return static_cast<std::int64_t>(i);
    const std::size_t shift = i / half - 1;
    return static_cast<std::int64_t>((i - shift * half) << shift);
  }
  /** The largest value of bucket `i`. */
  [[nodiscard]] static constexpr std::int64_t highest_of(std::size_t i) noexcept {
    return i + 1 < bucket_count ? lowest_of(i + 1) - 1 : highest_trackable;
  }

  /** Adds one sample (ns; negative counts as 0). Writer thread only. Noexcept, no allocation. */
  void record(std::int64_t value) noexcept {
    const std::int64_t v = value < 0 ? 0 : value;
    add(counts_[index_of(v)], 1);
    add(count_, 1);
    add(sum_, static_cast<std::uint64_t>(v));
    if (v > max_.load(std::memory_order_relaxed)) max_.store(v, std::memory_order_relaxed);
    if (v < min_.load(std::memory_order_relaxed)) min_.store(v, std::memory_order_relaxed);
  }

  /** Adds every sample of this histogram to `target` (whose writer calls this). */
  void merge_into(latency_histogram& target) const noexcept;

  /** Forgets every sample. Writer thread only. */
  void reset() noexcept;

  [[nodiscard]] std::uint64_t count() const noexcept {
    return count_.load(std::memory_order_relaxed);
  }
  /** The sum of the samples, for a mean (and Prometheus' `_sum`). */
  [[nodiscard]] std::uint64_t sum() const noexcept { return sum_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::int64_t max() const noexcept;
  [[nodiscard]] std::int64_t min() const noexcept;

  /**
   * The value at quantile `q` (0..1), nearest rank: the highest value of the bucket holding the
   * rank-th sample, capped at `max()`. 0 when empty.
   */
  [[nodiscard]] std::int64_t quantile(double q) const noexcept;

  /** count, min, p50, p90, p99, p99.9 and max in one pass over the buckets. */
  [[nodiscard]] percentile_summary summary() const noexcept;

  /** Samples in bucket `i` (for exporters). */
  [[nodiscard]] std::uint64_t bucket(std::size_t i) const noexcept {
    return counts_[i].load(std::memory_order_relaxed);
  }

 private:
  static void add(std::atomic<std::uint64_t>& cell, std::uint64_t n) noexcept {
    cell.store(cell.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }

  std::array<std::atomic<std::uint64_t>, bucket_count> counts_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_{0};
  std::atomic<std::int64_t> max_{0};
  std::atomic<std::int64_t> min_{highest_trackable};
};

/**
 * Writes `h` as one Prometheus histogram (text exposition format 0.0.4) into `out`: cumulative
 * `_bucket{le="…"}` lines at `bounds_seconds` (ascending) and `+Inf`, then `_sum` and `_count`, in
 * seconds. `labels` is inserted as is inside the braces (`account="a1",venue="okx"`, or empty);
 * `# HELP` and `# TYPE` lines come first when `help` is not empty. A bound counts every bucket
 * whose highest value is at or below it, so a bound between two bucket edges undercounts by at
 * most one bucket's width (1.6 %). No allocation, noexcept.
 * @return the bytes written, or 0 when `out` is too small (nothing usable is left in it).
 */
[[nodiscard]] std::size_t write_prometheus(std::span<char> out, std::string_view name,
                                           std::string_view help, std::string_view labels,
                                           const latency_histogram& h,
                                           std::span<const double> bounds_seconds) noexcept;

}  // namespace posmode::engine
