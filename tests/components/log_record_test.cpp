// log_record's formatters: the text line's layout, the JSON object parsed back (simdjson) with
// every byte value in its strings, and both cut at every buffer size: the text ends "...", the
// JSON still parses and says it was cut. Neither allocates.

#include "posmode/components/log_record.hpp"

#include <doctest/doctest.h>
#include <simdjson.h>

#include <array>
#include <set>
#include <string>
#include <vector>

#include "support/allocation_counter.hpp"

using namespace posmode::components;

namespace {

log_record full_record() {
  log_record r;
  r.level = log_level::warning;
  r.event = log_event::rate_limited;
  r.wall_ms = 1'700'000'000'123;  // 2023-11-14T22:13:20.123Z
  r.monotonic_ns = 42;
  r.account = 3;
  r.account_id = "bn-1";
  r.host = "fapi.binance.com";
  r.port = 443;
  r.slot = 1;
  r.http_status = 429;
  r.has_code = true;
  r.code = -1003;
  r.message = "the venue limits this account";
  return r;
}

std::string text(const log_record& r, text_format f = {}) {
  std::array<char, log_format_capacity> out{};
  return {out.data(), format_text(r, out, f)};
}

std::string json(const log_record& r, std::size_t size = log_format_capacity) {
  std::vector<char> out(size);
  return {out.data(), format_json(r, out)};
}

// The Latin-1 reading of `bytes` in UTF-8: what `\u00XX` decodes to.
std::string latin1_to_utf8(std::string_view bytes) {
  std::string s;
  for (const char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x80) {
      s += c;
    } else {
      s += static_cast<char>(0xc0 | (u >> 6));
      s += static_cast<char>(0x80 | (u & 0x3f));
    }
  }
  return s;
}

}  // namespace

TEST_CASE("issue 17: the text line carries every field, and leaves out those that are none") {
  log_record r = full_record();
  CHECK(text(r) ==
        "2023-11-14T22:13:20.123Z warning rate_limited account=bn-1#3 host=fapi.binance.com:443 "
        "slot=1 http=429 code=-1003: the venue limits this account");
  CHECK(text(r, {.time = false, .level = false}) ==
        "rate_limited account=bn-1#3 host=fapi.binance.com:443 slot=1 http=429 code=-1003: the "
        "venue limits this account");
  r.code_text = "40009";  // a venue's string code is written as sent
  r.repeats = 4;
  r.repeat_span_ns = 7'600'000'000;
  CHECK(text(r, {.time = false}) ==
        "warning rate_limited account=bn-1#3 host=fapi.binance.com:443 slot=1 http=429 "
        "code=40009: the venue limits this account (repeated 4 times in 8 s)");
  log_record bare;
  bare.level = log_level::info;
  bare.event = log_event::warm_up;
  bare.message = "m\x1b[31m";
  CHECK(text(bare) == "1970-01-01T00:00:00.000Z info warm_up: m\\x1b[31m");
}

TEST_CASE("issue 17: every kind and level has its own name") {
  std::set<std::string_view> names;
  for (std::size_t k = 0; k < log_event_count; ++k)
    names.insert(to_string(static_cast<log_event>(k)));
  CHECK(names.size() == log_event_count);
  CHECK(names.count("?") == 0);
  CHECK(to_string(log_event::verification_mismatch) == "verification_mismatch");
  CHECK(to_string(log_level::warning) == "warning");
}

TEST_CASE("issue 17: the JSON object parses back to the record, whatever bytes its strings hold") {
  std::string every_byte;
  for (int b = 1; b < 256; ++b)
    every_byte += static_cast<char>(b);
  log_record r = full_record();
  r.message = every_byte;
  r.code_text = "\"q\\\n";
  r.repeats = 2;
  r.repeat_span_ns = 5;
  const std::string line = json(r);
  INFO(line);
  for (const char c : line) {
    const auto u = static_cast<unsigned char>(c);
    CHECK((u >= 0x20 && u < 0x7f));  // pure printable ASCII
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(line).get(doc) == simdjson::SUCCESS);
  CHECK(std::string_view(doc["time"]) == "2023-11-14T22:13:20.123Z");
  CHECK(int64_t(doc["monotonic_ns"]) == 42);
  CHECK(std::string_view(doc["level"]) == "warning");
  CHECK(std::string_view(doc["event"]) == "rate_limited");
  CHECK(std::string_view(doc["account"]) == "bn-1");
  CHECK(uint64_t(doc["account_index"]) == 3);
  CHECK(std::string_view(doc["host"]) == "fapi.binance.com");
  CHECK(int64_t(doc["port"]) == 443);
  CHECK(int64_t(doc["slot"]) == 1);
  CHECK(int64_t(doc["http_status"]) == 429);
  CHECK(int64_t(doc["code"]) == -1003);
  CHECK(std::string_view(doc["code_text"]) == "\"q\\\n");
  CHECK(std::string_view(doc["message"]) == latin1_to_utf8(every_byte));
  CHECK(uint64_t(doc["repeats"]) == 2);
  CHECK(int64_t(doc["repeat_span_ns"]) == 5);
  CHECK(doc["truncated"].error() == simdjson::NO_SUCH_FIELD);

  // A record of nothing but its kind: the fields that are none are left out.
  log_record bare;
  simdjson::dom::element small;
  const std::string bare_line = json(bare);
  REQUIRE(parser.parse(bare_line).get(small) == simdjson::SUCCESS);
  CHECK(small["account"].error() == simdjson::NO_SUCH_FIELD);
  CHECK(small["account_index"].error() == simdjson::NO_SUCH_FIELD);
  CHECK(small["slot"].error() == simdjson::NO_SUCH_FIELD);
  CHECK(small["code"].error() == simdjson::NO_SUCH_FIELD);
  CHECK(std::string_view(small["message"]) == "");
}

TEST_CASE("issue 17: cut at every buffer size, the text ends in ... and the JSON still parses") {
  log_record r = full_record();
  r.code_text = "ab\"c";
  r.message = "a message with \"quotes\", a \\ and \x01 bytes";
  const std::string whole_text = text(r);
  const std::string whole_json = json(r);
  simdjson::dom::parser parser;
  for (std::size_t size = 0; size <= whole_text.size() + 1; ++size) {
    CAPTURE(size);
    std::vector<char> out(size);
    const std::string cut(out.data(), format_text(r, out));
    if (size >= whole_text.size()) {
      CHECK(cut == whole_text);
    } else {
      CHECK(cut.size() <= size);
      if (size >= 3) {
        CHECK(cut.ends_with("..."));
        CHECK(whole_text.starts_with(cut.substr(0, cut.size() - 3)));
      }
    }
  }
  for (std::size_t size = 0; size <= whole_json.size() + 1; ++size) {
    CAPTURE(size);
    const std::string cut = json(r, size);
    if (size < 64) {
      CHECK(cut.empty());
      continue;
    }
    INFO(cut);
    CHECK(cut.size() <= size);
    simdjson::dom::element doc;
    REQUIRE(parser.parse(cut).get(doc) == simdjson::SUCCESS);
    if (size >= whole_json.size()) {
      CHECK(cut == whole_json);
    } else {
      CHECK(bool(doc["truncated"]));
    }
  }
}

TEST_CASE("issue 17: formatting allocates nothing") {
  const log_record r = full_record();
  std::array<char, log_format_capacity> out{};
  std::size_t n = 0;
  {
    const posmode::test::allocation_scope scope;
    n += format_text(r, out);
    n += format_json(r, out);
    std::array<char, 80> small{};
    n += format_json(r, small);
    CHECK(scope.count() == 0);
  }
  CHECK(n > 0);
}
