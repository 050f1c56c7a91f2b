#include "posmode/engine/clock_offset.hpp"

#include <doctest/doctest.h>

using posmode::engine::clock_offset_estimator;
using posmode::engine::clock_sample;

namespace {

constexpr std::int64_t ms = 1'000'000;

// A server whose clock is `skew_ms` ahead of ours read it `read_after_ms` into a round trip of
// `rtt_ms` that ended at local wall time `end_wall_ms` (monotonic time in ns runs alongside).
clock_sample sample(std::int64_t skew_ms, std::int64_t rtt_ms, std::int64_t read_after_ms,
                    std::int64_t end_wall_ms = 1'700'000'000'000) {
  const std::int64_t start_wall = end_wall_ms - rtt_ms;
  return {.sent_monotonic_ns = start_wall * ms,
          .received_monotonic_ns = end_wall_ms * ms,
          .received_wall_ms = end_wall_ms,
          .server_ms = start_wall + read_after_ms + skew_ms};
}

}  // namespace

TEST_CASE("no sample: offset zero and not valid") {
  clock_offset_estimator e;
  CHECK_FALSE(e.valid());
  CHECK(e.offset_ms() == 0);
  CHECK(e.midpoint_offset_ms() == 0);
}

TEST_CASE("the offset never runs ahead of the server, wherever in the round trip it read") {
  for (std::int64_t skew : {-5000, -1, 0, 1, 3700}) {
    for (std::int64_t read_after : {0, 5, 10}) {
      clock_offset_estimator e;
      REQUIRE(e.add(sample(skew, 10, read_after)));
      CAPTURE(skew);
      CAPTURE(read_after);
      // Our stamp local + offset must not exceed the server's clock; it may trail by the RTT.
      CHECK(e.offset_ms() <= skew);
      CHECK(e.offset_ms() >= skew - 10 - 2);
      CHECK(e.round_trip_ns() == 10 * ms);
    }
  }
}

TEST_CASE("the midpoint estimate is exact for a symmetric path") {
  clock_offset_estimator e;
  REQUIRE(e.add(sample(2500, 20, 10)));
  CHECK(e.midpoint_offset_ms() == 2500);
  CHECK(e.offset_ms() == 2500 - 10 - 1);
}

TEST_CASE("the shortest round trip in the window wins, and old samples leave the window") {
  clock_offset_estimator e;
  REQUIRE(e.add(sample(1000, 2, 1)));  // tight
  for (int i = 0; i < 5; ++i)
    REQUIRE(e.add(sample(1000, 80, 79)));  // slow, read late: a looser bound
  CHECK(e.round_trip_ns() == 2 * ms);
  CHECK(e.offset_ms() == 1000 - 1 - 1);
  for (std::size_t i = 0; i < clock_offset_estimator::window; ++i)
    REQUIRE(e.add(sample(1000, 80, 0)));
  CHECK(e.round_trip_ns() == 80 * ms);
  CHECK(e.samples() == clock_offset_estimator::window);
}

TEST_CASE("implausible samples are ignored, and reset forgets") {
  clock_offset_estimator e;
  clock_sample backwards = sample(0, 10, 5);
  backwards.received_monotonic_ns = backwards.sent_monotonic_ns - 1;
  CHECK_FALSE(e.add(backwards));
  clock_sample no_time = sample(0, 10, 5);
  no_time.server_ms = 0;
  CHECK_FALSE(e.add(no_time));
  CHECK_FALSE(e.valid());
  REQUIRE(e.add(sample(0, 10, 5)));
  e.reset();
  CHECK_FALSE(e.valid());
}
