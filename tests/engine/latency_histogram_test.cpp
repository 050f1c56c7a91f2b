// latency_histogram: bucket edges, percentiles within 1/64 of a sorted reference on random data,
// merging, concurrent reading, and the Prometheus text (prometheus_writer) parsed back.

#include "posmode/engine/latency_histogram.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "posmode/engine/prometheus_writer.hpp"
#include "support/allocation_counter.hpp"

using posmode::engine::latency_histogram;

namespace {

// Heap-allocated: 18 KB is more than a test's stack frame should carry.
std::unique_ptr<latency_histogram> make() {
  return std::make_unique<latency_histogram>();
}

}  // namespace

TEST_CASE("buckets tile 0 .. 2^40 without gaps, exact below 128, at most 1/64 wide above") {
  CHECK(latency_histogram::bucket_count == 2240);
  for (std::size_t i = 0; i + 1 < latency_histogram::bucket_count; ++i) {
    CAPTURE(i);
    REQUIRE(latency_histogram::highest_of(i) + 1 == latency_histogram::lowest_of(i + 1));
    REQUIRE(latency_histogram::index_of(latency_histogram::lowest_of(i)) == i);
    REQUIRE(latency_histogram::index_of(latency_histogram::highest_of(i)) == i);
    const std::int64_t width =
        latency_histogram::highest_of(i) - latency_histogram::lowest_of(i) + 1;
    if (i < 128)
      REQUIRE(width == 1);
    else
      REQUIRE(width * 64 <= latency_histogram::lowest_of(i));
  }
  CHECK(latency_histogram::index_of(-5) == 0);
  CHECK(latency_histogram::index_of(std::int64_t{1} << 50) == latency_histogram::bucket_count - 1);
}

TEST_CASE("percentiles are within 1/64 of the sorted reference on random latencies") {
  std::mt19937_64 rng(20261207);
  // A latency-like mix: a log-normal body around 50 us and a far tail.
  std::lognormal_distribution<double> body(std::log(50'000.0), 0.4);
  std::uniform_real_distribution<double> tail(1e6, 5e9);
  std::uniform_real_distribution<double> pick(0, 1);
  auto h = make();
  std::vector<std::int64_t> ref;
  for (int i = 0; i < 200'000; ++i) {
    const auto v = static_cast<std::int64_t>(pick(rng) < 0.002 ? tail(rng) : body(rng));
    h->record(v);
    ref.push_back(v);
  }
  std::sort(ref.begin(), ref.end());
  for (const double q : {0.0, 0.1, 0.5, 0.9, 0.99, 0.999, 0.9999, 1.0}) {
    const std::int64_t truth = posmode::engine::quantile_of_sorted(ref, q);
    const std::int64_t got = h->quantile(q);
    CAPTURE(q);
    CHECK(got >= truth);
    CHECK(static_cast<double>(got - truth) <= static_cast<double>(truth) / 64.0);
  }
  const auto s = h->summary();
  CHECK(s.count == ref.size());
  CHECK(s.min == ref.front());
  CHECK(s.max == ref.back());
  CHECK(s.p50 == h->quantile(0.5));
  CHECK(s.p999 == h->quantile(0.999));
  std::uint64_t sum = 0;
  for (const auto v : ref)
    sum += static_cast<std::uint64_t>(v);
  CHECK(h->sum() == sum);
}

TEST_CASE(
    "merging equals recording everything in one, and reset forgets, and recording never "
    "allocates") {
  auto a = make();
  auto b = make();
  auto all = make();
  {
#if POSMODE_ALLOCATION_COUNTING
    posmode::test::allocation_scope scope;
#endif
    for (std::int64_t v = 0; v < 100'000; v += 7) {
      (v % 3 == 0 ? *a : *b).record(v * 13);
      all->record(v * 13);
    }
#if POSMODE_ALLOCATION_COUNTING
    CHECK(scope.count() == 0);
#endif
  }
  auto merged = make();
  a->merge_into(*merged);
  b->merge_into(*merged);
  CHECK(merged->count() == all->count());
  CHECK(merged->sum() == all->sum());
  CHECK(merged->min() == all->min());
  CHECK(merged->max() == all->max());
  for (std::size_t i = 0; i < latency_histogram::bucket_count; ++i)
    REQUIRE(merged->bucket(i) == all->bucket(i));
  merged->reset();
  CHECK(merged->count() == 0);
  CHECK(merged->quantile(0.5) == 0);
  CHECK(merged->max() == 0);
}

TEST_CASE("a reader on another thread sees counts grow and never blocks the writer") {
  auto h = make();
  std::atomic<bool> done{false};
  std::uint64_t last_seen = 0;
  bool monotonic = true;
  std::thread reader([&] {
    while (!done.load(std::memory_order_acquire)) {
      const std::uint64_t n = h->count();
      monotonic = monotonic && n >= last_seen;
      last_seen = n;
      (void)h->summary();
    }
  });
  for (int i = 0; i < 300'000; ++i)
    h->record(i % 10'000);
  done.store(true, std::memory_order_release);
  reader.join();
  CHECK(monotonic);
  CHECK(h->count() == 300'000);
}

TEST_CASE("the Prometheus text parses back: cumulative buckets, +Inf = count, sum in seconds") {
  auto h = make();
  for (int i = 1; i <= 1'000; ++i)
    h->record(i * 1'000);  // 1 us .. 1 ms
  const double bounds[] = {1e-5, 1e-4, 5e-4, 1e-3, 1e-2};
  std::string buffer(4096, '\0');
  posmode::engine::prometheus_writer w(buffer);
  w.histogram("posmode_trigger_to_event_seconds", "Trigger to published event.",
              R"(account="a1",venue="okx")", *h, bounds);
  const std::size_t n = w.size();
  REQUIRE(n > 0);
  buffer.resize(n);
  std::istringstream lines(buffer);
  std::string line;
  std::getline(lines, line);
  CHECK(line == "# HELP posmode_trigger_to_event_seconds Trigger to published event.");
  std::getline(lines, line);
  CHECK(line == "# TYPE posmode_trigger_to_event_seconds histogram");
  std::map<double, double> le;  // +Inf parses as infinity
  double sum = -1;
  double count = -1;
  while (std::getline(lines, line)) {
    const auto space = line.rfind(' ');
    REQUIRE(space != std::string::npos);
    const double value = std::stod(line.substr(space + 1));
    const std::string series = line.substr(0, space);
    if (series.starts_with("posmode_trigger_to_event_seconds_bucket{account=\"a1\",venue=\"okx\","
                           "le=\"")) {
      const auto q = series.find("le=\"") + 4;
      le[std::stod(series.substr(q, series.size() - q - 2))] = value;
    } else if (series == R"(posmode_trigger_to_event_seconds_sum{account="a1",venue="okx"})") {
      sum = value;
    } else if (series == R"(posmode_trigger_to_event_seconds_count{account="a1",venue="okx"})") {
      count = value;
    } else {
      FAIL("unexpected line: " << line);
    }
  }
  CHECK(le.size() == 6);
  // A bound counts the buckets wholly at or below it: the one straddling it (at most 1/64 of
  // the bound wide) is left to the next bound, so a count may fall short by that bucket.
  CHECK(le[1e-5] >= 9);  // 1..10 us: 10 us lies in the bucket 9984..10111 ns
  CHECK(le[1e-5] <= 10);
  CHECK(le[1e-4] >= 99);
  CHECK(le[1e-4] <= 100);
  CHECK(le[5e-4] >= 496);
  CHECK(le[5e-4] <= 500);
  CHECK(le[1e-3] >= 992);
  CHECK(le[1e-3] <= 1'000);
  CHECK(le[1e-2] == 1'000);
  CHECK(le[HUGE_VAL] == 1'000);
  double previous = 0;
  for (const auto& [bound, cumulative] : le) {
    CHECK(cumulative >= previous);
    previous = cumulative;
  }
  CHECK(count == 1'000);
  CHECK(sum == doctest::Approx(0.5005));  // (1 + ... + 1000) us
  // Too small a buffer gives nothing rather than a cut exposition.
  std::string small(40, '\0');
  posmode::engine::prometheus_writer cut(small);
  cut.histogram("x", "help", {}, *h, bounds);
  CHECK(cut.size() == 0);
  cut.counter("y", {}, {}, 1);  // nothing more is written once something did not fit
  CHECK(cut.size() == 0);
}
