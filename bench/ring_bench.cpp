// The ring benchmarks (ring_bench.hpp): posmode::engine::spsc_ring against
// boost::lockfree::spsc_queue and a minimal cached-index ring (the reference,
// bench/ring_support.hpp), for two-thread throughput (one item per call, and in bursts) and for a
// ping-pong round trip, with a raw cache-line ping-pong as the floor. Their repetitions run
// interleaved (posmode, Boost, reference, posmode, ...), and a summary of medians follows.

#include "ring_bench.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench_support.hpp"
#include "ring_support.hpp"

namespace {

using posmode::bench::scoped_cpu_pin;
using posmode::bench::spin_until;
namespace engine = posmode::engine;

using posmode::bench::boost_queue;
using posmode::bench::posmode_queue;
using posmode::bench::reference_queue;

const char* pin_label(bool pinned) {
  return pinned ? "pinned cpu0/cpu1" : "unpinned";
}

// Spins (yielding) until the helper thread has started, so thread creation is never timed.
void wait_until_set(const std::atomic<bool>& flag) {
  while (!flag.load(std::memory_order_acquire))
    std::this_thread::yield();
}

// Producer = the benchmark thread, one push per iteration; consumer = a thread that pops and checks
// that values arrive as 0, 1, 2, ... Up to one ring of items may still be in flight when the timer
// stops, which is negligible against the millions of iterations of a run.
template <typename Queue>
void ring_throughput(benchmark::State& state) {
  const auto queue = std::make_unique<Queue>();
  const auto total = static_cast<std::uint64_t>(state.max_iterations);
  std::atomic<bool> consumer_ready{false};
  std::atomic<bool> stop{false};
  // Written by the consumer, read after join().
  bool consumer_stalled = false;
  std::optional<std::uint64_t> first_bad_index;
  std::uint64_t first_bad_value = 0;

  const scoped_cpu_pin producer_pin(0);
  std::thread consumer([&] {
    const scoped_cpu_pin consumer_pin(1);
    consumer_ready.store(true, std::memory_order_release);
    for (std::uint64_t expected = 0; expected < total; ++expected) {
      std::uint64_t value = 0;
      if (!spin_until([&] { return queue->pop(value); }, stop)) {
        consumer_stalled = true;
        stop.store(true, std::memory_order_release);
        return;
      }
      if (value != expected && !first_bad_index) {
        first_bad_index = expected;
        first_bad_value = value;
      }
    }
  });
  wait_until_set(consumer_ready);

  bool producer_stalled = false;
  std::uint64_t next = 0;
  for (auto _ : state) {
    if (!spin_until([&] { return queue->push(next); }, stop)) {
      producer_stalled = true;
      break;
    }
    ++next;
  }
  if (producer_stalled) stop.store(true, std::memory_order_release);
  consumer.join();

  if (first_bad_index) {
    const std::string msg = "order broken: item " + std::to_string(*first_bad_index) + " was " +
                            std::to_string(first_bad_value);
    state.SkipWithError(msg.c_str());
  } else if (consumer_stalled || producer_stalled) {
    state.SkipWithError("a side stalled for 5 s: item lost or peer dead");
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(pin_label(producer_pin.pinned()));
}

// Bursts: one iteration = the producer pushes `burst_size` consecutive values (as many calls as
// the ring's room needs); the consumer drains up to `burst_size` at a time and checks the order.
// Each ring uses its own burst calls: posmode's try_push_n/try_pop_n, Boost's push/pop of an
// array, the reference's push_n/pop_n (one index publication per call).
constexpr std::size_t burst_size = 32;

template <typename Queue>
void ring_burst_throughput(benchmark::State& state) {
  const auto queue = std::make_unique<Queue>();
  const auto total = static_cast<std::uint64_t>(state.max_iterations) * burst_size;
  std::atomic<bool> consumer_ready{false};
  std::atomic<bool> stop{false};
  bool consumer_stalled = false;  // written by the consumer, read after join()
  std::optional<std::uint64_t> first_bad_index;

  const scoped_cpu_pin producer_pin(0);
  std::thread consumer([&] {
    const scoped_cpu_pin consumer_pin(1);
    consumer_ready.store(true, std::memory_order_release);
    std::array<std::uint64_t, burst_size> out{};
    for (std::uint64_t expected = 0; expected < total;) {
      std::size_t got = 0;
      if (!spin_until([&] { return (got = queue->pop_n(out)) != 0; }, stop)) {
        consumer_stalled = true;
        stop.store(true, std::memory_order_release);
        return;
      }
      for (std::size_t i = 0; i < got; ++i, ++expected)
        if (out[i] != expected && !first_bad_index) first_bad_index = expected;
    }
  });
  wait_until_set(consumer_ready);

  bool producer_stalled = false;
  std::array<std::uint64_t, burst_size> in{};
  std::uint64_t next = 0;
  for (auto _ : state) {
    for (std::uint64_t& v : in)
      v = next++;
    std::span<const std::uint64_t> left(in);
    while (!left.empty()) {
      std::size_t pushed = 0;
      if (!spin_until([&] { return (pushed = queue->push_n(left)) != 0; }, stop)) {
        producer_stalled = true;
        break;
      }
      left = left.subspan(pushed);
    }
    if (producer_stalled) break;
  }
  if (producer_stalled) stop.store(true, std::memory_order_release);
  consumer.join();

  if (first_bad_index) {
    const std::string msg = "order broken at item " + std::to_string(*first_bad_index);
    state.SkipWithError(msg.c_str());
  } else if (consumer_stalled || producer_stalled) {
    state.SkipWithError("a side stalled for 5 s: item lost or peer dead");
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(burst_size));
  state.SetLabel(pin_label(producer_pin.pinned()));
}

// One iteration = main pushes i into `ping`, the echo thread pops it and pushes it into `pong`,
// main pops it back. Both sides check the sequence.
template <typename Queue>
void ring_round_trip(benchmark::State& state) {
  const auto ping = std::make_unique<Queue>();
  const auto pong = std::make_unique<Queue>();
  const auto total = static_cast<std::uint64_t>(state.max_iterations);
  std::atomic<bool> echo_ready{false};
  std::atomic<bool> stop{false};
  const char* echo_error = nullptr;  // written by the echo thread, read after join()

  const scoped_cpu_pin main_pin(0);
  std::thread echo([&] {
    const scoped_cpu_pin echo_pin(1);
    echo_ready.store(true, std::memory_order_release);
    for (std::uint64_t expected = 0; expected < total; ++expected) {
      std::uint64_t value = 0;
      if (!spin_until([&] { return ping->pop(value); }, stop)) {
        echo_error = "echo thread waited 5 s for a ping";
      } else if (value != expected) {
        echo_error = "echo thread saw pings out of order";
      } else if (!spin_until([&] { return pong->push(value); }, stop)) {
        echo_error = "echo thread could not push its reply for 5 s";
      }
      if (echo_error != nullptr) {
        stop.store(true, std::memory_order_release);
        return;
      }
    }
  });
  wait_until_set(echo_ready);

  const char* error = nullptr;
  std::uint64_t sent = 0;
  for (auto _ : state) {
    std::uint64_t back = 0;
    if (!spin_until([&] { return ping->push(sent); }, stop) ||
        !spin_until([&] { return pong->pop(back); }, stop)) {
      error = "no reply for 5 s (reply lost or echo thread gone)";
      break;
    }
    if (back != sent) {
      error = "reply out of order";
      break;
    }
    ++sent;
  }
  if (error != nullptr) stop.store(true, std::memory_order_release);
  echo.join();

  // The echo thread's reason is the root cause when both sides failed.
  if (echo_error != nullptr || error != nullptr) {
    state.SkipWithError(echo_error != nullptr ? echo_error : error);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(pin_label(main_pin.pinned()));
}

// The floor for any round trip between two cores: one store and one cache-line transfer each way.
void BM_cache_line_ping_pong(benchmark::State& state) {
  struct lines {
    alignas(engine::false_sharing_range) std::atomic<std::uint64_t> ping{0};
    alignas(engine::false_sharing_range) std::atomic<std::uint64_t> pong{0};
  };
  static_assert(sizeof(lines) == 2 * engine::false_sharing_range,
                "ping and pong must sit on separate 128-byte groups");
  const auto shared = std::make_unique<lines>();
  const auto total = static_cast<std::uint64_t>(state.max_iterations);
  std::atomic<bool> echo_ready{false};
  std::atomic<bool> stop{false};
  bool echo_failed = false;

  const scoped_cpu_pin main_pin(0);
  std::thread echo([&] {
    const scoped_cpu_pin echo_pin(1);
    echo_ready.store(true, std::memory_order_release);
    for (std::uint64_t i = 1; i <= total; ++i) {
      if (!spin_until([&] { return shared->ping.load(std::memory_order_acquire) == i; }, stop)) {
        echo_failed = true;
        stop.store(true, std::memory_order_release);
        return;
      }
      shared->pong.store(i, std::memory_order_release);
    }
  });
  wait_until_set(echo_ready);

  bool stalled = false;
  std::uint64_t i = 0;
  for (auto _ : state) {
    ++i;
    shared->ping.store(i, std::memory_order_release);
    if (!spin_until([&] { return shared->pong.load(std::memory_order_acquire) == i; }, stop)) {
      stalled = true;
      break;
    }
  }
  if (stalled) stop.store(true, std::memory_order_release);
  echo.join();

  if (stalled || echo_failed) state.SkipWithError("ping-pong stalled for 5 s");
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(pin_label(main_pin.pinned()));
}

// Registered by register_ring_benchmarks(), interleaved.
// ---------------------------------------------------------------------------------------------
// Ring benchmarks, interleaved: with --benchmark_repetitions=N each of them is registered N times
// with one repetition each, in the order posmode, Boost, reference (then the ping-pong floor for
// the round trip), so that a drift of the machine during the run touches every ring alike instead
// of the one whose repetitions happened to run then. ring_summary then prints the medians.

constexpr const char* throughput_prefix = "BM_ring_throughput/";
constexpr const char* round_trip_prefix = "BM_ring_round_trip/";
constexpr const char* burst_prefix = "BM_ring_burst32/";
constexpr const char* ping_pong_name = "BM_cache_line_ping_pong";

int repetitions_asked(int argc, char** argv) {
  constexpr std::string_view flag = "--benchmark_repetitions=";
  int n = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with(flag)) n = std::max(1, std::atoi(argv[i] + flag.size()));
  }
  return n;
}

using ring_benchmark = void (*)(benchmark::State&);

// One repetition each: the interleaving comes from registering the rounds one after the other.
void register_once(const std::string& name, ring_benchmark run) {
  benchmark::RegisterBenchmark(name.c_str(), run)->Repetitions(1)->UseRealTime();
}

// posmode, Boost, reference: one round of one benchmark.
template <template <typename> class Bench>
void register_trio(const std::string& prefix) {
  register_once(prefix + "posmode", &Bench<posmode_queue>::run);
  register_once(prefix + "boost_spsc", &Bench<boost_queue>::run);
  register_once(prefix + "reference", &Bench<reference_queue>::run);
}

template <typename Queue>
struct throughput_bench {
  static void run(benchmark::State& state) { ring_throughput<Queue>(state); }
};
template <typename Queue>
struct burst_bench {
  static void run(benchmark::State& state) { ring_burst_throughput<Queue>(state); }
};
template <typename Queue>
struct round_trip_bench {
  static void run(benchmark::State& state) { ring_round_trip<Queue>(state); }
};

void register_rounds(int rounds) {
  for (int r = 0; r < rounds; ++r)
    register_trio<throughput_bench>(throughput_prefix);
  for (int r = 0; r < rounds; ++r)
    register_trio<burst_bench>(burst_prefix);
  for (int r = 0; r < rounds; ++r) {
    register_trio<round_trip_bench>(round_trip_prefix);
    register_once(ping_pong_name, BM_cache_line_ping_pong);
  }
}

double median_of(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

// The console output as usual, plus the ring rows collected for a summary printed at the end:
// median and spread of each ring, and of the per-round ratios (same round, adjacent in time).
class ring_summary final : public benchmark::ConsoleReporter {
 public:
  ring_summary() : benchmark::ConsoleReporter(OO_None) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      const std::string name = run.benchmark_name();
      const bool burst = name.starts_with(burst_prefix);
      const bool ring = burst || name.starts_with(throughput_prefix) ||
                        name.starts_with(round_trip_prefix) || name.starts_with(ping_pong_name);
      // Per item for bursts too, so that they read beside the one-at-a-time figures.
      const double per = burst ? static_cast<double>(burst_size) : 1.0;
      if (ring && run.run_type == Run::RT_Iteration && !run.error_occurred)
        ns_[name.substr(0, std::min(name.find("/repeats:"), name.find("/real_time")))].push_back(
            run.GetAdjustedRealTime() / per);
    }
    ConsoleReporter::ReportRuns(runs);
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    if (ns_.empty()) return;
    std::FILE* out = stdout;
    std::fprintf(
        out,
        "\nring summary (interleaved repetitions; median, min-max; ns, per item for bursts)\n");
    for (const auto& [name, values] : ns_) {
      const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
      std::fprintf(out, "  %-44s %8.2f  (%.2f-%.2f, %zu runs)\n", name.c_str(), median_of(values),
                   *lo, *hi, values.size());
    }
    const std::string tp = throughput_prefix;
    const std::string rt = round_trip_prefix;
    // Rates: the other ring's time per item over posmode's (>= 1: posmode moves items as fast).
    ratio(out, "throughput: posmode's rate / Boost's", tp + "boost_spsc", tp + "posmode", ">= 1");
    ratio(out, "throughput: posmode's rate / reference's", tp + "reference", tp + "posmode",
          ">= 1");
    const std::string bt = burst_prefix;
    ratio(out, "bursts of 32: posmode's rate / Boost's", bt + "boost_spsc", bt + "posmode", "");
    ratio(out, "bursts of 32: posmode's rate / reference's", bt + "reference", bt + "posmode", "");
    ratio(out, "round trip: posmode / cache-line ping-pong", rt + "posmode", ping_pong_name,
          "<= 1.20");
    ratio(out, "round trip: Boost / cache-line ping-pong", rt + "boost_spsc", ping_pong_name, "");
    ratio(out, "round trip: reference / cache-line ping-pong", rt + "reference", ping_pong_name,
          "");
  }

 private:
  // numerator / denominator round by round; their median and spread, and the ratio of medians.
  void ratio(std::FILE* out, const char* what, const std::string& numerator,
             const std::string& denominator, const char* target) const {
    const auto n = ns_.find(numerator);
    const auto d = ns_.find(denominator);
    if (n == ns_.end() || d == ns_.end()) return;
    std::vector<double> per_round;
    for (std::size_t i = 0; i < n->second.size() && i < d->second.size(); ++i)
      if (d->second[i] > 0) per_round.push_back(n->second[i] / d->second[i]);
    if (per_round.empty()) return;
    const auto [lo, hi] = std::minmax_element(per_round.begin(), per_round.end());
    const double of_medians = median_of(n->second) / median_of(d->second);
    std::fprintf(out, "  %-44s %5.2fx (per round: median %.2fx, %.2f-%.2fx)%s%s\n", what,
                 of_medians, median_of(per_round), *lo, *hi, *target != 0 ? "  target " : "",
                 target);
  }

  std::map<std::string, std::vector<double>> ns_;
};

}  // namespace

namespace posmode::bench {

int ring_rounds_asked(int argc, char** argv) {
  return repetitions_asked(argc, argv);
}

void register_ring_benchmarks(int rounds) {
  register_rounds(rounds);
}

std::unique_ptr<benchmark::ConsoleReporter> make_ring_summary() {
  return std::make_unique<ring_summary>();
}

}  // namespace posmode::bench
