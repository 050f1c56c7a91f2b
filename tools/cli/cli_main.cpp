// posmode: the operator's command line. `get` reads the position mode of every configured account,
// `set` changes one account's mode and verifies it, `check` is the preflight (ready, and in the
// expected mode?), `sign` prints the exact request bytes posmode would send, without connecting.
// Exit codes are documented in the help footer.

#include <CLI/CLI.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "cli.hpp"
#include "cli_args.hpp"
#include "posmode/components/account_config.hpp"
#include "posmode/components/venue.hpp"
#include "posmode/tools/printable.hpp"
#include "posmode/version.hpp"

namespace {

namespace cli = posmode::cli;
namespace pc = posmode::components;

constexpr const char* footer = R"(
Exit codes
  0  applied, already in the mode, or every mode read
  1  internal failure (the mock exchange could not start, ...)
  2  configuration or usage error (one line on stderr naming the field); nothing was sent
  3  blocked: open positions, open orders, or Binance PAPI UM/CM modes that must match
  4  authentication or permission refused (key, signature, passphrase, IP)
  5  transport or timeout: no connection, connection lost, or the outcome could not be read
  6  any other venue error (rate limit, IP ban, clock skew, mode not applied, ...)
  7  check: every account ready, but a mode differs from the file's expected_mode
     (check exits with its worst row: 4, then 5, 6, 7)

Without --config, get and set read the file named by $POSMODE_CONFIG. The file (TOML) is
described in docs/cli.md and tools/config/include/posmode/tools/config.hpp. Secrets come from
environment variables or owner-only files and are never printed; API keys are shown masked.
With --mock no credentials are read: throwaway ones are made up for the run.)";

// Options shared by get and set; values checked after parsing, so that messages name the
// nearest valid value.
void add_component_options(CLI::App& sub, cli::component_options& o, std::string& initial_mode,
                           std::string& timeout) {
  sub.add_option("-c,--config", o.config_file, "TOML file of accounts (default: $POSMODE_CONFIG)")
      ->type_name("FILE");
  sub.add_option("--timeout", timeout,
                 "request deadline in ms, retries included, 1..3600000 (default: the file's "
                 "request_deadline_ms, else 8000)")
      ->type_name("MS");
  sub.add_flag("--json", o.json, "print JSON instead of a table");
  sub.add_flag("--verbose", o.verbose, "print the component's log lines on stderr");
  sub.add_flag("--log-json", o.log_json,
               "print the component's log records on stderr as JSON lines (with --verbose: "
               "every level)");
  sub.add_flag("--mock", o.mock.enabled,
               "start the mock exchange in this process and point every account at it (its "
               "throwaway CA trusted; throwaway credentials made up for each account, none read)");
  const char* group = "Mock exchange (with --mock)";
  sub.add_option("--mock-initial-mode", initial_mode,
                 "the mode every product starts in: hedge | one-way (default one-way)")
      ->type_name("MODE")
      ->group(group);
  sub.add_flag("--mock-positions", o.mock.positions,
               "every account holds open positions (Binance -4068, Bitget 45117)")
      ->group(group);
  sub.add_flag("--mock-orders", o.mock.orders,
               "every account holds open orders (Binance -4067, Bitget 45117)")
      ->group(group);
  sub.add_flag("--mock-wrong-secret", o.mock.wrong_secret,
               "the mock knows another secret, so it refuses every signature")
      ->group(group);
  sub.add_flag("--mock-drop", o.mock.drop_replies,
               "the mock closes each connection instead of answering")
      ->group(group);
  sub.add_flag("--mock-drop-after", o.mock.drop_after_replies,
               "the mock resets each connection right after its answer")
      ->group(group);
}

std::string joined(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items)
    out.append(out.empty() ? "" : separator).append(item);
  return out;
}

// One line for a usage error, whatever CLI11's own formatting would have been.
int usage_failure(const std::string& what) {
  std::string line = what;
  for (char& c : line)
    if (c == '\n') c = ' ';
  line = posmode::tools::printable(line);  // config and venue text may hold terminal escapes
  std::fprintf(stderr, "posmode: %s\n", line.c_str());
  return cli::exit_usage;
}

// What get and set share once parsed: the configuration file (or $POSMODE_CONFIG), the mock's
// initial mode and the deadline.
void complete_component_options(std::string_view command, cli::component_options& o,
                                const std::string& initial_mode, const std::string& timeout) {
  if (o.config_file.empty()) {
    const char* from_env = std::getenv("POSMODE_CONFIG");
    if (from_env == nullptr)
      throw cli::usage_error(std::string(command) +
                             ": --config (-c) is required, or set POSMODE_CONFIG to the file's "
                             "path");
    if (*from_env == '\0')
      throw cli::usage_error(std::string(command) +
                             ": POSMODE_CONFIG is empty and --config (-c) is not given; name the "
                             "file with either");
    o.config_file = from_env;
  }
  o.mock.initial_mode = cli::parse_mode_option("--mock-initial-mode", initial_mode);
  if (!timeout.empty())
    o.timeout = std::chrono::milliseconds(
        cli::parse_integer_option("--timeout", timeout, 1, 3'600'000, "milliseconds"));
}

}  // namespace

int main(int argc, char** argv) {
  // posmode's sockets never raise SIGPIPE (MSG_NOSIGNAL); writes to a closed stdout must not
  // kill the process either: they fail with EPIPE instead.
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"posmode: read, set and inspect futures position modes on Binance and Bitget"};
  app.footer(footer);
  app.set_version_flag("--version", "posmode " POSMODE_VERSION_STRING,
                       "print the version (posmode " POSMODE_VERSION_STRING ") and exit");

  cli::component_options get_options;
  std::string get_initial_mode = "one-way";
  std::string get_timeout;
  CLI::App* get = app.add_subcommand("get", "print each account's and product's current mode");
  add_component_options(*get, get_options, get_initial_mode, get_timeout);
  get->add_option("-a,--account", get_options.account, "only this account, by name")
      ->type_name("NAME");

  cli::component_options set_options;
  std::string set_mode;
  std::string set_initial_mode = "one-way";
  std::string set_timeout;
  CLI::App* set = app.add_subcommand(
      "set", "put one account in a mode, verify it, print the venue's code and message");
  add_component_options(*set, set_options, set_initial_mode, set_timeout);
  set->add_option("-a,--account", set_options.account, "the account, by name; required")
      ->type_name("NAME");
  set->add_option("-m,--mode", set_mode, "hedge | one-way; required")->type_name("MODE");

  cli::component_options check_options;
  std::string check_initial_mode = "one-way";
  std::string check_timeout;
  CLI::App* check = app.add_subcommand(
      "check",
      "preflight: connect, sync the clock, read every mode, change nothing; is each account ready "
      "and in its expected_mode?");
  add_component_options(*check, check_options, check_initial_mode, check_timeout);
  check->add_option("-a,--account", check_options.account, "only this account, by name")
      ->type_name("NAME");
  check->add_flag("--prometheus", check_options.prometheus,
                  "print Prometheus text (the verdicts as gauges, then the component's metrics)");

  cli::sign_options sign_options;
  std::string sign_timestamp;
  CLI::App* sign = app.add_subcommand(
      "sign",
      "print the HTTP/1.1 set-mode request posmode would send, signed at --timestamp, without "
      "connecting (credentials from BINANCE_API_KEY/_SECRET, BITGET_API_KEY/_SECRET/_PASSPHRASE, "
      "OKX_API_KEY/_SECRET/_PASSPHRASE, BYBIT_API_KEY/_SECRET or GATE_API_KEY/_SECRET)");
  sign->add_option("--venue", sign_options.venue,
                   joined(cli::sign_venue_names(), " | ") + "; required")
      ->type_name("VENUE");
  sign->add_option("-m,--mode", sign_options.mode, "hedge | one-way; required")->type_name("MODE");
  sign->add_option("--product", sign_options.product,
                   "Bitget product type (default USDT-FUTURES), Bybit scope (default "
                   "linear-USDT) or Gate settle currency (usdt, the default, or btc)")
      ->type_name("TYPE");
  sign->add_option("--timestamp", sign_timestamp,
                   "milliseconds since the epoch (13 digits), or now; required")
      ->type_name("MS|now");
  std::string sign_recv_window;
  sign->add_option("--recv-window", sign_recv_window,
                   "Binance recvWindow in ms, 1..60000 (default 5000)")
      ->type_name("MS");
  sign->add_flag("--show-key", sign_options.show_key,
                 "print the API key (and passphrase) as sent instead of masked");
  sign->add_flag("--testnet", sign_options.testnet, "the venue's testnet (Host header)");
  sign->add_flag("--demo", sign_options.demo,
                 "the venue's demo environment (Bitget paptrading: 1, OKX x-simulated-trading: 1, "
                 "Binance and Bybit demo hosts)");
  sign->add_option("--key-type", sign_options.key_type,
                   "hmac (default) | ed25519 | rsa: how the request is signed (Binance takes all "
                   "three)")
      ->type_name("TYPE");
  sign->add_option("--private-key-file", sign_options.private_key_file,
                   "with --key-type ed25519|rsa: the unencrypted PEM private key, owner-only "
                   "(0600); never printed")
      ->type_name("FILE");
  sign->add_option("--symbol", sign_options.symbol,
                   "Bybit: the symbol of --product linear-symbol (e.g. BTCUSDT)")
      ->type_name("SYMBOL");

  // Misspelt commands and options are named before anything else is checked: CLI11 would report
  // a missing required option first, or the extras without the nearest valid name.
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::fputs(cli::usage({get, set, check, sign}).c_str(), stderr);
    return cli::exit_usage;
  }
  if (const std::string problem = cli::unknown_argument(app, {get, set, check, sign}, args);
      !problem.empty())
    return usage_failure(problem);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return usage_failure(e.what());
  }

  try {
    if (sign->parsed()) {
      if (sign_options.venue.empty())
        throw cli::usage_error("sign: --venue is required (" +
                               joined(cli::sign_venue_names(), ", ") + ")");
      if (sign_options.mode.empty())
        throw cli::usage_error("sign: --mode (-m) is required (hedge, one-way)");
      if (sign_timestamp.empty())
        throw cli::usage_error(
            "sign: --timestamp is required (milliseconds since the epoch, or now)");
      sign_options.timestamp_ms = cli::parse_timestamp_option(sign_timestamp);
      if (!sign_recv_window.empty())
        sign_options.recv_window_ms = cli::parse_integer_option(
            "--recv-window", sign_recv_window, 1, pc::max_recv_window_ms, "milliseconds");
      return cli::run_sign(sign_options);
    }
    if (get->parsed()) {
      complete_component_options("get", get_options, get_initial_mode, get_timeout);
      return cli::run_get(get_options);
    }
    if (check->parsed()) {
      complete_component_options("check", check_options, check_initial_mode, check_timeout);
      if (check_options.json && check_options.prometheus)
        throw cli::usage_error("check: --json and --prometheus exclude each other; give one");
      return cli::run_check(check_options);
    }
    if (!set->parsed()) {
      std::fputs(cli::usage({get, set, check, sign}).c_str(), stderr);
      return cli::exit_usage;
    }
    complete_component_options("set", set_options, set_initial_mode, set_timeout);
    if (set_mode.empty()) throw cli::usage_error("set: --mode (-m) is required (hedge, one-way)");
    set_options.mode = cli::parse_mode_option("--mode", set_mode);
    if (set_options.account.empty()) {
      std::string names;
      for (const auto& name : cli::account_names(set_options.config_file))
        names += (names.empty() ? "" : ", ") + name;
      throw cli::usage_error("set: --account (-a) is required (accounts in " +
                             set_options.config_file + ": " + names + ")");
    }
    return cli::run_set(set_options);
  } catch (const cli::usage_error& e) {
    return usage_failure(e.what());
  } catch (const std::exception& e) {
    // Not the operator's input: the mock could not start, a thread could not be made, ...
    std::fprintf(stderr, "posmode: %s\n", posmode::tools::printable(e.what()).c_str());
    return 1;
  }
}
