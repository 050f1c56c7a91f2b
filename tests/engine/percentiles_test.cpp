#include "posmode/engine/percentiles.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

using posmode::engine::summarize;

TEST_CASE("nearest-rank percentiles of 1..1000 in shuffled order") {
  std::vector<std::int64_t> samples(1000);
  std::iota(samples.begin(), samples.end(), 1);
  std::shuffle(samples.begin(), samples.end(), std::mt19937(7));
  const auto s = summarize(samples);
  CHECK(s.count == 1000);
  CHECK(s.min == 1);
  CHECK(s.p50 == 500);
  CHECK(s.p90 == 900);
  CHECK(s.p99 == 990);
  CHECK(s.p999 == 999);
  CHECK(s.max == 1000);
}

TEST_CASE("a single sample is every percentile, and no samples give an all-zero summary") {
  std::vector<std::int64_t> one{42};
  const auto s = summarize(one);
  CHECK(s.count == 1);
  CHECK((s.min == 42 && s.p50 == 42 && s.p999 == 42 && s.max == 42));
  std::vector<std::int64_t> none;
  const auto z = summarize(none);
  CHECK(z.count == 0);
  CHECK(z.max == 0);
}

TEST_CASE("a tail of outliers shows in p99.9 and max but not in p50") {
  std::vector<std::int64_t> samples(10000, 100);
  for (std::size_t i = 0; i < 15; ++i)
    samples[i * 600] = 1'000'000;
  const auto s = summarize(samples);
  CHECK(s.p50 == 100);
  CHECK(s.p99 == 100);
  CHECK(s.p999 == 1'000'000);
  CHECK(s.max == 1'000'000);
}
