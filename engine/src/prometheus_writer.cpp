#include "posmode/engine/prometheus_writer.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace posmode::engine {

void prometheus_writer::text(std::string_view s) noexcept {
  if (s.empty()) return;  // an empty view may carry a null pointer, which memcpy must not see
  if (!ok_ || s.size() > out_.size() - n_) {
    ok_ = false;
    return;
  }
  std::memcpy(out_.data() + n_, s.data(), s.size());
  n_ += s.size();
}

// Integers and doubles alike, in their shortest exact form (Prometheus reads both).
template <typename T>
void prometheus_writer::number(T v) noexcept {
  if (!ok_) return;
  const auto r = std::to_chars(out_.data() + n_, out_.data() + out_.size(), v);
  if (r.ec != std::errc{}) {
    ok_ = false;
    return;
  }
  n_ = static_cast<std::size_t>(r.ptr - out_.data());
}

void prometheus_writer::header(std::string_view name, std::string_view help,
                               std::string_view type) noexcept {
  if (help.empty()) return;
  text("# HELP ");
  text(name);
  text(" ");
  text(help);
  text("\n# TYPE ");
  text(name);
  text(" ");
  text(type);
  text("\n");
}

// `name` `suffix` `{labels,le="…"}` and the space before the value.
void prometheus_writer::sample(std::string_view name, std::string_view suffix,
                               std::string_view labels, std::string_view le) noexcept {
  text(name);
  text(suffix);
  if (!labels.empty() || !le.empty()) {
    text("{");
    text(labels);
    if (!labels.empty() && !le.empty()) text(",");
    if (!le.empty()) {
      text("le=\"");
      text(le);
      text("\"");
    }
    text("}");
  }
  text(" ");
}

template <typename T>
void prometheus_writer::single(std::string_view type, std::string_view name, std::string_view help,
                               std::string_view labels, T value) noexcept {
  header(name, help, type);
  sample(name, {}, labels, {});
  number(value);
  text("\n");
}

void prometheus_writer::counter(std::string_view name, std::string_view help,
                                std::string_view labels, std::uint64_t value) noexcept {
  single("counter", name, help, labels, value);
}

void prometheus_writer::gauge(std::string_view name, std::string_view help, std::string_view labels,
                              std::uint64_t value) noexcept {
  single("gauge", name, help, labels, value);
}

void prometheus_writer::gauge(std::string_view name, std::string_view help, std::string_view labels,
                              double value) noexcept {
  single("gauge", name, help, labels, value);
}

void prometheus_writer::histogram(std::string_view name, std::string_view help,
                                  std::string_view labels, const latency_histogram& h,
                                  std::span<const double> bounds_seconds) noexcept {
  header(name, help, "histogram");
  const std::uint64_t total = h.count();
  std::uint64_t cumulative = 0;
  std::size_t i = 0;
  for (const double bound : bounds_seconds) {
    const double bound_ns = bound * 1e9;
    while (i < latency_histogram::bucket_count &&
           static_cast<double>(latency_histogram::highest_of(i)) <= bound_ns)
      cumulative += h.bucket(i++);
    char le[32];
    const auto r = std::to_chars(le, le + sizeof le, bound);
    sample(name, "_bucket", labels, {le, static_cast<std::size_t>(r.ptr - le)});
    number(std::min(cumulative, total));
    text("\n");
  }
  sample(name, "_bucket", labels, "+Inf");
  number(total);
  text("\n");
  sample(name, "_sum", labels, {});
  number(static_cast<double>(h.sum()) / 1e9);
  text("\n");
  sample(name, "_count", labels, {});
  number(total);
  text("\n");
}

}  // namespace posmode::engine
