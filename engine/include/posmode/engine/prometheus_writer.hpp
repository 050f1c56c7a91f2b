#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "posmode/engine/latency_histogram.hpp"

namespace posmode::engine {

/**
 * Writes metrics in the Prometheus text exposition format (0.0.4) into a caller's buffer, for a
 * host to serve on its own HTTP endpoint (docs/operations.md). No dependency, no allocation, no
 * exception: once something does not fit, every later write is dropped and `size()` is 0, so a
 * host never serves a cut exposition.
 *
 * Names and label text are written as given: the caller passes valid metric names and labels
 * already in `key="value"` form (values escaped), or an empty string for none.
 * **Threads.** One writer object per thread; reading a `latency_histogram` is safe from any thread.
 */
class prometheus_writer {
 public:
  explicit prometheus_writer(std::span<char> out) noexcept : out_(out) {}

  /** `# HELP`/`# TYPE … counter` and one sample (`name{labels} value`). */
  void counter(std::string_view name, std::string_view help, std::string_view labels,
               std::uint64_t value) noexcept;
  /** As `counter`, typed `gauge`. */
  void gauge(std::string_view name, std::string_view help, std::string_view labels,
             std::uint64_t value) noexcept;
  /** A gauge that may be negative or fractional (seconds, an offset). */
  void gauge(std::string_view name, std::string_view help, std::string_view labels,
             double value) noexcept;
  /**
   * `h` as one histogram in seconds: cumulative `_bucket{le="…"}` samples at `bounds_seconds`
   * (ascending) and `+Inf`, then `_sum` and `_count`. A bound counts the histogram's buckets that
   * lie wholly at or below it, so a bound inside a bucket undercounts by at most that bucket
   * (1/64 of the bound). `help` empty: no `# HELP`/`# TYPE` lines (a further series of a family).
   */
  void histogram(std::string_view name, std::string_view help, std::string_view labels,
                 const latency_histogram& h, std::span<const double> bounds_seconds) noexcept;

  /** Bytes written so far, or 0 once anything did not fit. */
  [[nodiscard]] std::size_t size() const noexcept { return ok_ ? n_ : 0; }

 private:
  void header(std::string_view name, std::string_view help, std::string_view type) noexcept;
  /** One sample with its HELP/TYPE lines: what a counter and a gauge both are. */
  template <typename T>
  void single(std::string_view type, std::string_view name, std::string_view help,
              std::string_view labels, T value) noexcept;
  void sample(std::string_view name, std::string_view suffix, std::string_view labels,
              std::string_view le) noexcept;
  void text(std::string_view s) noexcept;
  template <typename T>
  void number(T v) noexcept;  // an integer or a double (prometheus_writer.cpp)

  std::span<char> out_;
  std::size_t n_ = 0;
  bool ok_ = true;
};

}  // namespace posmode::engine
