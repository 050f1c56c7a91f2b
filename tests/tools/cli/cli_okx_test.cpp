// posmode sign / get / set for OKX (docs/venues.md §4): the set bytes equal the template tests'
// expected requests (the §6 vectors), --demo adds x-simulated-trading: 1, and get / set run
// against the mock exchange's OKX (--mock).

#include <doctest/doctest.h>

#include <map>
#include <string>

#include "support/expected_requests.hpp"
#include "tools/cli/cli_test_support.hpp"

using posmode::test::temp_dir;
using posmode::test::cli::check_usage_error;
using posmode::test::cli::has_row;
using posmode::test::cli::run_cli;
using posmode::test::cli::vector_env;

namespace {

constexpr const char* vector_time = "1700000000000";
constexpr const char* okx_key = "37c541a1-0000-4000-8000-10fe7a038418";
constexpr const char* okx_secret = "22582BD0CFF14C41EDBF1AB98506286D";
constexpr const char* okx_passphrase = "Passphrase1";

std::map<std::string, std::string> okx_env() {
  auto env = vector_env();
  env["OKX_API_KEY"] = okx_key;
  env["OKX_API_SECRET"] = okx_secret;
  env["OKX_API_PASSPHRASE"] = okx_passphrase;
  return env;
}

constexpr const char* accounts_toml = R"([defaults]
attempt_timeout_ms = 1000
request_deadline_ms = 2500

[[account]]
name = "okx"
venue = "okx"
)";

struct fixture {
  temp_dir dir;
  std::string config = dir.write("accounts.toml", accounts_toml);
};

}  // namespace

TEST_SUITE("cli_sign") {
  TEST_CASE("sign prints the OKX set-mode bytes, byte for byte") {
    const auto hedge = run_cli(
        {"sign", "--venue", "okx", "--mode", "hedge", "--timestamp", vector_time, "--show-key"},
        okx_env());
    INFO(hedge.err);
    CHECK(hedge.exit_code == 0);
    CHECK(hedge.out == posmode::test::okx_set_hedge);
    CHECK(hedge.err.empty());
    const auto one_way = run_cli({"sign", "--venue", "okx", "--mode", "one-way", "--product",
                                  "account", "--timestamp", vector_time, "--show-key"},
                                 okx_env());
    CHECK(one_way.exit_code == 0);
    CHECK(one_way.out == posmode::test::okx_set_one_way);
  }

  TEST_CASE("sign hides the OKX key and passphrase unless --show-key") {
    const auto r = run_cli(
        {"sign", "--venue", "okx", "--mode", "hedge", "--timestamp", vector_time}, okx_env());
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("OK-ACCESS-KEY: 37c5" + std::string(28, '*') + "8418\r\n") !=
          std::string::npos);
    CHECK(r.out.find("OK-ACCESS-PASSPHRASE: ********\r\n") != std::string::npos);
    CHECK(r.out.find(okx_passphrase) == std::string::npos);
    CHECK(r.out.find(okx_secret) == std::string::npos);
    CHECK(r.out.find("OK-ACCESS-SIGN: HrKhP4rlz0P43dreIt36x9wWzb+WpG9ZnfHKR9g21YU=\r\n") !=
          std::string::npos);
    CHECK(r.err.find("--show-key") != std::string::npos);
  }

  TEST_CASE("sign --demo adds x-simulated-trading: 1 and keeps the signature") {
    const auto r = run_cli({"sign", "--venue", "okx", "--mode", "hedge", "--timestamp", vector_time,
                            "--demo", "--show-key"},
                           okx_env());
    INFO(r.err);
    CHECK(r.exit_code == 0);
    std::string expected(posmode::test::okx_set_hedge);
    const std::string content_type = "Content-Type: application/json\r\n";
    expected.insert(expected.find(content_type) + content_type.size(),
                    "x-simulated-trading: 1\r\n");
    CHECK(r.out == expected);
    // Bitget's demo is its header too; PAPI has none.
    const auto bitget = run_cli({"sign", "--venue", "bitget", "--mode", "hedge", "--timestamp",
                                 vector_time, "--demo", "--show-key"},
                                okx_env());
    CHECK(bitget.exit_code == 0);
    CHECK(bitget.out.find("\r\npaptrading: 1\r\n") != std::string::npos);
    check_usage_error(run_cli({"sign", "--venue", "binance-papi-um", "--mode", "hedge",
                               "--timestamp", vector_time, "--demo"},
                              okx_env()),
                      "--demo: Binance Portfolio Margin has no demo environment");
  }

  TEST_CASE("sign refuses OKX input it cannot express") {
    check_usage_error(run_cli({"sign", "--venue", "okx", "--mode", "hedge", "--timestamp",
                               vector_time, "--recv-window", "5000"},
                              okx_env()),
                      "--recv-window: OKX requests carry no recvWindow");
    check_usage_error(run_cli({"sign", "--venue", "okx", "--mode", "hedge", "--product",
                               "USDT-FUTURES", "--timestamp", vector_time},
                              okx_env()),
                      "--product: unknown OKX product type 'USDT-FUTURES'");
    auto no_passphrase = okx_env();
    no_passphrase.erase("OKX_API_PASSPHRASE");
    check_usage_error(
        run_cli({"sign", "--venue", "okx", "--mode", "hedge", "--timestamp", vector_time},
                no_passphrase),
        "environment variable OKX_API_PASSPHRASE is not set (the API passphrase)");
  }
}

TEST_SUITE("cli_get") {
  TEST_CASE_FIXTURE(fixture, "get --mock reads the OKX account-wide mode") {
    const auto r =
        run_cli({"get", "--config", config, "--mock", "--mock-initial-mode", "hedge"}, okx_env());
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(has_row(r.out, {"okx", "okx", "account", "hedge", "current_mode", "200", "0"}));
  }
}

TEST_SUITE("cli_set") {
  TEST_CASE_FIXTURE(fixture, "set on OKX applies and verifies; already in mode from the read") {
    const auto r =
        run_cli({"set", "--config", config, "--mock", "-a", "okx", "-m", "hedge"}, okx_env());
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(has_row(r.out, {"okx", "account", "set", "one-way", "applied", "-", "200", "0"}));
    CHECK(has_row(r.out, {"okx", "account", "verify", "-", "verified", "hedge", "200", "0"}));
    CHECK(r.out.ends_with("okx hedge -> applied (exit 0)\n"));
    // OKX answers "0" either way; the mode read just before the request tells the no-op.
    const auto again = run_cli({"set", "--config", config, "--mock", "--mock-initial-mode", "hedge",
                                "-a", "okx", "-m", "hedge"},
                               okx_env());
    INFO(again.out << again.err);
    CHECK(again.exit_code == 0);
    CHECK(has_row(again.out, {"okx", "account", "set", "hedge", "already_in_mode", "-", "200"}));
    CHECK(again.out.ends_with("okx hedge -> already_in_mode (exit 0)\n"));
  }

  TEST_CASE_FIXTURE(fixture, "set on OKX with open positions exits 3 with 59000") {
    const auto r = run_cli(
        {"set", "--config", config, "--mock", "--mock-positions", "-a", "okx", "-m", "hedge"},
        okx_env());
    INFO(r.out << r.err);
    CHECK(r.exit_code == 3);
    CHECK(has_row(r.out, {"okx", "account", "set", "one-way", "blocked_positions_or_orders"}));
    CHECK(r.out.find("59000") != std::string::npos);
    CHECK(r.out.find("trading bots") != std::string::npos);
  }

  TEST_CASE_FIXTURE(fixture, "set on OKX exits 4 when the signature is refused (50113)") {
    const auto r = run_cli(
        {"set", "--config", config, "--mock", "--mock-wrong-secret", "-a", "okx", "-m", "hedge"},
        okx_env());
    INFO(r.out << r.err);
    CHECK(r.exit_code == 4);
    CHECK(r.out.find("auth_failed") != std::string::npos);
    CHECK(r.out.find("50113") != std::string::npos);
  }
}
