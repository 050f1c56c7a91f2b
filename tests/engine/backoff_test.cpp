#include "posmode/engine/backoff.hpp"

#include <doctest/doctest.h>

#include <set>
#include <stdexcept>

using posmode::engine::backoff_options;
using posmode::engine::backoff_policy;
using std::chrono::milliseconds;

TEST_CASE("without jitter the delays double from initial up to the cap, and reset starts over") {
  backoff_policy b(
      {.initial = milliseconds(50), .max = milliseconds(1000), .multiplier = 2.0, .jitter = 0.0});
  const long expected[] = {50, 100, 200, 400, 800, 1000, 1000};
  for (long e : expected)
    CHECK(b.next_delay().count() == e);
  CHECK(b.failures() == 7);
  b.reset();
  CHECK(b.failures() == 0);
  CHECK(b.next_delay().count() == 50);
}

TEST_CASE("saturate() jumps to the cap at once, and reset() starts over") {
  backoff_policy b(
      {.initial = milliseconds(50), .max = milliseconds(5000), .multiplier = 2.0, .jitter = 0.0});
  CHECK(b.next_delay().count() == 50);
  b.saturate();
  CHECK(b.next_delay().count() == 5000);
  CHECK(b.next_delay().count() == 5000);
  CHECK(b.failures() == 3);
  b.reset();
  CHECK(b.next_delay().count() == 50);
}

TEST_CASE("jittered delays stay within [(1 - jitter) * base, base] and differ") {
  backoff_policy b({.initial = milliseconds(100),
                    .max = milliseconds(1'000'000),
                    .multiplier = 3.0,
                    .jitter = 0.5},
                   42);
  std::set<long> seen;
  double base = 100;
  for (int i = 0; i < 8; ++i) {
    const long d = b.next_delay().count();
    CAPTURE(i);
    CHECK(d >= static_cast<long>(base * 0.5) - 1);
    CHECK(d <= static_cast<long>(base));
    seen.insert(d);
    base *= 3;
  }
  CHECK(seen.size() == 8);
}

TEST_CASE("the same seed gives the same sequence, and another seed another one") {
  const backoff_options o{
      .initial = milliseconds(1000), .max = milliseconds(60'000), .multiplier = 2.0, .jitter = 1.0};
  backoff_policy a(o, 7), b(o, 7), c(o, 8);
  bool differs = false;
  for (int i = 0; i < 6; ++i) {
    const auto da = a.next_delay();
    CHECK(da == b.next_delay());
    differs = differs || da != c.next_delay();
  }
  CHECK(differs);
}

TEST_CASE("invalid backoff options are refused") {
  CHECK_THROWS_AS(backoff_policy({.initial = milliseconds(0)}), std::invalid_argument);
  CHECK_THROWS_AS(backoff_policy({.initial = milliseconds(10), .max = milliseconds(5)}),
                  std::invalid_argument);
  CHECK_THROWS_AS(backoff_policy({.multiplier = 0.5}), std::invalid_argument);
  CHECK_THROWS_AS(backoff_policy({.jitter = 1.5}), std::invalid_argument);
  CHECK_THROWS_AS(backoff_policy({.jitter = -0.1}), std::invalid_argument);
}
