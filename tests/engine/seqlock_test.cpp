// seqlock: a reader on another thread never sees a torn value, and sees the writer's values in
// order; a reader that cannot get a clean copy says so instead of returning a mix.

#include "posmode/engine/seqlock.hpp"

#include <doctest/doctest.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <thread>

using posmode::engine::seqlock;

namespace {

// 40 words: a copy takes long enough for the writer to overlap it often.
struct wide {
  std::array<std::uint64_t, 40> words{};
};

}  // namespace

TEST_CASE("a seqlock's reader sees whole values in order while the writer stores without pause") {
  seqlock<wide> lock;
  std::atomic<bool> done{false};
  constexpr std::uint64_t last = 200'000;
  std::thread writer([&] {
    wide v;
    for (std::uint64_t n = 1; n <= last; ++n) {
      v.words.fill(n);
      lock.store(v);
    }
    done = true;
  });
  std::uint64_t previous = 0;
  std::uint64_t reads = 0;
  bool torn = false;
  bool backwards = false;
  while (!done.load() || previous != last) {
    wide seen;
    if (!lock.load(seen)) continue;  // every attempt overlapped a store: try again
    ++reads;
    for (const auto w : seen.words)
      torn = torn || w != seen.words[0];
    backwards = backwards || seen.words[0] < previous;
    previous = seen.words[0];
    if (done.load() && previous == last) break;
  }
  writer.join();
  CHECK_FALSE(torn);
  CHECK_FALSE(backwards);
  CHECK(reads > 0);
  CHECK(previous == last);
}

TEST_CASE("a seqlock starts with a value-initialised T and hands back what was stored") {
  seqlock<wide> lock;
  wide out;
  out.words.fill(7);
  REQUIRE(lock.load(out));
  CHECK(out.words[0] == 0);
  CHECK(out.words[39] == 0);
  wide in;
  in.words[3] = 42;
  lock.store(in);
  REQUIRE(lock.load(out));
  CHECK(out.words[3] == 42);
}
