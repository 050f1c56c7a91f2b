#include "posmode/engine/clock.hpp"

#include <doctest/doctest.h>

#include <chrono>

using namespace posmode::engine;
using namespace std::chrono_literals;

TEST_CASE("the system monotonic clock never goes backwards") {
  std::int64_t previous = system_clock::monotonic_ns();
  for (int i = 0; i < 100000; ++i) {
    const std::int64_t now = system_clock::monotonic_ns();
    REQUIRE(now >= previous);
    previous = now;
  }
}

TEST_CASE("the system wall clock reads milliseconds since the Unix epoch") {
  const std::int64_t ms = system_clock::wall_ms();
  CHECK(ms > 1'600'000'000'000);  // after September 2020
  CHECK(ms < 4'102'444'800'000);  // before 2100: seconds or microseconds would fail one bound
}

TEST_CASE("a default clock_ref reads the system clock") {
  const clock_ref ref;
  CHECK(ref.is_system());
  const std::int64_t before = system_clock::monotonic_ns();
  const std::int64_t read = ref.monotonic_ns();
  CHECK(read >= before);
  CHECK(ref.wall_ms() > 1'600'000'000'000);
}

TEST_CASE("a clock_ref bound to a manual clock follows it, sub-millisecond steps included") {
  manual_clock manual(1'000, 1'700'000'000'000);
  const clock_ref ref(manual);
  CHECK_FALSE(ref.is_system());
  CHECK(ref.monotonic_ns() == 1'000);
  CHECK(ref.wall_ms() == 1'700'000'000'000);
  manual.advance(600us);
  CHECK(ref.monotonic_ns() == 601'000);
  CHECK(ref.wall_ms() == 1'700'000'000'000);
  manual.advance(600us);
  CHECK(ref.wall_ms() == 1'700'000'000'001);
  manual.set_wall_ms(1'699'999'000'000);
  CHECK(ref.wall_ms() == 1'699'999'000'000);
  CHECK(ref.monotonic_ns() == 1'201'000);
}
