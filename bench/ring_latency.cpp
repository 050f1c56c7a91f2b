// Ring latency harness: the distribution of single round trips through posmode's spsc_ring,
// boost::lockfree::spsc_queue and the reference cached-index ring (bench/ring_support.hpp),
// against the raw cache-line ping-pong (the floor), each sample one round trip timed on its own.
// posmode_bench_engine gives the same round trips as means over millions; this harness gives
// their percentiles, for the plots scripts/bench draws.
//
// One round trip: the main thread (CPU 0) pushes a value into `ping`, the echo thread (CPU 1)
// pops it and pushes it into `pong`, the main thread pops it back and checks it. Each sample
// includes one read of the clock (the row "clock: back-to-back reads" is its cost). The variants
// are interleaved in blocks, rotating which goes first, so that the machine's drift touches all.
//
// Timings are printed, never judged; the exit status is non-zero only when a self-check fails.
// Usage: posmode_bench_ring [--samples N] [--csv DIR]
//   --csv DIR also writes each variant's raw samples to DIR/ring_<variant>.csv (ns).

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench_support.hpp"
#include "posmode/engine/clock.hpp"
#include "posmode/engine/percentiles.hpp"
#include "ring_support.hpp"
#include "sample_csv.hpp"

namespace {

namespace bench = posmode::bench;
namespace engine = posmode::engine;
using engine::system_clock;

constexpr std::size_t rounds = 10;           // interleaved blocks per variant
constexpr std::size_t block_warm_up = 2000;  // untimed round trips before each block
std::size_t failures = 0;

void report_failure(const std::string& what) {
  ++failures;
  std::fprintf(stderr, "SELF-CHECK FAILED: %s\n", what.c_str());
}

// The floor: one atomic on its own 128-byte group each way, nothing else.
struct ping_pong_lines {
  alignas(engine::false_sharing_range) std::atomic<std::uint64_t> ping{0};
  alignas(engine::false_sharing_range) std::atomic<std::uint64_t> pong{0};
};

// `block_warm_up` untimed then `samples` timed round trips through a fresh pair of queues.
template <typename Queue>
bool queue_block(std::size_t samples, std::vector<std::int64_t>* out) {
  const auto ping = std::make_unique<Queue>();
  const auto pong = std::make_unique<Queue>();
  const std::size_t total = block_warm_up + samples;
  std::atomic<bool> stop{false};
  bool echo_failed = false;
  std::thread echo([&] {
    const bench::scoped_cpu_pin pin(1);
    for (std::uint64_t i = 0; i < total; ++i) {
      std::uint64_t v = 0;
      if (!bench::spin_until([&] { return ping->pop(v); }, stop) || v != i ||
          !bench::spin_until([&] { return pong->push(v); }, stop)) {
        echo_failed = true;
        stop.store(true, std::memory_order_release);
        return;
      }
    }
  });
  bool ok = true;
  for (std::uint64_t i = 0; i < total && ok; ++i) {
    const std::int64_t t0 = system_clock::monotonic_ns();
    std::uint64_t back = 0;
    ok = bench::spin_until([&] { return ping->push(i); }, stop) &&
         bench::spin_until([&] { return pong->pop(back); }, stop) && back == i;
    const std::int64_t t1 = system_clock::monotonic_ns();
    if (ok && i >= block_warm_up) out->push_back(t1 - t0);
  }
  if (!ok) stop.store(true, std::memory_order_release);
  echo.join();
  if (!ok || echo_failed) report_failure(std::string(Queue::name) + ": round trip lost or stalled");
  return ok && !echo_failed;
}

bool ping_pong_block(std::size_t samples, std::vector<std::int64_t>* out) {
  const auto lines = std::make_unique<ping_pong_lines>();
  const std::size_t total = block_warm_up + samples;
  std::atomic<bool> stop{false};
  bool echo_failed = false;
  std::thread echo([&] {
    const bench::scoped_cpu_pin pin(1);
    for (std::uint64_t i = 1; i <= total; ++i) {
      if (!bench::spin_until([&] { return lines->ping.load(std::memory_order_acquire) == i; },
                             stop)) {
        echo_failed = true;
        stop.store(true, std::memory_order_release);
        return;
      }
      lines->pong.store(i, std::memory_order_release);
    }
  });
  bool ok = true;
  for (std::uint64_t i = 1; i <= total && ok; ++i) {
    const std::int64_t t0 = system_clock::monotonic_ns();
    lines->ping.store(i, std::memory_order_release);
    ok = bench::spin_until([&] { return lines->pong.load(std::memory_order_acquire) == i; }, stop);
    const std::int64_t t1 = system_clock::monotonic_ns();
    if (ok && i > block_warm_up) out->push_back(t1 - t0);
  }
  if (!ok) stop.store(true, std::memory_order_release);
  echo.join();
  if (!ok || echo_failed) report_failure("ping-pong: lost or stalled");
  return ok && !echo_failed;
}

void clock_block(std::size_t samples, std::vector<std::int64_t>* out) {
  for (std::size_t i = 0; i < samples; ++i) {
    const std::int64_t t0 = system_clock::monotonic_ns();
    const std::int64_t t1 = system_clock::monotonic_ns();
    out->push_back(t1 - t0);
  }
}

void print_row(const char* name, std::vector<std::int64_t> ns) {
  const engine::percentile_summary s = engine::summarize(ns);
  std::printf("%-34s %7zu %7lld %7lld %7lld %7lld %7lld %9lld\n", name, s.count,
              static_cast<long long>(s.min), static_cast<long long>(s.p50),
              static_cast<long long>(s.p90), static_cast<long long>(s.p99),
              static_cast<long long>(s.p999), static_cast<long long>(s.max));
}

std::int64_t p50(std::vector<std::int64_t> ns) {
  std::sort(ns.begin(), ns.end());
  return ns.empty() ? 0 : engine::quantile_of_sorted(ns, 0.5);
}

int run(std::size_t sample_count, const std::string& csv_dir) {
  const bench::scoped_cpu_pin pin(0);
  constexpr std::size_t variants = 4;
  const char* const stems[variants] = {"ring_posmode", "ring_boost", "ring_reference",
                                       "ring_ping_pong"};
  const char* const labels[variants] = {"posmode spsc_ring", "boost::lockfree::spsc_queue",
                                        "reference cached-index ring",
                                        "floor: cache-line ping-pong"};
  std::vector<std::int64_t> results[variants];
  std::vector<std::int64_t> clock_cost;
  for (auto& r : results)
    r.reserve(sample_count);
  clock_cost.reserve(sample_count);
  const auto block = [&](std::size_t v, std::size_t n) {
    switch (v) {
      case 0:
        return queue_block<bench::posmode_queue>(n, &results[0]);
      case 1:
        return queue_block<bench::boost_queue>(n, &results[1]);
      case 2:
        return queue_block<bench::reference_queue>(n, &results[2]);
      default:
        return ping_pong_block(n, &results[3]);
    }
  };

  std::printf(
      "ring round trips, one sample each: main thread %s, echo thread on CPU 1; %zu "
      "samples per variant in %zu interleaved blocks; ns\n\n",
      pin.pinned() ? "on CPU 0" : "unpinned", sample_count, rounds);
  for (std::size_t r = 0; r < rounds; ++r) {
    const std::size_t n = sample_count * (r + 1) / rounds - sample_count * r / rounds;
    for (std::size_t k = 0; k < variants; ++k)
      if (!block((r + k) % variants, n)) return 1;  // rotate which variant goes first
    clock_block(n, &clock_cost);
  }

  if (!csv_dir.empty()) {
    for (std::size_t v = 0; v < variants; ++v) {
      const std::string error = bench::write_samples_csv(csv_dir, stems[v], results[v]);
      if (!error.empty()) report_failure(error);
    }
  }
  std::printf("%-34s %7s %7s %7s %7s %7s %7s %9s\n", "variant", "count", "min", "p50", "p90", "p99",
              "p99.9", "max");
  for (std::size_t v = 0; v < variants; ++v)
    print_row(labels[v], results[v]);
  print_row("clock: back-to-back reads", clock_cost);

  const double floor = static_cast<double>(p50(results[3]));
  std::printf("\nratios of p50 to the ping-pong's (same run):\n");
  for (std::size_t v = 0; v < 3; ++v)
    std::printf("  %-34s %5.2fx\n", labels[v],
                floor > 0 ? static_cast<double>(p50(results[v])) / floor : 0.0);
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t sample_count = 200'000;
  std::string csv_dir;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--samples" && i + 1 < argc) {
      char* end = nullptr;
      sample_count = std::strtoull(argv[++i], &end, 10);
      if (end == argv[i] || *end != '\0') sample_count = 0;
    } else if (arg == "--csv" && i + 1 < argc && argv[i + 1][0] != '\0') {
      csv_dir = argv[++i];
    } else {
      sample_count = 0;
      break;
    }
  }
  if (sample_count < rounds) {
    std::fprintf(stderr, "usage: %s [--samples N (>= %zu)] [--csv DIR]\n", argv[0], rounds);
    return 2;
  }
  const int rc = run(sample_count, csv_dir);
  return rc != 0 || failures != 0 ? 1 : 0;
}
