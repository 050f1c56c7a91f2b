// posmode: the operator's command line. `get` reads the position mode of every configured account,
// `set` changes one account's mode and verifies it, `sign` prints the exact request bytes posmode
// would send, without connecting. Exit codes are documented in the help footer.

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <exception>
#include <string>

#include "cli.hpp"
#include "posmode/components/venue.hpp"
#include "posmode/tools/printable.hpp"

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

The configuration file (TOML) is described in tools/config/include/posmode/tools/config.hpp and
the README. Secrets come from environment variables or owner-only files and are never printed;
API keys are shown masked.)";

// Options shared by get and set.
void add_component_options(CLI::App& sub, cli::component_options& o, std::string& initial_mode) {
  sub.add_option("--config", o.config_file, "TOML file of accounts")->required();
  sub.add_flag("--json", o.json, "print JSON instead of a table");
  sub.add_flag("--verbose", o.verbose, "print the component's log lines on stderr");
  sub.add_flag("--mock", o.mock.enabled,
               "start the mock exchange in this process and point every account at it (its "
               "throwaway CA trusted; each account's credentials registered with it)");
  const char* group = "Mock exchange (with --mock)";
  sub.add_option("--mock-initial-mode", initial_mode,
                 "the mode every product starts in (default one-way)")
      ->check(CLI::IsMember({"hedge", "one-way"}))
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

// One line for a usage error, whatever CLI11's own formatting would have been.
int usage_failure(const std::string& what) {
  std::string line = what;
  for (char& c : line)
    if (c == '\n') c = ' ';
  line = posmode::tools::printable(line);  // config and venue text may hold terminal escapes
  std::fprintf(stderr, "posmode: %s\n", line.c_str());
  return cli::exit_usage;
}

}  // namespace

int main(int argc, char** argv) {
  // posmode's sockets never raise SIGPIPE (MSG_NOSIGNAL); writes to a closed stdout must not
  // kill the process either: they fail with EPIPE instead.
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"posmode: read, set and inspect futures position modes on Binance and Bitget"};
  app.footer(footer);
  app.require_subcommand(1);

  cli::component_options get_options;
  std::string get_initial_mode = "one-way";
  CLI::App* get = app.add_subcommand("get", "print each account's and product's current mode");
  add_component_options(*get, get_options, get_initial_mode);
  get->add_option("--account", get_options.account, "only this account (its name)");

  cli::component_options set_options;
  std::string set_mode;
  std::string set_initial_mode = "one-way";
  CLI::App* set = app.add_subcommand(
      "set", "put one account in a mode, verify it, print the venue's code and message");
  add_component_options(*set, set_options, set_initial_mode);
  set->add_option("--account", set_options.account, "the account (its name)")->required();
  set->add_option("--mode", set_mode, "hedge | one-way")->required();

  cli::sign_options sign_options;
  CLI::App* sign = app.add_subcommand(
      "sign",
      "print the HTTP/1.1 set-mode request posmode would send, signed at --timestamp, without "
      "connecting (credentials from BINANCE_API_KEY/_SECRET or BITGET_API_KEY/_SECRET/"
      "_PASSPHRASE)");
  sign->add_option("--venue", sign_options.venue,
                   "binance-papi-um | binance-papi-cm | binance-usdm | binance-coinm | bitget")
      ->required();
  sign->add_option("--mode", sign_options.mode, "hedge | one-way")->required();
  sign->add_option("--product", sign_options.product, "Bitget product type (default USDT-FUTURES)");
  sign->add_option("--timestamp", sign_options.timestamp_ms, "milliseconds since the epoch")
      ->required();
  sign->add_option("--recv-window", sign_options.recv_window_ms,
                   "Binance recvWindow in ms (default 5000)");
  sign->add_flag("--show-key", sign_options.show_key,
                 "print the API key (and Bitget passphrase) as sent instead of masked");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return usage_failure(e.what());
  }

  try {
    if (sign->parsed()) return cli::run_sign(sign_options);
    // Checked by CLI11 (IsMember), so the parse cannot fail.
    get_options.mock.initial_mode = *pc::parse_position_mode(get_initial_mode);
    set_options.mock.initial_mode = *pc::parse_position_mode(set_initial_mode);
    if (get->parsed()) return cli::run_get(get_options);
    const auto mode = pc::parse_position_mode(set_mode);
    if (!mode) return usage_failure("--mode: unknown mode '" + set_mode + "' (hedge, one-way)");
    set_options.mode = mode;
    return cli::run_set(set_options);
  } catch (const cli::usage_error& e) {
    return usage_failure(e.what());
  } catch (const std::exception& e) {
    // Not the operator's input: the mock could not start, a thread could not be made, ...
    std::fprintf(stderr, "posmode: %s\n", posmode::tools::printable(e.what()).c_str());
    return 1;
  }
}
