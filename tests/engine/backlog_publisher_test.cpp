#include "posmode/engine/backlog_publisher.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <stdexcept>

using posmode::engine::backlog_publisher;
using posmode::engine::spsc_ring;

TEST_CASE("items go straight to the ring while it has room") {
  spsc_ring<std::uint64_t> ring(4);
  backlog_publisher<std::uint64_t> p(ring, 8);
  for (std::uint64_t i = 1; i <= 4; ++i)
    REQUIRE(p.publish(i));
  CHECK(p.waiting() == 0);
  CHECK(ring.size() == 4);
  CHECK(p.backlogged_total() == 0);
}

TEST_CASE("a full ring sends items to the backlog, and flush delivers them in order") {
  spsc_ring<std::uint64_t> ring(2);
  backlog_publisher<std::uint64_t> p(ring, 8);
  for (std::uint64_t i = 1; i <= 7; ++i)
    REQUIRE(p.publish(i));
  CHECK(p.waiting() == 5);
  CHECK(p.high_water() == 5);
  CHECK(p.backlogged_total() == 5);
  std::uint64_t expected = 1;
  std::uint64_t got = 0;
  while (expected <= 7) {
    p.flush();
    while (ring.try_pop(got))
      CHECK(got == expected++);
  }
  CHECK(p.waiting() == 0);
  // Once drained, new items go straight to the ring again, after nothing older.
  REQUIRE(p.publish(8));
  REQUIRE(ring.try_pop(got));
  CHECK(got == 8);
}

TEST_CASE("a new item never overtakes a waiting one") {
  spsc_ring<std::uint64_t> ring(2);
  backlog_publisher<std::uint64_t> p(ring, 4);
  REQUIRE(p.publish(1));
  REQUIRE(p.publish(2));
  REQUIRE(p.publish(3));  // waits
  std::uint64_t got = 0;
  REQUIRE(ring.try_pop(got));  // room for one, but 3 is waiting: 4 must queue behind it
  REQUIRE(p.publish(4));
  CHECK(p.waiting() == 1);
  for (std::uint64_t expected = 2; expected <= 4; ++expected) {
    if (ring.empty()) p.flush();
    REQUIRE(ring.try_pop(got));
    CHECK(got == expected);
  }
}

TEST_CASE("room is bounded: has_room tells, and publish refuses beyond it") {
  spsc_ring<std::uint64_t> ring(1);
  backlog_publisher<std::uint64_t> p(ring, 2);
  REQUIRE(p.publish(1));
  CHECK(p.has_room(2));
  REQUIRE(p.publish(2));
  REQUIRE(p.publish(3));
  CHECK_FALSE(p.has_room(1));
  CHECK_FALSE(p.publish(4));
  CHECK(p.waiting() == 2);
  CHECK_THROWS_AS(backlog_publisher<std::uint64_t>(ring, 0), std::invalid_argument);
}
