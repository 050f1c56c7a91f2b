// posmode-mock-exchange run as a program, as a deployment rehearsal or another language's test
// suite would: the readiness line it prints once it listens, and its request log as text or as
// JSON lines (--log-json), read while the real `posmode` talks to it.

#include <doctest/doctest.h>
#include <simdjson.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "posmode/version.hpp"
#include "tools/cli/cli_process.hpp"
#include "tools/cli/cli_test_support.hpp"

using posmode::test::process_result;
using posmode::test::running_process;
using posmode::test::temp_dir;
using posmode::test::cli::binance_key;
using posmode::test::cli::binance_secret;
using posmode::test::cli::has_row;
using posmode::test::cli::run_cli;

namespace {

using namespace std::chrono_literals;

// A guard against a hung child, not a measurement: the mock is ready in milliseconds.
constexpr auto hang_guard = 30s;

struct readiness {
  std::string port;
  std::string pid;
  std::string ca;
};

// `ready port=P pid=N version=V ca=PATH`; nullopt when the line is anything else.
std::optional<readiness> parse_ready(const std::string& line) {
  if (!line.starts_with("ready ")) return std::nullopt;
  const std::size_t ca = line.find(" ca=");
  if (ca == std::string::npos) return std::nullopt;
  readiness r;
  r.ca = line.substr(ca + 4);
  std::istringstream words(line.substr(6, ca - 6));
  for (std::string word; words >> word;) {
    if (word.starts_with("port=")) r.port = word.substr(5);
    if (word.starts_with("pid=")) r.pid = word.substr(4);
  }
  if (r.port.empty() || r.pid.empty() || r.ca.empty()) return std::nullopt;
  return r;
}

std::string mock_account() {
  return std::string(binance_key) + ":" + binance_secret;
}

// An account of the vector credentials, pointed at the mock the readiness line describes.
std::string config_for(const readiness& ready) {
  return "[[account]]\nname = \"um\"\nvenue = \"binance-usdm\"\nhost = \"localhost\"\nport = " +
         ready.port + "\nca_file = \"" + ready.ca + "\"\n";
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

}  // namespace

TEST_SUITE("mock_program") {
  TEST_CASE("the mock says 'ready' once it listens, then logs each request as one JSON object") {
    temp_dir dir;
    running_process mock(POSMODE_MOCK_EXCHANGE_PATH,
                         {"--binance-account", mock_account(), "--log-json"},
                         {{"TMPDIR", dir.path()}});
    const auto first = mock.read_line(hang_guard);
    REQUIRE(first);
    const auto ready = parse_ready(*first);
    INFO("first line: " << *first);
    REQUIRE(ready);
    CHECK(first->find(" version=" POSMODE_VERSION_STRING " ") != std::string::npos);
    CHECK(ready->ca == dir.path() + "/posmode-mock-ca-" + ready->pid + ".pem");
    CHECK(std::filesystem::is_regular_file(ready->ca));

    // The line is all a client needs: the real CLI connects, verifies the CA and reads the mode.
    const std::string config = dir.write("rehearsal.toml", config_for(*ready));
    const auto get = run_cli({"get", "-c", config});
    INFO("get stderr: " << get.err);
    CHECK(get.exit_code == 0);
    CHECK(has_row(get.out, {"um", "binance-usdm", "usdm", "one-way", "current_mode", "200"}));

    const process_result stopped = mock.stop(SIGTERM);
    INFO("mock stdout: " << stopped.out);
    INFO("mock stderr: " << stopped.err);
    CHECK(stopped.exit_code == 0);
    CHECK(stopped.err.find("stopping on SIGTERM") != std::string::npos);
    CHECK(stopped.out.find(binance_secret) == std::string::npos);
    CHECK_FALSE(std::filesystem::exists(ready->ca));  // its own temporary file, removed at exit

    simdjson::dom::parser parser;
    int time_reads = 0;
    int mode_reads = 0;
    const auto lines = lines_of(stopped.out);
    CHECK(!lines.empty());
    for (const auto& line : lines) {
      CAPTURE(line);
      simdjson::dom::element record;
      REQUIRE(parser.parse(line).get(record) == simdjson::SUCCESS);
      std::string_view time;
      std::string_view venue;
      std::string_view method;
      std::string_view path;
      std::string_view code;
      std::int64_t http = 0;
      REQUIRE(record["time"].get(time) == simdjson::SUCCESS);
      CHECK(time.size() == 24);
      CHECK(time.ends_with("Z"));
      REQUIRE(record["venue"].get(venue) == simdjson::SUCCESS);
      CHECK(venue == "binance");
      REQUIRE(record["method"].get(method) == simdjson::SUCCESS);
      REQUIRE(record["path"].get(path) == simdjson::SUCCESS);
      REQUIRE(record["http_status"].get(http) == simdjson::SUCCESS);
      CHECK(http == 200);
      REQUIRE(record["code"].get(code) == simdjson::SUCCESS);
      CHECK(record["fault"].is_null());
      if (path == "/fapi/v1/time") {
        ++time_reads;
        CHECK(method == "GET");
        CHECK(record["key"].is_null());
        CHECK(record["query"].is_null());
        CHECK(code == "ok");
      } else {
        ++mode_reads;
        CHECK(method == "GET");
        CHECK(path == "/fapi/v1/positionSide/dual");
        std::string_view key;
        REQUIRE(record["key"].get(key) == simdjson::SUCCESS);
        CHECK(key == "vmPU...Eh8A");  // masked, as in the text log
        std::string_view query;
        REQUIRE(record["query"].get(query) == simdjson::SUCCESS);
        CHECK(query.find("signature=") != std::string_view::npos);
      }
    }
    CHECK(time_reads >= 1);
    CHECK(mode_reads == 1);
  }

  TEST_CASE(
      "without --log-json the log is one text line per request, after the same readiness "
      "line; faults are named") {
    temp_dir dir;
    const std::string ca = dir.path() + "/ca dir with spaces.pem";
    running_process mock(POSMODE_MOCK_EXCHANGE_PATH,
                         {"--binance-account", mock_account(), "--ca-out", ca, "--error-503"}, {});
    const auto first = mock.read_line(hang_guard);
    REQUIRE(first);
    const auto ready = parse_ready(*first);
    INFO("first line: " << *first);
    REQUIRE(ready);
    CHECK(ready->ca == ca);  // ca= runs to the end of the line
    const std::string config = dir.write(
        "rehearsal.toml",
        "[defaults]\nattempt_timeout_ms = 1000\nrequest_deadline_ms = 1500\n" + config_for(*ready));
    const auto get = run_cli({"get", "-c", config});
    INFO("get stderr: " << get.err);
    CHECK(get.exit_code != 0);  // every answer is a 503

    const process_result stopped = mock.stop(SIGINT);
    INFO("mock stdout: " << stopped.out);
    CHECK(stopped.exit_code == 0);
    CHECK(stopped.err.find("stopping on SIGINT") != std::string::npos);
    CHECK(std::filesystem::is_regular_file(ca));  // a file the operator named stays
    bool mode_read = false;
    for (const auto& line : lines_of(stopped.out)) {
      CAPTURE(line);
      CHECK(line.front() != '{');
      CHECK(line.find(" -> 503 ") != std::string::npos);
      CHECK(line.ends_with("[fault 503]"));
      mode_read = mode_read || line.find(" GET /fapi/v1/positionSide/dual?") != std::string::npos;
    }
    CHECK(mode_read);
  }

  TEST_CASE("--okx-account's perm= option: the config read shows it, check says key_cannot_trade") {
    const std::string key = "37c541a1-0000-4000-8000-10fe7a038418";
    const std::string secret = "22582BD0CFF14C41EDBF1AB98506286D";
    const std::string passphrase = "Passphrase1";
    temp_dir dir;
    running_process mock(
        POSMODE_MOCK_EXCHANGE_PATH,
        {"--okx-account", key + ":" + secret + ":" + passphrase + ":hedge,perm=read_only+withdraw"},
        {{"TMPDIR", dir.path()}});
    const auto first = mock.read_line(hang_guard);
    REQUIRE(first);
    const auto ready = parse_ready(*first);
    INFO("first line: " << *first);
    REQUIRE(ready);
    const std::string config =
        dir.write("okx.toml",
                  "[[account]]\nname = \"okx\"\nvenue = \"okx\"\nhost = \"localhost\"\n"
                  "port = " +
                      ready->port + "\nca_file = \"" + ready->ca + "\"\n");
    const auto check = run_cli(
        {"check", "-c", config},
        {{"OKX_API_KEY", key}, {"OKX_API_SECRET", secret}, {"OKX_API_PASSPHRASE", passphrase}});
    INFO("check stdout: " << check.out);
    INFO("check stderr: " << check.err);
    CHECK(check.exit_code == 4);
    CHECK(has_row(check.out, {"okx", "okx", "account", "not_ready", "hedge", "-"}));
    CHECK(check.out.find("key_cannot_trade: API key has no trade permission (perm: "
                         "read_only,withdraw): a set would be refused") != std::string::npos);
    CHECK(mock.stop(SIGTERM).exit_code == 0);

    // Only lower-case letters, '_' and ',' ('+' in the flag) make a perm.
    running_process bad(POSMODE_MOCK_EXCHANGE_PATH,
                        {"--okx-account", key + ":" + secret + ":" + passphrase + ":perm=Trade\""},
                        {});
    CHECK_FALSE(bad.read_line(hang_guard));
    const process_result r = bad.stop(SIGTERM);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("OKX perm 'Trade\"': lower-case letters, '_' and ',' only") !=
          std::string::npos);
  }

  TEST_CASE("a mock that cannot start prints no readiness line and exits 1") {
    running_process mock(POSMODE_MOCK_EXCHANGE_PATH, {"--binance-account", "key-without-secret"},
                         {});
    CHECK_FALSE(mock.read_line(hang_guard));  // stdout ends without a line
    const process_result r = mock.stop(SIGTERM);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("--binance-account wants KEY:SECRET") != std::string::npos);
  }
}
