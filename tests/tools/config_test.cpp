// The tools' TOML configuration loader: valid files for every venue, every refusal with the field
// it names, owner-only secret files, and no secret in any message.

#include "posmode/tools/config.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <system_error>

namespace {

namespace fs = std::filesystem;
using namespace posmode;
using components::product;
using components::venue;
using tools::config_error;
using tools::load_config;

constexpr std::string_view binance_secret = "S3cr3t-B1nance-NeverPrint-0123456789abcdef";
constexpr std::string_view bitget_secret = "S3cr3t-B1tget-NeverPrint-0123456789abcdef";
constexpr std::string_view bitget_passphrase = "Pa55phrase-NeverPrint";
constexpr std::string_view file_secret = "F1le-S3cr3t-NeverPrint-0123456789";

// A directory of its own under the system temporary directory, removed with everything in it.
class temp_dir {
 public:
  temp_dir() {
    std::string pattern = (fs::temp_directory_path() / "posmode-config-test-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  // Writes `text` to `name` with exactly `mode` (chmod after writing, so the umask plays no part).
  [[nodiscard]] fs::path write(const std::string& name, std::string_view text,
                               mode_t mode = 0644) const {
    const fs::path file = path_ / name;
    {
      std::ofstream out(file, std::ios::binary | std::ios::trunc);
      out << text;
      REQUIRE(out.good());
    }
    REQUIRE(::chmod(file.c_str(), mode) == 0);
    return file;
  }

  [[nodiscard]] const fs::path& path() const noexcept { return path_; }

 private:
  fs::path path_;
};

// A fake process environment holding one set of credentials per venue family.
struct fake_env {
  std::map<std::string, std::string, std::less<>> vars{
      {"BINANCE_API_KEY", "binance-key-0123456789"},
      {"BINANCE_API_SECRET", std::string(binance_secret)},
      {"BITGET_API_KEY", "bitget-key-0123456789"},
      {"BITGET_API_SECRET", std::string(bitget_secret)},
      {"BITGET_API_PASSPHRASE", std::string(bitget_passphrase)},
  };

  [[nodiscard]] tools::environment lookup() const {
    return [this](std::string_view name) -> std::optional<std::string> {
      const auto it = vars.find(name);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
  }
};

// The message of the config_error that loading `file` throws; fails the test if none is thrown.
std::string error_of(const fs::path& file, const fake_env& env = {}) {
  try {
    (void)load_config(file, env.lookup());
  } catch (const config_error& e) {
    const std::string what = e.what();
    CHECK(what.find('\n') == std::string::npos);
    for (const auto secret : {binance_secret, bitget_secret, bitget_passphrase, file_secret})
      CHECK(what.find(secret) == std::string::npos);
    return what;
  }
  FAIL("loaded without error");
  return {};
}

constexpr std::string_view papi_account = R"(
[[account]]
name = "pm-main"
venue = "binance-papi"
)";

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
        "bitget, okx, bybit)");
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

TEST_CASE("issue 12: only the accounts asked for need credentials; the others are still checked") {
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

TEST_CASE("issue 12: environment picks the host per venue; explicit hosts still win") {
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

TEST_CASE("issue 12: recv_window_ms below 2000 is accepted; the pre-sign age follows it") {
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
