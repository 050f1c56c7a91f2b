#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>

namespace posmode::engine {

/** Order statistics of a set of latency samples, in the samples' unit (posmode uses ns). */
struct percentile_summary {
  std::size_t count = 0;
  std::int64_t min = 0;
  std::int64_t p50 = 0;
  std::int64_t p90 = 0;
  std::int64_t p99 = 0;
  std::int64_t p999 = 0;
  std::int64_t max = 0;
};

/**
 * The sample at quantile `q` (0..1) of `sorted`, nearest-rank method: the smallest sample such
 * that at least `q` of all samples are at or below it. Precondition: `sorted` is ascending and not
 * empty. Never allocates; safe from any thread.
 */
[[nodiscard]] inline std::int64_t quantile_of_sorted(std::span<const std::int64_t> sorted,
                                                     double q) noexcept {
  const auto n = static_cast<double>(sorted.size());
  // The epsilon absorbs binary rounding of q * n (0.999 * 1000 is not exactly 999).
  auto rank = static_cast<std::size_t>(std::ceil(q * n - 1e-9));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

/**
 * Sorts `samples` in place and summarises them (nearest-rank percentiles). An empty span gives an
 * all-zero summary. Not for the hot path: it sorts. Never allocates.
 */
inline percentile_summary summarize(std::span<std::int64_t> samples) noexcept {
  percentile_summary s;
  if (samples.empty()) return s;
  std::sort(samples.begin(), samples.end());
  const std::span<const std::int64_t> sorted = samples;
  s.count = samples.size();
  s.min = sorted.front();
  s.p50 = quantile_of_sorted(sorted, 0.50);
  s.p90 = quantile_of_sorted(sorted, 0.90);
  s.p99 = quantile_of_sorted(sorted, 0.99);
  s.p999 = quantile_of_sorted(sorted, 0.999);
  s.max = sorted.back();
  return s;
}

}  // namespace posmode::engine
