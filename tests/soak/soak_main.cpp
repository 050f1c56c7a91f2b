// posmode_soak: the fault soak of issue 11. Usage: posmode_soak [--seconds N] [--seed S]
// [--accounts K]. Prints the seed first, a report last, and exits 1 on any violation.

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <future>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "posmode/components/venue_facts.hpp"
#include "soak.hpp"

using namespace posmode;
using namespace std::chrono_literals;
using soak::account_setup;
using soak::tally;
using soak::trigger_record;
namespace pc = posmode::components;

namespace {

constexpr std::string_view binance_secret =
    "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
constexpr std::string_view bitget_secret =
    "bgsecret0123456789abcdef0123456789abcdef0123456789abcdef01234567";
constexpr std::string_view bitget_passphrase = "Passphrase1";
constexpr std::string_view okx_secret = "22582BD0CFF14C41EDBF1AB98506286D";
constexpr std::string_view okx_passphrase = "Passphrase1";
constexpr std::string_view bybit_secret = "YYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYY";
constexpr std::string_view gate_secret =
    "gatesecret0123456789abcdef0123456789abcdef0123456789abcdef0123";

// The component's timing in the soak: short, so that many requests and faults fit a minute.
constexpr auto attempt_timeout = 400ms;
constexpr auto request_deadline = 2'500ms;
constexpr std::int64_t recv_window_ms = 1'500;
constexpr unsigned normal_weight_limit = 1'000'000;
constexpr unsigned normal_bybit_limit = 1'000'000;

soak::options parse(int argc, char** argv) {
  soak::options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const long long value = std::atoll(argv[i + 1]);
    if (flag == "--seconds") o.duration = std::chrono::seconds(value);
    if (flag == "--seed") o.seed = static_cast<std::uint64_t>(value);
    if (flag == "--accounts") o.accounts = static_cast<std::size_t>(value);
  }
  if (o.seed == 0)
    o.seed = static_cast<std::uint64_t>(
        std::chrono::steady_clock::now().time_since_epoch().count() & 0x7fffffffffffLL);
  return o;
}

std::string key_for(std::size_t i, pc::venue v) {
  std::string key = v == pc::venue::bitget  ? "bg_0123456789abcdef0123456789ab"
                    : v == pc::venue::okx   ? "37c541a1-0000-4000-8000-10fe7a03"
                    : v == pc::venue::bybit ? "XXXXXXXXXXXXXX"
                    : v == pc::venue::gate
                        ? "gatekey0123456789abcdef01234"
                        : "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91du";
  key += std::to_string(1000 + i);
  return key;
}

// Sets what blocks a switch at the exchange, the way the account's venue models it.
void set_block(mock::exchange& ex, const account_setup& a, bool positions, bool orders) {
  if (a.venue_kind == pc::venue::bitget)
    ex.set_bitget_flags(a.key, positions, orders);
  else if (a.venue_kind == pc::venue::okx)
    ex.set_okx_flags(a.key, {.positions = positions, .orders = orders});
  else if (a.venue_kind == pc::venue::bybit)
    ex.set_bybit_flags(a.key, positions, orders);
  else if (a.venue_kind == pc::venue::gate)
    ex.set_gate_flags(a.key, positions, orders);
  else if (a.migrated) {
    // After the migration, COIN-M's positions or orders refuse a USDⓈ-M set too.
    ex.set_binance_flags(a.key, false, false);
    ex.set_binance_coin_flags(a.key, positions, orders);
  } else {
    ex.set_binance_flags(a.key, positions, orders);
  }
}

// Accounts round-robin over the venues; Bitget ones switch one or two product types, OKX ones
// their account-wide posMode, Bybit ones linear-USDT and, half of them, the symbol ETHPERP too (a
// USDC symbol: the USDT switch leaves it alone, so each scope's modes at the mock are its own);
// Gate ones their USDT settle account and, half of them, BTC too.
std::vector<account_setup> make_accounts(std::size_t n, std::mt19937_64& rng) {
  std::vector<account_setup> out;
  const pc::venue venues[] = {
      pc::venue::binance_papi, pc::venue::binance_usdm, pc::venue::binance_coinm, pc::venue::bitget,
      pc::venue::okx,          pc::venue::bybit,        pc::venue::gate};
  constexpr std::size_t venue_count = std::size(venues);
  const pc::product bitget_types[] = {pc::product::usdt_futures, pc::product::coin_futures,
                                      pc::product::usdc_futures};
  for (std::size_t i = 0; i < n; ++i) {
    account_setup a;
    a.venue_kind = venues[i % venue_count];
    a.key = key_for(i, a.venue_kind);
    const auto random_mode = [&] {
      return rng() % 2 == 0 ? mock::position_mode::hedge : mock::position_mode::one_way;
    };
    switch (a.venue_kind) {
      case pc::venue::binance_papi: {
        a.products = {pc::product::papi_um, pc::product::papi_cm};
        const auto m = random_mode();
        a.initial = {m, m};  // UM and CM must match at the venue
        // A third of them migrated and configured unified, a third migrated without the
        // setting (their events must still be true), a third from before the migration.
        const auto draw = rng() % 3;
        a.migrated = draw != 0;
        a.unified = draw == 1;
        break;
      }
      case pc::venue::binance_usdm: {
        a.products = {pc::product::usdm};
        a.initial = {random_mode()};
        const auto draw = rng() % 3;
        a.migrated = draw != 0;
        a.unified = draw == 1;
        break;
      }
      case pc::venue::binance_coinm:
        a.products = {pc::product::coinm};
        a.initial = {random_mode()};
        break;
      case pc::venue::bybit:
        a.products = {pc::product::bybit_linear_usdt};
        if (rng() % 2 == 0) {
          a.products.push_back(pc::product::bybit_linear_symbol);
          a.symbol = "ETHPERP";
        }
        for (std::size_t p = 0; p < a.products.size(); ++p)
          a.initial.push_back(random_mode());
        break;
      case pc::venue::bitget:
        a.products = {bitget_types[i / venue_count % 3]};
        if (rng() % 2 == 0) a.products.push_back(bitget_types[(i / venue_count + 1) % 3]);
        for (std::size_t p = 0; p < a.products.size(); ++p)
          a.initial.push_back(random_mode());
        break;
      case pc::venue::okx:
        a.products = {pc::product::okx_account};  // posMode is account-wide
        a.initial = {random_mode()};
        break;
      case pc::venue::gate:
        // One mode per settle account: USDT, and for half of them BTC too, switched in turn.
        a.products = {pc::product::gate_usdt};
        if (rng() % 2 == 0) a.products.push_back(pc::product::gate_btc);
        for (std::size_t p = 0; p < a.products.size(); ++p)
          a.initial.push_back(random_mode());
        break;
    }
    // Binance accounts sign with an HMAC secret, an Ed25519 or an RSA key, a third each.
    if (pc::facts_of(a.venue_kind).accepts_asymmetric_keys)
      a.key_type = static_cast<pc::api_key_type>(rng() % 3);
    out.push_back(std::move(a));
  }
  return out;
}

void register_accounts(mock::exchange& ex, const std::vector<account_setup>& accounts,
                       const soak::asymmetric_keys& keys) {
  for (const auto& a : accounts) {
    if (a.venue_kind == pc::venue::bybit) {
      mock::bybit_account b;
      b.api_key = a.key;
      b.secret = std::string(bybit_secret);
      b.no_hedge.clear();  // every scope of the soak takes both modes
      b.coin_modes["USDT"] = a.initial.front();
      if (!a.symbol.empty()) b.symbol_modes[a.symbol] = a.initial.back();
      ex.add_bybit_account(b);
    } else if (a.venue_kind == pc::venue::bitget) {
      mock::bitget_account b;
      b.api_key = a.key;
      b.secret = std::string(bitget_secret);
      b.passphrase = std::string(bitget_passphrase);
      for (std::size_t i = 0; i < a.products.size(); ++i)
        b.modes.emplace(std::string(pc::to_string(a.products[i])), a.initial[i]);
      ex.add_bitget_account(b);
    } else if (a.venue_kind == pc::venue::gate) {
      mock::gate_account g;
      g.api_key = a.key;
      g.secret = std::string(gate_secret);
      for (std::size_t i = 0; i < a.products.size(); ++i)
        g.modes[std::string(pc::to_string(a.products[i]))] =
            a.initial[i] == mock::position_mode::hedge ? mock::gate_mode::dual
                                                       : mock::gate_mode::single;
      ex.add_gate_account(g);
    } else if (a.venue_kind == pc::venue::okx) {
      mock::okx_account o;
      o.api_key = a.key;
      o.secret = std::string(okx_secret);
      o.passphrase = std::string(okx_passphrase);
      o.mode = a.initial.front();
      ex.add_okx_account(o);
    } else {
      mock::binance_account b;
      b.api_key = a.key;
      b.secret = std::string(binance_secret);
      b.papi_um = b.papi_cm = b.usdm = b.coinm = a.initial.front();
      b.migrated = a.migrated;
      if (a.key_type != pc::api_key_type::hmac) {
        b.key_type = a.key_type == pc::api_key_type::rsa ? mock::binance_key_type::rsa
                                                         : mock::binance_key_type::ed25519;
        b.public_key_pem = keys.of(a.key_type).public_pem;
      }
      ex.add_binance_account(b);
    }
  }
}

pc::component_config make_config(const std::vector<account_setup>& accounts, mock::exchange& ex,
                                 soak::stepped_clock& clock, const soak::asymmetric_keys& keys) {
  pc::component_config config;
  for (const auto& a : accounts) {
    pc::account_settings s;
    s.account.id = "soak" + std::to_string(config.accounts.size());
    s.account.venue_kind = a.venue_kind;
    s.account.products = a.products;
    s.account.host = "localhost";
    s.account.port = ex.port();
    s.account.recv_window_ms = recv_window_ms;
    s.account.presign_max_age_ms = recv_window_ms / 2;
    s.creds.api_key = a.key;
    const bool bitget = a.venue_kind == pc::venue::bitget;
    const bool okx = a.venue_kind == pc::venue::okx;
    const bool bybit = a.venue_kind == pc::venue::bybit;
    const bool gate = a.venue_kind == pc::venue::gate;
    s.creds.secret = pc::secret_string(bitget  ? bitget_secret
                                       : okx   ? okx_secret
                                       : bybit ? bybit_secret
                                       : gate  ? gate_secret
                                               : binance_secret);
    s.account.bitget_query_symbol = a.symbol;
    s.account.unified_position_mode = a.unified;
    s.account.key_type = a.key_type;
    if (a.key_type != pc::api_key_type::hmac) {
      s.creds.secret = pc::secret_string();  // the key signs; a secret as well is refused
      s.creds.private_key = pc::secret_string(keys.of(a.key_type).private_pem);
    }
    if (bitget) s.creds.passphrase = pc::secret_string(bitget_passphrase);
    if (okx) s.creds.passphrase = pc::secret_string(okx_passphrase);
    s.ca_pem = ex.ca_pem();
    s.verify_after_set = config.accounts.size() % 3 == 0;
    config.accounts.push_back(std::move(s));
  }
  config.attempt_timeout = attempt_timeout;
  config.request_deadline = request_deadline;
  config.connect_timeout = 500ms;
  config.keepalive_interval = 1'000ms;
  config.clock_resync_interval = 2'000ms;
  config.retry.reconnect.initial = 20ms;
  config.retry.reconnect.max = 400ms;
  config.retry.default_retry_after = 300ms;
  config.event_backlog_capacity = 4096;
  config.clock = engine::clock_ref(clock);
  return config;
}

// The per-request fault: what the next requests of the account meet at the exchange.
std::string plan_fault(std::mt19937_64& rng, mock::fault_set& f, bool& blocked) {
  f = {};
  blocked = false;
  const auto coin = [&] { return rng() % 2 == 0; };
  const auto between = [&](long lo, long hi) {
    return std::chrono::milliseconds(
        lo + static_cast<long>(rng() % static_cast<unsigned long>(hi - lo + 1)));
  };
  switch (rng() % 24) {
    case 0:
      f.drop_before_reply = true;
      f.apply_change = coin();
      return f.apply_change ? "drop_before_applied" : "drop_before";
    case 1:
      f.drop_before_reply = f.reset = true;
      f.apply_change = coin();
      return "reset_before";
    case 2:
      f.unknown_error_503 = true;
      f.apply_change = coin();
      return f.apply_change ? "503_applied" : "503";
    case 3:
      f.html_502 = true;
      f.apply_change = coin();
      return "html_502";
    case 4:
      f.connection_close = true;
      return "connection_close";
    case 5:
      f.drip = true;
      f.drip_interval = between(0, 3);
      f.sets_only = coin();
      return "drip";
    case 6:
      f.drop_after_reply = true;
      f.reset = coin();
      return f.reset ? "reset_after" : "drop_after";
    case 7:
    case 8:
      f.delay = between(100, 1'800);  // around the attempt timeout and inside the window
      f.sets_only = true;
      return "late_set";
    case 9:
      f.delay = between(450, 1'500);  // past the attempt timeout, queries too
      return "slow_venue";
    case 10:
      f.delay = between(2'600, 3'500);  // past the request deadline
      f.sets_only = coin();
      return "past_deadline";
    case 11:
      blocked = true;
      return "positions_or_orders";
    default:
      return "none";
  }
}

}  // namespace

int main(int argc, char** argv) {
  // The host keeps SIGPIPE's default action: a write to a reset socket would kill it.
  std::signal(SIGPIPE, SIG_DFL);
  const soak::options opt = parse(argc, argv);
  std::printf(
      "posmode_soak: seed %llu, %lld s, %zu accounts (replay: posmode_soak --seconds %lld "
      "--seed %llu)\n",
      static_cast<unsigned long long>(opt.seed), static_cast<long long>(opt.duration.count()),
      opt.accounts, static_cast<long long>(opt.duration.count()),
      static_cast<unsigned long long>(opt.seed));
  std::fflush(stdout);
  std::mt19937_64 rng(opt.seed);

  mock::exchange_options mock_options;
  mock_options.ban_after_rate_limited = 0;  // bans come from the soak, short, when it says so
  // Sixteen accounts reading modes (weight 30 each) far outrun Binance's 2,400 a minute: the
  // limit is lifted, and 429s come from the exchange-wide rate-limit fault alone.
  mock_options.weight_limit = normal_weight_limit;
  mock_options.bybit_rate_limit = normal_bybit_limit;
  mock_options.bybit_ip_limit = normal_bybit_limit;
  mock_options.gate_rate_limit = normal_bybit_limit;
  mock::exchange ex(mock_options);
  const std::vector<account_setup> accounts = make_accounts(opt.accounts, rng);
  const soak::asymmetric_keys keys = soak::make_asymmetric_keys();
  register_accounts(ex, accounts, keys);

  soak::stepped_clock clock;
  pc::component_config config = make_config(accounts, ex, clock, keys);
  boost::asio::io_context io{1};
  pc::position_mode_component component(io, std::move(config));
  tally logs;
  std::mutex logs_mutex;
  component.set_log_hook([&](const pc::log_record& r) {
    const std::lock_guard lock(logs_mutex);
    ++logs[r.level >= pc::log_level::warning ? "warning+" : "info-"];
    ++logs[std::string("kind ").append(pc::to_string(r.event))];
  });
  auto work = boost::asio::make_work_guard(io);
  boost::asio::post(io, [&] { component.start(); });
  std::thread loop([&] { io.run(); });

  // The order manager: pops every event.
  std::vector<pc::position_event> events;
  std::atomic<bool> consuming{true};
  std::thread consumer([&] {
    pc::position_event e;
    for (;;) {
      if (component.try_pop(e)) {
        events.push_back(e);
      } else if (!consuming.load(std::memory_order_acquire)) {
        if (!component.try_pop(e)) break;
        events.push_back(e);
      } else {
        std::this_thread::yield();
      }
    }
  });

  const auto start_deadline = std::chrono::steady_clock::now() + 10s;
  while (!component.started() && std::chrono::steady_clock::now() < start_deadline)
    std::this_thread::sleep_until(std::chrono::steady_clock::now() + 10ms);

  // The risk thread's schedule, with the exchange-wide faults between requests.
  std::vector<trigger_record> triggers;
  tally faults;
  const auto end = std::chrono::steady_clock::now() + opt.duration;
  auto next_global = std::chrono::steady_clock::now() + 1s;
  std::chrono::milliseconds venue_skew{0};
  std::vector<bool> blocked(accounts.size(), false);
  std::uint64_t next_id = 0;
  while (std::chrono::steady_clock::now() < end) {
    const std::size_t a = rng() % accounts.size();
    mock::fault_set f;
    bool block = false;
    const std::string kind = plan_fault(rng, f, block);
    ex.set_account_faults(accounts[a].key, f);
    if (block != blocked[a]) {
      const bool positions = rng() % 2 == 0;
      set_block(ex, accounts[a], block && positions, block && !positions);
      blocked[a] = block;
    }
    const auto mode = rng() % 2 == 0 ? pc::position_mode::hedge : pc::position_mode::one_way;
    if (component.request(a, mode)) {
      triggers.push_back({++next_id, a, mode, kind});
      ++faults[kind];
    } else {
      ++faults["refused_ring_full"];
    }
    if (std::chrono::steady_clock::now() >= next_global) {
      // One exchange-wide fault at a time, each lasting until the next tick.
      next_global =
          std::chrono::steady_clock::now() + std::chrono::milliseconds(800 + rng() % 1'500);
      ex.set_weight_limit(normal_weight_limit);
      ex.set_bybit_limits(normal_bybit_limit, normal_bybit_limit);
      ex.set_silent(false);
      switch (rng() % 6) {
        case 0:
          ex.set_weight_limit(60);  // Binance 429s for everyone (a mode query weighs 30)
          ex.set_bybit_limits(1, normal_bybit_limit);  // Bybit 10006 after one switch a second
          ++faults["global_rate_limit"];
          break;
        case 1:
          ex.ban_ip("127.0.0.1", 700ms);  // HTTP 418 on the Binance paths
          ++faults["global_ip_ban"];
          break;
        case 2:
          // The venue's clock jumps ahead (stamps fall outside recvWindow: -1021, resync). Only
          // ever ahead: a venue clock stepping back while a set is open is outside what posmode
          // can bound (docs/reliability.md, "Assumptions"), and NTP never steps servers back.
          venue_skew += std::chrono::milliseconds(500 + rng() % 2'500);
          ex.set_clock_skew(venue_skew);
          ++faults["venue_clock_skew"];
          break;
        case 3:
          clock.step_ms.store(static_cast<std::int64_t>(rng() % 120'001) - 60'000);
          ++faults["wall_clock_step"];
          break;
        case 4:
          ex.set_silent(true);  // new connections hang: a proxy that lost its upstream
          ++faults["silent_peer"];
          break;
        default:
          ++faults["global_none"];
          break;
      }
    }
    std::this_thread::sleep_until(std::chrono::steady_clock::now() +
                                  std::chrono::milliseconds(5 + rng() % 40));
  }

  // Quiesce: the exchange behaves again, every request ends, the delayed sets land.
  ex.set_faults({});
  for (const auto& acc : accounts) {
    ex.clear_account_faults(acc.key);
    set_block(ex, acc, false, false);
  }
  ex.set_weight_limit(normal_weight_limit);
  ex.set_bybit_limits(normal_bybit_limit, normal_bybit_limit);
  ex.set_silent(false);
  std::this_thread::sleep_until(std::chrono::steady_clock::now() + request_deadline * 12 / 10 +
                                3'500ms);
  std::promise<void> stopped;
  boost::asio::post(io, [&] {
    component.stop();
    stopped.set_value();
  });
  stopped.get_future().wait();
  // The last events reach the ring as the order manager frees it; then the late sets' effects.
  for (const auto give_up = std::chrono::steady_clock::now() + 10s;
       component.stats().backlog_now > 0 && std::chrono::steady_clock::now() < give_up;)
    std::this_thread::sleep_until(std::chrono::steady_clock::now() + 10ms);
  std::this_thread::sleep_until(std::chrono::steady_clock::now() + 1s);
  consuming.store(false, std::memory_order_release);
  consumer.join();
  const pc::component_stats stats = component.stats();
  work.reset();
  io.stop();
  loop.join();

  const auto violations = soak::check(accounts, triggers, events, ex.mode_history(), stats);
  tally statuses;
  std::size_t claims = 0;
  std::size_t coupled = 0;
  std::size_t moved_by_twin = 0;  // on accounts not configured unified
  for (const auto& e : events) {
    if (e.request_id == 0) continue;
    ++statuses[std::string(pc::to_string(e.status)) + (e.verification ? " (verification)" : "")];
    coupled += e.coupled ? 1 : 0;
    if (e.coupled && e.account < accounts.size() && !accounts[e.account].unified) ++moved_by_twin;
  }
  for (const auto& [name, n] : statuses)
    if (name == "applied" || name == "already_in_mode" || name == "confirmed" ||
        name == "not_applied" || name == "verified (verification)")
      claims += n;
  std::printf(
      "requests %zu, events %zu, claims checked %zu, sets written %llu, queries %llu, "
      "connections lost %llu, log-hook lines %zu\n",
      triggers.size(), events.size(), claims,
      static_cast<unsigned long long>(stats.set_requests_sent),
      static_cast<unsigned long long>(stats.queries_sent),
      static_cast<unsigned long long>(stats.connections_lost), logs["warning+"] + logs["info-"]);
  std::printf("log records by kind:");
  for (const auto& [name, n] : logs)
    if (name.starts_with("kind ")) std::printf(" %s=%zu", name.substr(5).c_str(), n);
  std::printf("\nfaults:");
  for (const auto& [name, n] : faults)
    std::printf(" %s=%zu", name.c_str(), n);
  std::printf("\nstatuses:");
  for (const auto& [name, n] : statuses)
    std::printf(" %s=%zu", name.c_str(), n);
  std::printf("\ncoupled events %zu (moved by the twin's set, not unified: %zu)", coupled,
              moved_by_twin);
  std::printf("\nviolations: %zu\n", violations.size());
  for (const auto& v : violations)
    std::printf("  %s\n", v.c_str());
  if (!violations.empty() && std::getenv("POSMODE_SOAK_TRACE") != nullptr) {
    // Everything about the first account named in a violation, for the post-mortem.
    const auto at = violations.front().find(" account ");
    const std::size_t who =
        at == std::string::npos ? 0 : std::stoul(violations.front().substr(at + 9));
    const auto key = accounts[who].key;
    std::printf("trace of account %zu (%s):\n", who, key.c_str());
    for (const auto& e : events)
      if (e.request_id != 0 && e.account == who)
        std::printf(
            "  event req=%llu %s %s want=%s %s%s attempts=%u trig=%lld wire=%lld resp=%lld "
            "pub=%lld msg='%s'\n",
            static_cast<unsigned long long>(e.request_id),
            std::string(pc::to_string(e.product_scope)).c_str(),
            e.terminal ? "T" : (e.verification ? "V" : "-"),
            std::string(pc::to_string(e.requested)).c_str(),
            std::string(pc::to_string(e.status)).c_str(),
            e.has_observed_mode
                ? (e.observed_mode == pc::position_mode::hedge ? " obs=hedge" : " obs=one-way")
                : "",
            static_cast<unsigned>(e.attempts), static_cast<long long>(e.trigger_ns / 1000000),
            static_cast<long long>(e.on_wire_ns / 1000000),
            static_cast<long long>(e.response_ns / 1000000),
            static_cast<long long>(e.published_ns / 1000000),
            std::string(e.message.view()).c_str());
    for (const auto& c : ex.mode_history())
      if (c.api_key == key)
        std::printf("  change %s -> %s at %lld\n", c.product.c_str(),
                    c.mode == mock::position_mode::hedge ? "hedge" : "one-way",
                    static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                               c.at.time_since_epoch())
                                               .count()));
    for (const auto& t : triggers)
      if (t.account == who)
        std::printf("  trigger req=%llu fault=%s\n", static_cast<unsigned long long>(t.id),
                    t.fault.c_str());
    const std::string masked = mock::mask_api_key(key);
    for (const auto& r : ex.request_log())
      if (r.api_key == masked && r.method == "POST")
        std::printf("  %s\n", mock::format_record(r).c_str());
  }
  if (!violations.empty())
    std::printf("FAILED: replay with posmode_soak --seconds %lld --seed %llu\n",
                static_cast<long long>(opt.duration.count()),
                static_cast<unsigned long long>(opt.seed));
  return violations.empty() ? 0 : 1;
}
