// posmode sign / get / set / check for Gate APIv4 futures (docs/venues.md §5b): the set bytes
// equal the template tests' expected requests (vectors G3 and G4 of §6), the btc settle and the
// testnet host, Gate's refused options, and get / set / check against the mock exchange's Gate
// (--mock), plus a run that reads GATE_API_KEY / GATE_API_SECRET and signs with them.

#include <doctest/doctest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "support/expected_requests.hpp"
#include "tools/cli/cli_test_support.hpp"
#include "tools/cli/cli_venue.hpp"

using posmode::test::temp_dir;
using posmode::test::cli::check_usage_error;
using posmode::test::cli::has_row;
using posmode::test::cli::run_cli;
using posmode::test::cli::vector_env;
using posmode::test::cli::vector_venue;

namespace {

constexpr const char* vector_time = "1700000000000";
// The documented fake inputs (docs/venues.md, top table).
constexpr const char* gate_key = "gatekey0123456789abcdef0123456789";
constexpr const char* gate_secret =
    "gatesecret0123456789abcdef0123456789abcdef0123456789abcdef0123";

std::map<std::string, std::string> gate_env() {
  auto env = vector_env();
  env["GATE_API_KEY"] = gate_key;
  env["GATE_API_SECRET"] = gate_secret;
  return env;
}

// `text` with the first `from` replaced by `to` (REQUIREd to be there).
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

// The btc settle's SIGN, computed apart from posmode (Python's hmac over the §5b.2 string with
// `/api/v4/futures/btc/set_position_mode`, the vector key and timestamp 1700000000).
constexpr const char* btc_single_sign =
    "299cd1cf6fd8de5690abb7ce63040cf067bba2c992131d83c6b9f6a750dca1c1cbc415843103827d74358ecf59e6"
    "32a367d054455ac1ba4aee05b19453c11f54";
constexpr const char* btc_dual_sign =
    "0b137c57d9a4d28025b66a7e022e9f032f83acc404011e0157b7eb43c5a377270735ce00e115e89bbcba1cf187cc"
    "aa49d708edd1e57d50a4f451080306ba106b";
constexpr const char* usdt_single_sign =
    "e84ae8b01c6367a4f9bb340640577087fb7de4937c90d2c31fb85095ede440cfcaf3f1f848ea8d01c00ac70cdba"
    "4099476d4212c6fd6af9e6c26234708307c38";
constexpr const char* usdt_dual_sign =
    "b3580438412d68e259b897e5b2f6728f3d5f4f9283d9b6f2d210fad4d88918a40962cd8b844ea25ebddcb53c01e"
    "045045c439b9c0243ca695170f7214b618125";

constexpr const char* accounts_toml = R"([defaults]
attempt_timeout_ms = 1000
request_deadline_ms = 4000

[[account]]
name = "gt"
venue = "gate"

[[account]]
name = "gt-both"
venue = "gate"
products = ["usdt", "btc"]
environment = "testnet"
expected_mode = "hedge"
)";

// The line number of the first row of `table` that starts with `cells`, or -1.
int row_index(const std::string& table, const std::vector<std::string>& cells) {
  std::istringstream lines(table);
  int n = 0;
  for (std::string line; std::getline(lines, line); ++n)
    if (has_row(line, cells)) return n;
  return -1;
}

struct fixture {
  temp_dir dir;
  std::string config = dir.write("gate.toml", accounts_toml);
};

}  // namespace

TEST_SUITE("cli_sign") {
  TEST_CASE("sign prints the Gate set-mode bytes, byte for byte (G3, G4)") {
    const auto hedge = run_cli(
        {"sign", "--venue", "gate", "--mode", "hedge", "--timestamp", vector_time, "--show-key"},
        gate_env());
    INFO(hedge.err);
    CHECK(hedge.exit_code == 0);
    CHECK(hedge.out == posmode::test::gate_set_hedge);
    CHECK(hedge.err.empty());
    const auto one_way = run_cli({"sign", "--venue", "gate", "--mode", "one-way", "--product",
                                  "usdt", "--timestamp", vector_time, "--show-key"},
                                 gate_env());
    CHECK(one_way.exit_code == 0);
    CHECK(one_way.out == posmode::test::gate_set_one_way);
  }

  TEST_CASE("sign --product btc switches the btc settle account") {
    const auto one_way = run_cli({"sign", "--venue", "gate", "--mode", "one-way", "--product",
                                  "btc", "--timestamp", vector_time, "--show-key"},
                                 gate_env());
    INFO(one_way.err);
    CHECK(one_way.exit_code == 0);
    CHECK(one_way.out == replaced(replaced(std::string(posmode::test::gate_set_one_way),
                                           "/futures/usdt/", "/futures/btc/"),
                                  usdt_single_sign, btc_single_sign));
    const auto hedge = run_cli({"sign", "--venue", "gate", "--mode", "hedge", "--product", "btc",
                                "--timestamp", vector_time, "--show-key"},
                               gate_env());
    CHECK(hedge.exit_code == 0);
    CHECK(hedge.out == replaced(replaced(std::string(posmode::test::gate_set_hedge),
                                         "/futures/usdt/", "/futures/btc/"),
                                usdt_dual_sign, btc_dual_sign));
  }

  TEST_CASE("sign --testnet changes only Gate's Host, and --demo is refused") {
    const auto r = run_cli({"sign", "--venue", "gate", "--mode", "hedge", "--timestamp",
                            vector_time, "--testnet", "--show-key"},
                           gate_env());
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out == replaced(std::string(posmode::test::gate_set_hedge), "Host: api.gateio.ws\r\n",
                            "Host: fx-api-testnet.gateio.ws\r\n"));
    check_usage_error(run_cli({"sign", "--venue", "gate", "--mode", "hedge", "--timestamp",
                               vector_time, "--demo"},
                              gate_env()),
                      "--demo: Gate has no demo environment");
  }

  TEST_CASE("sign masks the Gate key unless --show-key, and never prints the secret") {
    const auto r = run_cli(
        {"sign", "--venue", "gate", "--mode", "hedge", "--timestamp", vector_time}, gate_env());
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("KEY: gate" + std::string(25, '*') + "6789\r\n") != std::string::npos);
    CHECK(r.out.find(gate_key) == std::string::npos);
    CHECK(r.out.find(gate_secret) == std::string::npos);
    CHECK(r.out.find(std::string("SIGN: ") + usdt_dual_sign + "\r\n") != std::string::npos);
    CHECK(r.err.find("--show-key") != std::string::npos);
  }

  TEST_CASE("sign refuses Gate input it cannot express") {
    check_usage_error(run_cli({"sign", "--venue", "gate", "--mode", "hedge", "--product", "usd1",
                               "--timestamp", vector_time},
                              gate_env()),
                      "--product: unknown Gate product type 'usd1'");
    check_usage_error(run_cli({"sign", "--venue", "gate", "--mode", "hedge", "--timestamp",
                               vector_time, "--recv-window", "5000"},
                              gate_env()),
                      "--recv-window: Gate requests carry no recvWindow");
    auto no_secret = gate_env();
    no_secret.erase("GATE_API_SECRET");
    check_usage_error(
        run_cli({"sign", "--venue", "gate", "--mode", "hedge", "--timestamp", vector_time},
                no_secret),
        "GATE_API_SECRET");
  }
}

TEST_SUITE("cli_get") {
  TEST_CASE_FIXTURE(fixture, "get --mock reads each Gate settle account's position_mode") {
    const auto r = run_cli({"get", "--config", config, "--mock"}, gate_env());
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(has_row(r.out, {"gt", "gate", "usdt", "one-way", "current_mode", "200", "-"}));
    CHECK(has_row(r.out, {"gt-both", "gate", "usdt", "one-way", "current_mode", "200", "-"}));
    CHECK(has_row(r.out, {"gt-both", "gate", "btc", "one-way", "current_mode", "200", "-"}));
    const auto hedge = run_cli(
        {"get", "--config", config, "--mock", "--mock-initial-mode", "hedge", "-a", "gt-both"},
        gate_env());
    CHECK(hedge.exit_code == 0);
    CHECK(has_row(hedge.out, {"gt-both", "gate", "usdt", "hedge", "current_mode", "200"}));
    CHECK(has_row(hedge.out, {"gt-both", "gate", "btc", "hedge", "current_mode", "200"}));
    CHECK(!has_row(hedge.out, {"gt"}));
  }

  TEST_CASE("get signs with GATE_API_KEY and GATE_API_SECRET against a stand-in venue") {
    temp_dir dir;
    vector_venue venue(dir);
    posmode::mock::gate_account account;
    account.api_key = gate_key;
    account.secret = gate_secret;
    account.modes = {{"usdt", posmode::mock::gate_mode::dual}};
    venue.exchange().add_gate_account(account);
    const std::string text =
        "[[account]]\nname = \"g\"\nvenue = \"gate\"\n" + venue.account_lines();
    const auto r = run_cli({"get", "--config", dir.write("g.toml", text)}, gate_env());
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(has_row(r.out, {"g", "gate", "usdt", "hedge", "current_mode", "200"}));
    bool read = false;
    for (const auto& rec : venue.exchange().request_log())
      if (rec.target == "/api/v4/futures/usdt/accounts" && rec.outcome == "ok") read = true;
    CHECK(read);
    // Another secret in the environment: the venue refuses the signature, exit 4.
    auto wrong = gate_env();
    wrong["GATE_API_SECRET"] = std::string(62, 'x');
    const auto refused = run_cli({"get", "--config", dir.path() + "/g.toml"}, wrong);
    CHECK(refused.exit_code == 4);
    CHECK(refused.out.find("INVALID_SIGNATURE") != std::string::npos);
  }
}

TEST_SUITE("cli_set") {
  TEST_CASE_FIXTURE(fixture, "set on Gate applies and verifies; already in mode from the read") {
    const auto r =
        run_cli({"set", "--config", config, "--mock", "-a", "gt", "-m", "hedge"}, gate_env());
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(has_row(r.out, {"gt", "usdt", "set", "one-way", "applied", "-", "200", "-"}));
    CHECK(has_row(r.out, {"gt", "usdt", "verify", "-", "verified", "hedge", "200"}));
    CHECK(r.out.ends_with("gt hedge -> applied (exit 0)\n"));
    // Gate answers the same 200 either way; the mode read just before the request tells the
    // no-op.
    const auto again = run_cli({"set", "--config", config, "--mock", "--mock-initial-mode", "hedge",
                                "-a", "gt", "-m", "hedge"},
                               gate_env());
    INFO(again.out << again.err);
    CHECK(again.exit_code == 0);
    CHECK(has_row(again.out, {"gt", "usdt", "set", "hedge", "already_in_mode", "-", "200"}));
    CHECK(again.out.ends_with("gt hedge -> already_in_mode (exit 0)\n"));
  }

  TEST_CASE_FIXTURE(fixture, "set on two Gate settle accounts switches usdt, then btc") {
    const auto r =
        run_cli({"set", "--config", config, "--mock", "-a", "gt-both", "-m", "hedge"}, gate_env());
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    const int usdt = row_index(r.out, {"gt-both", "usdt", "set"});
    const int btc = row_index(r.out, {"gt-both", "btc", "set"});
    CHECK(has_row(r.out, {"gt-both", "usdt", "set", "one-way", "applied"}));
    CHECK(has_row(r.out, {"gt-both", "btc", "set", "one-way", "applied"}));
    CHECK(has_row(r.out, {"gt-both", "(all)", "verify", "-", "verified", "hedge"}));
    CHECK(usdt >= 0);
    CHECK(usdt < btc);
  }

  TEST_CASE_FIXTURE(fixture, "set on Gate with positions or orders exits 3 with POSITION_HOLDING") {
    std::string flag = "--mock-positions";
    std::string cause = "while positions are held";
    SUBCASE("positions") {}
    SUBCASE("orders") {
      flag = "--mock-orders";
      cause = "while orders are pending";
    }
    const auto r =
        run_cli({"set", "--config", config, "--mock", flag, "-a", "gt", "-m", "hedge"}, gate_env());
    INFO(r.out << r.err);
    CHECK(r.exit_code == 3);
    CHECK(has_row(r.out, {"gt", "usdt", "set", "one-way", "blocked_positions_or_orders", "one-way",
                          "400", "POSITION_HOLDING"}));
    CHECK(r.out.find(cause) != std::string::npos);
    CHECK(r.out.ends_with("gt hedge -> blocked_positions_or_orders (exit 3)\n"));
  }

  TEST_CASE_FIXTURE(fixture, "set on Gate exits 4 when the signature is refused") {
    const auto r = run_cli(
        {"set", "--config", config, "--mock", "--mock-wrong-secret", "-a", "gt", "-m", "hedge"},
        gate_env());
    INFO(r.out << r.err);
    CHECK(r.exit_code == 4);
    CHECK(
        has_row(r.out, {"gt", "usdt", "set", "-", "auth_failed", "-", "401", "INVALID_SIGNATURE"}));
  }
}

TEST_SUITE("cli_check") {
  TEST_CASE_FIXTURE(fixture, "check on Gate: expected_mode per settle account, exit 7 or 0") {
    const auto differs = run_cli({"check", "--config", config, "--mock"}, gate_env());
    INFO(differs.out << differs.err);
    CHECK(differs.exit_code == 7);
    CHECK(has_row(differs.out, {"gt", "gate", "usdt", "ready", "one-way", "-"}));
    CHECK(has_row(differs.out, {"gt-both", "gate", "usdt", "differs", "one-way", "hedge"}));
    CHECK(has_row(differs.out, {"gt-both", "gate", "btc", "differs", "one-way", "hedge"}));
    const auto ready = run_cli(
        {"check", "--config", config, "--mock", "--mock-initial-mode", "hedge"}, gate_env());
    INFO(ready.out << ready.err);
    CHECK(ready.exit_code == 0);
    CHECK(has_row(ready.out, {"gt-both", "gate", "usdt", "ready", "hedge", "hedge"}));
    CHECK(has_row(ready.out, {"gt-both", "gate", "btc", "ready", "hedge", "hedge"}));
    const auto blocked = run_cli(
        {"check", "--config", config, "--mock", "--mock-wrong-secret", "-a", "gt"}, gate_env());
    INFO(blocked.out << blocked.err);
    CHECK(blocked.exit_code == 4);
  }
}
