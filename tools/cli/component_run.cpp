// posmode get / set: the position-mode component hosted for one short run. A loop thread runs the
// io_context; the main thread takes the events off the ring, asks for the change (set), waits for
// the outcome within a bound, stops the component and prints.

#include <algorithm>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdio>
#include <future>
#include <iterator>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cli.hpp"
#include "cli_output.hpp"
#include "posmode/components/position_mode_component.hpp"
#include "posmode/components/venue_facts.hpp"
#include "posmode/mock/exchange.hpp"
#include "posmode/tools/config.hpp"

namespace posmode::cli {
namespace {

namespace pc = posmode::components;
namespace mock = posmode::mock;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

// Beyond the component's own deadlines (warm-up and request both end within request_deadline),
// the slack before the CLI gives up on an event that should have come.
constexpr auto event_slack = 2s;

// Only the accounts the command works on are loaded, so only they need credentials; with --mock
// none are read at all.
pc::component_config load(const component_options& o) {
  tools::load_options options;
  if (!o.account.empty()) options.accounts = {o.account};
  if (o.mock.enabled) options.credentials = tools::credential_source::throwaway;
  pc::component_config config;
  try {
    config = tools::load_config(o.config_file, options);
  } catch (const tools::unknown_account_error& e) {
    throw usage_error("--account: no account named '" + e.name() + "' in " + o.config_file +
                      " (did you mean " + e.nearest() + "?)");
  } catch (const tools::config_error& e) {
    throw usage_error(e.what());
  }
  if (o.timeout) {
    // The deadline bounds the whole request: no single attempt may outlast it.
    config.request_deadline = *o.timeout;
    config.attempt_timeout = std::min(config.attempt_timeout, *o.timeout);
  }
  if (o.mock.enabled)
    std::fputs(
        "posmode: --mock: throwaway credentials made up for every account; none were read from "
        "the environment or secret files\n",
        stderr);
  return config;
}

mock::position_mode to_mock(pc::position_mode m) {
  return m == pc::position_mode::hedge ? mock::position_mode::hedge : mock::position_mode::one_way;
}

// Registers one account with the mock, the way the mock models the account's API family
// (tools/mock_exchange/src/<family>.cpp). `first`: the key is new to the mock (accounts may share
// a key); `secret` is the one the mock checks signatures with.
using mock_registrar = void (*)(mock::exchange& ex, const pc::account_settings& a,
                                const std::string& secret, bool first, const mock_options& m);

void add_binance_account(mock::exchange& ex, const pc::account_settings& a,
                         const std::string& secret, bool first, const mock_options& m) {
  if (!first) return;
  mock::binance_account b;
  b.api_key = a.creds.api_key;
  b.secret = secret;
  // An Ed25519 or RSA account: the mock verifies with the public half of its throwaway key.
  if (a.account.key_type != pc::api_key_type::hmac) {
    b.key_type = a.account.key_type == pc::api_key_type::ed25519 ? mock::binance_key_type::ed25519
                                                                 : mock::binance_key_type::rsa;
    b.public_key_pem = tools::public_key_pem(a.creds.private_key.reveal());
  }
  b.papi_um = b.papi_cm = b.usdm = b.coinm = to_mock(m.initial_mode);
  b.has_positions = m.positions;
  b.has_orders = m.orders;
  // An account configured unified is one the CM migration went through: the mock flips both.
  b.migrated = a.account.unified_position_mode;
  ex.add_binance_account(std::move(b));
}

void add_bitget_account(mock::exchange& ex, const pc::account_settings& a,
                        const std::string& secret, bool first, const mock_options& m) {
  if (first) {
    mock::bitget_account b;
    b.api_key = a.creds.api_key;
    b.secret = secret;
    b.passphrase = std::string(a.creds.passphrase.reveal());
    // Demo trading (environment = demo or bitget_demo_key): the mock then wants the header.
    b.demo_key = pc::sends_demo_header(a.account);
    b.has_positions = m.positions;
    b.has_orders = m.orders;
    ex.add_bitget_account(std::move(b));
  }
  for (const pc::product p : a.account.products)
    ex.set_bitget_mode(a.creds.api_key, pc::to_string(p), to_mock(m.initial_mode));
}

void add_okx_account(mock::exchange& ex, const pc::account_settings& a, const std::string& secret,
                     bool first, const mock_options& m) {
  if (first) {
    mock::okx_account o;
    o.api_key = a.creds.api_key;
    o.secret = secret;
    o.passphrase = std::string(a.creds.passphrase.reveal());
    // Demo trading (environment = demo): the mock then wants x-simulated-trading: 1.
    o.demo_key = pc::sends_demo_header(a.account);
    o.has_positions = m.positions;
    o.has_orders = m.orders;
    ex.add_okx_account(std::move(o));
  }
  ex.set_okx_mode(a.creds.api_key, to_mock(m.initial_mode));  // posMode is account-wide
}

// Bybit scopes are a settle coin (the product's `margin_coin`) or the account's symbol.
void add_bybit_account(mock::exchange& ex, const pc::account_settings& a, const std::string& secret,
                       bool first, const mock_options& m) {
  if (first) {
    mock::bybit_account b;
    b.api_key = a.creds.api_key;
    b.secret = secret;
    b.has_positions = m.positions;
    b.has_orders = m.orders;
    ex.add_bybit_account(std::move(b));
  }
  for (const pc::product p : a.account.products) {
    const pc::product_facts* f = pc::find_product(p);
    const std::string scope = f != nullptr && !f->margin_coin.empty()
                                  ? std::string(f->margin_coin)
                                  : a.account.bitget_query_symbol;
    ex.set_bybit_mode(a.creds.api_key, scope, to_mock(m.initial_mode));
  }
}

// Gate scopes are settle currencies: the product's name (`usdt`, `btc`).
void add_gate_account(mock::exchange& ex, const pc::account_settings& a, const std::string& secret,
                      bool first, const mock_options& m) {
  if (first) {
    mock::gate_account g;
    g.api_key = a.creds.api_key;
    g.secret = secret;
    g.has_positions = m.positions;
    g.has_orders = m.orders;
    ex.add_gate_account(std::move(g));
  }
  const mock::gate_mode mode =
      m.initial_mode == pc::position_mode::hedge ? mock::gate_mode::dual : mock::gate_mode::single;
  for (const pc::product p : a.account.products)
    ex.set_gate_mode(a.creds.api_key, pc::to_string(p), mode);
}

// One entry per API family the mock models, keyed by the venue row's `family`.
struct mock_family {
  std::string_view family;
  mock_registrar add;
};
constexpr mock_family mock_families[] = {
    {"binance", add_binance_account}, {"bitget", add_bitget_account}, {"okx", add_okx_account},
    {"bybit", add_bybit_account},     {"gate", add_gate_account},
};

// Starts the mock exchange, registers every account's credentials with it (so that signatures
// verify as on the venue) and points the accounts at it, trusting its throwaway CA.
std::unique_ptr<mock::exchange> start_mock(pc::component_config& config, const mock_options& m) {
  mock::exchange_options options;
  options.weight_limit = 1'000'000;
  options.bitget_rate_limit = 1'000;
  options.okx_rate_limit = 1'000;
  options.bybit_rate_limit = 1'000;
  options.gate_rate_limit = 1'000;
  auto ex = std::make_unique<mock::exchange>(std::move(options));
  std::set<std::string, std::less<>> known;
  for (auto& a : config.accounts) {
    pc::account_config& acc = a.account;
    acc.host = "localhost";  // the mock's certificate names localhost and 127.0.0.1
    acc.port = ex->port();
    a.ca_file.clear();
    a.ca_pem = ex->ca_pem();
    // The mock knows a different secret: every signature is refused (an authentication rehearsal).
    std::string secret(a.creds.secret.reveal());
    if (m.wrong_secret) secret += "-not-the-same";
    const bool first = known.insert(a.creds.api_key).second;
    const std::string_view family = pc::facts_of(acc.venue_kind).family;
    const auto entry = std::find_if(std::begin(mock_families), std::end(mock_families),
                                    [family](const mock_family& f) { return f.family == family; });
    if (entry == std::end(mock_families))
      throw std::runtime_error("--mock: the mock exchange does not model " +
                               std::string(pc::to_string(acc.venue_kind)));
    entry->add(*ex, a, secret, first, m);
  }
  if (m.drop_replies || m.drop_after_replies) {
    mock::fault_set faults;
    faults.drop_before_reply = m.drop_replies;
    faults.drop_after_reply = m.drop_after_replies;
    faults.reset = m.drop_after_replies;
    ex->set_faults(faults);
  }
  return ex;
}

// An event the component did not publish within the CLI's bound, so that the output still has a
// row for it.
pc::position_event missing_event(std::size_t account, pc::venue v, pc::product p,
                                 std::string_view why) {
  pc::position_event e;
  e.account = account;
  e.venue_kind = v;
  e.product_scope = p;
  e.status = pc::event_status::timeout;
  e.message.assign(why);
  return e;
}

struct run_result {
  std::vector<account_modes> modes;       ///< start-up reports, per account and product
  std::vector<pc::position_event> steps;  ///< set: the request's events
};

// Hosts the component until the start-up reports (and, for set, the request's outcome) are in.
run_result run_component(pc::component_config config, std::optional<pc::position_mode> set_mode,
                         bool verbose, bool log_json) {
  run_result result;
  std::size_t expected_reports = 0;
  for (const auto& a : config.accounts) {
    result.modes.push_back({a.account.id, a.account.venue_kind, {}});
    expected_reports += a.account.products.size();
  }
  const auto bound = config.request_deadline + event_slack;
  const auto config_deadline = config.request_deadline;
  const auto config_attempt = config.attempt_timeout;
  const auto config_connect = config.connect_timeout;
  // Every account verifies: the CLI reports what the venue holds after the change.
  for (auto& a : config.accounts)
    a.verify_after_set = true;

  boost::asio::io_context io{1};
  std::optional<pc::position_mode_component> component;
  try {
    component.emplace(io, std::move(config));
  } catch (const std::invalid_argument& e) {
    throw usage_error(e.what());  // names the field, e.g. accounts[0].port
  }
  if (verbose)
    std::fprintf(stderr,
                 "posmode: request deadline %lld ms, attempt timeout %lld ms, connect timeout "
                 "%lld ms\n",
                 static_cast<long long>(config_deadline.count()),
                 static_cast<long long>(config_attempt.count()),
                 static_cast<long long>(config_connect.count()));
  install_log_hook(*component, verbose, log_json);

  auto work = boost::asio::make_work_guard(io);
  boost::asio::post(io, [&component] { component->start(); });
  loop_thread loop(io);

  std::size_t reports = 0;
  bool terminal_seen = false;
  bool verification_seen = false;
  bool verification_expected = false;
  const auto take = [&](const pc::position_event& e) {
    if (e.request_id == 0) {
      if (e.account < result.modes.size()) result.modes[e.account].products.push_back(e);
      ++reports;
      return;
    }
    result.steps.push_back(e);
    if (e.verification) verification_seen = true;
    if (e.terminal) {
      terminal_seen = true;
      verification_expected = pc::is_success(e.status);
    }
  };
  const auto wait_for = [&](auto done, steady::time_point until) {
    pc::position_event e;
    while (!done()) {
      if (component->try_pop(e)) {
        take(e);
        continue;
      }
      if (steady::now() >= until) return false;
      std::this_thread::sleep_for(200us);
    }
    return true;
  };

  (void)wait_for([&] { return reports >= expected_reports; }, steady::now() + bound);
  if (set_mode) {
    // The index is 0: the configuration holds only the account named by --account.
    if (!component->request(0, *set_mode)) throw std::runtime_error("the request ring is full");
    (void)wait_for([&] { return terminal_seen && (!verification_expected || verification_seen); },
                   steady::now() + bound);
  }

  std::promise<void> stopped;
  boost::asio::post(io, [&] {
    component->stop();
    stopped.set_value();
  });
  stopped.get_future().wait();
  work.reset();
  loop.finish(2s);
  return result;
}

// Fills in a row for every product whose start-up report did not come.
void complete_modes(std::vector<account_modes>& modes, const pc::component_config& config) {
  for (std::size_t i = 0; i < modes.size(); ++i)
    for (const pc::product p : config.accounts[i].account.products) {
      bool found = false;
      for (const auto& e : modes[i].products)
        found = found || e.product_scope == p;
      if (!found)
        modes[i].products.push_back(
            missing_event(i, modes[i].venue, p, "no start-up report within the deadline"));
    }
}

// The settings the output needs once the configuration has been moved into the component.
pc::component_config shape_of(const pc::component_config& config) {
  pc::component_config shape;
  for (const auto& a : config.accounts) {
    pc::account_settings s;
    s.account = a.account;
    shape.accounts.push_back(std::move(s));
  }
  return shape;
}

// A no-op shown as one: the venue reported success for a product whose mode, read just before the
// request, already was the requested one (Bitget has no "already" code and answers 00000).
// Products whose read failed or differed keep the venue's status.
void mark_no_ops(set_report& report) {
  bool any_set = false;
  bool all_no_ops = true;
  for (auto& e : report.steps) {
    if (e.verification) continue;
    any_set = true;
    const pc::position_event* before = nullptr;
    for (const auto& b : report.before.products)
      if (b.product_scope == e.product_scope) before = &b;
    const bool was_in_mode = before != nullptr &&
                             before->status == pc::event_status::current_mode &&
                             before->has_observed_mode && before->observed_mode == report.requested;
    if (e.status == pc::event_status::applied && was_in_mode)
      e.status = pc::event_status::already_in_mode;
    all_no_ops = all_no_ops && e.status == pc::event_status::already_in_mode;
  }
  if (report.result == pc::event_status::applied && any_set && all_no_ops)
    report.result = pc::event_status::already_in_mode;
}

}  // namespace

std::vector<std::string> account_names(const std::string& config_file) {
  tools::load_options options;
  options.credentials = tools::credential_source::throwaway;
  std::vector<std::string> names;
  try {
    for (const auto& a : tools::load_config(config_file, options).accounts)
      names.push_back(a.account.id);
  } catch (const tools::config_error& e) {
    throw usage_error(e.what());
  }
  return names;
}

int run_get(const component_options& o) {
  pc::component_config config = load(o);
  std::unique_ptr<mock::exchange> ex;
  if (o.mock.enabled) ex = start_mock(config, o.mock);
  const pc::component_config shape = shape_of(config);
  run_result r = run_component(std::move(config), std::nullopt, o.verbose, o.log_json);
  complete_modes(r.modes, shape);
  int code = exit_ok;
  for (const auto& a : r.modes)
    for (const auto& e : a.products)
      if (code == exit_ok) code = exit_code_of(e.status);
  const std::string out = o.json ? modes_json(r.modes, code) : modes_table(r.modes);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return code;
}

int run_set(const component_options& o) {
  pc::component_config config = load(o);
  std::unique_ptr<mock::exchange> ex;
  if (o.mock.enabled) ex = start_mock(config, o.mock);
  const pc::component_config shape = shape_of(config);
  const auto& account = shape.accounts.front().account;
  run_result r = run_component(std::move(config), o.mode, o.verbose, o.log_json);
  complete_modes(r.modes, shape);

  set_report report;
  report.account = account.id;
  report.venue = account.venue_kind;
  report.requested = *o.mode;
  report.before = r.modes.front();
  report.steps = std::move(r.steps);
  const pc::position_event* terminal = nullptr;
  const pc::position_event* verification = nullptr;
  for (const auto& e : report.steps) {
    if (e.terminal) terminal = &e;
    if (e.verification) verification = &e;
  }
  if (terminal == nullptr) {
    report.steps.push_back(missing_event(0, account.venue_kind, account.products.back(),
                                         "no final event within the deadline"));
    report.steps.back().terminal = true;
    report.result = pc::event_status::timeout;
  } else if (!pc::is_success(terminal->status)) {
    report.result = terminal->status;
  } else if (verification == nullptr) {
    report.steps.push_back(missing_event(0, account.venue_kind, account.products.front(),
                                         "no verification within the deadline"));
    report.steps.back().verification = true;
    report.result = pc::event_status::timeout;
  } else {
    // The change was reported; what the venue holds afterwards decides.
    report.result = verification->status == pc::event_status::verified ? terminal->status
                                                                       : verification->status;
  }
  mark_no_ops(report);
  report.exit_code = exit_code_of(report.result);
  const std::string out = o.json ? set_json(report) : set_table(report);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return report.exit_code;
}

// check (check_command.cpp) loads and mocks as get and set do.
pc::component_config load_accounts(const component_options& o) {
  return load(o);
}

std::shared_ptr<void> start_mock_exchange(pc::component_config& config, const mock_options& m) {
  return start_mock(config, m);
}

loop_thread::loop_thread(boost::asio::io_context& io)
    : io_(io), thread_([this] {
        io_.run();
        done_.store(true, std::memory_order_release);
      }) {}

loop_thread::~loop_thread() {
  if (thread_.joinable()) finish(std::chrono::milliseconds(0));
}

void loop_thread::finish(std::chrono::milliseconds bound) {
  for (auto until = steady::now() + bound; !done_.load(std::memory_order_acquire);) {
    if (steady::now() >= until) {
      io_.stop();
      break;
    }
    std::this_thread::sleep_for(1ms);
  }
  thread_.join();
}

}  // namespace posmode::cli
