#include "posmode/engine/spsc_ring.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <deque>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "support/allocation_counter.hpp"

using posmode::engine::spsc_ring;

namespace {

// Trivially copyable, but constructing one from an int is observable.
struct counted {
  static inline int constructions = 0;
  int value;
  explicit counted(int v) noexcept : value(v) { ++constructions; }
};
static_assert(std::is_trivially_copyable_v<counted>);

struct record {
  std::uint64_t sequence;
  std::uint64_t payload;
};

}  // namespace

static_assert(posmode::engine::ring_element<record>);
static_assert(!posmode::engine::ring_element<std::string>,
              "a record that owns memory must not fit in the ring");
static_assert(!std::is_copy_constructible_v<spsc_ring<int>> &&
                  !std::is_move_constructible_v<spsc_ring<int>>,
              "a ring hands out addresses of its slots: it must not move");
static_assert(alignof(spsc_ring<int>) == posmode::engine::false_sharing_range &&
                  sizeof(spsc_ring<int>) == 5 * posmode::engine::false_sharing_range,
              "shared, producer, consumer, read index and write index: one 128-byte group each");
static_assert(noexcept(std::declval<spsc_ring<int>&>().try_push(1)) && noexcept(
    std::declval<spsc_ring<int>&>().try_emplace(
        1)) && noexcept(std::declval<spsc_ring<int>&>()
                            .front()) && noexcept(std::declval<spsc_ring<int>&>()
                                                      .pop()) && noexcept(std::declval<spsc_ring<int>&>()
                                                                              .try_pop(
                                                                                  std::declval<
                                                                                      int&>())) && noexcept(std::
                                                                                                                declval<const spsc_ring<
                                                                                                                    int>&>()
                                                                                                                    .size()));

TEST_CASE("a new ring is empty and reports the capacity it was given") {
  spsc_ring<int> ring(8);
  CHECK(ring.capacity() == 8);
  CHECK(ring.size() == 0);
  CHECK(ring.empty());
  CHECK(ring.front() == nullptr);
  int out = 42;
  CHECK_FALSE(ring.try_pop(out));
  CHECK(out == 42);
}

TEST_CASE("a capacity of zero or not a power of two is refused with the value named") {
  CHECK_THROWS_WITH_AS(spsc_ring<int>(0), doctest::Contains("got 0"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(spsc_ring<int>(3), doctest::Contains("got 3"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(spsc_ring<int>(1000), doctest::Contains("got 1000"), std::invalid_argument);
  CHECK_THROWS_AS(spsc_ring<int>(std::size_t{1} << 63), std::invalid_argument);
  CHECK_NOTHROW(spsc_ring<int>(1));
}

TEST_CASE("a ring accepts exactly capacity records, refuses the next and drains in FIFO order") {
  for (const std::size_t capacity : {1U, 2U, 4U, 64U}) {
    CAPTURE(capacity);
    spsc_ring<int> ring(capacity);
    for (std::size_t i = 0; i < capacity; ++i)
      REQUIRE(ring.try_push(static_cast<int>(i)));
    CHECK(ring.size() == capacity);
    CHECK_FALSE(ring.try_push(-1));
    CHECK_FALSE(ring.try_emplace(-1));
    for (std::size_t i = 0; i < capacity; ++i) {
      int* f = ring.front();
      REQUIRE(f != nullptr);
      CHECK(*f == static_cast<int>(i));
      ring.pop();
    }
    CHECK(ring.empty());
    CHECK(ring.front() == nullptr);
  }
}

TEST_CASE("indices that wrap around 2^64 keep order and the full and empty checks exact") {
  constexpr std::size_t near_wrap = std::numeric_limits<std::size_t>::max() - 5;
  spsc_ring<std::uint64_t> ring(4, near_wrap);
  std::uint64_t next_in = 0;
  std::uint64_t next_out = 0;
  for (int round = 0; round < 50; ++round) {
    while (ring.try_push(next_in))
      ++next_in;
    CHECK(ring.size() == 4);
    std::uint64_t v = 0;
    REQUIRE(ring.try_pop(v));
    CHECK(v == next_out++);
    REQUIRE(ring.try_pop(v));
    CHECK(v == next_out++);
    CHECK(ring.size() == 2);
  }
  std::uint64_t v = 0;
  while (ring.try_pop(v))
    CHECK(v == next_out++);
  CHECK(next_out == next_in);
  CHECK(ring.empty());
}

TEST_CASE("a slot's turn never reads as filled before its push, at any start index") {
  // The turn that marks a slot filled is `index + 1`; these start indices make it wrap to 0 on
  // the first lap (capacity 1 at SIZE_MAX) or a few records in, where an initial turn of 0 would
  // read as filled.
  for (const std::size_t capacity : {1U, 2U, 4U}) {
    for (const std::size_t start : {std::numeric_limits<std::size_t>::max(),
                                    std::numeric_limits<std::size_t>::max() - 2, std::size_t{0}}) {
      CAPTURE(capacity);
      CAPTURE(start);
      spsc_ring<std::uint64_t> ring(capacity, start);
      std::uint64_t next_in = 0;
      std::uint64_t next_out = 0;
      for (int round = 0; round < 3 * static_cast<int>(capacity) + 3; ++round) {
        CHECK(ring.front() == nullptr);
        CHECK(ring.empty());
        while (ring.try_push(next_in))
          ++next_in;
        CHECK(ring.size() == capacity);
        std::uint64_t v = 0;
        while (ring.try_pop(v))
          CHECK(v == next_out++);
        CHECK(next_out == next_in);
      }
    }
  }
}

namespace {
// Larger than a cache line: its slot spans whole lines, with the turn after the record.
struct wide_record {
  std::uint64_t sequence;
  std::uint64_t words[23];
};
static_assert(sizeof(wide_record) == 192);
}  // namespace

TEST_CASE("records wider than a cache line keep every byte across laps") {
  spsc_ring<wide_record> ring(4, std::numeric_limits<std::size_t>::max() - 6);
  std::uint64_t next_in = 0;
  std::uint64_t next_out = 0;
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < 3; ++i) {
      wide_record r{};
      r.sequence = next_in;
      for (std::uint64_t& w : r.words)
        w = next_in * 31 + static_cast<std::uint64_t>(&w - r.words);
      if (!ring.try_push(r)) break;
      ++next_in;
    }
    for (int i = 0; i < 2; ++i) {
      const wide_record* r = ring.front();
      REQUIRE(r != nullptr);
      CHECK(r->sequence == next_out);
      for (std::size_t w = 0; w < 23; ++w)
        CHECK(r->words[w] == next_out * 31 + w);
      ring.pop();
      ++next_out;
    }
  }
  CHECK(ring.size() == next_in - next_out);
}

TEST_CASE("slots are constructed only by a successful emplace, in place, and never by the ring") {
  counted::constructions = 0;
  spsc_ring<counted> ring(2);
  CHECK(counted::constructions == 0);  // raw storage: no default construction of slots
  REQUIRE(ring.try_emplace(7));
  CHECK(counted::constructions == 1);
  const counted c(8);
  CHECK(counted::constructions == 2);
  REQUIRE(ring.try_push(c));  // a trivial copy, not a construction from int
  CHECK(counted::constructions == 2);
  CHECK_FALSE(ring.try_emplace(9));  // full: the arguments must not be used
  CHECK(counted::constructions == 2);
  counted* first = ring.front();
  REQUIRE(first != nullptr);
  CHECK(first == ring.front());  // front is stable until pop
  CHECK(first->value == 7);
  ring.pop();
  REQUIRE(ring.front() != nullptr);
  CHECK(ring.front()->value == 8);
}

#if POSMODE_ALLOCATION_COUNTING
TEST_CASE("push, front, pop and try_pop never allocate") {
  spsc_ring<record> ring(16);
  posmode::test::allocation_scope scope;
  for (std::uint64_t i = 0; i < 1000; ++i) {
    REQUIRE(ring.try_push(record{i, i * 3}));
    record r{};
    REQUIRE(ring.try_pop(r));
    CHECK(r.sequence == i);
  }
  CHECK(scope.count() == 0);
}

TEST_CASE("bursts (try_push_n, try_pop_n) never allocate") {
  spsc_ring<record> ring(16);
  std::array<record, 5> in{};
  std::array<record, 5> out{};
  posmode::test::allocation_scope scope;
  for (std::uint64_t i = 0; i < 1000; ++i) {
    for (std::uint64_t k = 0; k < in.size(); ++k)
      in[k] = record{i * in.size() + k, k};
    REQUIRE(ring.try_push_n(in) == in.size());
    REQUIRE(ring.try_pop_n(out) == out.size());
    CHECK(out.back().sequence == i * in.size() + in.size() - 1);
  }
  CHECK(scope.count() == 0);
}
#endif

TEST_CASE("random operation sequences behave like a std::deque bounded to the capacity") {
  const std::uint32_t seed = 20261121;
  INFO("seed = " << seed);
  std::mt19937 rng(seed);
  for (const std::size_t capacity : {1U, 2U, 8U, 32U}) {
    CAPTURE(capacity);
    spsc_ring<std::uint32_t> ring(capacity, std::numeric_limits<std::size_t>::max() - 40);
    std::deque<std::uint32_t> model;
    for (int step = 0; step < 20000; ++step) {
      const auto op = rng() % 3;
      if (op == 0) {
        const auto v = static_cast<std::uint32_t>(rng());
        const bool pushed = ring.try_push(v);
        CHECK(pushed == (model.size() < capacity));
        if (pushed) model.push_back(v);
      } else if (op == 1) {
        std::uint32_t v = 0;
        const bool popped = ring.try_pop(v);
        CHECK(popped == !model.empty());
        if (popped) {
          CHECK(v == model.front());
          model.pop_front();
        }
      } else {
        std::uint32_t* f = ring.front();
        CHECK((f == nullptr) == model.empty());
        if (f != nullptr) CHECK(*f == model.front());
      }
      REQUIRE(ring.size() == model.size());
    }
  }
}

namespace {

// Moves `count` records between two threads; returns the consumer's (sequence ok, checksum).
void two_thread_stress(std::size_t capacity, std::size_t start_index, std::uint64_t count) {
  spsc_ring<record> ring(capacity, start_index);
  std::uint64_t produced_sum = 0;
  std::thread producer([&] {
    std::uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (std::uint64_t i = 0; i < count; ++i) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      produced_sum += x;
      // Yielding while full keeps the test quick when other tests share the two cores: a spin
      // would burn the time slice the consumer needs.
      while (!ring.try_push(record{i, x}))
        std::this_thread::yield();
    }
  });
  std::uint64_t consumed_sum = 0;
  std::uint64_t out_of_order = 0;
  for (std::uint64_t expected = 0; expected < count;) {
    const record* r = ring.front();
    if (r == nullptr) {
      std::this_thread::yield();
      continue;
    }
    if (r->sequence != expected) ++out_of_order;
    consumed_sum += r->payload;
    ring.pop();
    ++expected;
  }
  producer.join();
  CHECK(out_of_order == 0);
  CHECK(consumed_sum == produced_sum);
  CHECK(ring.empty());
}

}  // namespace

TEST_SUITE("stress") {
  TEST_CASE("ten million records cross two threads in order with a matching checksum") {
    two_thread_stress(1024, 0, 10'000'000);
  }

  TEST_CASE("a small ring whose indices wrap at 2^64 under two threads loses nothing") {
    two_thread_stress(8, std::numeric_limits<std::size_t>::max() - 100'000, 2'000'000);
  }
}

TEST_CASE("bursts (try_push_n, try_pop_n) behave like a std::deque bounded to the capacity") {
  // Mixed with single pushes and pops, at capacities below, at and above the records per line
  // group (7 of 8 bytes, 3 of 16), from a start index 40 below the wrap at 2^64.
  const std::uint32_t seed = 20261207;
  INFO("seed = " << seed);
  std::mt19937 rng(seed);
  for (const std::size_t capacity : {1U, 2U, 4U, 8U, 16U, 64U}) {
    CAPTURE(capacity);
    spsc_ring<std::uint64_t> ring(capacity, std::numeric_limits<std::size_t>::max() - 40);
    spsc_ring<record> wide(capacity, std::numeric_limits<std::size_t>::max() - 40);
    std::deque<std::uint64_t> model;
    std::uint64_t next = 0;
    std::vector<std::uint64_t> in;
    std::vector<std::uint64_t> out;
    std::vector<record> wide_in;
    std::vector<record> wide_out;
    for (int step = 0; step < 20000; ++step) {
      const auto op = rng() % 4;
      const std::size_t n = rng() % (2 * capacity + 2);
      if (op == 0) {
        in.clear();
        wide_in.clear();
        for (std::size_t i = 0; i < n; ++i) {
          in.push_back(next + i);
          wide_in.push_back(record{next + i, ~(next + i)});
        }
        const std::size_t room = capacity - model.size();
        const std::size_t pushed = ring.try_push_n(in);
        CHECK(pushed == std::min(n, room));
        CHECK(wide.try_push_n(wide_in) == pushed);
        for (std::size_t i = 0; i < pushed; ++i)
          model.push_back(next++);
      } else if (op == 1) {
        out.assign(n + 1, 0xdeadU);  // one more than asked: the slot past the count is untouched
        wide_out.assign(n, record{0, 0});
        const std::size_t popped = ring.try_pop_n(std::span(out).first(n));
        CHECK(popped == std::min(n, model.size()));
        CHECK(wide.try_pop_n(wide_out) == popped);
        for (std::size_t i = 0; i < popped; ++i) {
          CHECK(out[i] == model.front());
          CHECK(wide_out[i].sequence == model.front());
          CHECK(wide_out[i].payload == ~model.front());
          model.pop_front();
        }
        CHECK(out[popped] == 0xdeadU);
      } else if (op == 2) {
        const bool pushed = ring.try_push(next);
        CHECK(pushed == (model.size() < capacity));
        CHECK(wide.try_push(record{next, ~next}) == pushed);
        if (pushed) model.push_back(next++);
      } else {
        std::uint64_t v = 0;
        record w{};
        const bool popped = ring.try_pop(v);
        CHECK(popped == !model.empty());
        CHECK(wide.try_pop(w) == popped);
        if (popped) {
          CHECK(v == model.front());
          CHECK(w.sequence == model.front());
          model.pop_front();
        }
      }
      REQUIRE(ring.size() == model.size());
      REQUIRE(wide.size() == model.size());
    }
  }
}

TEST_CASE("bursts cross two threads in order with nothing lost") {
  spsc_ring<record> ring(64, std::numeric_limits<std::size_t>::max() - 1000);
  constexpr std::uint64_t count = 2'000'000;
  std::thread producer([&] {
    std::vector<record> burst;
    std::mt19937 rng(7);
    for (std::uint64_t next = 0; next < count;) {
      burst.clear();
      const std::uint64_t n = std::min<std::uint64_t>(1 + rng() % 40, count - next);
      for (std::uint64_t i = 0; i < n; ++i)
        burst.push_back(record{next + i, (next + i) * 3});
      std::span<const record> left(burst);
      while (!left.empty()) {
        const std::size_t pushed = ring.try_push_n(left);
        left = left.subspan(pushed);
        if (pushed == 0) std::this_thread::yield();
      }
      next += n;
    }
  });
  std::vector<record> out(25);
  std::uint64_t expected = 0;
  std::uint64_t wrong = 0;
  while (expected < count) {
    const std::size_t popped = ring.try_pop_n(out);
    if (popped == 0) std::this_thread::yield();
    for (std::size_t i = 0; i < popped; ++i, ++expected)
      if (out[i].sequence != expected || out[i].payload != expected * 3) ++wrong;
  }
  producer.join();
  CHECK(wrong == 0);
  CHECK(ring.empty());
}
