// The tools' TOML configuration loader: the refusals with the field each names, owner-only secret
// files, credentials from the environment, accounts left out, and no secret in any message. The
// venues' own settings and environments are in config_venues_test.cpp.

#include "posmode/tools/config.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

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

TEST_CASE("a Binance PAPI account takes UM and CM by default and its credentials from the env") {
  const temp_dir dir;
  const auto file = dir.write("config.toml", papi_account);
  const fake_env env;
  const auto config = load_config(file, env.lookup());
  REQUIRE(config.accounts.size() == 1);
  const auto& a = config.accounts[0];
  CHECK(a.account.id == "pm-main");
  CHECK(a.account.venue_kind == venue::binance_papi);
  CHECK(a.account.products == std::vector{product::papi_um, product::papi_cm});
  CHECK(a.account.host.empty());
  CHECK(a.account.port == 443);
  CHECK(a.creds.api_key == "binance-key-0123456789");
  CHECK(a.creds.secret.reveal() == binance_secret);
  CHECK(a.creds.passphrase.empty());
  CHECK(a.ca_file.empty());
  CHECK_FALSE(a.verify_after_set);
  CHECK(config.attempt_timeout == std::chrono::milliseconds(2000));
  CHECK(config.request_deadline == std::chrono::milliseconds(8000));
}

TEST_CASE("expected_mode is hedge or one_way, and anything else is refused naming the field") {
  const temp_dir dir;
  const fake_env env;
  CHECK_FALSE(load_config(dir.write("none.toml", papi_account), env.lookup())
                  .accounts[0]
                  .expected_mode.has_value());
  struct spelling {
    const char* text;
    components::position_mode mode;
  };
  for (const spelling& s : {spelling{"hedge", components::position_mode::hedge},
                            spelling{"one_way", components::position_mode::one_way},
                            spelling{"one-way", components::position_mode::one_way}}) {
    CAPTURE(s.text);
    const auto file =
        dir.write("mode.toml", std::string(papi_account) + "expected_mode = \"" + s.text + "\"\n");
    const auto config = load_config(file, env.lookup());
    REQUIRE(config.accounts[0].expected_mode.has_value());
    CHECK(*config.accounts[0].expected_mode == s.mode);
  }
  const auto typo =
      dir.write("typo.toml", std::string(papi_account) + "expected_mode = \"hegde\"\n");
  CHECK(error_of(typo) ==
        "accounts[0].expected_mode: unknown mode 'hegde' (did you mean hedge? valid: hedge, "
        "one_way)");
  const auto number = dir.write("number.toml", std::string(papi_account) + "expected_mode = 1\n");
  CHECK(error_of(number) == "accounts[0].expected_mode: expected a string, got an integer");
}

TEST_CASE("an unknown venue is refused naming the account, the field and the choices") {
  const temp_dir dir;
  const auto file = dir.write("config.toml", std::string(papi_account) + R"(
[[account]]
name = "bg"
venue = "bitgett"
products = ["USDT-FUTURES"]
)");
  CHECK(error_of(file) ==
        "accounts[1].venue: unknown venue 'bitgett' (binance-papi, binance-usdm, binance-coinm, "
        "bitget, okx, bybit, gate)");
}

TEST_CASE("an unknown product, or one of another venue, is refused with the venue's products") {
  const temp_dir dir;
  const auto unknown = dir.write("unknown.toml", R"(
[[account]]
name = "pm"
venue = "binance-papi"
products = ["um", "umm"]
)");
  CHECK(error_of(unknown) == "accounts[0].products[1]: unknown product 'umm' (um, cm)");

  const auto foreign = dir.write("foreign.toml", R"(
[[account]]
name = "bg"
venue = "bitget"
products = ["usdm"]
)");
  const std::string what = error_of(foreign);
  CHECK(what.starts_with("accounts[0].products[0]: 'usdm' is not a bitget product (USDT-FUTURES"));

  const auto missing = dir.write("missing.toml", R"(
[[account]]
name = "bg"
venue = "bitget"
)");
  CHECK(error_of(missing).starts_with("accounts[0].products: is required for bitget"));
}

TEST_CASE("a missing environment variable is named, for the key, the secret and the passphrase") {
  const temp_dir dir;
  const auto papi = dir.write("papi.toml", papi_account);
  fake_env env;
  env.vars.erase("BINANCE_API_KEY");
  CHECK(error_of(papi, env) == "accounts[0]: environment variable BINANCE_API_KEY is not set");

  env = {};
  env.vars.erase("BINANCE_API_SECRET");
  CHECK(error_of(papi, env) == "accounts[0]: environment variable BINANCE_API_SECRET is not set");

  env = {};
  env.vars["BINANCE_API_KEY"] = "";
  CHECK(error_of(papi, env) == "accounts[0]: environment variable BINANCE_API_KEY is empty");

  const auto bitget = dir.write("bitget.toml", R"(
[[account]]
name = "bg"
venue = "bitget"
products = ["USDT-FUTURES"]
passphrase_env = "MY_PASSPHRASE"
)");
  CHECK(error_of(bitget) == "accounts[0]: environment variable MY_PASSPHRASE is not set");
}

TEST_CASE("a TOML syntax error is reported with the file, line and column") {
  const temp_dir dir;
  const auto file = dir.write("config.toml", "[[account]]\nname = \"pm\"\nvenue = binance\n");
  const std::string what = error_of(file);
  CAPTURE(what);
  CHECK(what.starts_with(file.string() + ":3:9: "));
  CHECK(what.size() > file.string().size() + 7);
}

TEST_CASE("an unreadable file is reported with the reason") {
  const temp_dir dir;
  const auto absent = dir.path() / "absent.toml";
  CHECK(error_of(absent) == absent.string() + ": cannot read: No such file or directory");
  CHECK(error_of(dir.path()) == dir.path().string() + ": cannot read: Is a directory");
}

TEST_CASE("a port of 0 or above 65535 is refused") {
  const temp_dir dir;
  for (const auto& [port, text] :
       {std::pair{"0", "0"}, std::pair{"65536", "65536"}, std::pair{"-1", "-1"}}) {
    const auto file = dir.write("config.toml", std::string(papi_account) + "port = " + port + "\n");
    CHECK(error_of(file) == std::string("accounts[0].port: ") + text + " is outside 1..65535");
  }
  const auto typed = dir.write("typed.toml", std::string(papi_account) + "port = \"443\"\n");
  CHECK(error_of(typed) == "accounts[0].port: expected an integer, got a string");
}

TEST_CASE("a secret file readable by group or world is refused, an owner-only one accepted") {
  const temp_dir dir;
  const auto account_with = [&](const fs::path& secret) {
    return dir.write("config.toml",
                     std::string(papi_account) + "secret_file = \"" + secret.string() + "\"\n");
  };
  fake_env env;
  env.vars.erase("BINANCE_API_SECRET");  // the file is the only source

  for (const mode_t mode : {mode_t{0644}, mode_t{0640}, mode_t{0604}}) {
    CAPTURE(mode);
    const auto secret = dir.write("secret", std::string(file_secret) + "\n", mode);
    const std::string what = error_of(account_with(secret), env);
    CHECK(what.starts_with("accounts[0].secret_file: '" + secret.string() +
                           "' is group- or "
                           "world-readable"));
  }
  const auto writable = dir.write("secret", file_secret, 0620);
  CHECK(error_of(account_with(writable), env).find("group- or world-") != std::string::npos);

  for (const mode_t mode : {mode_t{0600}, mode_t{0400}}) {
    CAPTURE(mode);
    const auto secret = dir.write("secret", std::string(file_secret) + "\r\n", mode);
    const auto config = load_config(account_with(secret), env.lookup());
    CHECK(config.accounts.at(0).creds.secret.reveal() == file_secret);
  }

  const auto empty = dir.write("empty", "\n", 0600);
  CHECK(error_of(account_with(empty), env) ==
        "accounts[0].secret_file: '" + empty.string() + "' is empty");
  CHECK(error_of(account_with(dir.path()), env).find("is not a regular file") != std::string::npos);
  CHECK(error_of(account_with(dir.path() / "absent"), env)
            .find("cannot open '" + (dir.path() / "absent").string() +
                  "': No such file or directory") != std::string::npos);
}

TEST_CASE("a Bitget passphrase may come from an owner-only file") {
  const temp_dir dir;
  const auto pass = dir.write("pass", std::string(bitget_passphrase) + "\n", 0600);
  const auto file = dir.write("config.toml", R"(
[[account]]
name = "bg"
venue = "bitget"
products = ["USDT-FUTURES"]
passphrase_file = ")" + pass.string() + "\"\n");
  fake_env env;
  env.vars.erase("BITGET_API_PASSPHRASE");
  const auto config = load_config(file, env.lookup());
  CHECK(config.accounts.at(0).creds.passphrase.reveal() == bitget_passphrase);
}

TEST_CASE("unknown keys, misplaced Bitget settings and double secret sources are refused") {
  const temp_dir dir;
  const auto typo = dir.write("typo.toml", std::string(papi_account) + "conections = 2\n");
  CHECK(error_of(typo).starts_with("accounts[0].conections: unknown key (known here: name, "));

  const auto top = dir.write("top.toml", std::string(papi_account) + "[extra]\nx = 1\n");
  CHECK(error_of(top).starts_with("extra: unknown key"));

  const auto none = dir.write("none.toml", "[defaults]\nverify_after_set = true\n");
  CHECK(error_of(none).starts_with("account: no [[account]] table"));

  const auto pass = dir.write("pass.toml", std::string(papi_account) + "passphrase_env = \"X\"\n");
  CHECK(error_of(pass) ==
        "accounts[0].passphrase_env: is a Bitget setting (venue is binance-papi)");

  const auto secret = dir.write("s", file_secret, 0600);
  const auto both = dir.write("both.toml", std::string(papi_account) + "secret_env = \"X\"\n" +
                                               "secret_file = \"" + secret.string() + "\"\n");
  CHECK(error_of(both) == "accounts[0].secret_file: give secret_env or secret_file, not both");

  const auto timeout =
      dir.write("timeout.toml", "[defaults]\nattempt_timeout_ms = 0\n" + std::string(papi_account));
  CHECK(error_of(timeout) == "defaults.attempt_timeout_ms: 0 is outside 1..3600000 (one hour)");
}

TEST_CASE("the component's own checks are reported as config errors naming the field") {
  const temp_dir dir;
  const auto connections = dir.write("c.toml", std::string(papi_account) + "connections = 0\n");
  CHECK(error_of(connections).starts_with("accounts[0].connections: "));

  const auto window = dir.write("w.toml", std::string(papi_account) + "recv_window_ms = 70000\n");
  CHECK(error_of(window).find("recv_window_ms") != std::string::npos);

  const auto twice = dir.write("t.toml", std::string(papi_account) + std::string(papi_account));
  CHECK(error_of(twice).find("pm-main") != std::string::npos);

  const auto deadline =
      dir.write("d.toml", "[defaults]\nattempt_timeout_ms = 9000\nrequest_deadline_ms = 8000\n" +
                              std::string(papi_account));
  CHECK_THROWS_AS((void)load_config(deadline, fake_env{}.lookup()), config_error);
}

TEST_CASE("a secret never appears in a message, even when pasted into the file") {
  const temp_dir dir;
  // A secret written under a key the layout does not have: refused by name, value unprinted.
  const auto pasted = dir.write(
      "pasted.toml", std::string(papi_account) + "secret = \"" + std::string(file_secret) + "\"\n");
  CHECK(error_of(pasted).starts_with("accounts[0].secret: unknown key"));

  // A secret file refused for its mode: the message has its path, never its content.
  const auto open = dir.write("open", file_secret, 0644);
  const auto file =
      dir.write("f.toml", std::string(papi_account) + "secret_file = \"" + open.string() + "\"\n");
  (void)error_of(file);

  // Errors found after the credentials were read (error_of checks every secret).
  const auto late = dir.write("late.toml", R"(
[[account]]
name = "bg"
venue = "bitget"
products = ["SUSDT-FUTURES"]
bitget_demo_key = true
)");
  CHECK(error_of(late).find("bitget_demo_key") != std::string::npos);
}

TEST_CASE("issue 11: secret files in world-writable directories, with two lines, or in /proc") {
  const temp_dir dir;
  const auto account_with = [&](const fs::path& secret) {
    return dir.write("config.toml",
                     std::string(papi_account) + "secret_file = \"" + secret.string() + "\"\n");
  };
  fake_env env;
  env.vars.erase("BINANCE_API_SECRET");

  const fs::path shared = dir.path() / "shared";
  REQUIRE(fs::create_directory(shared));
  REQUIRE(::chmod(shared.c_str(), 0777) == 0);
  const fs::path in_shared = shared / "secret";
  { std::ofstream(in_shared) << file_secret; }
  REQUIRE(::chmod(in_shared.c_str(), 0600) == 0);
  CHECK(error_of(account_with(in_shared), env).find("is in a world-writable directory") !=
        std::string::npos);

  const auto two_lines = dir.write("two", std::string(file_secret) + "\nsecond line\n", 0600);
  CHECK(error_of(account_with(two_lines), env) ==
        "accounts[0].secret_file: '" + two_lines.string() +
            "' holds more than one line or a control character");
  const auto control = dir.write("ctl", std::string(file_secret) + "\x1b[2J", 0600);
  CHECK(error_of(account_with(control), env).find("control character") != std::string::npos);

  // /proc/self/environ is a regular file, owner-only: every environment variable, not a secret.
  CHECK(error_of(account_with("/proc/self/environ"), env).find("kernel pseudo file") !=
        std::string::npos);
  // A link into /proc is followed and refused the same way.
  const fs::path link = dir.path() / "link";
  fs::create_symlink("/proc/self/environ", link);
  CHECK(error_of(account_with(link), env).find("kernel pseudo file") != std::string::npos);
}

TEST_CASE("issue 11: durations beyond an hour and unusable hosts are refused naming the key") {
  const temp_dir dir;
  const auto huge =
      dir.write("huge.toml", "[defaults]\nrequest_deadline_ms = 9223372036854775807\n" +
                                 std::string(papi_account));
  CHECK(error_of(huge) ==
        "defaults.request_deadline_ms: 9223372036854775807 is outside 1..3600000 (one hour)");
  const auto connect = dir.write(
      "connect.toml", "[defaults]\nconnect_timeout_ms = 250\n" + std::string(papi_account));
  CHECK(load_config(connect, fake_env{}.lookup()).connect_timeout ==
        std::chrono::milliseconds(250));

  for (const std::string host : {"::1%1", "bad host", "a@b", "x?y", "h#x", "\\u001b[31mred"}) {
    CAPTURE(host);
    const auto file =
        dir.write("host.toml", std::string(papi_account) + "host = \"" + host + "\"\n");
    const std::string what = error_of(file);
    CHECK(what.starts_with("accounts[0].account.host: "));
    CHECK(what.find('\x1b') == std::string::npos);  // never echoed to a terminal
  }
  const auto long_name = dir.write(
      "long.toml", std::string(papi_account) + "host = \"" + std::string(300, 'a') + "\"\n");
  CHECK(error_of(long_name).find("longer than 253 bytes") != std::string::npos);
}

// Found by the TOML loader's fuzzer in CI (corpus/config/newline_in_venue): a quoted value with a
// line break was echoed into a two-line message.
TEST_CASE("issue 11: values and keys with line breaks or escapes are echoed escaped, on one line") {
  const temp_dir dir;
  const auto venue = dir.write("v.toml", "[[account]]\nname = \"a\"\nvenue = \"bin\\nce-usdm\"\n");
  CHECK(error_of(venue).starts_with("accounts[0].venue: unknown venue 'bin\\x0ace-usdm'"));
  const auto key = dir.write("k.toml", std::string(papi_account) + "\"con\\u001b[2Jx\" = 1\n");
  const std::string what = error_of(key);
  CHECK(what.starts_with("accounts[0].con\\x1b[2Jx: unknown key"));
  CHECK(what.find('\x1b') == std::string::npos);
}

TEST_CASE(
    "issue 12: only the accounts asked for need credentials, and the others are still checked") {
  const temp_dir dir;
  const auto file = dir.write("config.toml", std::string(papi_account) + R"(
[[account]]
name = "bg"
venue = "bitget"
products = ["USDT-FUTURES"]
passphrase_file = "/nonexistent/passphrase"

[[account]]
name = "um"
venue = "binance-usdm"
key_env = "UM_KEY"
secret_env = "UM_SECRET"
)");
  fake_env env;
  env.vars.erase("BITGET_API_KEY");  // bg and um have no credentials in this environment
  tools::load_options options;
  options.env = env.lookup();
  options.accounts = {"pm-main"};
  const auto config = load_config(file, options);
  REQUIRE(config.accounts.size() == 1);
  CHECK(config.accounts[0].account.id == "pm-main");
  CHECK(config.accounts[0].creds.api_key == "binance-key-0123456789");
  CHECK(config.accounts[0].creds.secret.reveal() == binance_secret);

  // Without a selection every account needs its credentials, as before.
  CHECK(error_of(file, env) == "accounts[1]: environment variable BITGET_API_KEY is not set");

  // Two of three, in file order whatever the order asked.
  env.vars["UM_KEY"] = "um-key-0123456789";
  env.vars["UM_SECRET"] = "um-secret-0123456789";
  options.env = env.lookup();
  options.accounts = {"um", "pm-main"};
  const auto two = load_config(file, options);
  REQUIRE(two.accounts.size() == 2);
  CHECK(two.accounts[0].account.id == "pm-main");
  CHECK(two.accounts[1].account.id == "um");
  CHECK(two.accounts[1].creds.api_key == "um-key-0123456789");
}

TEST_CASE("issue 12: an account left out is still parsed and validated with the file") {
  const temp_dir dir;
  tools::load_options options;
  const fake_env env;
  options.env = env.lookup();
  options.accounts = {"pm-main"};
  const auto bad_env = dir.write("env.toml", std::string(papi_account) + R"(
[[account]]
name = "bg"
venue = "bitget"
products = ["USDT-FUTURES"]
environment = "testnet"
)");
  CHECK_THROWS_WITH_AS((void)load_config(bad_env, options),
                       doctest::Contains("accounts[1].account.environment: bitget has no testnet"),
                       config_error);
  const auto both = dir.write("both.toml", std::string(papi_account) + R"(
[[account]]
name = "um"
venue = "binance-usdm"
secret_env = "X"
secret_file = "/x"
)");
  CHECK_THROWS_WITH_AS((void)load_config(both, options),
                       "accounts[1].secret_file: give secret_env or secret_file, not both",
                       config_error);
  const auto twice = dir.write("twice.toml", std::string(papi_account) + std::string(papi_account));
  CHECK_THROWS_WITH_AS((void)load_config(twice, options), doctest::Contains("pm-main"),
                       config_error);
}

TEST_CASE("issue 12: a name asked for that the file lacks names the nearest account") {
  const temp_dir dir;
  const auto file = dir.write("config.toml", std::string(papi_account) + R"(
[[account]]
name = "bg-usdt"
venue = "bitget"
products = ["USDT-FUTURES"]
)");
  tools::load_options options;
  const fake_env env;
  options.env = env.lookup();
  options.accounts = {"bg-usd"};
  try {
    (void)load_config(file, options);
    FAIL("loaded");
  } catch (const tools::unknown_account_error& e) {
    CHECK(e.name() == "bg-usd");
    CHECK(e.nearest() == "bg-usdt");
    CHECK(std::string(e.what()) ==
          file.string() + ": no account named 'bg-usd' (did you mean bg-usdt?)");
  }
  options.accounts = {"pm_main"};
  CHECK_THROWS_WITH_AS((void)load_config(file, options),
                       doctest::Contains("(did you mean pm-main?)"), tools::unknown_account_error);
}

TEST_CASE("issue 12: throwaway credentials read no variable and no file, and differ per load") {
  const temp_dir dir;
  const auto file = dir.write("config.toml", std::string(papi_account) + R"(
secret_file = "/nonexistent/secret"

[[account]]
name = "bg"
venue = "bitget"
products = ["USDT-FUTURES"]
key_env = "NOT_SET_ANYWHERE"
)");
  tools::load_options options;
  options.env = [](std::string_view name) -> std::optional<std::string> {
    FAIL("looked up " << name);
    return std::nullopt;
  };
  options.credentials = tools::credential_source::throwaway;
  const auto first = load_config(file, options);
  REQUIRE(first.accounts.size() == 2);
  const auto& pm = first.accounts[0].creds;
  const auto& bg = first.accounts[1].creds;
  CHECK(pm.api_key.starts_with("throwaway-"));
  CHECK(pm.api_key.size() == 42);
  CHECK(pm.secret.reveal().size() == 64);
  CHECK(pm.passphrase.empty());
  CHECK(bg.api_key.starts_with("throwaway-"));
  CHECK(bg.passphrase.reveal().size() == 16);
  CHECK(bg.api_key != pm.api_key);
  const auto second = load_config(file, options);
  CHECK(second.accounts[0].creds.api_key != pm.api_key);
  CHECK(second.accounts[0].creds.secret.reveal() != pm.secret.reveal());

  // With a selection as well: the others are dropped.
  options.accounts = {"bg"};
  const auto one = load_config(file, options);
  REQUIRE(one.accounts.size() == 1);
  CHECK(one.accounts[0].account.id == "bg");
  CHECK(one.accounts[0].creds.api_key.starts_with("throwaway-"));
}
