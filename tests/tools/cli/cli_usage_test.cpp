// Issue 12, the command line itself: --version, misspelt commands and options named with the
// nearest valid one before anything else is checked, the bare command's usage, short options,
// $POSMODE_CONFIG, --timeout, and credentials read only for the accounts asked for (none with
// --mock).

#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <string>

#include "posmode/version.hpp"
#include "tools/cli/cli_test_support.hpp"
#include "tools/cli/cli_venue.hpp"

using posmode::test::run_process;
using posmode::test::temp_dir;
using posmode::test::cli::check_usage_error;
using posmode::test::cli::has_row;
using posmode::test::cli::run_cli;
using posmode::test::cli::vector_env;
using posmode::test::cli::vector_venue;

namespace {

constexpr const char* two_accounts = R"([[account]]
name = "pm"
venue = "binance-papi"

[[account]]
name = "bg"
venue = "bitget"
products = ["USDT-FUTURES"]
)";

struct fixture {
  temp_dir dir;
  std::string config = dir.write("accounts.toml", two_accounts);
};

}  // namespace

TEST_SUITE("cli_usage") {
  TEST_CASE("--version prints the generated version, for posmode and the mock exchange") {
    const auto r = run_cli({"--version"}, {});
    CHECK(r.exit_code == 0);
    CHECK(r.out == "posmode " POSMODE_VERSION_STRING "\n");
    CHECK(r.out == "posmode 0.2.0\n");
    CHECK(r.err.empty());
    const auto mock = run_process(POSMODE_MOCK_EXCHANGE_PATH, {"--version"}, {});
    CHECK(mock.exit_code == 0);
    CHECK(mock.out == "posmode-mock-exchange " POSMODE_VERSION_STRING "\n");
  }

  TEST_CASE("a bare posmode prints the usage on stderr and exits 2") {
    const auto r = run_cli({}, {});
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(r.err.starts_with("usage: posmode <command> [options]\n"));
    for (const char* command : {"\n  get ", "\n  set ", "\n  sign "})
      CHECK(r.err.find(command) != std::string::npos);
  }

  TEST_CASE("a misspelt command is named with the nearest one") {
    check_usage_error(run_cli({"gte"}), "posmode: unknown command 'gte' (did you mean get?)\n");
    check_usage_error(run_cli({"sing", "--venue", "bitget"}),
                      "unknown command 'sing' (did you mean sign?)");
    check_usage_error(run_cli({"--verison"}),
                      "unknown option '--verison' (did you mean --version?)");
    check_usage_error(run_cli({"--config", "x.toml", "get"}),
                      "option '--config' comes after the command (e.g. posmode get --config");
  }

  TEST_CASE_FIXTURE(fixture, "a misspelt option is named before a missing required one") {
    // --config is missing too: the typo is what the operator needs to hear about.
    const auto r = run_cli({"get", "--confg", config});
    check_usage_error(r, "posmode: get: unknown option '--confg' (did you mean --config?)\n");
    CHECK(r.err.find("required") == std::string::npos);
    check_usage_error(run_cli({"set", "-c", config, "--acount", "pm", "-m", "hedge"}),
                      "set: unknown option '--acount' (did you mean --account?)");
    check_usage_error(
        run_cli({"set", "-c", config, "-a", "pm", "--mode=hedge", "--mock-drop-aftr"}),
        "set: unknown option '--mock-drop-aftr' (did you mean --mock-drop-after?)");
    check_usage_error(
        run_cli({"sign", "--venue", "bitget", "--timestamp", "now", "--mdoe", "hedge"}),
        "sign: unknown option '--mdoe' (did you mean --mode?)");
    // A value without its option.
    check_usage_error(run_cli({"set", "-c", config, "-a", "pm", "hedge"}),
                      "set: unexpected argument 'hedge' (did you mean --mode hedge?)");
    // An option without its value says what the value is.
    check_usage_error(run_cli({"get", "-c", config, "--timeout"}),
                      "get: --timeout needs a value (request deadline in ms, retries included, "
                      "1..3600000");
    check_usage_error(run_cli({"set", "-c", config, "-a", "--mock", "-m", "hedge"}),
                      "set: -a needs a value (the account, by name; required)");
    // Values that look like options are the option's value, not a typo.
    check_usage_error(run_cli({"get", "-c", config, "--timeout", "-5"}),
                      "--timeout: -5 is outside 1..3600000 (nearest valid: 1)");
  }

  TEST_CASE_FIXTURE(fixture, "missing options say what to give, with the valid values") {
    check_usage_error(run_cli({"get", "--mock"}, {}),
                      "get: --config (-c) is required, or set POSMODE_CONFIG to the file's path");
    check_usage_error(run_cli({"set", "-c", config, "-m", "hedge", "--mock"}),
                      "set: --account (-a) is required (accounts in " + config + ": pm, bg)");
    check_usage_error(run_cli({"set", "-c", config, "-a", "pm", "--mock"}),
                      "set: --mode (-m) is required (hedge, one-way)");
    check_usage_error(run_cli({"set", "-c", config, "-a", "pm", "-m", "hegde", "--mock"}),
                      "--mode: unknown mode 'hegde' (did you mean hedge? valid: hedge, one-way)");
    check_usage_error(
        run_cli({"get", "-c", config, "--mock", "--mock-initial-mode", "oneway"}),
        "--mock-initial-mode: unknown mode 'oneway' (did you mean one-way? valid: hedge, one-way)");
  }

  TEST_CASE_FIXTURE(fixture, "-c, -a and -m are --config, --account and --mode") {
    const auto r = run_cli({"set", "-c", config, "-a", "pm", "-m", "hedge", "--mock"}, {});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.ends_with("pm hedge -> applied (exit 0)\n"));
    const auto attached = run_cli({"get", "-c" + config, "-abg", "--mock"}, {});
    INFO(attached.out << attached.err);
    CHECK(attached.exit_code == 0);
    CHECK(has_row(attached.out, {"bg", "bitget", "USDT-FUTURES", "one-way", "current_mode"}));
    CHECK(attached.out.find("pm ") == std::string::npos);
  }

  TEST_CASE_FIXTURE(fixture, "$POSMODE_CONFIG names the file when --config is absent") {
    const auto r = run_cli({"get", "--mock"}, {{"POSMODE_CONFIG", config}});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(has_row(r.out, {"pm", "binance-papi", "um", "one-way", "current_mode"}));
    // --config wins over the variable.
    const auto explicit_file =
        run_cli({"get", "--mock", "-c", config}, {{"POSMODE_CONFIG", dir.path() + "/absent.toml"}});
    CHECK(explicit_file.exit_code == 0);
    check_usage_error(run_cli({"get", "--mock"}, {{"POSMODE_CONFIG", dir.path() + "/absent.toml"}}),
                      "absent.toml: cannot read: No such file or directory");
    check_usage_error(run_cli({"get", "--mock"}, {{"POSMODE_CONFIG", ""}}),
                      "get: POSMODE_CONFIG is empty and --config (-c) is not given");
  }

  TEST_CASE_FIXTURE(fixture, "--mock needs no credentials: it makes throwaway ones and says so") {
    // No variable at all in the environment, and a secret file that does not exist.
    const std::string file = dir.write(
        "files.toml", std::string(two_accounts) + "secret_file = \"/nonexistent/secret\"\n");
    const auto r = run_cli({"set", "-c", file, "-a", "bg", "-m", "hedge", "--mock"}, {});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.err ==
          "posmode: --mock: throwaway credentials made up for every account; none were read from "
          "the environment or secret files\n");
    CHECK(r.out.ends_with("bg hedge -> applied (exit 0)\n"));
    // The throwaway credentials sign: a mock that knows another secret still refuses them.
    const auto refused = run_cli({"get", "-c", file, "--mock", "--mock-wrong-secret"}, {});
    CHECK(refused.exit_code == 4);
  }

  TEST_CASE("only the account asked for needs credentials, and the other may lack its variables") {
    temp_dir dir;
    vector_venue venue(dir);
    const std::string file =
        dir.write("venue.toml", "[[account]]\nname = \"um\"\nvenue = \"binance-usdm\"\n" +
                                    venue.account_lines() +
                                    "\n[[account]]\nname = \"bg\"\nvenue = \"bitget\"\nproducts = "
                                    "[\"USDT-FUTURES\"]\npassphrase_env = \"NOT_SET\"\n");
    auto env = vector_env();
    env.erase("BITGET_API_KEY");
    const auto r = run_cli({"get", "-c", file, "-a", "um"}, env);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(has_row(r.out, {"um", "binance-usdm", "usdm", "one-way", "current_mode", "200"}));
    CHECK(r.err.empty());
    // The venue saw the vector key: real credentials were read and signed with.
    const auto set = run_cli({"set", "-c", file, "-a", "um", "-m", "hedge"}, env);
    INFO(set.out << set.err);
    CHECK(set.exit_code == 0);
    CHECK(venue.exchange().binance_mode(posmode::test::cli::binance_key,
                                        posmode::mock::binance_product::usdm) ==
          posmode::mock::position_mode::hedge);
    // Every account, as before, needs every account's credentials; nothing is sent.
    check_usage_error(run_cli({"get", "-c", file}, env),
                      "accounts[1]: environment variable BITGET_API_KEY is not set");
  }

  TEST_CASE_FIXTURE(fixture, "an unknown --account names the nearest account") {
    check_usage_error(run_cli({"get", "-c", config, "-a", "gb", "--mock"}, {}),
                      "--account: no account named 'gb' in " + config + " (did you mean bg?)");
    check_usage_error(run_cli({"set", "-c", config, "-a", "pn", "-m", "hedge"}, {}),
                      "(did you mean pm?)");
  }

  TEST_CASE_FIXTURE(fixture, "--timeout is the request deadline, 1..3600000 ms") {
    const std::string file = dir.write(
        "slow.toml", "[defaults]\nattempt_timeout_ms = 3000\n" + std::string(two_accounts));
    // Below the file's attempt timeout: the attempt is shortened to fit, not refused.
    const auto r = run_cli({"get", "-c", file, "--mock", "--verbose", "--timeout", "1500"}, {});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.err.find("posmode: request deadline 1500 ms, attempt timeout 1500 ms, connect timeout "
                     "2000 ms\n") != std::string::npos);
    const auto longer = run_cli(
        {"set", "-c", file, "--mock", "--verbose", "--timeout=60000", "-a", "bg", "-m", "hedge"},
        {});
    INFO(longer.out << longer.err);
    CHECK(longer.exit_code == 0);
    CHECK(longer.err.find("posmode: request deadline 60000 ms, attempt timeout 3000 ms") !=
          std::string::npos);
    check_usage_error(run_cli({"get", "-c", file, "--mock", "--timeout", "0"}, {}),
                      "--timeout: 0 is outside 1..3600000 (nearest valid: 1)");
    check_usage_error(run_cli({"get", "-c", file, "--mock", "--timeout", "3600001"}, {}),
                      "--timeout: 3600001 is outside 1..3600000 (nearest valid: 3600000)");
    check_usage_error(
        run_cli({"set", "-c", file, "--mock", "-a", "bg", "-m", "hedge", "--timeout", "2s"}, {}),
        "--timeout: '2s' is not a whole number of milliseconds (1..3600000)");
    check_usage_error(
        run_cli({"get", "-c", file, "--timeout", "99999999999999999999"}, {}),
        "--timeout: 99999999999999999999 is outside 1..3600000 (nearest valid: 3600000)");
  }

  TEST_CASE_FIXTURE(fixture, "recv_window_ms = 1000 in the file reads and sets the mode") {
    const std::string file =
        dir.write("window.toml",
                  "[[account]]\nname = \"um\"\nvenue = \"binance-usdm\"\nrecv_window_ms = 1000\n");
    const auto r = run_cli({"get", "-c", file, "--mock"}, {});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(has_row(r.out, {"um", "binance-usdm", "usdm", "one-way", "current_mode", "200"}));
    const auto set = run_cli({"set", "-c", file, "--mock", "-a", "um", "-m", "hedge"}, {});
    INFO(set.out << set.err);
    CHECK(set.exit_code == 0);
  }

  TEST_CASE_FIXTURE(fixture,
                    "test environments run against the mock; Bitget demo sends its header") {
    const std::string file = dir.write("envs.toml", R"([[account]]
name = "um-test"
venue = "binance-usdm"
environment = "testnet"

[[account]]
name = "cm-demo"
venue = "binance-coinm"
environment = "demo"

[[account]]
name = "bg-demo"
venue = "bitget"
products = ["USDT-FUTURES"]
environment = "demo"

[[account]]
name = "bg-old"
venue = "bitget"
products = ["COIN-FUTURES"]
bitget_demo_key = true
)");
    // The mock registers the Bitget accounts as demo keys: a request without paptrading: 1 would
    // be answered 40099 and the read would fail.
    const auto r = run_cli({"set", "-c", file, "--mock", "-a", "bg-demo", "-m", "hedge"}, {});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.ends_with("bg-demo hedge -> applied (exit 0)\n"));
    const auto all = run_cli({"get", "-c", file, "--mock"}, {});
    INFO(all.out << all.err);
    CHECK(all.exit_code == 0);
    CHECK(has_row(all.out, {"um-test", "binance-usdm", "usdm", "one-way", "current_mode"}));
    CHECK(has_row(all.out, {"cm-demo", "binance-coinm", "coinm", "one-way", "current_mode"}));
    CHECK(has_row(all.out, {"bg-demo", "bitget", "USDT-FUTURES", "one-way", "current_mode"}));
    CHECK(has_row(all.out, {"bg-old", "bitget", "COIN-FUTURES", "one-way", "current_mode"}));
    CHECK(all.out.find("40099") == std::string::npos);
    // PAPI has no test environment: refused before anything is sent.
    check_usage_error(
        run_cli({"get", "-c",
                 dir.write("papi.toml",
                           "[[account]]\nname = \"pm\"\nvenue = \"binance-papi\"\n"
                           "environment = \"testnet\"\n"),
                 "--mock"},
                {}),
        "accounts[0].account.environment: binance-papi has no test environment; 'testnet' is not "
        "available (use production;");
  }

  TEST_CASE("sign --timestamp now signs at the current wall-clock millisecond") {
    using std::chrono::duration_cast;
    using std::chrono::milliseconds;
    using std::chrono::system_clock;
    const auto before = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    const auto r =
        run_cli({"sign", "--venue", "binance-usdm", "-m", "hedge", "--timestamp", "now"});
    const auto after = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto at = r.out.find("&timestamp=");
    REQUIRE(at != std::string::npos);
    const std::string stamp = r.out.substr(at + 11, 13);
    CHECK(r.out.substr(at + 24, 11) == "&signature=");
    const long long value = std::stoll(stamp);
    CHECK(value >= before);
    CHECK(value <= after);
    check_usage_error(
        run_cli({"sign", "--venue", "binance-usdm", "-m", "hedge", "--timestamp", "nwo"}),
        "--timestamp: 'nwo' is not a time in milliseconds since the epoch (did you mean now?)");
  }
}
