// posmode check, the preflight, run as a subprocess: against the mock it starts itself (--mock),
// and against a mock exchange in the test's own process standing in for a venue that is
// unreachable, presents a certificate the file's CA did not sign, refuses the key, has banned the
// host, or holds another mode than the file expects. Each row names its cause; the exit code is
// the worst row's; nothing but reads reaches the venue.

#include <doctest/doctest.h>
#include <simdjson.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "tools/cli/cli_test_support.hpp"
#include "tools/cli/cli_venue.hpp"

using posmode::test::temp_dir;
using posmode::test::cli::bitget_key;
using posmode::test::cli::check_usage_error;
using posmode::test::cli::has_row;
using posmode::test::cli::run_cli;
using posmode::test::cli::vector_env;
using posmode::test::cli::vector_venue;
namespace mock = posmode::mock;

namespace {

using namespace std::chrono_literals;

constexpr const char* mock_accounts = R"([[account]]
name = "pm"
venue = "binance-papi"
expected_mode = "one_way"

[[account]]
name = "bg"
venue = "bitget"
products = ["USDT-FUTURES", "COIN-FUTURES"]
expected_mode = "one-way"

[[account]]
name = "free"
venue = "binance-usdm"
)";

// An account that cannot be reached ends its warm-up at the deadline: kept short.
constexpr const char* short_deadlines = R"([defaults]
attempt_timeout_ms = 1000
request_deadline_ms = 1500
)";

// A port on 127.0.0.1 that nothing listens on: bound, then closed again.
unsigned short closed_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  const unsigned short port = a.local_endpoint().port();
  a.close();
  return port;
}

std::string account(const std::string& name, const std::string& venue, const std::string& rest) {
  return "\n[[account]]\nname = \"" + name + "\"\nvenue = \"" + venue + "\"\n" + rest;
}

// The line of `table` whose first word is `account` and third is `product`.
std::string row_of(const std::string& table, const std::string& name, const std::string& product) {
  std::istringstream lines(table);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string first;
    std::string venue;
    std::string third;
    if (words >> first >> venue >> third && first == name && third == product) return line;
  }
  return {};
}

void check_only_reads(mock::exchange& ex) {
  for (const auto& r : ex.request_log()) {
    CAPTURE(r.target);
    CHECK(r.method == "GET");
  }
  for (const auto& change : ex.mode_history())
    CHECK_FALSE(change.by_request);  // only the test's own changes, as in the venue's web UI
}

}  // namespace

TEST_SUITE("cli_check") {
  TEST_CASE(
      "check --mock: every account ready and as expected exits 0, in a table, JSON or "
      "Prometheus text") {
    temp_dir dir;
    const std::string config = dir.write("accounts.toml", mock_accounts);
    const auto table = run_cli({"check", "-c", config, "--mock"}, {});
    INFO(table.err);
    CHECK(table.exit_code == 0);
    CHECK(table.out.rfind("ACCOUNT  VENUE  ", 0) == 0);
    CHECK(table.out.find("STATE") != std::string::npos);
    CHECK(has_row(table.out, {"pm", "binance-papi", "um", "ready", "one-way", "one-way"}));
    CHECK(has_row(table.out, {"pm", "binance-papi", "cm", "ready", "one-way", "one-way"}));
    CHECK(has_row(table.out, {"bg", "bitget", "USDT-FUTURES", "ready", "one-way", "one-way"}));
    CHECK(has_row(table.out, {"bg", "bitget", "COIN-FUTURES", "ready", "one-way", "one-way"}));
    CHECK(has_row(table.out, {"free", "binance-usdm", "usdm", "ready", "one-way", "-"}));

    const auto json = run_cli({"check", "-c", config, "--mock", "--json", "-a", "bg"}, {});
    CHECK(json.exit_code == 0);
    CHECK(posmode::test::cli::one_line(json.out));
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    REQUIRE(parser.parse(json.out).get(doc) == simdjson::SUCCESS);
    CHECK(doc["exit_code"].get_int64().value() == 0);
    const simdjson::dom::array accounts = doc["accounts"].get_array().value();
    REQUIRE(accounts.size() == 1);
    const simdjson::dom::element bg = accounts.at(0).value();
    CHECK(bg["name"].get_string().value() == "bg");
    CHECK(bg["ready"].get_bool().value());
    CHECK(bg["cause"].get_string().value() == "none");
    CHECK(bg["clock_synced"].get_bool().value());
    CHECK(bg["expected_mode"].get_string().value() == "one-way");
    const simdjson::dom::array products = bg["products"].get_array().value();
    REQUIRE(products.size() == 2);
    for (const simdjson::dom::element p : products) {
      CHECK(p["state"].get_string().value() == "ready");
      CHECK(p["mode"].get_string().value() == "one-way");
      CHECK(p["status"].get_string().value() == "current_mode");
      CHECK(p["exit_code"].get_int64().value() == 0);
    }

    // Every sample line of the exposition is `name{labels} value` with a number for the value.
    const auto prom = run_cli({"check", "-c", config, "--mock", "--prometheus"}, {});
    CHECK(prom.exit_code == 0);
    std::istringstream lines(prom.out);
    int samples = 0;
    for (std::string line; std::getline(lines, line);) {
      CAPTURE(line);
      if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) continue;
      const std::size_t space = line.rfind(' ');
      REQUIRE(space != std::string::npos);
      std::size_t used = 0;
      (void)std::stod(line.substr(space + 1), &used);
      CHECK(used == line.size() - space - 1);
      const std::string name = line.substr(0, std::min(line.find('{'), space));
      CHECK(name.starts_with("posmode_"));
      ++samples;
    }
    CHECK(samples > 10);
    CHECK(prom.out.find("posmode_check_account_ready{account=\"pm\",venue=\"binance-papi\","
                        "cause=\"none\"} 1\n") != std::string::npos);
    CHECK(prom.out.find("posmode_check_product_as_expected{account=\"bg\",product=\"COIN-FUTURES\","
                        "mode=\"one-way\",expected=\"one-way\"} 1\n") != std::string::npos);
    CHECK(prom.out.find("posmode_check_exit_code 0\n") != std::string::npos);
    CHECK(prom.out.find(
              "# TYPE posmode_set_requests_total counter\nposmode_set_requests_total 0\n") !=
          std::string::npos);  // write_metrics: nothing was set
  }

  TEST_CASE("check exits 7 when every account is ready but a mode is not expected_mode") {
    temp_dir dir;
    const std::string config = dir.write("accounts.toml", mock_accounts);
    const auto r = run_cli({"check", "-c", config, "--mock", "--mock-initial-mode", "hedge"}, {});
    INFO(r.err);
    CHECK(r.exit_code == 7);
    CHECK(has_row(r.out, {"pm", "binance-papi", "um", "differs", "hedge", "one-way"}));
    CHECK(has_row(r.out, {"bg", "bitget", "USDT-FUTURES", "differs", "hedge", "one-way"}));
    CHECK(has_row(r.out, {"free", "binance-usdm", "usdm", "ready", "hedge", "-"}));
    CHECK(row_of(r.out, "pm", "um").ends_with("mode is hedge, expected_mode is one-way"));
  }

  TEST_CASE("each account that is not ready names its cause, and the worst row decides the exit") {
    temp_dir dir;
    vector_venue venue(dir);
    mock::exchange other;  // its CA signed nothing the venue presents
    const std::string other_ca = dir.path() + "/other-ca.pem";
    other.write_ca_file(other_ca);
    // The venue holds hedge on Bitget's USDT-FUTURES; the file expects one-way.
    venue.exchange().set_bitget_mode(bitget_key, "USDT-FUTURES", mock::position_mode::hedge);
    const std::string here = venue.account_lines();
    const std::string config = dir.write(
        "accounts.toml",
        std::string(short_deadlines) +
            account("good", "binance-usdm", here + "expected_mode = \"one_way\"\n") +
            account("differs", "bitget",
                    here + "products = [\"USDT-FUTURES\"]\n" + "expected_mode = \"one_way\"\n") +
            account("wrong-key", "binance-usdm", here + "key_env = \"OTHER_KEY\"\n") +
            account("unreachable", "binance-usdm",
                    "host = \"localhost\"\nport = " + std::to_string(closed_port()) + "\n") +
            account("wrong-ca", "binance-usdm",
                    "host = \"localhost\"\nport = " + std::to_string(venue.exchange().port()) +
                        "\nca_file = \"" + other_ca + "\"\n"));
    auto env = vector_env();
    env["OTHER_KEY"] = "NotAKeyTheVenueKnows0123456789abcdef";

    const auto all = run_cli({"check", "-c", config}, env);
    INFO(all.out);
    INFO(all.err);
    CHECK(all.exit_code == 4);  // authentication outranks transport and a differing mode
    CHECK(has_row(all.out, {"good", "binance-usdm", "usdm", "ready", "one-way", "one-way"}));
    CHECK(has_row(all.out, {"differs", "bitget", "USDT-FUTURES", "differs", "hedge", "one-way"}));
    CHECK(has_row(all.out, {"wrong-key", "binance-usdm", "usdm", "not_ready", "-", "-"}));
    CHECK(row_of(all.out, "wrong-key", "usdm").find("auth_failed: ") != std::string::npos);
    CHECK(row_of(all.out, "wrong-key", "usdm").ends_with("(http 401, code -2015)"));
    CHECK(has_row(all.out, {"unreachable", "binance-usdm", "usdm", "not_ready", "-", "-"}));
    CHECK(row_of(all.out, "unreachable", "usdm").find("unreachable: no connection: localhost:") !=
          std::string::npos);
    CHECK(has_row(all.out, {"wrong-ca", "binance-usdm", "usdm", "not_ready", "-", "-"}));
    CHECK(
        row_of(all.out, "wrong-ca", "usdm")
            .find("tls_verification_failed: localhost:" + std::to_string(venue.exchange().port()) +
                  ": certificate verify failed") != std::string::npos);

    // One account at a time: each cause's own exit code.
    struct expectation {
      const char* name;
      int exit_code;
      const char* cause;
    };
    for (const expectation& e :
         {expectation{"good", 0, "none"}, expectation{"differs", 7, "none"},
          expectation{"wrong-key", 4, "auth_failed"}, expectation{"unreachable", 5, "unreachable"},
          expectation{"wrong-ca", 5, "tls_verification_failed"}}) {
      CAPTURE(e.name);
      const auto one = run_cli({"check", "-c", config, "-a", e.name, "--json"}, env);
      CHECK(one.exit_code == e.exit_code);
      CHECK(one.out.find(std::string(R"("cause":")") + e.cause + "\"") != std::string::npos);
      CHECK(one.out.ends_with("\"exit_code\":" + std::to_string(e.exit_code) + "}\n"));
    }
    check_only_reads(venue.exchange());
    CHECK(venue.exchange().bitget_mode(bitget_key, "USDT-FUTURES") == mock::position_mode::hedge);
  }

  TEST_CASE("check on a host that banned this IP says banned and exits 6") {
    temp_dir dir;
    vector_venue venue(dir);
    venue.exchange().ban_ip("127.0.0.1", 600s);
    const std::string config = dir.write(
        "accounts.toml",
        std::string(short_deadlines) +
            account("um", "binance-usdm", venue.account_lines() + "expected_mode = \"hedge\"\n"));
    const auto r = run_cli({"check", "-c", config}, vector_env());
    INFO(r.err);
    CHECK(r.exit_code == 6);
    CHECK(has_row(r.out, {"um", "binance-usdm", "usdm", "not_ready", "-", "hedge"}));
    CHECK(row_of(r.out, "um", "usdm").find("banned: ") != std::string::npos);
    check_only_reads(venue.exchange());
  }

  TEST_CASE("check says key_cannot_trade for an OKX key whose perm lacks trade, and exits 4") {
    // OKX's config read shows the key's permissions (docs/venues.md §10 A-O1); the other
    // venues' reads do not, so only OKX rows can say this.
    temp_dir dir;
    vector_venue venue(dir);
    const std::string trade_key = "37c541a1-0000-4000-8000-10fe7a038418";
    const std::string read_only_key = "37c541a1-0000-4000-8000-10fe7a038419";
    const std::string okx_secret = "22582BD0CFF14C41EDBF1AB98506286D";
    const std::string okx_passphrase = "Passphrase1";
    for (const auto& [key, perm] :
         {std::pair{trade_key, "read_only,trade"}, std::pair{read_only_key, "read_only"}}) {
      mock::okx_account a;
      a.api_key = key;
      a.secret = okx_secret;
      a.passphrase = okx_passphrase;
      a.perm = perm;
      venue.exchange().add_okx_account(std::move(a));
    }
    const std::string okx_lines = venue.account_lines() +
                                  "secret_env = \"OKX_SECRET\"\n"
                                  "passphrase_env = \"OKX_PASSPHRASE\"\n"
                                  "expected_mode = \"one_way\"\n";
    const std::string config =
        dir.write("accounts.toml",
                  std::string(short_deadlines) +
                      account("okx-trade", "okx", okx_lines + "key_env = \"OKX_TRADE_KEY\"\n") +
                      account("okx-read", "okx", okx_lines + "key_env = \"OKX_READ_KEY\"\n") +
                      account("good", "binance-usdm", venue.account_lines()));
    auto env = vector_env();
    env["OKX_TRADE_KEY"] = trade_key;
    env["OKX_READ_KEY"] = read_only_key;
    env["OKX_SECRET"] = okx_secret;
    env["OKX_PASSPHRASE"] = okx_passphrase;

    const auto all = run_cli({"check", "-c", config}, env);
    INFO(all.out);
    INFO(all.err);
    CHECK(all.exit_code == 4);  // the key refused for what matters: setting the mode
    CHECK(has_row(all.out, {"okx-trade", "okx", "account", "ready", "one-way", "one-way"}));
    // The mode was read (the key may read); the row says why the account is not ready.
    CHECK(has_row(all.out, {"okx-read", "okx", "account", "not_ready", "one-way", "one-way"}));
    CHECK(row_of(all.out, "okx-read", "account")
              .ends_with("key_cannot_trade: API key has no trade permission (perm: read_only): a "
                         "set would be refused"));
    CHECK(has_row(all.out, {"good", "binance-usdm", "usdm", "ready", "one-way", "-"}));
    CHECK(all.out.find(read_only_key) == std::string::npos);
    CHECK(all.err.find(read_only_key) == std::string::npos);

    const auto trade = run_cli({"check", "-c", config, "-a", "okx-trade", "--json"}, env);
    CHECK(trade.exit_code == 0);
    const auto read = run_cli({"check", "-c", config, "-a", "okx-read", "--json"}, env);
    CHECK(read.exit_code == 4);
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    REQUIRE(parser.parse(read.out).get(doc) == simdjson::SUCCESS);
    const simdjson::dom::element a = doc["accounts"].at(0).value();
    CHECK_FALSE(a["ready"].get_bool().value());
    CHECK(a["cause"].get_string().value() == "key_cannot_trade");
    CHECK(a["message"].get_string().value() ==
          "API key has no trade permission (perm: read_only): a set would be refused");
    CHECK(a["products"].at(0)["mode"].get_string().value() == "one-way");
    CHECK(a["products"].at(0)["exit_code"].get_int64().value() == 4);
    CHECK(doc["exit_code"].get_int64().value() == 4);
    check_only_reads(venue.exchange());
  }

  TEST_CASE("check refuses --json with --prometheus, and a bad expected_mode, before sending") {
    temp_dir dir;
    const std::string config = dir.write("accounts.toml", mock_accounts);
    check_usage_error(run_cli({"check", "-c", config, "--mock", "--json", "--prometheus"}, {}),
                      "check: --json and --prometheus exclude each other");
    const std::string bad =
        dir.write("bad.toml", account("pm", "binance-papi", "expected_mode = \"hedge-mode\"\n"));
    check_usage_error(run_cli({"check", "-c", bad, "--mock"}, {}),
                      "accounts[0].expected_mode: unknown mode 'hedge-mode' (did you mean hedge? "
                      "valid: hedge, one_way)");
    check_usage_error(run_cli({"check", "-c", config, "--mock", "-a", "pn"}, {}),
                      "--account: no account named 'pn'");
  }
}
