#pragma once

// The pieces of the `posmode` CLI shared by its source files: exit codes, the options of each
// command, and the commands themselves. Nothing here is part of the library.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "posmode/components/component_config.hpp"
#include "posmode/components/position_event.hpp"
#include "posmode/components/position_mode_component.hpp"
#include "posmode/components/venue.hpp"

namespace posmode::cli {

/** The process exit codes, as documented in `posmode --help` and docs/cli.md. */
enum exit_code : int {
  exit_ok = 0,            ///< applied, already in mode, or every mode read
  exit_usage = 2,         ///< configuration or usage error; nothing was sent
  exit_blocked = 3,       ///< open positions or orders (Bitget 45117), PAPI UM/CM mismatch
  exit_auth = 4,          ///< key, signature, passphrase, IP or permission refused
  exit_transport = 5,     ///< no connection, dropped connection, deadline passed, outcome unknown
  exit_venue = 6,         ///< any other venue answer (rate limit, IP ban, not applied, ...)
  exit_mode_differs = 7,  ///< check: every account ready, but a mode is not `expected_mode`
};

/**
 * A usage or configuration problem found by the CLI itself: one line naming the field, printed
 * as `posmode: <what>` with exit code 2. Never carries a secret.
 */
class usage_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/** The exit code an event status stands for (`exit_ok` for the success statuses). */
[[nodiscard]] int exit_code_of(components::event_status s) noexcept;

/** How `--mock` sets up the in-process mock exchange before the component connects. */
struct mock_options {
  bool enabled = false;
  components::position_mode initial_mode = components::position_mode::one_way;
  bool positions = false;           ///< every account holds open positions (switches are blocked)
  bool orders = false;              ///< every account holds open orders
  bool wrong_secret = false;        ///< the mock knows another secret: signatures are refused
  bool drop_replies = false;        ///< the mock closes connections instead of answering
  bool drop_after_replies = false;  ///< the mock resets connections right after answering
};

/** `posmode get` and `posmode set`. */
struct component_options {
  std::string config_file;                        ///< --config, else $POSMODE_CONFIG
  std::string account;                            ///< empty: every account (get only)
  std::optional<components::position_mode> mode;  ///< set only
  /** --timeout: the request deadline (`component_config::request_deadline`); 1 ms..1 h. */
  std::optional<std::chrono::milliseconds> timeout;
  bool json = false;
  bool prometheus = false;  ///< check only: Prometheus text instead of the table
  bool verbose = false;     ///< the component's info and debug log lines on stderr
  bool log_json = false;    ///< --log-json: the component's log records as JSON lines on stderr
  mock_options mock;
};

/**
 * The names of the accounts in `config_file`, in file order, read without any credentials (for
 * the message that asks for --account). @throws usage_error when the file cannot be used.
 */
[[nodiscard]] std::vector<std::string> account_names(const std::string& config_file);

/**
 * The CLI's log hook on `c`: warnings and errors (every level with `verbose`) on stderr, each a
 * line `posmode: <level> <record>` or, with `json`, one JSON object per line (cli_log.cpp).
 */
void install_log_hook(components::position_mode_component& c, bool verbose, bool json);

/** Reads the current modes; prints a table or JSON; returns the exit code. */
int run_get(const component_options& options);
/** Sets, verifies and prints the outcome; returns the exit code. */
int run_set(const component_options& options);
/**
 * The preflight: connects, syncs the clock and reads every mode, changes nothing; prints a table,
 * JSON or Prometheus text; returns the exit code of the worst row (check_command.cpp).
 */
int run_check(const component_options& options);

/**
 * The configuration of the accounts `options` names, as get, set and check load it (credentials
 * from the environment or files, or throwaway ones with --mock; --timeout applied).
 * @throws usage_error naming the field or the unknown account.
 */
[[nodiscard]] components::component_config load_accounts(const component_options& options);
/**
 * --mock: starts the mock exchange in this process, registers every account's credentials with
 * it and points the accounts at it, trusting its CA. The mock lives as long as the pointer.
 */
[[nodiscard]] std::shared_ptr<void> start_mock_exchange(components::component_config& config,
                                                        const mock_options& mock);

/** `posmode sign`. */
struct sign_options {
  std::string venue;              ///< one of `sign_venue_names()`: binance-papi-um, ..., okx
  std::string mode;               ///< hedge or one-way
  std::string product;            ///< for a venue named alone (Bitget); empty: its default product
  std::int64_t timestamp_ms = 0;  ///< 13 digits; `--timestamp now` is resolved by the caller
  std::optional<std::int64_t> recv_window_ms;
  bool show_key = false;
  bool testnet = false;  ///< `--testnet`: the venue's testnet host (refused where it has none)
  /// `--demo`: the venue's demo host or demo header (Bitget paptrading, OKX
  /// x-simulated-trading); refused for a venue without a demo
  bool demo = false;
  std::string symbol;  ///< `--symbol`: Bybit's linear-symbol scope (and its read-back symbol)
  /// `--key-type`: hmac (default: the secret from the environment) | ed25519 | rsa (Binance)
  std::string key_type;
  /// `--private-key-file`: the PEM of an ed25519 or rsa key (owner-only, as secret files)
  std::string private_key_file;
};

/**
 * Writes the set-mode request bytes to stdout, exactly as posmode would send them (key masked and
 * passphrase hidden unless `show_key`). @throws usage_error for bad input or a missing variable.
 */
int run_sign(const sign_options& options);

/** The `--venue` values of `posmode sign`, from the venue table, in its order. */
[[nodiscard]] std::vector<std::string> sign_venue_names();

/**
 * The component's loop: `io.run()` on a thread of its own, ended within a bound. `finish` waits
 * up to `bound` for the loop to return by itself (the closed connections' last handlers run
 * quickly), then stops the context and joins: the CLI never waits on a slow close. The
 * destructor finishes with no wait if `finish` was not called.
 */
class loop_thread {
 public:
  explicit loop_thread(boost::asio::io_context& io);
  ~loop_thread();
  loop_thread(const loop_thread&) = delete;
  loop_thread& operator=(const loop_thread&) = delete;

  void finish(std::chrono::milliseconds bound);

 private:
  boost::asio::io_context& io_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace posmode::cli
