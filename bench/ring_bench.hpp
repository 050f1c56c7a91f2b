#pragma once

// The ring benchmarks of posmode_bench_engine (ring_bench.cpp): two-thread throughput, one item
// at a time and in bursts, and a ping-pong round trip, for posmode's spsc_ring, Boost's
// spsc_queue and the reference cached-index ring, with a raw cache-line ping-pong as the floor.

#include <benchmark/benchmark.h>

#include <memory>

namespace posmode::bench {

/** The `--benchmark_repetitions=N` the command line asks for (1 if none), read before
 *  `benchmark::Initialize` consumes it: the ring benchmarks run that many interleaved rounds. */
[[nodiscard]] int ring_rounds_asked(int argc, char** argv);

/** Registers `rounds` interleaved rounds of every ring benchmark (posmode, Boost, reference, and
 *  the ping-pong floor for the round trip), one repetition each. */
void register_ring_benchmarks(int rounds);

/** The console reporter, plus a summary of the ring rows at the end: each ring's median and
 *  spread, and the per-round ratios against the targets. */
[[nodiscard]] std::unique_ptr<benchmark::ConsoleReporter> make_ring_summary();

}  // namespace posmode::bench
