// posmode-demo: the position-mode component end to end, as a trading engine would host it.
//
// A loop thread runs the io_context the component lives in; a risk thread triggers a mode change on
// every account at once; an order-manager thread takes the outcome events off the ring and prints
// them. Without --config the venue is the mock exchange, started in this process; with --config
// FILE.toml it is the real venues, with credentials from environment variables.

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <array>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <exception>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "demo_report.hpp"
#include "posmode/components/position_mode_component.hpp"
#include "posmode/mock/exchange.hpp"
#include "posmode/tools/config.hpp"

namespace {

namespace pc = posmode::components;
namespace demo = posmode::demo;
namespace mock = posmode::mock;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

constexpr std::string_view help_footer = R"(
Without --config
  The mock exchange (HTTPS on 127.0.0.1 with a throwaway CA) is started in this process with
  nine accounts: Binance Portfolio Margin 'papi-main' (UM and CM, both one-way), Bitget
  'bg-usdt' (USDT-FUTURES, already in hedge mode), Bitget 'bg-coin' (COIN-FUTURES, holding
  open positions, so every real change is refused), OKX 'okx-main' (already in long_short_mode,
  i.e. hedge), OKX 'okx-bots' (running trading bots: every real change is refused with 59000),
  Bybit 'bb-usdt' (linear-USDT, already in hedge mode), Bybit 'bb-orders' (linear-USDT,
  holding open orders: 110028), Gate 'gate-usdt' (the USDT settle account, already in dual, i.e.
  hedge) and Gate 'gate-held' (holding positions: POSITION_HOLDING, then the mode is read back).
  Round 1 asks for --mode on all nine and
  prints every event; later rounds alternate the mode, so each asks for a real change, and are
  summarised. The end shows the mock's final modes, latency percentiles per stage and the
  component's counters.

With --config FILE.toml
  The same against the real venues, one round unless --rounds says otherwise. This CHANGES the
  position mode of the accounts listed (an even --rounds leaves them in the other mode).

  [defaults]                         # optional
  attempt_timeout_ms = 2000          # one HTTP exchange
  request_deadline_ms = 8000         # request to final event, retries included
  verify_after_set = false           # query the mode again after a change

  [[account]]                        # one per account
  name = "pm-main"                   # required, unique
  venue = "binance-papi"             # binance-papi | binance-usdm | binance-coinm | bitget | okx
                                     # | bybit | gate
  products = ["um", "cm"]            # papi: um, cm (default both); usdm; coinm;
                                     # bitget: USDT-FUTURES, COIN-FUTURES, USDC-FUTURES, S...
  environment = "production"         # production | testnet | demo (picks the default host;
                                     # bitget demo sends paptrading: 1; binance-papi has none)
  host = "papi.binance.com"          # optional override; port = 443
  ca_file = "/etc/ssl/certs/ca-certificates.crt"   # optional; default system trust store
  recv_window_ms = 5000              # Binance recvWindow, 1..60000
  connections = 2                    # TLS connections, 1..16
  verify_after_set = true
  key_env = "BINANCE_API_KEY"        # where the key is; likewise secret_env, passphrase_env
  secret_file = "/path"              # or a file, mode 0600/0400, owned by you; passphrase_file
  bitget_demo_key = false            # older spelling of environment = "demo" (Bitget)

  Environment variables used when an account names none:
    binance-papi, binance-usdm, binance-coinm   BINANCE_API_KEY, BINANCE_API_SECRET
    bitget                                      BITGET_API_KEY, BITGET_API_SECRET,
                                                BITGET_API_PASSPHRASE
    okx                                         OKX_API_KEY, OKX_API_SECRET, OKX_API_PASSPHRASE
    bybit                                       BYBIT_API_KEY, BYBIT_API_SECRET
    gate                                        GATE_API_KEY, GATE_API_SECRET
  Secrets and passphrases are never printed; API keys are shown masked.
)";

/** Whole lines from several threads, never interleaved. */
class console {
 public:
  void line(std::string_view text) {
    // Reports end in a newline of their own; one is enough.
    if (text.ends_with('\n')) text.remove_suffix(1);
    const std::lock_guard lock(mutex_);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
  }

 private:
  std::mutex mutex_;
};

struct run_options {
  std::string config_file;
  std::string metrics_file;  ///< --metrics: write_metrics' Prometheus text at the end
  pc::position_mode mode = pc::position_mode::hedge;
  std::size_t rounds = 0;
  bool spin = false;
};

pc::position_mode other(pc::position_mode m) {
  return m == pc::position_mode::hedge ? pc::position_mode::one_way : pc::position_mode::hedge;
}

// Polls `done` every 100 µs until it holds or `limit` passes; the demo's threads wait this way so
// that no waiting thread competes with the loop for a core.
bool wait_until(const std::function<bool()>& done, steady::duration limit) {
  const auto until = steady::now() + limit;
  while (!done()) {
    if (steady::now() >= until) return false;
    std::this_thread::sleep_for(100us);
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// The mock scenario.

struct fake_account {
  std::string_view name, key, secret, passphrase;
};

// Made-up credentials: the mock checks the signatures against them like a venue would.
constexpr fake_account papi_account{"papi-main", "pmDemoKeyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvWxYz01",
                                    "pmDemoSecretZ9y8X7w6V5u4T3s2R1q0PoNmLkJiHgFeDc", ""};
constexpr fake_account usdt_account{"bg-usdt", "bg_demo_usdt_4f1c9a7e2b6d8053e1a4c7f9",
                                    "bgDemoUsdtSecret7e2b6d8053e1a4c7f94f1c9a", "bgDemoUsdtPass"};
constexpr fake_account coin_account{"bg-coin", "bg_demo_coin_8a3e5c1f7d9b2046a8c3e5f1",
                                    "bgDemoCoinSecret1f7d9b2046a8c3e5f18a3e5c", "bgDemoCoinPass"};
constexpr fake_account okx_main_account{"okx-main", "5b0c2e7a-0000-4000-8000-6d1f3a9c4e21",
                                        "7F3A9C1E5B2D8046A1C3E5F7092B4D6E", "okxDemoPass1"};
constexpr fake_account okx_bots_account{"okx-bots", "9e4d1b6c-0000-4000-8000-2a7f5c3e8b10",
                                        "A1C3E5F7092B4D6E7F3A9C1E5B2D8046", "okxDemoPass2"};
constexpr fake_account bybit_account{"bb-usdt", "bbDemoUsdtKey5e2c8a",
                                     "bbDemoUsdtSecret5e2c8a9d1f3b7046e2c8a9d1", ""};
constexpr fake_account bybit_orders_account{"bb-orders", "bbDemoOrdersKey9d1f3b",
                                            "bbDemoOrdersSecret9d1f3b7046e2c8a5e2c8a9", ""};
constexpr fake_account gate_account{"gate-usdt", "gateDemoUsdtKey3c7e9a1f",
                                    "gateDemoUsdtSecret3c7e9a1f5b2d8046e1c3a5f7092b4d6e", ""};
constexpr fake_account gate_held_account{"gate-held", "gateDemoHeldKey8b4d2f6a",
                                         "gateDemoHeldSecret8b4d2f6a0c9e7b5d3f1a2c4e6a8b0d2f", ""};

pc::account_settings mock_settings(const mock::exchange& ex, const fake_account& f, pc::venue v,
                                   std::vector<pc::product> products) {
  pc::account_settings s;
  s.account.id = std::string(f.name);
  s.account.venue_kind = v;
  s.account.products = std::move(products);
  // The mock's certificate names localhost and 127.0.0.1; trusting its CA keeps verification on.
  s.account.host = "localhost";
  s.account.port = ex.port();
  s.ca_pem = ex.ca_pem();
  s.creds.api_key = std::string(f.key);
  s.creds.secret = pc::secret_string(f.secret);
  if (!f.passphrase.empty()) s.creds.passphrase = pc::secret_string(f.passphrase);
  return s;
}

// The issue's scenario: PAPI UM+CM one-way, Bitget USDT-FUTURES already in hedge, Bitget
// COIN-FUTURES holding open positions; an OKX account already in long_short_mode (hedge) and one
// whose running trading bots block the switch (59000). Fills `notes` with one line per account.
pc::component_config mock_scenario(mock::exchange& ex, std::vector<std::string>& notes) {
  mock::binance_account papi;
  papi.api_key = std::string(papi_account.key);
  papi.secret = std::string(papi_account.secret);
  ex.add_binance_account(papi);
  for (const fake_account* f : {&usdt_account, &coin_account}) {
    mock::bitget_account bitget;
    bitget.api_key = std::string(f->key);
    bitget.secret = std::string(f->secret);
    bitget.passphrase = std::string(f->passphrase);
    ex.add_bitget_account(bitget);
  }
  ex.set_bitget_mode(usdt_account.key, "USDT-FUTURES", mock::position_mode::hedge);
  ex.set_bitget_flags(coin_account.key, true, false);
  for (const fake_account* f : {&okx_main_account, &okx_bots_account}) {
    mock::okx_account okx;
    okx.api_key = std::string(f->key);
    okx.secret = std::string(f->secret);
    okx.passphrase = std::string(f->passphrase);
    ex.add_okx_account(okx);
  }
  ex.set_okx_mode(okx_main_account.key, mock::position_mode::hedge);
  ex.set_okx_flags(okx_bots_account.key, {.bots = true});
  for (const fake_account* f : {&bybit_account, &bybit_orders_account}) {
    mock::bybit_account bybit;
    bybit.api_key = std::string(f->key);
    bybit.secret = std::string(f->secret);
    ex.add_bybit_account(bybit);
  }
  ex.set_bybit_mode(bybit_account.key, "USDT", mock::position_mode::hedge);
  ex.set_bybit_flags(bybit_orders_account.key, false, true);
  for (const fake_account* f : {&gate_account, &gate_held_account}) {
    mock::gate_account gate;
    gate.api_key = std::string(f->key);
    gate.secret = std::string(f->secret);
    ex.add_gate_account(gate);
  }
  ex.set_gate_mode(gate_account.key, "usdt", mock::gate_mode::dual);
  ex.set_gate_flags(gate_held_account.key, true, false);

  pc::component_config config;
  config.accounts.push_back(mock_settings(ex, papi_account, pc::venue::binance_papi,
                                          {pc::product::papi_um, pc::product::papi_cm}));
  config.accounts.push_back(
      mock_settings(ex, usdt_account, pc::venue::bitget, {pc::product::usdt_futures}));
  config.accounts.push_back(
      mock_settings(ex, coin_account, pc::venue::bitget, {pc::product::coin_futures}));
  for (const fake_account* f : {&okx_main_account, &okx_bots_account})
    config.accounts.push_back(mock_settings(ex, *f, pc::venue::okx, {pc::product::okx_account}));
  config.accounts.push_back(
      mock_settings(ex, bybit_account, pc::venue::bybit, {pc::product::bybit_linear_usdt}));
  config.accounts.push_back(
      mock_settings(ex, bybit_orders_account, pc::venue::bybit, {pc::product::bybit_linear_usdt}));
  for (const fake_account* f : {&gate_account, &gate_held_account})
    config.accounts.push_back(mock_settings(ex, *f, pc::venue::gate, {pc::product::gate_usdt}));
  notes = {"mock: UM and CM one-way",    "mock: already in hedge mode",
           "mock: holds open positions", "mock: already in long_short_mode",
           "mock: trading bots running", "mock: already in hedge mode",
           "mock: holds open orders",    "mock: already in dual (hedge)",
           "mock: holds open positions"};
  return config;
}

// What the mock holds after the run: the venue's side of the story the events tell.
std::string mock_modes(const mock::exchange& ex) {
  const auto name = [](mock::position_mode m) {
    return m == mock::position_mode::hedge ? "hedge" : "one-way";
  };
  const auto gate_name = [](mock::gate_mode m) {
    return m == mock::gate_mode::dual     ? "hedge"
           : m == mock::gate_mode::single ? "one-way"
                                          : "split (dual_plus)";
  };
  return fmt::format(
      "\nThe mock exchange now holds: papi-main um {}, cm {}; bg-usdt USDT-FUTURES {}; bg-coin "
      "COIN-FUTURES {}; okx-main {}; okx-bots {}; bb-usdt linear-USDT {}; bb-orders linear-USDT "
      "{}; "
      "gate-usdt usdt {}; gate-held usdt {}",
      name(ex.binance_mode(papi_account.key, mock::binance_product::papi_um)),
      name(ex.binance_mode(papi_account.key, mock::binance_product::papi_cm)),
      name(ex.bitget_mode(usdt_account.key, "USDT-FUTURES")),
      name(ex.bitget_mode(coin_account.key, "COIN-FUTURES")),
      name(ex.okx_mode(okx_main_account.key)), name(ex.okx_mode(okx_bots_account.key)),
      name(ex.bybit_mode(bybit_account.key, "USDT")),
      name(ex.bybit_mode(bybit_orders_account.key, "USDT")),
      gate_name(ex.gate_mode_of(gate_account.key, "usdt")),
      gate_name(ex.gate_mode_of(gate_held_account.key, "usdt")));
}

// ---------------------------------------------------------------------------------------------
// The run: loop thread, order-manager thread, risk thread.

std::string account_table(const pc::component_config& config,
                          const std::vector<std::string>& notes) {
  std::string out = fmt::format("  {:>2}  {:<11} {:<13} {:<26} {:<24} {:<14} {}\n", "#", "account",
                                "venue", "products", "endpoint", "key", "note");
  for (std::size_t i = 0; i < config.accounts.size(); ++i) {
    const auto& a = config.accounts[i];
    std::string products;
    for (const pc::product p : a.account.products)
      products.append(products.empty() ? "" : ",").append(pc::to_string(p));
    const std::string host(pc::api_host(a.account));
    // The masked key keeps 4 + 4 characters; the stars in between say nothing, so cut them.
    std::string key = a.creds.masked_key();
    if (key.size() > 14) key = key.substr(0, 4) + "..." + key.substr(key.size() - 4);
    out += fmt::format("  {:>2}  {:<11} {:<13} {:<26} {:<24} {:<14} {}\n", i, a.account.id,
                       pc::to_string(a.account.venue_kind), products,
                       fmt::format("{}:{}", host, a.account.port), key,
                       i < notes.size() ? notes[i] : std::string());
  }
  return out;
}

// What the order-manager thread tells the risk thread; counters only grow.
struct progress {
  std::atomic<std::uint64_t> startup_reports{0};
  std::atomic<std::uint64_t> terminals{0};
  std::atomic<std::uint64_t> verifications{0};
  std::atomic<std::uint64_t> verifications_expected{0};
  std::atomic<bool> stop{false};
};

// `venue_state`, when set, describes what the venue holds after the run (the mock's modes).
int run(pc::component_config config, const run_options& opt, const std::vector<std::string>& notes,
        const std::function<std::string()>& venue_state, console& out) {
  const std::size_t accounts = config.accounts.size();
  std::vector<std::string> names;
  std::vector<bool> verifies;
  std::size_t products = 0;
  for (const auto& a : config.accounts) {
    names.push_back(a.account.id);
    verifies.push_back(a.verify_after_set);
    products += a.account.products.size();
  }
  config.wakeup = opt.spin ? pc::wakeup_mode::busy_poll : pc::wakeup_mode::eventfd;
  const auto round_limit = config.request_deadline + 2s;
  const auto verify_limit = config.attempt_timeout + 1s;
  out.line(std::string("\nAccounts\n").append(account_table(config, notes)));

  // Hint 1: the component is single-threaded by contract, so Asio may skip its locking.
  boost::asio::io_context io{1};
  pc::position_mode_component component(io, std::move(config));
  component.set_log_hook([&out](const pc::log_record& r) {
    std::array<char, pc::log_format_capacity> text{};
    const std::size_t n = pc::format_text(r, text, {.time = false, .level = false});
    out.line(fmt::format("  [{}] {}", pc::to_string(r.level), std::string_view(text.data(), n)));
  });

  out.line(fmt::format(
      "\nStart-up: the component connects, syncs the clock and reads the current modes (loop: {})"
      "\n{}",
      opt.spin ? "busy-poll on io.poll() + component.poll()" : "io.run()", demo::event_header()));

  auto work = boost::asio::make_work_guard(io);
  std::atomic<bool> loop_stop{false};
  std::atomic<bool> loop_done{false};
  boost::asio::post(io, [&component] { component.start(); });
  std::thread loop([&] {
    if (opt.spin) {
      while (!loop_stop.load(std::memory_order_relaxed)) {
        io.poll();
        component.poll();
      }
    } else {
      io.run();
    }
    loop_done.store(true, std::memory_order_release);
  });

  progress p;
  demo::latency_book book(names);
  demo::outcome_tally tally(names);
  std::thread order_manager([&] {
    const auto handle = [&](const pc::position_event& e) {
      book.add(e);
      // Start-up reports (request 0) and round 1 (requests 1..accounts) are printed in full.
      if (e.request_id <= accounts) {
        out.line(demo::event_row(e, e.account < accounts ? names[e.account] : "?"));
      } else {
        tally.add(e);
      }
      if (e.request_id == 0) {
        p.startup_reports.fetch_add(1, std::memory_order_release);
      } else if (e.verification) {
        p.verifications.fetch_add(1, std::memory_order_release);
      } else if (e.terminal) {
        // Expected before counted, so the risk thread never sees the terminal without it.
        if (pc::is_success(e.status) && e.account < accounts && verifies[e.account])
          p.verifications_expected.fetch_add(1, std::memory_order_release);
        p.terminals.fetch_add(1, std::memory_order_release);
      }
    };
    pc::position_event e;
    while (true) {
      if (component.try_pop(e)) {
        handle(e);
        continue;
      }
      if (p.stop.load(std::memory_order_acquire)) {
        while (component.try_pop(e))
          handle(e);
        return;
      }
      std::this_thread::sleep_for(20us);
    }
  });

  const std::string later_rounds =
      opt.rounds == 2 ? "Round 2" : fmt::format("Rounds 2..{}", opt.rounds);
  std::size_t refused = 0;
  std::thread risk([&] {
    if (!wait_until([&] { return component.started(); }, 30s))
      out.line("risk: the component has not finished warming up after 30 s; triggering anyway");
    // Let the start-up reports reach the table before round 1's header.
    (void)wait_until([&] { return p.startup_reports.load(std::memory_order_acquire) >= products; },
                     1s);
    std::uint64_t expected = 0;
    for (std::size_t r = 0; r < opt.rounds; ++r) {
      const pc::position_mode mode = r % 2 == 0 ? opt.mode : other(opt.mode);
      if (r == 0)
        out.line(fmt::format("\nRound 1: the risk thread asks for {} on every account\n{}",
                             pc::to_string(mode), demo::event_header()));
      for (std::size_t i = 0; i < accounts; ++i) {
        // False only when the request ring is full: wait for the loop to take some.
        while (!component.request(i, mode)) {
          ++refused;
          std::this_thread::sleep_for(10us);
        }
      }
      expected += accounts;
      if (!wait_until([&] { return p.terminals.load(std::memory_order_acquire) >= expected; },
                      round_limit))
        out.line(fmt::format(
            "risk: round {} has no final event for every account after {} ms", r + 1,
            std::chrono::duration_cast<std::chrono::milliseconds>(round_limit).count()));
      (void)wait_until(
          [&] {
            return p.verifications.load(std::memory_order_acquire) >=
                   p.verifications_expected.load(std::memory_order_acquire);
          },
          verify_limit);
      if (r == 0 && opt.rounds > 1)
        out.line(fmt::format("\n{}: alternating {} and {}; summarised below", later_rounds,
                             pc::to_string(other(opt.mode)), pc::to_string(opt.mode)));
    }
  });
  risk.join();

  std::promise<void> stopped;
  boost::asio::post(io, [&] {
    component.stop();
    stopped.set_value();
  });
  stopped.get_future().wait();
  p.stop.store(true, std::memory_order_release);
  order_manager.join();

  work.reset();
  loop_stop.store(true, std::memory_order_relaxed);
  // io.run() returns once the closed connections' last handlers ran; anything still pending two
  // seconds after stop() is not worth waiting for.
  if (!wait_until([&] { return loop_done.load(std::memory_order_acquire); }, 2s)) {
    out.line("(the io_context still had work 2 s after stop(); stopping it)");
    io.stop();
  }
  loop.join();

  if (!tally.empty()) out.line(fmt::format("\n{}, outcomes\n{}", later_rounds, tally.report()));
  if (venue_state) out.line(venue_state());
  if (refused != 0)
    out.line(fmt::format("request ring full {} times (the risk thread waited)", refused));
  out.line("\n" + book.report());
  out.line("\n" + demo::stats_report(component.stats()));
  out.line("\n" + demo::latency_report(component, names));
  if (!opt.metrics_file.empty()) {
    // What a host would serve on its /metrics endpoint (docs/operations.md).
    std::vector<char> text((8 + 10 * component.account_count()) * 1024);
    const std::size_t n = component.write_metrics(text, R"(host="posmode-demo")");
    std::FILE* f = opt.metrics_file == "-" ? stdout : std::fopen(opt.metrics_file.c_str(), "w");
    if (f == nullptr || n == 0 || std::fwrite(text.data(), 1, n, f) != n) {
      out.line(fmt::format("posmode-demo: could not write the metrics to {}", opt.metrics_file));
      if (f != nullptr && f != stdout) std::fclose(f);
      return 1;
    }
    if (f != stdout) std::fclose(f);
    out.line(fmt::format("Prometheus metrics ({} bytes) written to {}", n, opt.metrics_file));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // posmode's sockets never raise SIGPIPE (MSG_NOSIGNAL); writes to a closed stdout must not
  // kill the process either: they fail with EPIPE instead.
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{
      "posmode-demo: the position-mode component in a loop thread, triggered by a risk thread, "
      "its events printed by an order-manager thread. Runs against an in-process mock exchange, "
      "or against the real venues with --config."};
  app.footer(std::string(help_footer));
  run_options opt;
  std::string mode_name = "hedge";
  app.add_option("--config", opt.config_file,
                 "TOML file of real accounts (layout below); without it, the mock exchange");
  app.add_option("--mode", mode_name, "the mode round 1 asks for")
      ->check(CLI::IsMember({"hedge", "one-way"}))
      ->capture_default_str();
  auto* rounds = app.add_option("--rounds", opt.rounds,
                                "trigger rounds, alternating the mode after the first "
                                "(default 200 with the mock, 1 with --config)")
                     ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
  app.add_option("--metrics", opt.metrics_file,
                 "at the end, write the component's Prometheus metrics (write_metrics, "
                 "per-account histograms included) to FILE, or - for stdout")
      ->type_name("FILE");
  app.add_flag("--spin", opt.spin,
               "run the loop as a busy-poll host (io.poll() + component.poll(), one core) "
               "instead of io.run()");
  CLI11_PARSE(app, argc, argv);
  opt.mode = *pc::parse_position_mode(mode_name);
  if (rounds->count() == 0) opt.rounds = opt.config_file.empty() ? 200 : 1;

  console out;
  try {
    if (!opt.config_file.empty()) {
      pc::component_config config = posmode::tools::load_config(opt.config_file);
      out.line(fmt::format("posmode-demo against the venues in {} ({} round{})\n", opt.config_file,
                           opt.rounds, opt.rounds == 1 ? "" : "s"));
      std::vector<std::string> notes;
      for (const auto& a : config.accounts)
        notes.emplace_back(a.verify_after_set ? "verify after set" : "");
      return run(std::move(config), opt, notes, {}, out);
    }
    mock::exchange_options options;
    // Every round sends a few requests per account; keep the venues' limits out of the way.
    options.weight_limit = 100'000'000;
    options.bitget_rate_limit = 1'000'000;
    options.okx_rate_limit = 1'000'000;
    options.bybit_rate_limit = 1'000'000;
    options.bybit_ip_limit = 1'000'000;
    mock::exchange ex(std::move(options));
    std::vector<std::string> notes;
    pc::component_config config = mock_scenario(ex, notes);
    out.line(
        fmt::format("posmode-demo against the mock exchange on https://127.0.0.1:{} ({} rounds)",
                    ex.port(), opt.rounds));
    return run(
        std::move(config), opt, notes, [&ex] { return mock_modes(ex); }, out);
  } catch (const std::exception& e) {
    out.line(fmt::format("posmode-demo: {}", e.what()));
    return 1;
  }
}
