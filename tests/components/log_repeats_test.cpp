// log_repeats: identical warnings are written once and then counted; the count is written when
// the window has passed, when the slot is needed for another line, and at stop.

#include "log_repeats.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using posmode::components::log_level;
using posmode::components::detail::log_repeats;

namespace {

constexpr std::int64_t second = 1'000'000'000;

struct sink {
  std::vector<std::string> lines;
  log_repeats filter;

  // What the component's log() does: summaries first, then the line if admitted.
  void log(log_level level, const std::string& text, std::int64_t now) {
    const auto emit = [this](log_level, std::string_view t) { lines.emplace_back(t); };
    if (filter.admit(level, text, now, emit)) lines.push_back(text);
  }
  void stop() {
    filter.flush_all([this](log_level, std::string_view t) { lines.emplace_back(t); });
  }
};

}  // namespace

TEST_CASE("a repeated warning is written once, then counted until the window has passed") {
  sink s;
  s.log(log_level::warning, "down: refused", 0);
  for (int i = 1; i <= 41; ++i)
    s.log(log_level::warning, "down: refused", i * second / 5);  // 41 more over 8.2 s
  REQUIRE(s.lines.size() == 1);
  // Any line at 10 s writes the count that is due, then itself.
  s.log(log_level::info, "clock synced", 10 * second);
  REQUIRE(s.lines.size() == 3);
  CHECK(s.lines[1] == "down: refused (repeated 41 times in 8 s)");
  CHECK(s.lines[2] == "clock synced");
  // Still remembered: the next copy is counted again, and said at stop.
  s.log(log_level::warning, "down: refused", 11 * second);
  s.stop();
  REQUIRE(s.lines.size() == 4);
  CHECK(s.lines[3] == "down: refused (repeated 1 time in 3 s)");  // since the last count
  s.stop();
  CHECK(s.lines.size() == 4);
}

TEST_CASE("debug and info lines, and a line at another level, are never merged") {
  sink s;
  for (int i = 0; i < 3; ++i)
    s.log(log_level::info, "up", i);
  s.log(log_level::warning, "same text", 3);
  s.log(log_level::error, "same text", 4);
  s.stop();
  CHECK(s.lines == std::vector<std::string>{"up", "up", "up", "same text", "same text"});
}

TEST_CASE("alternating lines are each merged; the least recently seen gives its slot up first") {
  sink s;
  for (int i = 0; i < 4; ++i) {
    s.log(log_level::warning, "a", i);
    s.log(log_level::warning, "b", i);
  }
  CHECK(s.lines == std::vector<std::string>{"a", "b"});
  // Two more distinct lines fill the four slots; a fifth takes the slot of "a" (seen least
  // recently, before "b"), whose count is said first.
  s.log(log_level::warning, "c", 5);
  s.log(log_level::warning, "d", 5);
  CHECK(s.lines == std::vector<std::string>{"a", "b", "c", "d"});
  s.log(log_level::warning, "e", 6);
  REQUIRE(s.lines.size() == 6);
  CHECK(s.lines[4] == "a (repeated 3 times in 0 s)");
  CHECK(s.lines[5] == "e");
  s.stop();
  REQUIRE(s.lines.size() == 7);
  CHECK(s.lines[6] == "b (repeated 3 times in 0 s)");
}

TEST_CASE("a line quiet for a whole window is news again") {
  sink s;
  s.log(log_level::warning, "down", 0);
  s.log(log_level::warning, "down", 11 * second);
  CHECK(s.lines == std::vector<std::string>{"down", "down"});
}
