// posmode get / set against the mock exchange started in the CLI's own process (--mock), and the
// configuration errors that stop them before anything is sent.

#include <doctest/doctest.h>

#include <string>

#include "tools/cli/cli_test_support.hpp"
#include "tools/cli/cli_venue.hpp"

using posmode::test::temp_dir;
using posmode::test::cli::check_usage_error;
using posmode::test::cli::has_row;
using posmode::test::cli::run_cli;
using posmode::test::cli::vector_env;
using posmode::test::cli::vector_venue;

namespace {

// Short deadlines keep the transport test quick; the mock answers in milliseconds otherwise.
constexpr const char* accounts_toml = R"([defaults]
attempt_timeout_ms = 1000
request_deadline_ms = 2500

[[account]]
name = "pm"
venue = "binance-papi"

[[account]]
name = "um-only"
venue = "binance-usdm"
key_env = "USDM_KEY"
secret_env = "USDM_SECRET"

[[account]]
name = "bg"
venue = "bitget"
products = ["USDT-FUTURES", "COIN-FUTURES"]
)";

std::map<std::string, std::string> mock_env() {
  auto env = vector_env();
  env["USDM_KEY"] = "usdmKey0123456789abcdefUSDM";
  env["USDM_SECRET"] = "usdmSecret0123456789abcdef";
  return env;
}

struct fixture {
  temp_dir dir;
  std::string config = dir.write("accounts.toml", accounts_toml);
};

}  // namespace

TEST_SUITE("cli_get") {
  TEST_CASE_FIXTURE(fixture, "get --mock prints every account's and product's mode") {
    const auto r = run_cli({"get", "--config", config, "--mock"}, mock_env());
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.rfind("ACCOUNT  ", 0) == 0);
    CHECK(r.err.find("throwaway credentials") != std::string::npos);
    CHECK(has_row(r.out, {"pm", "binance-papi", "um", "one-way", "current_mode", "200"}));
    CHECK(has_row(r.out, {"pm", "binance-papi", "cm", "one-way", "current_mode", "200"}));
    CHECK(has_row(r.out, {"um-only", "binance-usdm", "usdm", "one-way", "current_mode", "200"}));
    CHECK(has_row(r.out, {"bg", "bitget", "USDT-FUTURES", "one-way", "current_mode", "200", "00000",
                          "success"}));
    CHECK(has_row(r.out, {"bg", "bitget", "COIN-FUTURES", "one-way", "current_mode", "200", "00000",
                          "success"}));
    CHECK(r.out.find("hedge") == std::string::npos);
  }

  TEST_CASE_FIXTURE(fixture, "get --account --json reads one account") {
    const auto r = run_cli({"get", "--config", config, "--mock", "--mock-initial-mode", "hedge",
                            "--account", "bg", "--json"},
                           mock_env());
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.rfind(R"({"accounts":[{"name":"bg","venue":"bitget","products":[)", 0) == 0);
    CHECK(r.out.find(R"("product":"USDT-FUTURES","status":"current_mode","mode":"hedge")") !=
          std::string::npos);
    CHECK(r.out.find(R"("product":"COIN-FUTURES","status":"current_mode","mode":"hedge")") !=
          std::string::npos);
    CHECK(r.out.find("\"pm\"") == std::string::npos);
    CHECK(r.out.ends_with("],\"exit_code\":0}\n"));
  }

  TEST_CASE_FIXTURE(fixture, "get exits 4 when the venue refuses the signature") {
    const auto r =
        run_cli({"get", "--config", config, "--mock", "--mock-wrong-secret", "--account", "pm"},
                mock_env());
    CHECK(r.exit_code == 4);
    CHECK(r.out.find("auth_failed") != std::string::npos);
  }
}

TEST_SUITE("cli_set") {
  TEST_CASE_FIXTURE(fixture, "set applies, verifies and exits 0; already in mode exits 0") {
    const auto r = run_cli(
        {"set", "--config", config, "--mock", "--account", "pm", "--mode", "hedge"}, mock_env());
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(has_row(r.out, {"pm", "um", "set", "one-way", "applied", "-", "200", "200", "success"}));
    CHECK(has_row(r.out, {"pm", "cm", "set", "one-way", "applied", "-", "200", "200", "success"}));
    CHECK(has_row(r.out, {"pm", "(all)", "verify", "-", "verified", "hedge", "200"}));
    CHECK(r.out.ends_with("pm hedge -> applied (exit 0)\n"));

    const auto again = run_cli({"set", "--config", config, "--mock", "--mock-initial-mode", "hedge",
                                "--account", "um-only", "--mode", "hedge", "--json"},
                               mock_env());
    INFO(again.out << again.err);
    CHECK(again.exit_code == 0);
    CHECK(
        again.out.rfind(
            R"({"account":"um-only","venue":"binance-usdm","requested":"hedge","result":"already_in_mode","exit_code":0,"steps":[)",
            0) == 0);
    CHECK(again.out.find(R"("code":"-4059")") != std::string::npos);
  }

  TEST_CASE_FIXTURE(fixture, "set on Bitget switches every product type") {
    const auto r = run_cli(
        {"set", "--config", config, "--mock", "--account", "bg", "--mode", "hedge"}, mock_env());
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(has_row(r.out, {"bg", "USDT-FUTURES", "set", "one-way", "applied"}));
    CHECK(has_row(r.out, {"bg", "COIN-FUTURES", "set", "one-way", "applied"}));
    CHECK(has_row(r.out, {"bg", "(all)", "verify", "-", "verified", "hedge"}));
    CHECK(r.out.find("00000") != std::string::npos);
  }

  TEST_CASE_FIXTURE(fixture,
                    "issue 12: a Bitget set into the mode it is in shows already_in_mode") {
    // Bitget answers 00000 either way; the mode read just before the request tells the no-op.
    const auto r = run_cli({"set", "--config", config, "--mock", "--mock-initial-mode", "hedge",
                            "-a", "bg", "-m", "hedge"},
                           mock_env());
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(has_row(r.out, {"bg", "USDT-FUTURES", "set", "hedge", "already_in_mode", "-", "200",
                          "00000", "success"}));
    CHECK(has_row(r.out, {"bg", "COIN-FUTURES", "set", "hedge", "already_in_mode"}));
    CHECK(has_row(r.out, {"bg", "(all)", "verify", "-", "verified", "hedge"}));
    CHECK(r.out.ends_with("bg hedge -> already_in_mode (exit 0)\n"));
    CHECK(r.out.find("applied") == std::string::npos);
    const auto json = run_cli({"set", "--config", config, "--mock", "--mock-initial-mode", "hedge",
                               "-a", "bg", "-m", "hedge", "--json"},
                              mock_env());
    CHECK(json.exit_code == 0);
    CHECK(json.out.starts_with(
        R"({"account":"bg","venue":"bitget","requested":"hedge","result":"already_in_mode",)"));
    CHECK(
        json.out.find(
            R"({"step":"set","before":"hedge","product":"USDT-FUTURES","status":"already_in_mode",)") !=
        std::string::npos);
    // A real change still says applied.
    const auto change = run_cli({"set", "--config", config, "--mock", "--mock-initial-mode",
                                 "one-way", "-a", "bg", "-m", "hedge", "--json"},
                                mock_env());
    CHECK(change.out.find(R"("result":"applied")") != std::string::npos);
    CHECK(change.out.find("already_in_mode") == std::string::npos);
  }

  TEST_CASE_FIXTURE(fixture, "set on Bitget with open positions exits 3 with the venue's code") {
    // Bitget documents no posMode code for this refusal (docs/venues.md §3.6); the mock sends 45117
    // ("positions or orders"), posmode reads the mode back, finds it unchanged, reports blocked.
    const auto r = run_cli({"set", "--config", config, "--mock", "--mock-positions", "--account",
                            "bg", "--mode", "hedge"},
                           mock_env());
    INFO(r.out << r.err);
    CHECK(r.exit_code == 3);
    CHECK(has_row(r.out, {"bg", "USDT-FUTURES", "set", "one-way", "blocked_positions_or_orders"}));
    CHECK(r.out.find("one-way  400   45117  Currently holding positions") != std::string::npos);
  }

  TEST_CASE_FIXTURE(fixture, "set exits 3 when open positions or orders block the change") {
    const auto positions = run_cli({"set", "--config", config, "--mock", "--mock-positions",
                                    "--account", "um-only", "--mode", "hedge"},
                                   mock_env());
    INFO(positions.out << positions.err);
    CHECK(positions.exit_code == 3);
    CHECK(positions.out.find("blocked_positions") != std::string::npos);
    CHECK(positions.out.find("-4068") != std::string::npos);
    const auto orders = run_cli({"set", "--config", config, "--mock", "--mock-orders", "--account",
                                 "pm", "--mode", "hedge", "--json"},
                                mock_env());
    CHECK(orders.exit_code == 3);
    CHECK(orders.out.find(R"("result":"blocked_orders","exit_code":3)") != std::string::npos);
  }

  TEST_CASE_FIXTURE(fixture, "set exits 4 when the signature is refused") {
    const auto r = run_cli({"set", "--config", config, "--mock", "--mock-wrong-secret", "--account",
                            "pm", "--mode", "one-way"},
                           mock_env());
    INFO(r.out << r.err);
    CHECK(r.exit_code == 4);
    CHECK(r.out.find("-1022") != std::string::npos);
  }

  TEST_CASE_FIXTURE(fixture, "issue 11: a venue that resets after each answer never kills set") {
    // Before: no output and exit 141 (SIGPIPE), 6 of 6 runs.
    for (int run = 0; run < 3; ++run) {
      const auto r = run_cli({"set", "--config", config, "--mock", "--mock-drop-after", "--account",
                              "um-only", "--mode", "hedge"},
                             mock_env());
      INFO(r.out << r.err);
      CHECK(r.exit_code != 141);
      CHECK(r.exit_code >= 0);
      CHECK(r.exit_code <= 6);
      CHECK(r.out.find("um-only hedge -> ") != std::string::npos);
    }
  }

  TEST_CASE_FIXTURE(fixture, "set exits 5 when the venue never answers") {
    const auto r = run_cli(
        {"set", "--config", config, "--mock", "--mock-drop", "--account", "pm", "--mode", "hedge"},
        mock_env());
    INFO(r.out << r.err);
    CHECK(r.exit_code == 5);
  }
}

TEST_SUITE("cli_bad_input") {
  TEST_CASE_FIXTURE(fixture, "get and set refuse bad configurations with one line and exit 2") {
    // Unreadable configuration.
    check_usage_error(run_cli({"get", "--config", dir.path() + "/missing.toml", "--mock"}),
                      "missing.toml: cannot read: No such file or directory");
    // TOML syntax error, with line and column.
    const std::string broken = dir.write("broken.toml", "[[account]]\nname = \"pm\nvenue = 1\n");
    check_usage_error(run_cli({"get", "--config", broken, "--mock"}), "broken.toml:2:");
    // Unknown venue and product in the file.
    check_usage_error(
        run_cli({"get", "--config",
                 dir.write("venue.toml", "[[account]]\nname = \"a\"\nvenue = \"kraken\"\n")}),
        "accounts[0].venue: unknown venue 'kraken'");
    check_usage_error(run_cli({"get", "--config",
                               dir.write("product.toml",
                                         "[[account]]\nname = \"a\"\nvenue = \"bitget\"\n"
                                         "products = [\"SPOT\"]\n")}),
                      "accounts[0].products[0]: unknown product 'SPOT'");
    // A bad port.
    check_usage_error(run_cli({"get", "--config",
                               dir.write("port.toml",
                                         "[[account]]\nname = \"a\"\nvenue = \"binance-usdm\"\n"
                                         "port = 70000\n")}),
                      "accounts[0].port: 70000 is outside 1..65535");
    // A missing credential variable (without --mock, which reads none): refused at load.
    auto env = mock_env();
    env.erase("USDM_SECRET");
    check_usage_error(run_cli({"get", "--config", config}, env),
                      "accounts[1]: environment variable USDM_SECRET is not set");
    // An unknown mode and an unknown account.
    check_usage_error(
        run_cli({"set", "--config", config, "--mock", "--account", "pm", "--mode", "dual"},
                mock_env()),
        "--mode: unknown mode 'dual' (did you mean ");
    check_usage_error(
        run_cli({"set", "--config", config, "--mock", "--account", "nope", "--mode", "hedge"},
                mock_env()),
        "--account: no account named 'nope' in " + config + " (did you mean ");
  }

  TEST_CASE_FIXTURE(fixture, "a group- or world-readable secret file is refused, saying so") {
    // Without --mock (which reads no secret): the venue is the mock in this process, which knows
    // the vector key and secret.
    vector_venue venue(dir);
    const std::string secret =
        dir.write("secret", std::string(posmode::test::cli::binance_secret) + "\n", 0640);
    const std::string config_text = "[[account]]\nname = \"a\"\nvenue = \"binance-usdm\"\n" +
                                    venue.account_lines() + "secret_file = \"" + secret + "\"\n";
    auto env = vector_env();
    env.erase("BINANCE_API_SECRET");
    const auto r = run_cli({"get", "--config", dir.write("file.toml", config_text)}, env);
    check_usage_error(r, "is group- or world-readable (mode 0640)");
    CHECK(r.err.find(posmode::test::cli::binance_secret) == std::string::npos);
    CHECK(venue.exchange().request_log().empty());  // refused before anything was sent
    // The same file, owner-only, is accepted, and its secret signs.
    (void)dir.write("secret", std::string(posmode::test::cli::binance_secret) + "\n", 0600);
    const auto ok = run_cli({"get", "--config", dir.path() + "/file.toml"}, env);
    INFO(ok.out << ok.err);
    CHECK(ok.exit_code == 0);
    CHECK(has_row(ok.out, {"a", "binance-usdm", "usdm", "one-way", "current_mode", "200"}));
  }

  TEST_CASE_FIXTURE(fixture, "issue 11: a ca_file that is a directory or not PEM exits 2") {
    const std::string not_pem = dir.write("not-a-ca.pem", "hello\n");
    for (const std::string& ca : {dir.path(), not_pem}) {
      CAPTURE(ca);
      const std::string text =
          "[[account]]\nname = \"u\"\nvenue = \"binance-usdm\"\n"
          "key_env = \"USDM_KEY\"\nsecret_env = \"USDM_SECRET\"\n"
          "ca_file = \"" +
          ca + "\"\n";
      // No --mock: the component is built as for the venue and refuses before connecting.
      const auto r = run_cli({"get", "--config", dir.write("ca.toml", text)}, mock_env());
      check_usage_error(r, "ca_file '" + ca + "'");
    }
  }

  TEST_CASE_FIXTURE(fixture, "issue 11: terminal escapes in the configuration are never echoed") {
    const std::string text =
        "[[account]]\nname = \"a\"\nvenue = \"bitget\"\nproducts = [\"\\u001b]0;pwned\\u0007\"]\n";
    const auto r = run_cli({"get", "--config", dir.write("esc.toml", text)}, mock_env());
    check_usage_error(r, "accounts[0].products[0]: unknown product");
    CHECK(r.err.find('\x1b') == std::string::npos);
    CHECK(r.err.find('\x07') == std::string::npos);
    CHECK(r.err.find("\\x1b]0;pwned\\x07") != std::string::npos);
  }
}
