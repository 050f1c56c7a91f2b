#pragma once

// The position-mode component end to end against the mock exchange: a harness that starts the
// mock, builds a configuration pointing at it, hosts the component's io_context in one of three
// ways, waits for start-up and collects every published event. Every wait is bounded, so a lost
// event fails the test instead of hanging it.

#include <doctest/doctest.h>

#include <array>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "posmode/components/position_mode_component.hpp"
#include "posmode/engine/clock.hpp"
#include "posmode/mock/exchange.hpp"

namespace posmode::test {

namespace pc = posmode::components;

// Fake credentials (docs/venues.md); keys are made unique per account with a two-digit suffix.
inline constexpr std::string_view binance_secret =
    "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
inline constexpr std::string_view bitget_secret =
    "bgsecret0123456789abcdef0123456789abcdef0123456789abcdef01234567";
inline constexpr std::string_view bitget_passphrase = "Passphrase1";
inline constexpr std::string_view okx_secret = "22582BD0CFF14C41EDBF1AB98506286D";
inline constexpr std::string_view okx_passphrase = "Passphrase1";

inline constexpr std::string_view bybit_secret = "YYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYY";

// Gate's documented fake secret (docs/venues.md, top table); keys get the two-digit suffix too.
inline constexpr std::string_view gate_secret =
    "gatesecret0123456789abcdef0123456789abcdef0123456789abcdef0123";

inline std::string gate_key(int n) {
  std::string key = "gatekey0123456789abcdef01234567";
  key += static_cast<char>('0' + n / 10 % 10);
  key += static_cast<char>('0' + n % 10);
  return key;
}

/** A log record with its own copies of the texts, kept beyond the hook's call. */
class owned_log_record {
 public:
  explicit owned_log_record(const pc::log_record& r)
      : r_(r),
        account_id_(r.account_id),
        host_(r.host),
        code_text_(r.code_text),
        message_(r.message) {}

  /** The record, its views pointing into this object's copies. */
  [[nodiscard]] pc::log_record record() const {
    pc::log_record r = r_;
    r.account_id = account_id_;
    r.host = host_;
    r.code_text = code_text_;
    r.message = message_;
    return r;
  }

 private:
  pc::log_record r_;
  std::string account_id_;
  std::string host_;
  std::string code_text_;
  std::string message_;
};

inline std::string bybit_key(int n) {
  std::string key = "XXXXXXXXXXXXXXXX";
  key += static_cast<char>('0' + n / 10 % 10);
  key += static_cast<char>('0' + n % 10);
  return key;
}

inline std::string binance_key(int n) {
  std::string key = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh";
  key += static_cast<char>('0' + n / 10 % 10);
  key += static_cast<char>('0' + n % 10);
  return key;
}

inline std::string bitget_key(int n) {
  std::string key = "bg_0123456789abcdef0123456789abcd";
  key += static_cast<char>('0' + n / 10 % 10);
  key += static_cast<char>('0' + n % 10);
  return key;
}

inline std::string okx_key(int n) {
  std::string key = "37c541a1-0000-4000-8000-10fe7a0384";
  key += static_cast<char>('0' + n / 10 % 10);
  key += static_cast<char>('0' + n % 10);
  return key;
}

/** Short names for the two modes, as the component and the mock exchange spell them. */
namespace modes {
inline constexpr auto hedge = pc::position_mode::hedge;
inline constexpr auto one_way = pc::position_mode::one_way;
inline constexpr auto mock_hedge = mock::position_mode::hedge;
inline constexpr auto mock_one_way = mock::position_mode::one_way;
}  // namespace modes

/** The bound on every wait for an event: long, so that only a lost event reaches it. */
inline constexpr std::chrono::milliseconds event_wait{10'000};

/** How the component's io_context is driven. */
enum class host_kind {
  run_thread,   ///< a loop thread blocks in `io.run()` (wakeup_mode::eventfd)
  poll_thread,  ///< a loop thread spins on `io.poll()` and `component.poll()` (busy_poll)
  test_thread,  ///< the test thread is loop, risk and consumer thread (any wakeup mode)
};

inline std::string describe(const pc::position_event& e) {
  std::ostringstream s;
  s << "#" << e.sequence << " req=" << e.request_id << " acct=" << e.account << " "
    << pc::to_string(e.product_scope) << " want=" << pc::to_string(e.requested) << " "
    << pc::to_string(e.status) << (e.terminal ? " terminal" : "")
    << (e.verification ? " verification" : "");
  if (e.has_observed_mode) s << " observed=" << pc::to_string(e.observed_mode);
  s << " attempts=" << static_cast<int>(e.attempts) << " http=" << e.http_status;
  if (e.has_code) s << " code=" << e.code;
  if (!e.code_text.empty()) s << " code_text=" << e.code_text.view();
  s << " msg='" << e.message.view() << "'";
  return s.str();
}

/**
 * The system clock plus an offset the test moves: `advance(d)` is time `d` passing at once for
 * whatever reads this clock (bound into `component_config::clock`), so that a test waits for no
 * real second. Readable from any thread.
 */
class shifted_clock {
 public:
  [[nodiscard]] std::int64_t monotonic_ns() const noexcept {
    return engine::system_clock::monotonic_ns() + offset_ns_.load(std::memory_order_acquire);
  }
  [[nodiscard]] std::int64_t wall_ms() const noexcept {
    return engine::system_clock::wall_ms() + offset_ns_.load(std::memory_order_acquire) / 1'000'000;
  }
  void advance(std::chrono::nanoseconds d) noexcept {
    offset_ns_.fetch_add(d.count(), std::memory_order_acq_rel);
  }

 private:
  std::atomic<std::int64_t> offset_ns_{0};
};

/** A mock exchange, a component configured against it, its host, and the events it published. */
class component_harness {
 public:
  explicit component_harness(mock::exchange_options options = {}) {
    options.on_request = [this](const mock::request_record& r) {
      std::function<void(const mock::request_record&)> hook;
      {
        const std::lock_guard lock(hook_mutex_);
        hook = hook_;
      }
      if (hook) hook(r);
      notify();
    };
    ex_ = std::make_unique<mock::exchange>(std::move(options));
    config.retry.reconnect.initial = std::chrono::milliseconds(20);
    config.retry.reconnect.max = std::chrono::milliseconds(200);
  }

  ~component_harness() {
    stop();
    ex_->stop();  // before the hook's members go: the mock's thread calls the hook
  }
  component_harness(const component_harness&) = delete;
  component_harness& operator=(const component_harness&) = delete;

  [[nodiscard]] mock::exchange& ex() noexcept { return *ex_; }
  [[nodiscard]] pc::position_mode_component& component() noexcept { return *component_; }
  [[nodiscard]] boost::asio::io_context& io() noexcept { return io_; }

  /** Called on the mock's thread after each request, before its reply is written. */
  void set_request_hook(std::function<void(const mock::request_record&)> hook) {
    const std::lock_guard lock(hook_mutex_);
    hook_ = std::move(hook);
  }

  /**
   * Gives `key` the faults for its next set request only: the request hook clears them as that
   * request is served (before its reply is written), so the query that follows is answered
   * normally. Replaces any request hook.
   */
  void fault_next_set(const std::string& key, const mock::fault_set& faults) {
    mock::exchange& ex = *ex_;
    auto fired = std::make_shared<std::atomic<bool>>(false);
    set_request_hook([&ex, key, fired](const mock::request_record& r) {
      if (r.method == "POST" && !fired->exchange(true)) ex.clear_account_faults(key);
    });
    ex.set_account_faults(key, faults);
  }

  /** Adds a Binance account to the mock (all four surfaces) and to the configuration;
   *  `migrated`: after the CM migration (one set flips USDⓈ-M and COIN-M). */
  std::size_t add_binance(pc::venue v, std::vector<pc::product> products, int key_number,
                          mock::position_mode initial = mock::position_mode::one_way,
                          bool migrated = false) {
    mock::binance_account account;
    account.api_key = binance_key(key_number);
    account.secret = std::string(binance_secret);
    account.papi_um = account.papi_cm = account.usdm = account.coinm = initial;
    account.migrated = migrated;
    ex_->add_binance_account(account);
    return add_settings(settings(v, std::move(products), account.api_key, binance_secret, ""));
  }

  /** Adds a Bitget account (every product type in `initial`) to the mock and the config. */
  std::size_t add_bitget(std::vector<pc::product> products, int key_number,
                         mock::position_mode initial = mock::position_mode::one_way) {
    mock::bitget_account account;
    account.api_key = bitget_key(key_number);
    account.secret = std::string(bitget_secret);
    account.passphrase = std::string(bitget_passphrase);
    for (const auto p : products)
      account.modes.emplace(std::string(pc::to_string(p)), initial);
    ex_->add_bitget_account(account);
    return add_settings(settings(pc::venue::bitget, std::move(products), account.api_key,
                                 bitget_secret, bitget_passphrase));
  }

  /**
   * Adds an OKX account (account-wide `initial` mode; `portfolio_margin`: net mode only) to the
   * mock and the config.
   */
  std::size_t add_okx(int key_number, mock::position_mode initial = mock::position_mode::one_way,
                      bool portfolio_margin = false, std::string perm = "read_only,trade") {
    mock::okx_account account;
    account.perm = std::move(perm);
    account.api_key = okx_key(key_number);
    account.secret = std::string(okx_secret);
    account.passphrase = std::string(okx_passphrase);
    account.mode = initial;
    account.portfolio_margin = portfolio_margin;
    ex_->add_okx_account(account);
    return add_settings(settings(pc::venue::okx, {pc::product::okx_account}, account.api_key,
                                 okx_secret, okx_passphrase));
  }

  /**
   * Adds a Bybit account to the mock (USDT, USDC and `symbol` in `initial`) and to the config;
   * `symbol` is the account's symbol (linear-symbol's).
   */
  std::size_t add_bybit(std::vector<pc::product> products, int key_number, std::string symbol = {},
                        mock::position_mode initial = mock::position_mode::one_way) {
    mock::bybit_account account;
    account.api_key = bybit_key(key_number);
    account.secret = std::string(bybit_secret);
    account.coin_modes = {{"USDT", initial}, {"USDC", initial}};
    if (!symbol.empty()) account.symbol_modes[symbol] = initial;
    ex_->add_bybit_account(account);
    pc::account_settings s =
        settings(pc::venue::bybit, std::move(products), account.api_key, bybit_secret, "");
    s.account.bitget_query_symbol = std::move(symbol);
    return add_settings(std::move(s));
  }

  /**
   * Adds a Gate account to the mock (both settle accounts, `usdt` and `btc`, in `initial`) and to
   * the config with `products` (`gate_usdt`, `gate_btc`).
   */
  std::size_t add_gate(std::vector<pc::product> products, int key_number,
                       mock::gate_mode initial = mock::gate_mode::single) {
    mock::gate_account account;
    account.api_key = gate_key(key_number);
    account.secret = std::string(gate_secret);
    account.modes = {{"usdt", initial}, {"btc", initial}};
    ex_->add_gate_account(account);
    return add_settings(
        settings(pc::venue::gate, std::move(products), account.api_key, gate_secret, ""));
  }

  /** Settings for an account pointing at the mock; the mock need not know the key. */
  [[nodiscard]] pc::account_settings settings(pc::venue v, std::vector<pc::product> products,
                                              std::string key, std::string_view secret,
                                              std::string_view passphrase) const {
    pc::account_settings s;
    s.account.id = "acct" + std::to_string(config.accounts.size());
    s.account.venue_kind = v;
    s.account.products = std::move(products);
    s.account.host = "localhost";
    s.account.port = ex_->port();
    s.creds.api_key = std::move(key);
    s.creds.secret = pc::secret_string(secret);
    if (!passphrase.empty()) s.creds.passphrase = pc::secret_string(passphrase);
    s.ca_pem = ex_->ca_pem();
    return s;
  }

  std::size_t add_settings(pc::account_settings s) {
    s.account.id = "acct" + std::to_string(config.accounts.size());
    config.accounts.push_back(std::move(s));
    return config.accounts.size() - 1;
  }

  /**
   * Builds the component from `config`, starts it on the chosen host and waits (bounded) until
   * `started()`. `config.wakeup` is set to suit the host unless it is the test thread.
   */
  void start(host_kind host = host_kind::run_thread, bool wait_for_started = true) {
    host_ = host;
    if (host == host_kind::run_thread) config.wakeup = pc::wakeup_mode::eventfd;
    if (host == host_kind::poll_thread) config.wakeup = pc::wakeup_mode::busy_poll;
    component_.emplace(io_, config);
    auto* c = &*component_;
    if (install_log_hook)
      c->set_log_hook(
          [this](const pc::log_record& r) {
            if (throwing_log_hook) throw std::runtime_error("the host's logger failed");
            std::array<char, pc::log_format_capacity> line{};
            const std::size_t n = pc::format_text(r, line, {.time = false, .level = false});
            {
              const std::lock_guard lock(log_mutex_);
              log_.append(line.data(), n).append("\n");
              lowest_level_ = std::min(lowest_level_, r.level);
              records_.emplace_back(r);
            }
            notify();
          },
          log_floor);
    switch (host) {
      case host_kind::run_thread:
        boost::asio::post(io_, [c] { c->start(); });
        guard_.emplace(io_.get_executor());
        loop_ = std::thread([this] { io_.run(); });
        break;
      case host_kind::poll_thread:
        boost::asio::post(io_, [c] { c->start(); });
        loop_ = std::thread([this, c] {
          while (!quit_.load(std::memory_order_acquire)) {
            io_.poll();
            c->poll();
            if (io_.stopped()) io_.restart();
          }
        });
        break;
      case host_kind::test_thread:
        c->start();
        break;
    }
    if (!wait_for_started) return;
    const bool up = wait_until([&] { return c->started(); });
    INFO(log());
    REQUIRE_MESSAGE(up, "the component did not finish warming up");
  }

  /** Calls `component.stop()` on the loop thread and waits for it; the events stay readable. */
  void stop_component() {
    auto* c = &*component_;
    if (host_ == host_kind::test_thread) {
      c->stop();
      return;
    }
    std::atomic<bool> stopped{false};
    boost::asio::post(io_, [c, &stopped] {
      c->stop();
      stopped.store(true, std::memory_order_release);
    });
    const bool done = wait_until([&] { return stopped.load(std::memory_order_acquire); });
    REQUIRE_MESSAGE(done, "stop() did not run on the loop");
  }

  /** Stops the component on its loop and the host; idempotent. */
  void stop() {
    if (!component_) return;
    auto* c = &*component_;
    if (host_ == host_kind::test_thread) {
      c->stop();
      for (int i = 0; i < 50; ++i)
        drive();
    } else {
      // stop() on the loop, then one more turn of the loop for the handlers the closes queued,
      // then end the host: each step waits for the loop itself, never for a span of time.
      for (const auto& step :
           {std::function<void()>([c] { c->stop(); }), std::function<void()>()}) {
        std::promise<void> done;
        boost::asio::post(io_, [&step, &done] {
          if (step) step();
          done.set_value();
        });
        (void)done.get_future().wait_for(std::chrono::seconds(5));
      }
      quit_.store(true, std::memory_order_release);
      guard_.reset();
      io_.stop();
      if (loop_.joinable()) loop_.join();
    }
    component_.reset();
  }

  /** Asks for a mode; REQUIREs that it was accepted. Returns the request id. */
  std::uint64_t request(std::size_t account, pc::position_mode mode) {
    const bool accepted = component_->request(account, mode);
    REQUIRE(accepted);
    return ++requests_;
  }

  /** The events collected so far (pops what is waiting first). */
  const std::vector<pc::position_event>& events() {
    pop_all();
    return events_;
  }

  /** While false, nothing is popped: a consumer that has stopped reading. */
  void set_consuming(bool on) noexcept { consuming_ = on; }

  /** Pops and drives the loop (test-thread host) until `done()` or `limit` passes. */
  bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit = event_wait) {
    const auto end = std::chrono::steady_clock::now() + limit;
    for (;;) {
      pop_all();
      if (done()) return true;
      if (std::chrono::steady_clock::now() > end) return false;
      drive();
    }
  }

  /** The request's terminal event, waiting for it; fails the test (with a dump) if it never comes.
   */
  pc::position_event terminal(std::uint64_t request_id) {
    const pc::position_event* e = nullptr;
    wait_until([&] { return (e = find_terminal(request_id)) != nullptr; });
    INFO(dump());
    REQUIRE_MESSAGE(e != nullptr, "no terminal event for request " << request_id);
    return *e;
  }

  /** Waits for the verification event that follows the request's terminal one. */
  pc::position_event verification(std::uint64_t request_id) {
    const pc::position_event* found = nullptr;
    wait_until([&] {
      for (const auto& e : events_)
        if (e.request_id == request_id && e.verification) found = &e;
      return found != nullptr;
    });
    INFO(dump());
    REQUIRE_MESSAGE(found != nullptr, "no verification event for request " << request_id);
    return *found;
  }

  [[nodiscard]] const pc::position_event* find_terminal(std::uint64_t request_id) const {
    for (const auto& e : events_)
      if (e.request_id == request_id && e.terminal) return &e;
    return nullptr;
  }

  /** The events of one request, in order. */
  [[nodiscard]] std::vector<pc::position_event> events_of(std::uint64_t request_id) const {
    std::vector<pc::position_event> out;
    for (const auto& e : events_)
      if (e.request_id == request_id) out.push_back(e);
    return out;
  }

  [[nodiscard]] std::vector<pc::position_event> current_mode_events() const {
    std::vector<pc::position_event> out;
    for (const auto& e : events_)
      if (e.status == pc::event_status::current_mode) out.push_back(e);
    return out;
  }

  /** Every event so far, one per line, and the component's log: for failure messages. */
  [[nodiscard]] std::string dump() const {
    std::string s = "events:\n";
    for (const auto& e : events_)
      s += "  " + describe(e) + "\n";
    s += "mock log:\n";
    for (const auto& r : ex_->request_log())
      s += "  " + mock::format_record(r) + (r.fault.empty() ? "" : " fault=" + r.fault) + "\n";
    return s;
  }

  /** The lowest level the hook received (error when it received nothing). */
  [[nodiscard]] pc::log_level lowest_log_level() const {
    const std::lock_guard lock(log_mutex_);
    return lowest_level_;
  }

  [[nodiscard]] std::string log() const {
    const std::lock_guard lock(log_mutex_);
    return log_;
  }

  /** Every record the log hook received so far, copied. */
  [[nodiscard]] std::vector<owned_log_record> log_records() const {
    const std::lock_guard lock(log_mutex_);
    return records_;
  }

  /** The records of kind `event` so far. */
  [[nodiscard]] std::vector<owned_log_record> log_records(pc::log_event event) const {
    std::vector<owned_log_record> out;
    for (auto& r : log_records())
      if (r.record().event == event) out.push_back(r);
    return out;
  }

  /** The mock's records of requests to `path_part` with method `method`. */
  [[nodiscard]] std::size_t count_requests(std::string_view method,
                                           std::string_view path_part) const {
    std::size_t n = 0;
    for (const auto& r : ex_->request_log())
      if (r.method == method && r.target.find(path_part) != std::string::npos) ++n;
    return n;
  }

  /**
   * The contract every test ends with: sequences 1, 2, 3, ... in order; exactly one terminal
   * event per accepted request; at most one verification event, after the terminal one.
   */
  void check_invariants() {
    pop_all();
    INFO(dump());
    for (std::size_t i = 0; i < events_.size(); ++i)
      CHECK(events_[i].sequence == i + 1);
    for (std::uint64_t id = 1; id <= requests_; ++id) {
      int terminals = 0;
      int verifications = 0;
      bool verification_before_terminal = false;
      for (const auto& e : events_) {
        if (e.request_id != id) continue;
        if (e.terminal) ++terminals;
        if (e.verification) {
          ++verifications;
          if (terminals == 0) verification_before_terminal = true;
        }
      }
      CHECK_MESSAGE(terminals == 1, "request " << id);
      CHECK_MESSAGE(verifications <= 1, "request " << id);
      CHECK_MESSAGE(!verification_before_terminal, "request " << id);
    }
  }

  /** Filled by the test before `start()`. */
  pc::component_config config;
  /** No log hook at all (set before `start()`). */
  bool install_log_hook = true;
  /** The log hook throws instead of recording (set before `start()`). */
  bool throwing_log_hook = false;
  pc::log_level log_floor = pc::log_level::debug;  ///< given to set_log_hook

 private:
  void pop_all() {
    if (!component_ || !consuming_) return;
    pc::position_event e;
    while (component_->try_pop(e))
      events_.push_back(e);
  }

  void drive() {
    if (host_ == host_kind::test_thread) {
      if (io_.stopped()) io_.restart();
      if (config.wakeup == pc::wakeup_mode::busy_poll) {
        component_->poll();
        io_.poll();
      } else {
        io_.run_one_for(std::chrono::milliseconds(5));
      }
    } else {
      // The event ring has no notification (a real order manager polls it too): look again
      // once the log or the mock signals progress, and at the latest every 200 us.
      std::unique_lock lock(progress_mutex_);
      const std::uint64_t seen = progress_;
      progress_cv_.wait_for(lock, std::chrono::microseconds(200),
                            [&] { return progress_ != seen; });
    }
  }

  // Called by the log hook (loop thread) and the mock's request hook (its thread).
  void notify() {
    {
      const std::lock_guard lock(progress_mutex_);
      ++progress_;
    }
    progress_cv_.notify_all();
  }

  std::unique_ptr<mock::exchange> ex_;
  std::mutex hook_mutex_;
  std::function<void(const mock::request_record&)> hook_;
  mutable std::mutex log_mutex_;
  std::string log_;
  std::vector<owned_log_record> records_;
  pc::log_level lowest_level_ = pc::log_level::error;
  boost::asio::io_context io_{1};
  std::optional<pc::position_mode_component> component_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard_;
  std::thread loop_;
  std::atomic<bool> quit_{false};
  std::mutex progress_mutex_;
  std::condition_variable progress_cv_;
  std::uint64_t progress_ = 0;
  host_kind host_ = host_kind::run_thread;
  std::vector<pc::position_event> events_;
  std::uint64_t requests_ = 0;
  bool consuming_ = true;
};

}  // namespace posmode::test
