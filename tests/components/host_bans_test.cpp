// The component's table of hosts that banned the IP (private header, tested directly).

#include "host_bans.hpp"

#include <doctest/doctest.h>

#include <string>

using posmode::components::detail::host_bans;

TEST_CASE("a ban holds until its end, for that host only, and is only ever extended") {
  host_bans bans;
  CHECK(bans.empty());
  CHECK_FALSE(bans.banned("fapi.binance.com", 0));
  bans.ban("fapi.binance.com", 1'000);
  CHECK_FALSE(bans.empty());
  CHECK(bans.banned("fapi.binance.com", 999));
  CHECK_FALSE(bans.banned("fapi.binance.com", 1'000));  // the end is exclusive
  CHECK_FALSE(bans.banned("papi.binance.com", 500));
  CHECK_FALSE(bans.banned("fapi.binance.co", 500));
  bans.ban("fapi.binance.com", 400);  // a shorter ban does not shorten the one in force
  CHECK(bans.banned("fapi.binance.com", 999));
  bans.ban("fapi.binance.com", 5'000);
  CHECK(bans.banned("fapi.binance.com", 4'999));
}

TEST_CASE("a full table replaces the ban that ends first") {
  host_bans bans;
  for (std::size_t i = 0; i < host_bans::capacity; ++i)
    bans.ban("host" + std::to_string(i), static_cast<std::int64_t>(1'000 + i));
  bans.ban("newcomer", 10'000);
  CHECK(bans.banned("newcomer", 9'999));
  CHECK_FALSE(bans.banned("host0", 0));  // ended first, so it made room
  for (std::size_t i = 1; i < host_bans::capacity; ++i)
    CHECK(bans.banned("host" + std::to_string(i), 999));
}

TEST_CASE("the longest DNS name is kept whole") {
  host_bans bans;
  const std::string longest(253, 'a');
  bans.ban(longest, 100);
  CHECK(bans.banned(longest, 0));
  CHECK_FALSE(bans.banned(std::string(252, 'a'), 0));
}
