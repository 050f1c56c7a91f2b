// posmode sign, get and set for Bybit v5: sign byte-equal to the template tests' expected request
// (docs/venues.md §6 vector), get and set against the mock started in the CLI's own process
// (--mock), and Bybit's bad input.

#include <doctest/doctest.h>

#include <string>

#include "support/expected_requests.hpp"
#include "tools/cli/cli_process.hpp"
#include "tools/cli/cli_test_support.hpp"

using posmode::test::temp_dir;
using posmode::test::cli::check_usage_error;
using posmode::test::cli::has_row;
using posmode::test::cli::run_cli;

namespace {

constexpr const char* vector_time = "1700000000000";

constexpr const char* bybit_accounts = R"([defaults]
attempt_timeout_ms = 1000
request_deadline_ms = 4000

[[account]]
name = "bb"
venue = "bybit"

[[account]]
name = "bb-two"
venue = "bybit"
products = ["linear-USDT", "linear-symbol"]
symbol = "ETHUSDT"
environment = "testnet"

[[account]]
name = "bb-usdc"
venue = "bybit"
products = ["linear-USDC"]
)";

struct bybit_fixture {
  temp_dir dir;
  std::string config = dir.write("bybit.toml", bybit_accounts);
};

}  // namespace

TEST_SUITE("cli_sign") {
  TEST_CASE("sign prints the Bybit switch bytes, byte for byte") {
    const auto hedge = run_cli(
        {"sign", "--venue", "bybit", "--mode", "hedge", "--timestamp", vector_time, "--show-key"});
    INFO(hedge.err);
    CHECK(hedge.exit_code == 0);
    CHECK(hedge.out == posmode::test::bybit_usdt_set_hedge);
    const auto usdc = run_cli({"sign", "--venue", "bybit", "--mode", "hedge", "--product",
                               "linear-USDC", "--timestamp", vector_time, "--show-key"});
    CHECK(usdc.exit_code == 0);
    CHECK(
        usdc.out.find(
            "X-BAPI-SIGN: ad0fc99c16d6f1825f44e41be563ba20ba5d49226e348da9d5a4476349b889ac\r\n") !=
        std::string::npos);
    const auto symbol =
        run_cli({"sign", "--venue", "bybit", "--mode", "one-way", "--product", "linear-symbol",
                 "--symbol", "BTCUSDT", "--timestamp", vector_time, "--show-key"});
    CHECK(symbol.exit_code == 0);
    CHECK(symbol.out.ends_with(
        "X-BAPI-SIGN: 477deca38e5aa2c5d713bfe62764b4570bbf29e294150d0f7c4a3f07c904238d\r\n"
        "Content-Type: application/json\r\n"
        "Content-Length: 49\r\n\r\n"
        R"({"category":"linear","symbol":"BTCUSDT","mode":0})"));
  }

  TEST_CASE("sign --testnet and --demo change only Bybit's Host, and --recv-window is signed") {
    std::string expected(posmode::test::bybit_usdt_set_hedge);
    const std::string live_host = "Host: api.bybit.com\r\n";
    // Not a structured binding: clang 14 cannot capture one in CAPTURE.
    for (const auto& entry :
         {std::pair<std::string, std::string>{"--testnet", "api-testnet.bybit.com"},
          {"--demo", "api-demo.bybit.com"}}) {
      const std::string& flag = entry.first;
      const std::string& host = entry.second;
      CAPTURE(flag);
      const auto r = run_cli({"sign", "--venue", "bybit", "--mode", "hedge", "--timestamp",
                              vector_time, "--show-key", flag});
      CHECK(r.exit_code == 0);
      std::string want = expected;
      want.replace(want.find(live_host), live_host.size(), "Host: " + host + "\r\n");
      CHECK(r.out == want);
    }
    const auto window = run_cli({"sign", "--venue", "bybit", "--mode", "hedge", "--timestamp",
                                 vector_time, "--recv-window", "20000", "--show-key"});
    CHECK(window.exit_code == 0);
    CHECK(window.out.find("\r\nX-BAPI-RECV-WINDOW: 20000\r\n") != std::string::npos);
    CHECK(window.out.find("fa6b1e04895273fb5701eca48efb3bca9bf8ea9bc91e492570e7682b82c33cdc") ==
          std::string::npos);
  }

  TEST_CASE("sign masks the Bybit key unless --show-key, and never prints the secret") {
    const auto r =
        run_cli({"sign", "--venue", "bybit", "--mode", "hedge", "--timestamp", vector_time});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("\r\nX-BAPI-API-KEY: XXXX" + std::string(10, '*') + "XXXX\r\n") !=
          std::string::npos);
    CHECK(r.out.find(posmode::test::cli::bybit_key) == std::string::npos);
    CHECK(r.out.find(posmode::test::cli::bybit_secret) == std::string::npos);
    // The signature is the one of the real key.
    CHECK(r.out.find("fa6b1e04895273fb5701eca48efb3bca9bf8ea9bc91e492570e7682b82c33cdc") !=
          std::string::npos);
  }
}

TEST_SUITE("cli_get") {
  TEST_CASE_FIXTURE(bybit_fixture, "get --mock reads every Bybit scope from the position list") {
    const auto r = run_cli({"get", "--config", config, "--mock"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(has_row(r.out,
                  {"bb", "bybit", "linear-USDT", "one-way", "current_mode", "200", "0", "OK"}));
    CHECK(has_row(r.out, {"bb-two", "bybit", "linear-USDT", "one-way", "current_mode"}));
    CHECK(has_row(r.out, {"bb-two", "bybit", "linear-symbol", "one-way", "current_mode"}));
    CHECK(has_row(r.out, {"bb-usdc", "bybit", "linear-USDC", "one-way", "current_mode"}));
    const auto hedge = run_cli(
        {"get", "--config", config, "--mock", "--mock-initial-mode", "hedge", "-a", "bb-two"});
    CHECK(hedge.exit_code == 0);
    CHECK(has_row(hedge.out, {"bb-two", "bybit", "linear-symbol", "hedge", "current_mode"}));
  }
}

TEST_SUITE("cli_set") {
  TEST_CASE_FIXTURE(bybit_fixture, "set on Bybit: applied, already in mode (110025), blocked") {
    const auto r = run_cli({"set", "--config", config, "--mock", "-a", "bb-two", "-m", "hedge"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(has_row(r.out,
                  {"bb-two", "linear-USDT", "set", "one-way", "applied", "-", "200", "0", "OK"}));
    // The coin switch took ETHUSDT along: the symbol switch finds it done.
    CHECK(has_row(r.out, {"bb-two", "linear-symbol", "set", "one-way", "already_in_mode"}));
    CHECK(r.out.find("110025") != std::string::npos);
    CHECK(has_row(r.out, {"bb-two", "(all)", "verify", "-", "verified", "hedge"}));

    const auto again = run_cli({"set", "--config", config, "--mock", "--mock-initial-mode", "hedge",
                                "-a", "bb", "-m", "hedge", "--json"});
    INFO(again.out << again.err);
    CHECK(again.exit_code == 0);
    CHECK(again.out.starts_with(
        R"({"account":"bb","venue":"bybit","requested":"hedge","result":"already_in_mode",)"));

    const auto positions = run_cli(
        {"set", "--config", config, "--mock", "--mock-positions", "-a", "bb", "-m", "hedge"});
    CHECK(positions.exit_code == 3);
    CHECK(has_row(positions.out, {"bb", "linear-USDT", "set", "one-way", "blocked_positions"}));
    CHECK(positions.out.find("110024") != std::string::npos);
    const auto orders =
        run_cli({"set", "--config", config, "--mock", "--mock-orders", "-a", "bb", "-m", "hedge"});
    CHECK(orders.exit_code == 3);
    CHECK(orders.out.find("110028") != std::string::npos);
  }

  TEST_CASE_FIXTURE(bybit_fixture, "set hedge on a one-way-only Bybit scope: 110029, exit 6") {
    const auto r = run_cli({"set", "--config", config, "--mock", "-a", "bb-usdc", "-m", "hedge"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 6);
    CHECK(has_row(r.out, {"bb-usdc", "linear-USDC", "set", "one-way", "mode_not_supported"}));
    CHECK(r.out.find("110029") != std::string::npos);
    CHECK(r.out.find("Hedge mode is not supported for this symbol.") != std::string::npos);
  }

  TEST_CASE_FIXTURE(bybit_fixture, "set exits 4 when Bybit refuses the signature (10004)") {
    const auto r = run_cli(
        {"set", "--config", config, "--mock", "--mock-wrong-secret", "-a", "bb", "-m", "hedge"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 4);
    CHECK(r.out.find("10004") != std::string::npos);
  }
}

TEST_SUITE("cli_bad_input") {
  TEST_CASE("sign refuses an unknown Bybit scope, a missing symbol, two environments") {
    check_usage_error(run_cli({"sign", "--venue", "bybit", "--mode", "hedge", "--product",
                               "inverse-BTC", "--timestamp", vector_time}),
                      "--product: unknown Bybit product type 'inverse-BTC'");
    check_usage_error(run_cli({"sign", "--venue", "bybit", "--mode", "hedge", "--product",
                               "linear-symbol", "--timestamp", vector_time}),
                      "--symbol: linear-symbol switches one symbol and needs it");
    check_usage_error(run_cli({"sign", "--venue", "bybit", "--mode", "hedge", "--product",
                               "linear-symbol", "--symbol", "btcusdt", "--timestamp", vector_time}),
                      "--symbol: 'btcusdt' must be upper-case letters and digits");
    check_usage_error(run_cli({"sign", "--venue", "bybit", "--mode", "hedge", "--timestamp",
                               vector_time, "--testnet", "--demo"}),
                      "--testnet and --demo: choose one");
    check_usage_error(run_cli({"sign", "--venue", "bitget", "--mode", "hedge", "--timestamp",
                               vector_time, "--testnet"}),
                      "environment: bitget has no testnet");
  }

  TEST_CASE("a Bybit configuration with an unknown scope or no symbol is refused, naming it") {
    temp_dir dir;
    check_usage_error(run_cli({"get", "--mock", "--config",
                               dir.write("scope.toml",
                                         "[[account]]\nname = \"a\"\nvenue = \"bybit\"\n"
                                         "products = [\"inverse-BTC\"]\n")}),
                      "accounts[0].products[0]: unknown product 'inverse-BTC'");
    check_usage_error(run_cli({"get", "--mock", "--config",
                               dir.write("symbol.toml",
                                         "[[account]]\nname = \"a\"\nvenue = \"bybit\"\n"
                                         "products = [\"linear-symbol\"]\n")}),
                      "bitget_query_symbol: linear-symbol switches one symbol and needs it (e.g. "
                      "BTCUSDT; `symbol` in a configuration file)");
    check_usage_error(run_cli({"get", "--mock", "--config",
                               dir.write("passphrase.toml",
                                         "[[account]]\nname = \"a\"\nvenue = \"bybit\"\n"
                                         "passphrase_env = \"X\"\n")}),
                      "accounts[0].passphrase_env: is a Bitget setting (venue is bybit)");
  }
}
