#include "posmode/engine/clock.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <ctime>

using namespace posmode::engine;
using namespace std::chrono_literals;

namespace {

std::int64_t clock_gettime_ns(clockid_t id) {
  timespec ts{};
  ::clock_gettime(id, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

// Not "it never goes backwards" (the kernel promises that): posmode must read CLOCK_MONOTONIC, in
// nanoseconds, and not a clock that a stepped wall clock moves.
TEST_CASE("the system monotonic clock is CLOCK_MONOTONIC in nanoseconds") {
  for (int i = 0; i < 1000; ++i) {
    const std::int64_t before = clock_gettime_ns(CLOCK_MONOTONIC);
    const std::int64_t read = system_clock::monotonic_ns();
    const std::int64_t after = clock_gettime_ns(CLOCK_MONOTONIC);
    REQUIRE(before <= read);
    REQUIRE(read <= after);
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
