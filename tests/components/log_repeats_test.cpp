// log_repeats: identical records (info and above) are written once and then counted; the count is
// written when the window has passed, when the slot is needed for another line, and at stop.

#include "log_repeats.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using posmode::components::log_event;
using posmode::components::log_level;
using posmode::components::log_record;
using posmode::components::detail::log_repeats;

namespace {

constexpr std::int64_t second = 1'000'000'000;

std::string text_of(const log_record& r) {
  std::string s(r.message);
  if (r.repeats > 0)
    s += " (repeated " + std::to_string(r.repeats) + (r.repeats == 1 ? " time" : " times") +
         " in " + std::to_string((r.repeat_span_ns + second / 2) / second) + " s)";
  return s;
}

struct sink {
  std::vector<std::string> lines;
  std::vector<log_record> summaries;
  log_repeats filter;

  // What the component's log() does: summaries first, then the record if admitted.
  void log(log_record r) {
    const auto emit = [this](const log_record& x) {
      lines.push_back(text_of(x));
      summaries.push_back(x);
    };
    if (filter.admit(r, emit)) lines.push_back(text_of(r));
  }
  void log(log_level level, const std::string& text, std::int64_t now,
           log_event event = log_event::disconnect) {
    log_record r;
    r.level = level;
    r.event = event;
    r.message = text;
    r.monotonic_ns = now;
    log(r);
  }
  void stop() {
    filter.flush_all([this](const log_record& x) {
      lines.push_back(text_of(x));
      summaries.push_back(x);
    });
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

TEST_CASE("debug records, and a record at another level, are never merged") {
  sink s;
  for (int i = 0; i < 3; ++i)
    s.log(log_level::debug, "up", i, log_event::connect);
  s.log(log_level::warning, "same text", 3);
  s.log(log_level::error, "same text", 4);
  s.stop();
  CHECK(s.lines == std::vector<std::string>{"up", "up", "up", "same text", "same text"});
}

TEST_CASE("every kind of record at info and above is merged, each kind apart from the others") {
  sink s;
  for (std::size_t k = 0; k < posmode::components::log_event_count; ++k) {
    const auto kind = static_cast<log_event>(k);
    CAPTURE(to_string(kind));
    s.lines.clear();
    s.summaries.clear();
    const std::int64_t t0 = static_cast<std::int64_t>(k) * 20 * second;
    // The same text under another kind is another record.
    s.log(log_level::info, "same text", t0, kind);
    s.log(log_level::info, "same text", t0 + 1, kind);
    s.log(log_level::info, "same text", t0 + 2,
          kind == log_event::connect ? log_event::reconnect : log_event::connect);
    s.log(log_level::info, "same text", t0 + 3, kind);
    s.stop();
    REQUIRE(s.lines.size() == 3);
    CHECK(s.lines[0] == "same text");
    CHECK(s.lines[1] == "same text");
    REQUIRE(s.summaries.size() == 1);
    CHECK(s.summaries[0].event == kind);
    CHECK(s.summaries[0].repeats == 2);
    CHECK(s.summaries[0].repeat_span_ns == 3);
  }
}

TEST_CASE("records that differ in account, host, status or code are not merged, but slots are") {
  sink s;
  log_record base;
  base.level = log_level::warning;
  base.event = log_event::rate_limited;
  base.account = 0;
  base.account_id = "a";
  base.host = "h";
  base.port = 443;
  base.http_status = 429;
  base.has_code = true;
  base.code = -1003;
  base.code_text = "x";
  base.message = "limited";
  base.slot = 0;
  s.log(base);
  auto other = base;
  other.slot = 1;  // another connection of the same pool: the same record
  s.log(other);
  CHECK(s.lines.size() == 1);
  int n = 0;
  for (auto change :
       {+[](log_record& r) { r.account = 1; }, +[](log_record& r) { r.host = "g"; },
        +[](log_record& r) { r.http_status = 418; }, +[](log_record& r) { r.code = -1021; },
        +[](log_record& r) { r.code_text = "y"; }}) {
    auto r = base;
    change(r);
    r.monotonic_ns = ++n;
    s.log(r);
  }
  // Five new records in four slots: the fourth takes the slot of the first (seen least
  // recently), which says what it held back first; the fifth takes a slot with nothing held.
  CHECK(s.lines == std::vector<std::string>{"limited", "limited", "limited", "limited",
                                            "limited (repeated 1 time in 0 s)", "limited",
                                            "limited"});
  REQUIRE(s.summaries.size() == 1);
  CHECK(s.summaries[0].account == 0);
  CHECK(s.summaries[0].repeats == 1);
  // The summary keeps its own copies of the texts: the caller's buffers are gone by then.
  std::string message = "gone";
  std::string code = "c1";
  auto kept = base;
  kept.message = message;
  kept.code_text = code;
  kept.event = log_event::ip_banned;
  s.log(kept);
  s.log(kept);
  message = "XXXX";
  code = "YY";
  s.stop();
  bool found = false;
  for (const auto& r : s.summaries)
    if (r.event == log_event::ip_banned) {
      found = true;
      CHECK(r.message == "gone");
      CHECK(r.code_text == "c1");
    }
  CHECK(found);
}

TEST_CASE(
    "alternating lines are each merged, and the least recently seen gives its slot up first") {
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
