// The tools' TOML configuration loader, per venue: every setting of the layout for each venue,
// each venue's defaults and credentials, and the environments (production, testnet, demo) with
// the hosts they pick and the ones a venue lacks.

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "posmode/tools/config.hpp"
#include "tools/config_test_support.hpp"

namespace {

namespace fs = std::filesystem;
using namespace posmode;
using namespace posmode::test::config;
using components::product;
using components::venue;
using tools::config_error;
using tools::load_config;

}  // namespace

TEST_CASE("every setting of the layout is read, for each venue") {
  const temp_dir dir;
  const auto ca = dir.write("ca.pem", "not checked here\n");
  const std::string text = R"(
[defaults]
attempt_timeout_ms = 1500
request_deadline_ms = 6000
verify_after_set = true

[[account]]
name = "pm"
venue = "binance-papi"
products = ["cm"]
host = "papi.example.test"
port = 8443
ca_file = ")" + ca.string() +
                           R"("
recv_window_ms = 3000
connections = 3
key_env = "PM_KEY"
secret_env = "PM_SECRET"

[[account]]
name = "um"
venue = "binance-usdm"
products = ["usdm"]
verify_after_set = false

[[account]]
name = "cm"
venue = "binance-coinm"

[[account]]
name = "bg"
venue = "bitget"
products = ["USDT-FUTURES", "coin-futures"]
bitget_demo_key = true
passphrase_env = "BG_PASS"
)";
  const auto file = dir.write("config.toml", text);
  fake_env env;
  env.vars["PM_KEY"] = "pm-key-0123456789";
  env.vars["PM_SECRET"] = "pm-secret-0123456789";
  env.vars["BG_PASS"] = "other-passphrase";
  const auto config = load_config(file, env.lookup());
  CHECK(config.attempt_timeout == std::chrono::milliseconds(1500));
  CHECK(config.request_deadline == std::chrono::milliseconds(6000));
  REQUIRE(config.accounts.size() == 4);

  const auto& pm = config.accounts[0];
  CHECK(pm.account.products == std::vector{product::papi_cm});
  CHECK(pm.account.host == "papi.example.test");
  CHECK(pm.account.port == 8443);
  CHECK(pm.ca_file == ca.string());
  CHECK(pm.account.recv_window_ms == 3000);
  CHECK(pm.connections == 3);
  CHECK(pm.verify_after_set);  // from [defaults]
  CHECK(pm.creds.api_key == "pm-key-0123456789");
  CHECK(pm.creds.secret.reveal() == "pm-secret-0123456789");

  const auto& um = config.accounts[1];
  CHECK(um.account.venue_kind == venue::binance_usdm);
  CHECK(um.account.products == std::vector{product::usdm});
  CHECK_FALSE(um.verify_after_set);  // the account's own setting wins
  CHECK(um.creds.api_key == "binance-key-0123456789");

  const auto& cm = config.accounts[2];
  CHECK(cm.account.venue_kind == venue::binance_coinm);
  CHECK(cm.account.products == std::vector{product::coinm});

  const auto& bg = config.accounts[3];
  CHECK(bg.account.venue_kind == venue::bitget);
  CHECK(bg.account.products == std::vector{product::usdt_futures, product::coin_futures});
  CHECK(bg.account.bitget_demo_key);
  CHECK(bg.creds.api_key == "bitget-key-0123456789");
  CHECK(bg.creds.secret.reveal() == bitget_secret);
  CHECK(bg.creds.passphrase.reveal() == "other-passphrase");
}

TEST_CASE("an OKX account: its one product by default, OKX_API_* credentials, demo by header") {
  const temp_dir dir;
  const auto file = dir.write("config.toml", R"(
[[account]]
name = "okx-main"
venue = "okx"

[[account]]
name = "okx-demo"
venue = "okx"
products = ["account"]
environment = "demo"
key_env = "OKX_DEMO_KEY"
)");
  fake_env env;
  env.vars["OKX_API_KEY"] = "okx-key-0123456789";
  env.vars["OKX_API_SECRET"] = "okx-secret-0123456789";
  env.vars["OKX_API_PASSPHRASE"] = "okx-passphrase";
  env.vars["OKX_DEMO_KEY"] = "okx-demo-key-0123456789";
  const auto config = load_config(file, env.lookup());
  REQUIRE(config.accounts.size() == 2);
  const auto& main = config.accounts[0];
  CHECK(main.account.venue_kind == venue::okx);
  CHECK(main.account.products == std::vector{product::okx_account});
  CHECK(main.creds.api_key == "okx-key-0123456789");
  CHECK(main.creds.secret.reveal() == "okx-secret-0123456789");
  CHECK(main.creds.passphrase.reveal() == "okx-passphrase");
  CHECK_FALSE(components::bitget_paptrading(main.account));
  const auto& demo = config.accounts[1];
  CHECK(demo.account.environment == components::venue_environment::demo);
  CHECK(components::bitget_paptrading(demo.account));  // x-simulated-trading: 1
  CHECK(demo.creds.api_key == "okx-demo-key-0123456789");

  // No passphrase: named, with the variable.
  fake_env no_passphrase = env;
  no_passphrase.vars.erase("OKX_API_PASSPHRASE");
  CHECK(error_of(file, no_passphrase).find("OKX_API_PASSPHRASE") != std::string::npos);
  // No testnet, and Bitget's products or demo key are not OKX's.
  const auto testnet = dir.write("testnet.toml", R"(
[[account]]
name = "okx"
venue = "okx"
environment = "testnet"
)");
  CHECK(error_of(testnet, env).find("okx has no testnet; use demo") != std::string::npos);
  const auto product = dir.write("product.toml", R"(
[[account]]
name = "okx"
venue = "okx"
products = ["USDT-FUTURES"]
)");
  CHECK(error_of(product, env) ==
        "accounts[0].products[0]: 'USDT-FUTURES' is not a okx product (account)");
}

TEST_CASE("issue 12: environment picks the host per venue, and explicit hosts still win") {
  const temp_dir dir;
  const auto file = dir.write("config.toml", R"(
[[account]]
name = "um-test"
venue = "binance-usdm"
environment = "testnet"

[[account]]
name = "um-demo"
venue = "binance-usdm"
environment = "demo"

[[account]]
name = "cm-test"
venue = "binance-coinm"
environment = "testnet"

[[account]]
name = "cm-demo"
venue = "binance-coinm"
environment = "demo"

[[account]]
name = "cm-own"
venue = "binance-coinm"
environment = "demo"
host = "dapi-mirror.example"

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

[[account]]
name = "pm"
venue = "binance-papi"
environment = "production"
)");
  const auto config = load_config(file, fake_env{}.lookup());
  REQUIRE(config.accounts.size() == 8);
  const auto host = [&](std::size_t i) {
    return std::string(components::api_host(config.accounts[i].account));
  };
  using components::venue_environment;
  CHECK(config.accounts[0].account.environment == venue_environment::testnet);
  CHECK(host(0) == "testnet.binancefuture.com");
  CHECK(host(1) == "demo-fapi.binance.com");
  CHECK(host(2) == "testnet.binancefuture.com");
  CHECK(host(3) == "demo-dapi.binance.com");
  CHECK(host(4) == "dapi-mirror.example");
  CHECK(host(5) == "api.bitget.com");
  CHECK(components::bitget_paptrading(config.accounts[5].account));
  CHECK(config.accounts[6].account.environment == venue_environment::production);
  CHECK(components::bitget_paptrading(config.accounts[6].account));
  CHECK(host(7) == "papi.binance.com");
  CHECK_FALSE(components::bitget_paptrading(config.accounts[7].account));
}

TEST_CASE("issue 12: environments a venue lacks, unknown names and contradictions are refused") {
  const temp_dir dir;
  const auto papi = dir.write("papi.toml", std::string(papi_account) + "environment = \"demo\"\n");
  CHECK(error_of(papi) ==
        "accounts[0].account.environment: binance-papi has no test environment; 'demo' is not "
        "available (use production; binance-usdm and binance-coinm have testnet and demo) "
        "(account 'pm-main')");
  const auto bitget = dir.write("bg.toml", R"(
[[account]]
name = "bg"
venue = "bitget"
products = ["USDT-FUTURES"]
environment = "testnet"
)");
  CHECK(error_of(bitget).starts_with(
      "accounts[0].account.environment: bitget has no testnet; use demo (api.bitget.com with "
      "paptrading: 1"));
  const auto typo = dir.write("typo.toml", std::string(papi_account) + "environment = \"prod\"\n");
  CHECK(error_of(typo) ==
        "accounts[0].environment: unknown environment 'prod' (did you mean production? valid: "
        "production, testnet, demo)");
  const auto mixed = dir.write("mixed.toml", R"(
[[account]]
name = "bg"
venue = "bitget"
products = ["USDT-FUTURES"]
environment = "production"
bitget_demo_key = true
)");
  CHECK(error_of(mixed).starts_with(
      "accounts[0].bitget_demo_key: true contradicts environment = \"production\""));
  const auto s_type = dir.write("s.toml", R"(
[[account]]
name = "bg"
venue = "bitget"
products = ["SUSDT-FUTURES"]
environment = "demo"
)");
  CHECK(error_of(s_type).find("use USDT-FUTURES in demo, or SUSDT-FUTURES in production") !=
        std::string::npos);
  const auto typed = dir.write("typed.toml", std::string(papi_account) + "environment = 1\n");
  CHECK(error_of(typed) == "accounts[0].environment: expected a string, got an integer");
}

TEST_CASE("issue 12: recv_window_ms below 2000 is accepted, and the pre-sign age follows it") {
  const temp_dir dir;
  for (const int window : {1, 1000, 1999}) {
    CAPTURE(window);
    const auto file = dir.write(
        "w.toml", std::string(papi_account) + "recv_window_ms = " + std::to_string(window) + "\n");
    const auto config = load_config(file, fake_env{}.lookup());
    CHECK(config.accounts.at(0).account.recv_window_ms == window);
    CHECK(components::effective_presign_max_age_ms(config.accounts[0].account) ==
          std::max(1, window / 2));
  }
  const auto zero = dir.write("z.toml", std::string(papi_account) + "recv_window_ms = 0\n");
  const std::string what = error_of(zero);
  CHECK(what.starts_with("accounts[0].account.recv_window_ms: 0 is outside 1..60000"));
  CHECK(what.find("presign") == std::string::npos);  // a key the file cannot set
}

TEST_CASE("a Bybit account: linear-USDT by default, BYBIT_API_* credentials, the symbol key") {
  const temp_dir dir;
  const auto file = dir.write("bybit.toml", R"(
[[account]]
name = "bb"
venue = "bybit"

[[account]]
name = "bb-symbol"
venue = "bybit"
products = ["linear-symbol", "linear-USDC"]
symbol = "ETHUSDT"
environment = "testnet"
recv_window_ms = 20000
)");
  fake_env env;
  env.vars["BYBIT_API_KEY"] = "bybit-key-0123456789";
  env.vars["BYBIT_API_SECRET"] = "bybit-secret-0123456789";
  const auto config = load_config(file, env.lookup());
  REQUIRE(config.accounts.size() == 2);
  const auto& a = config.accounts[0].account;
  CHECK(a.venue_kind == venue::bybit);
  CHECK(a.products == std::vector{product::bybit_linear_usdt});
  CHECK(config.accounts[0].creds.api_key == "bybit-key-0123456789");
  CHECK(config.accounts[0].creds.secret.reveal() == "bybit-secret-0123456789");
  CHECK(config.accounts[0].creds.passphrase.empty());
  const auto& b = config.accounts[1].account;
  CHECK(b.products == std::vector{product::bybit_linear_symbol, product::bybit_linear_usdc});
  CHECK(b.bitget_query_symbol == "ETHUSDT");
  CHECK(b.environment == components::venue_environment::testnet);
  CHECK(b.recv_window_ms == 20'000);
  // Without the variables: named.
  env.vars.erase("BYBIT_API_SECRET");
  CHECK(error_of(file, env) == "accounts[0]: environment variable BYBIT_API_SECRET is not set");
}

TEST_CASE("unified_position_mode: read for the Binance rows that couple books, refused elsewhere") {
  const temp_dir dir;
  const fake_env env;
  const auto papi =
      dir.write("papi.toml", std::string(papi_account) + "unified_position_mode = true\n");
  const auto loaded = load_config(papi, env.lookup());
  REQUIRE(loaded.accounts.size() == 1);
  CHECK(loaded.accounts[0].account.unified_position_mode);
  CHECK_FALSE(load_config(dir.write("off.toml", papi_account), env.lookup())
                  .accounts[0]
                  .account.unified_position_mode);
  const auto usdm = dir.write(
      "usdm.toml",
      "[[account]]\nname = \"fut\"\nvenue = \"binance-usdm\"\nunified_position_mode = true\n");
  CHECK(load_config(usdm, env.lookup()).accounts[0].account.unified_position_mode);

  const auto coinm = dir.write(
      "coinm.toml",
      "[[account]]\nname = \"cm\"\nvenue = \"binance-coinm\"\nunified_position_mode = true\n");
  CHECK(error_of(coinm, env)
            .find("unified_position_mode: binance-coinm has no coupled books; "
                  "only binance-papi, binance-usdm do") != std::string::npos);
  const auto bitget = dir.write("bitget.toml",
                                "[[account]]\nname = \"bg\"\nvenue = \"bitget\"\nproducts = "
                                "[\"USDT-FUTURES\"]\nunified_position_mode = true\n");
  CHECK(error_of(bitget, env)
            .find("accounts[0].account.unified_position_mode: bitget has no "
                  "coupled books") != std::string::npos);
  const auto cm_only = dir.write(
      "cm.toml", std::string(papi_account) + "products = [\"cm\"]\nunified_position_mode = true\n");
  CHECK(error_of(cm_only, env).find("unified_position_mode: 'cm' is switched through 'um'") !=
        std::string::npos);
  const auto typed =
      dir.write("typed.toml", std::string(papi_account) + "unified_position_mode = 1\n");
  CHECK(error_of(typed, env) ==
        "accounts[0].unified_position_mode: expected true or false, got an integer");
}
