#include "posmode/engine/latency_histogram.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

namespace posmode::engine {

void latency_histogram::merge_into(latency_histogram& target) const noexcept {
  for (std::size_t i = 0; i < bucket_count; ++i)
    if (const std::uint64_t n = bucket(i); n != 0) add(target.counts_[i], n);
  add(target.count_, count());
  add(target.sum_, sum());
  if (count() == 0) return;
  if (max() > target.max_.load(std::memory_order_relaxed))
    target.max_.store(max(), std::memory_order_relaxed);
  if (min() < target.min_.load(std::memory_order_relaxed))
    target.min_.store(min(), std::memory_order_relaxed);
}

void latency_histogram::reset() noexcept {
  for (auto& c : counts_)
    c.store(0, std::memory_order_relaxed);
  count_.store(0, std::memory_order_relaxed);
  sum_.store(0, std::memory_order_relaxed);
  max_.store(0, std::memory_order_relaxed);
  min_.store(highest_trackable, std::memory_order_relaxed);
}

std::int64_t latency_histogram::max() const noexcept {
  return count() == 0 ? 0 : max_.load(std::memory_order_relaxed);
}

std::int64_t latency_histogram::min() const noexcept {
  return count() == 0 ? 0 : min_.load(std::memory_order_relaxed);
}

namespace {

std::uint64_t rank_of(double q, std::uint64_t n) noexcept {
  // As quantile_of_sorted: the epsilon absorbs binary rounding of q * n.
  auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(n) - 1e-9));
  return rank < 1 ? 1 : (rank > n ? n : rank);
}

}  // namespace

std::int64_t latency_histogram::quantile(double q) const noexcept {
  const std::uint64_t n = count();
  if (n == 0) return 0;
  const std::uint64_t rank = rank_of(q, n);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < bucket_count; ++i) {
    seen += bucket(i);
    if (seen >= rank) return std::min(highest_of(i), max());
  }
  return max();  // writes raced the walk: the rank lies past what was seen
}

percentile_summary latency_histogram::summary() const noexcept {
  percentile_summary s;
  const std::uint64_t n = count();
  if (n == 0) return s;
  s.count = static_cast<std::size_t>(n);
  s.min = min();
  s.max = max();
  const double qs[] = {0.50, 0.90, 0.99, 0.999};
  std::int64_t* outs[] = {&s.p50, &s.p90, &s.p99, &s.p999};
  std::size_t next = 0;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < bucket_count && next < 4; ++i) {
    seen += bucket(i);
    while (next < 4 && seen >= rank_of(qs[next], n))
      *outs[next++] = std::min(highest_of(i), s.max);
  }
  for (; next < 4; ++next)
    *outs[next] = s.max;
  return s;
}

namespace {

// Appends to a fixed buffer; once anything does not fit, every later append fails too.
class appender {
 public:
  explicit appender(std::span<char> out) noexcept : out_(out) {}
  void text(std::string_view s) noexcept {
    if (s.empty()) return;  // an empty view may carry a null pointer, which memcpy must not see
    if (!ok_ || s.size() > out_.size() - n_) {
      ok_ = false;
      return;
    }
    std::memcpy(out_.data() + n_, s.data(), s.size());
    n_ += s.size();
  }
  template <typename T>
  void number(T v) noexcept {
    if (!ok_) return;
    const auto r = std::to_chars(out_.data() + n_, out_.data() + out_.size(), v);
    if (r.ec != std::errc{}) {
      ok_ = false;
      return;
    }
    n_ = static_cast<std::size_t>(r.ptr - out_.data());
  }
  [[nodiscard]] std::size_t result() const noexcept { return ok_ ? n_ : 0; }

 private:
  std::span<char> out_;
  std::size_t n_ = 0;
  bool ok_ = true;
};

void series(appender& a, std::string_view name, std::string_view suffix, std::string_view labels,
            std::string_view extra_label) noexcept {
  a.text(name);
  a.text(suffix);
  if (labels.empty() && extra_label.empty()) return;
  a.text("{");
  a.text(labels);
  if (!labels.empty() && !extra_label.empty()) a.text(",");
  a.text(extra_label);
  // The closing brace comes after the `le` value, which the caller writes.
}

}  // namespace

std::size_t write_prometheus(std::span<char> out, std::string_view name, std::string_view help,
                             std::string_view labels, const latency_histogram& h,
                             std::span<const double> bounds_seconds) noexcept {
  appender a(out);
  if (!help.empty()) {
    a.text("# HELP ");
    a.text(name);
    a.text(" ");
    a.text(help);
    a.text("\n# TYPE ");
    a.text(name);
    a.text(" histogram\n");
  }
  const std::uint64_t total = h.count();
  std::uint64_t cumulative = 0;
  std::size_t i = 0;
  for (const double bound : bounds_seconds) {
    const double bound_ns = bound * 1e9;
    while (i < latency_histogram::bucket_count &&
           static_cast<double>(latency_histogram::highest_of(i)) <= bound_ns)
      cumulative += h.bucket(i++);
    series(a, name, "_bucket", labels, "le=\"");
    a.number(bound);
    a.text("\"} ");
    a.number(std::min(cumulative, total));
    a.text("\n");
  }
  series(a, name, "_bucket", labels, "le=\"+Inf\"");
  a.text("} ");
  a.number(total);
  a.text("\n");
  series(a, name, "_sum", labels, {});
  if (!labels.empty()) a.text("}");
  a.text(" ");
  a.number(static_cast<double>(h.sum()) / 1e9);
  a.text("\n");
  series(a, name, "_count", labels, {});
  if (!labels.empty()) a.text("}");
  a.text(" ");
  a.number(total);
  a.text("\n");
  return a.result();
}

}  // namespace posmode::engine
