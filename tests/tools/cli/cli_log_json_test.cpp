// posmode set and get with --log-json, run as subprocesses against the mock exchange in the test's
// own process: every component log record on stderr is one JSON object with the fields
// `format_json` documents (log_record.hpp), parsed back with simdjson; the CLI's own notices stay
// `posmode: ` text lines, and no secret is written.

#include <doctest/doctest.h>
#include <simdjson.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tools/cli/cli_test_support.hpp"
#include "tools/cli/cli_venue.hpp"

using posmode::test::temp_dir;
using posmode::test::cli::binance_key;
using posmode::test::cli::binance_secret;
using posmode::test::cli::has_row;
using posmode::test::cli::run_cli;
using posmode::test::cli::vector_env;
using posmode::test::cli::vector_venue;

namespace {

using namespace std::chrono_literals;

// One JSON log record's fields, as read back.
struct json_record {
  std::string level;
  std::string event;
  std::string message;
  std::string account;
  std::int64_t account_index = -1;
  std::string host;
  std::int64_t port = 0;
  std::int64_t slot = -1;
  std::int64_t http_status = 0;
  bool has_code = false;
  std::int64_t code = 0;
};

// True for `YYYY-MM-DDTHH:MM:SS.mmmZ`.
bool iso_millis(std::string_view t) {
  if (t.size() != 24) return false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    const bool ok = i == 4 || i == 7     ? c == '-'
                    : i == 10            ? c == 'T'
                    : i == 13 || i == 16 ? c == ':'
                    : i == 19            ? c == '.'
                    : i == 23            ? c == 'Z'
                                         : c >= '0' && c <= '9';
    if (!ok) return false;
  }
  return true;
}

// Splits stderr into the CLI's own text notices and the JSON records, checking each record
// against format_json's documented shape: only its keys, each of its type; `time`, `level`,
// `event` and `message` always present.
std::vector<json_record> parse_log(const std::string& err, std::vector<std::string>& notices) {
  static const std::set<std::string_view> levels{"debug", "info", "warning", "error"};
  static const std::set<std::string_view> events{"insecure_endpoint", "connect",
                                                 "reconnect",         "disconnect",
                                                 "tls_failure",       "clock_resync",
                                                 "clock_skew_retry",  "rate_limited",
                                                 "ip_banned",         "verification_mismatch",
                                                 "warm_up",           "request_refused",
                                                 "signing_failed",    "coupled_books"};
  static const std::set<std::string_view> keys{
      "time",    "monotonic_ns", "level",          "event",       "account", "account_index",
      "host",    "port",         "slot",           "http_status", "code",    "code_text",
      "message", "repeats",      "repeat_span_ns", "truncated"};
  std::vector<json_record> out;
  simdjson::dom::parser parser;
  std::istringstream lines(err);
  for (std::string line; std::getline(lines, line);) {
    CAPTURE(line);
    if (line.starts_with("posmode: ")) {
      notices.push_back(line);
      continue;
    }
    simdjson::dom::object object;
    REQUIRE(parser.parse(line).get(object) == simdjson::SUCCESS);
    for (const auto field : object) {
      CAPTURE(field.key);
      CHECK(keys.count(field.key) == 1);
    }
    json_record r;
    std::string_view text;
    REQUIRE(object["time"].get(text) == simdjson::SUCCESS);
    CHECK(iso_millis(text));
    std::int64_t monotonic = 0;
    REQUIRE(object["monotonic_ns"].get(monotonic) == simdjson::SUCCESS);
    CHECK(monotonic > 0);
    REQUIRE(object["level"].get(text) == simdjson::SUCCESS);
    r.level = text;
    CHECK(levels.count(text) == 1);
    REQUIRE(object["event"].get(text) == simdjson::SUCCESS);
    r.event = text;
    CHECK(events.count(text) == 1);
    REQUIRE(object["message"].get(text) == simdjson::SUCCESS);
    r.message = text;
    CHECK_FALSE(r.message.empty());
    // The optional fields, with their types when present; the account's id and index together,
    // the host and its port together.
    const bool has_account = object["account"].get(text) == simdjson::SUCCESS;
    if (has_account) r.account = text;
    CHECK(has_account == (object["account_index"].get(r.account_index) == simdjson::SUCCESS));
    const bool has_host = object["host"].get(text) == simdjson::SUCCESS;
    if (has_host) r.host = text;
    CHECK(has_host == (object["port"].get(r.port) == simdjson::SUCCESS));
    if (object["slot"].error() == simdjson::SUCCESS) {
      REQUIRE(object["slot"].get(r.slot) == simdjson::SUCCESS);
      CHECK(r.slot >= 0);
    }
    if (object["http_status"].error() == simdjson::SUCCESS) {
      REQUIRE(object["http_status"].get(r.http_status) == simdjson::SUCCESS);
      CHECK(r.http_status >= 100);
    }
    if (object["code"].error() == simdjson::SUCCESS) {
      REQUIRE(object["code"].get(r.code) == simdjson::SUCCESS);
      r.has_code = true;
    }
    if (object["code_text"].error() == simdjson::SUCCESS)
      CHECK(object["code_text"].get(text) == simdjson::SUCCESS);
    if (object["repeats"].error() == simdjson::SUCCESS) {
      std::uint64_t repeats = 0;
      CHECK(object["repeats"].get(repeats) == simdjson::SUCCESS);
      CHECK(repeats > 0);
      std::int64_t span = 0;
      CHECK(object["repeat_span_ns"].get(span) == simdjson::SUCCESS);
    }
    CHECK(object["truncated"].error() == simdjson::NO_SUCH_FIELD);  // every record fits
    out.push_back(r);
  }
  return out;
}

const json_record* find_event(const std::vector<json_record>& records, std::string_view event) {
  for (const auto& r : records)
    if (r.event == event) return &r;
  return nullptr;
}

std::string um_account(const vector_venue& venue, std::string_view extra = {}) {
  return "[[account]]\nname = \"um\"\nvenue = \"binance-usdm\"\n" + venue.account_lines() +
         std::string(extra);
}

}  // namespace

TEST_SUITE("cli_set") {
  TEST_CASE("set --log-json --verbose: every component record on stderr is a JSON object") {
    temp_dir dir;
    vector_venue venue(dir);
    const std::string config = dir.write("accounts.toml", um_account(venue));
    const auto r = run_cli(
        {"set", "-c", config, "-a", "um", "-m", "hedge", "--verbose", "--log-json"}, vector_env());
    INFO(r.out);
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(has_row(r.out, {"um", "usdm", "set", "one-way", "applied"}));

    std::vector<std::string> notices;
    const auto records = parse_log(r.err, notices);
    // The CLI's own words (the deadlines --verbose prints) stay text; the rest are records.
    REQUIRE(notices.size() == 1);
    CHECK(notices[0].starts_with("posmode: request deadline "));
    REQUIRE(records.size() >= 4);
    for (const auto& rec : records) {
      CAPTURE(rec.event);
      CAPTURE(rec.message);
      if (rec.account.empty()) continue;
      CHECK(rec.account == "um");
      CHECK(rec.account_index == 0);
      if (!rec.host.empty()) {
        CHECK(rec.host == "localhost");
        CHECK(rec.port == venue.exchange().port());
      }
    }
    // --verbose: the debug records too. Each pool connection says it came up, with its slot.
    const json_record* connect = find_event(records, "connect");
    REQUIRE(connect != nullptr);
    CHECK(connect->level == "debug");
    CHECK(connect->slot >= 0);
    const json_record* clock = find_event(records, "clock_resync");
    REQUIRE(clock != nullptr);
    CHECK(clock->level == "info");
    CHECK(clock->message.starts_with("server clock offset "));
    const json_record* warm = find_event(records, "warm_up");
    REQUIRE(warm != nullptr);
    CHECK(warm->level == "info");
    CHECK(warm->message == "warm: 1 of 1 modes read");
    CHECK(r.err.find(binance_secret) == std::string::npos);
    CHECK(r.err.find(binance_key) == std::string::npos);
  }
}

TEST_SUITE("cli_get") {
  TEST_CASE("get --log-json on a banned host: the ban is an error record with HTTP 418 and -1003") {
    temp_dir dir;
    vector_venue venue(dir);
    venue.exchange().ban_ip("127.0.0.1", 600s);
    const std::string config = dir.write(
        "accounts.toml",
        "[defaults]\nattempt_timeout_ms = 1000\nrequest_deadline_ms = 1500\n" + um_account(venue));
    const auto r = run_cli({"get", "-c", config, "--log-json"}, vector_env());
    INFO(r.out);
    INFO(r.err);
    CHECK(r.exit_code != 0);

    std::vector<std::string> notices;
    const auto records = parse_log(r.err, notices);
    // Without --verbose: warnings and errors only, and nothing of the CLI's own.
    CHECK(notices.empty());
    REQUIRE_FALSE(records.empty());
    for (const auto& rec : records) {
      CAPTURE(rec.event);
      CHECK((rec.level == "warning" || rec.level == "error"));
    }
    const json_record* ban = find_event(records, "ip_banned");
    REQUIRE(ban != nullptr);
    CHECK(ban->level == "error");
    CHECK(ban->account == "um");
    CHECK(ban->account_index == 0);
    CHECK(ban->host == "localhost");
    CHECK(ban->port == venue.exchange().port());
    CHECK(ban->http_status == 418);
    CHECK(ban->has_code);
    CHECK(ban->code == -1003);
    const json_record* warm = find_event(records, "warm_up");
    REQUIRE(warm != nullptr);
    CHECK(warm->level != "info");  // not every mode was read
    CHECK(r.err.find(binance_secret) == std::string::npos);
  }
}
