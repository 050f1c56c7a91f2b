// Google Benchmark of request_machine steps on one account (hot in cache, as in a running
// component), beside the least any implementation does for the same answer (copy it into a
// 192-byte event by hand), in the same run. `bm_machine_begin_sent` is a request's first two
// inputs (trigger, set written); the `_applied` and `_rate_limited` variants add the set's answer,
// so one answer step costs the difference. `s_per_step` is the time per iteration (per event for
// the baseline).
//
// bm_recording_on / bm_recording_off: what the loop does per request for the latency histograms
// and health() (issue 17) with `component_config::record_latency` on: five histogram records
// (the component's and the account's trigger -> wire and trigger -> event, the account's answer
// time) and one health publication through the seqlock; off: the health draft's counters alone.
// Their difference is the recording's cost per request, without the network's noise.

#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "posmode/components/account_health.hpp"
#include "posmode/engine/latency_histogram.hpp"
#include "posmode/engine/seqlock.hpp"
#include "request_machine.hpp"

namespace {

namespace pc = posmode::components;
namespace pd = posmode::components::detail;

constexpr std::size_t batch = 64;
constexpr std::int64_t ms = 1'000'000;

struct account {
  std::array<pc::product, 1> products{pc::product::usdm};
  pd::request_policy policy;
  pd::account_facts facts;
  pd::request_machine machine{policy, facts};

  account() {
    policy.products = products;
    facts.warm = true;
  }
  account(const account&) = delete;
  account& operator=(const account&) = delete;

  // The set of a new request is on the wire.
  void arm(std::uint64_t id) {
    pd::trigger t{id, 0, pc::position_mode::hedge, static_cast<std::int64_t>(id) * ms};
    (void)machine.begin(t, t.trigger_ns);
    (void)machine.on_sent(t.trigger_ns + 1'000, t.trigger_ns + 5'000 * ms);
  }
};

pc::venue_reply reply_of(pc::outcome o) {
  pc::venue_reply r;
  r.result = o;
  r.http_status = o == pc::outcome::applied ? 200 : 429;
  r.has_code = true;
  r.code = o == pc::outcome::applied ? 200 : -1003;
  r.message.assign(o == pc::outcome::applied ? "success" : "Too many requests");
  return r;
}

void per_step_counter(benchmark::State& state, std::size_t steps) {
  state.counters["s_per_step"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * static_cast<double>(steps),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// A new request's set goes on the wire: begin (steps: send_set) and on_sent (no steps).
void bm_machine_begin_sent(benchmark::State& state) {
  account a;
  std::uint64_t id = 1;
  for (auto _ : state) {
    a.arm(id++);
    benchmark::DoNotOptimize(a.machine.current_state());
  }
  if (a.machine.current_state() != pd::request_machine::state::set_sent)
    state.SkipWithError("the set is not on the wire");
  per_step_counter(state, 1);
}

// The same, then the set's answer: the answer step costs the difference between the two.
void bm_machine_set_answer(benchmark::State& state, pc::outcome o) {
  account a;
  const pc::venue_reply reply = reply_of(o);
  std::uint64_t id = 1;
  std::size_t published = 0;
  for (auto _ : state) {
    a.arm(id++);
    const pd::step_list& steps =
        a.machine.on_answer(reply, a.machine.current().trigger_ns + 2 * ms);
    published += steps.size();
    benchmark::DoNotOptimize(steps.size());
  }
  const bool ends = o == pc::outcome::applied;
  if (a.machine.active() == ends || published == 0)
    state.SkipWithError("the answer did not lead where the table says");
  per_step_counter(state, 1);
}

void bm_machine_begin_sent_applied(benchmark::State& state) {
  bm_machine_set_answer(state, pc::outcome::applied);
}
void bm_machine_begin_sent_rate_limited(benchmark::State& state) {
  bm_machine_set_answer(state, pc::outcome::rate_limited);
}

// Baseline: the same answer copied into an event by hand, nothing decided.
void bm_baseline_fill_event(benchmark::State& state) {
  std::array<pc::position_event, batch> events{};
  const pc::venue_reply reply = reply_of(pc::outcome::applied);
  std::int64_t now = 1;
  for (auto _ : state) {
    for (pc::position_event& e : events) {
      e = pc::position_event{};
      e.request_id = static_cast<std::uint64_t>(now);
      e.status = pc::event_status::applied;
      e.terminal = true;
      pd::fill_reply(e, &reply, {});
      e.response_ns = ++now;
      benchmark::DoNotOptimize(e);
    }
  }
  per_step_counter(state, batch);
}

// The state recording touches, as the component lays it out: its own two histograms, the
// account's three (on the heap), the health's draft and seqlock.
struct recording_state {
  std::unique_ptr<posmode::engine::latency_histogram> wire =
      std::make_unique<posmode::engine::latency_histogram>();
  std::unique_ptr<posmode::engine::latency_histogram> event =
      std::make_unique<posmode::engine::latency_histogram>();
  std::unique_ptr<std::array<posmode::engine::latency_histogram, pc::latency_kind_count>> account =
      std::make_unique<std::array<posmode::engine::latency_histogram, pc::latency_kind_count>>();
  pc::account_health draft;
  posmode::engine::seqlock<pc::account_health> health;
};

void bm_recording(benchmark::State& state, bool on) {
  recording_state r;
  // Latencies of a loopback request (tens of microseconds), varied so that buckets change.
  std::int64_t wire = 40'000;
  std::int64_t answer = 150'000;
  for (auto _ : state) {
    wire = 40'000 + (wire * 7 + 13) % 8'192;
    answer = 150'000 + (answer * 5 + 11) % 65'536;
    ++r.draft.sets_sent;
    ++r.draft.outcomes[0];
    ++r.draft.requests;
    r.draft.last_round_trip_ns = answer;
    if (on) {
      (*r.account)[2].record(answer);  // the answer, before the event
      r.wire->record(wire);            // after the write
      (*r.account)[0].record(wire);
      r.event->record(wire + answer);  // after the event
      (*r.account)[1].record(wire + answer);
      r.health.store(r.draft);  // note_event
    }
    benchmark::DoNotOptimize(r.draft);
    benchmark::ClobberMemory();
  }
  if (on && r.event->count() != static_cast<std::uint64_t>(state.iterations()))
    state.SkipWithError("a record went missing");
  per_step_counter(state, 1);
}

void bm_recording_on(benchmark::State& state) {
  bm_recording(state, true);
}
void bm_recording_off(benchmark::State& state) {
  bm_recording(state, false);
}

}  // namespace

BENCHMARK(bm_recording_off);
BENCHMARK(bm_recording_on);
BENCHMARK(bm_baseline_fill_event);
BENCHMARK(bm_machine_begin_sent);
BENCHMARK(bm_machine_begin_sent_applied);
BENCHMARK(bm_machine_begin_sent_rate_limited);
BENCHMARK_MAIN();
