// The preflight (position_mode_component::check) against the mock exchange: the verdict of an
// account that is ready, in the expected mode or not, and of one that is not, with its cause; and
// that a check sends nothing but reads.

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "components/component_test_support.hpp"

using namespace posmode;
using namespace std::chrono_literals;
using components::account_check;
using components::check_cause;
using components::event_status;
using components::product;
using components::venue;
using test::component_harness;
using namespace test::modes;

namespace {

// Posts check() to the harness's loop and waits (bounded) for its verdicts.
class check_waiter {
 public:
  explicit check_waiter(component_harness& h) : h_(h) {}

  void post_check() {
    auto* c = &h_.component();
    boost::asio::post(h_.io(), [this, c] {
      c->check([this](std::span<const account_check> verdicts) {
        const std::lock_guard lock(mutex_);
        verdicts_.assign(verdicts.begin(), verdicts.end());
        calls_.fetch_add(1, std::memory_order_release);
      });
    });
  }

  std::vector<account_check> wait() {
    const bool done = h_.wait_until([this] { return calls_.load(std::memory_order_acquire) > 0; });
    INFO(h_.log());
    REQUIRE_MESSAGE(done, "check() did not hand over its verdicts");
    CHECK(calls_.load(std::memory_order_acquire) == 1);
    const std::lock_guard lock(mutex_);
    return verdicts_;
  }

 private:
  component_harness& h_;
  std::mutex mutex_;
  std::vector<account_check> verdicts_;
  std::atomic<int> calls_{0};
};

// Starts the harness (its loop on a thread of its own) and waits for one check()'s verdicts.
std::vector<account_check> start_and_check(component_harness& h) {
  h.start(test::host_kind::run_thread, false);
  check_waiter waiter(h);
  waiter.post_check();
  return waiter.wait();
}

// A port on 127.0.0.1 that nothing listens on: bound, then closed again.
std::uint16_t closed_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  const auto port = a.local_endpoint().port();
  a.close();
  return port;
}

// The warm-up of an account that cannot be reached ends at the request deadline: kept short.
void short_deadlines(component_harness& h) {
  h.config.attempt_timeout = 1000ms;
  h.config.request_deadline = 1500ms;
}

}  // namespace

TEST_CASE("check reads every mode, says ready, and compares it with expected_mode") {
  component_harness h;
  const auto pm = h.add_binance(venue::binance_papi, {product::papi_um, product::papi_cm}, 1);
  h.config.accounts[pm].expected_mode = hedge;
  const auto bg = h.add_bitget({product::usdt_futures}, 2, mock_hedge);
  h.config.accounts[bg].expected_mode = hedge;
  const auto none = h.add_binance(venue::binance_usdm, {product::usdm}, 3);  // no expectation
  const auto verdicts = start_and_check(h);
  INFO(h.dump());
  REQUIRE(verdicts.size() == 3);

  const account_check& p = verdicts[pm];
  CHECK(p.ready);
  CHECK(p.cause == check_cause::none);
  CHECK(p.message.empty());
  CHECK(p.venue_kind == venue::binance_papi);
  CHECK(p.clock_synced);
  CHECK(p.clock_round_trip_ns > 0);
  CHECK(p.round_trip_ns > 0);
  CHECK(p.connections_up >= 1);
  CHECK(p.has_expected_mode);
  CHECK(p.expected_mode == hedge);
  REQUIRE(p.product_count == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(p.products[i].mode_known);
    CHECK(p.products[i].mode == one_way);
    CHECK_FALSE(p.products[i].as_expected);  // one-way where hedge is expected
    CHECK(p.products[i].report.status == event_status::current_mode);
  }
  CHECK(p.products[0].report.product_scope == product::papi_um);
  CHECK(p.products[1].report.product_scope == product::papi_cm);
  CHECK_FALSE(p.as_expected());

  const account_check& b = verdicts[bg];
  CHECK(b.ready);
  REQUIRE(b.product_count == 1);
  CHECK(b.products[0].mode == hedge);
  CHECK(b.products[0].as_expected);
  CHECK(b.as_expected());

  const account_check& n = verdicts[none];
  CHECK(n.ready);
  CHECK_FALSE(n.has_expected_mode);
  CHECK(n.products[0].as_expected);  // nothing expected: a known mode is enough
  CHECK(n.as_expected());

  // Only reads went out: no set, no mode changed.
  CHECK(h.count_requests("POST", "/") == 0);
  CHECK(h.ex().mode_history().empty());
  CHECK(h.component().stats().set_requests_sent == 0);
}

TEST_CASE("check names why an account is not ready, one cause per account") {
  component_harness h;
  short_deadlines(h);
  mock::exchange other;  // its CA signed nothing the first mock presents
  const auto good = h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  const auto wrong_key = h.add_settings(
      h.settings(venue::binance_usdm, {product::usdm}, "unknownKey0123456789abcdef", "s3cret", ""));
  auto unreachable_settings = h.settings(venue::binance_usdm, {product::usdm}, test::binance_key(1),
                                         test::binance_secret, "");
  unreachable_settings.account.port = closed_port();
  const auto unreachable = h.add_settings(std::move(unreachable_settings));
  auto wrong_ca_settings = h.settings(venue::bitget, {product::usdt_futures}, test::bitget_key(1),
                                      test::bitget_secret, test::bitget_passphrase);
  wrong_ca_settings.ca_pem = other.ca_pem();
  const auto wrong_ca = h.add_settings(std::move(wrong_ca_settings));
  const auto verdicts = start_and_check(h);

  // The same accounts by API host: the mock's port (three accounts), then the closed one. A
  // host's figures are its accounts' health() summed.
  REQUIRE(h.component().host_count() == 2);
  CHECK_FALSE(h.component().host(2).has_value());
  const auto on_mock = *h.component().host(0);
  const auto on_closed = *h.component().host(1);
  CHECK(on_mock.host.view() == h.config.accounts[good].account.host);
  CHECK(on_mock.port == h.config.accounts[good].account.port);
  CHECK(on_mock.accounts == 3);
  std::uint16_t ready = 0;
  std::uint32_t up = 0;
  std::uint32_t total = 0;
  for (const auto account : {good, wrong_key, wrong_ca}) {
    const auto health = *h.component().health(account);
    if (health.state == components::account_state::ready) ++ready;
    up += health.connections_up;
    total += health.connections_total;
  }
  CHECK(on_mock.accounts_ready == ready);
  CHECK(on_mock.accounts_ready >= 1);  // the good key's
  CHECK(on_mock.connections_up == up);
  CHECK(on_mock.connections_total == total);
  CHECK_FALSE(on_mock.banned);
  CHECK(on_closed.port == h.config.accounts[unreachable].account.port);
  CHECK(on_closed.accounts == 1);
  CHECK(on_closed.accounts_ready == 0);
  CHECK(on_closed.connections_up == 0);
  CHECK(on_closed.connections_total == h.component().health(unreachable)->connections_total);
  INFO(h.dump());
  REQUIRE(verdicts.size() == 4);

  CHECK(verdicts[good].ready);

  const account_check& k = verdicts[wrong_key];
  CHECK_FALSE(k.ready);
  CHECK(k.cause == check_cause::auth_failed);
  CHECK(k.products[0].report.status == event_status::auth_failed);
  CHECK(k.products[0].report.http_status == 401);
  CHECK(k.products[0].report.code == -2015);
  CHECK_FALSE(k.message.empty());
  CHECK(k.clock_synced);  // the time endpoint is public: only the signed read was refused

  const account_check& u = verdicts[unreachable];
  CHECK_FALSE(u.ready);
  CHECK(u.cause == check_cause::unreachable);
  CHECK(u.connections_up == 0);
  CHECK(u.message.view().find("no connection") != std::string_view::npos);
  CHECK_FALSE(u.products[0].mode_known);

  const account_check& c = verdicts[wrong_ca];
  CHECK_FALSE(c.ready);
  CHECK(c.cause == check_cause::tls_verification_failed);
  CHECK(c.message.view().find("certificate verify failed") != std::string_view::npos);
  CHECK(c.products[0].report.status == event_status::tls_verification_failed);

  CHECK(h.count_requests("POST", "/") == 0);
}

TEST_CASE("check reports an OKX key whose perm lacks trade: key_cannot_trade, modes still read") {
  // OKX's config read shows the key's permissions (docs/venues.md §10 A-O1).
  component_harness h;
  const auto trade = h.add_okx(1);  // the mock's default: read_only,trade
  h.config.accounts[trade].expected_mode = one_way;
  const auto read_only = h.add_okx(2, mock_one_way, false, "read_only");
  h.config.accounts[read_only].expected_mode = one_way;
  const auto withdraw = h.add_okx(3, mock_hedge, false, "read_only,withdraw");
  const auto trade_last = h.add_okx(4, mock_one_way, false, "withdraw,trade");
  const auto verdicts = start_and_check(h);
  INFO(h.dump());
  REQUIRE(verdicts.size() == 4);

  CHECK(verdicts[trade].ready);
  CHECK(verdicts[trade].cause == check_cause::none);
  CHECK(verdicts[trade].as_expected());
  CHECK(verdicts[trade_last].ready);  // trade last in the list

  const account_check& r = verdicts[read_only];
  CHECK_FALSE(r.ready);
  CHECK(r.cause == check_cause::key_cannot_trade);
  CHECK(r.message.view() ==
        "API key has no trade permission (perm: read_only): a set would be refused");
  CHECK(r.message.view().find(test::okx_key(2)) == std::string_view::npos);
  // The mode itself was read: the key may read.
  REQUIRE(r.product_count == 1);
  CHECK(r.products[0].mode_known);
  CHECK(r.products[0].mode == one_way);
  CHECK(r.products[0].report.status == event_status::current_mode);
  CHECK_FALSE(r.as_expected());  // not ready

  const account_check& w = verdicts[withdraw];
  CHECK(w.cause == check_cause::key_cannot_trade);
  CHECK(w.message.view().find("(perm: read_only,withdraw)") != std::string_view::npos);
  CHECK(w.products[0].mode == hedge);

  CHECK(components::to_string(check_cause::key_cannot_trade) == "key_cannot_trade");
  CHECK(h.count_requests("POST", "/") == 0);

  // An engine that never calls check() learns it too: health() and one warning per such account.
  CHECK(h.component().health(read_only)->key_cannot_trade);
  CHECK(h.component().health(withdraw)->key_cannot_trade);
  CHECK_FALSE(h.component().health(trade)->key_cannot_trade);
  CHECK_FALSE(h.component().health(trade_last)->key_cannot_trade);
  std::vector<std::string> warned;
  for (const auto& owned : h.log_records()) {
    const auto rec = owned.record();
    if (rec.event != components::log_event::key_cannot_trade) continue;
    CHECK(rec.level == components::log_level::warning);
    CHECK(rec.message.find(test::okx_key(2)) == std::string_view::npos);
    warned.emplace_back(rec.account_id);
  }
  std::sort(warned.begin(), warned.end());
  CHECK(warned == std::vector<std::string>{h.config.accounts[read_only].account.id,
                                           h.config.accounts[withdraw].account.id});
  CHECK(components::to_string(components::log_event::key_cannot_trade) == "key_cannot_trade");
}

TEST_CASE("check on a banned host says banned, with the venue's words") {
  component_harness h;
  short_deadlines(h);
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  h.ex().ban_ip("127.0.0.1", 600s);
  const auto verdicts = start_and_check(h);
  INFO(h.dump());
  REQUIRE(verdicts.size() == 1);
  CHECK_FALSE(verdicts[0].ready);
  CHECK(verdicts[0].cause == check_cause::banned);
  CHECK(verdicts[0].products[0].report.status == event_status::ip_banned);
  CHECK(verdicts[0].message.view().find("banned") != std::string_view::npos);
}

TEST_CASE("stop() hands a waiting check what is known, and check() after stop() is refused") {
  component_harness h;
  h.config.attempt_timeout = 60s;
  h.config.request_deadline = 60s;  // far off: stop() comes first
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  h.ex().set_silent(true);  // TCP accepted, never a TLS handshake: the warm-up cannot end
  h.start(test::host_kind::run_thread, false);
  check_waiter waiter(h);
  waiter.post_check();
  h.stop_component();
  const auto verdicts = waiter.wait();
  REQUIRE(verdicts.size() == 1);
  CHECK_FALSE(verdicts[0].ready);
  CHECK(verdicts[0].cause == check_cause::not_finished);
  CHECK(verdicts[0].products[0].report.status == event_status::timeout);

  std::atomic<int> refused{0};
  auto* c = &h.component();
  boost::asio::post(h.io(), [c, &refused] {
    try {
      c->check([](std::span<const account_check>) {});
    } catch (const std::logic_error&) {
      refused.store(1, std::memory_order_release);
      return;
    }
    refused.store(2, std::memory_order_release);
  });
  CHECK(h.wait_until([&] { return refused.load(std::memory_order_acquire) != 0; }));
  CHECK(refused.load() == 1);
  CHECK(components::to_string(check_cause::not_finished) == "not_finished");
  CHECK(components::to_string(check_cause::tls_verification_failed) == "tls_verification_failed");
}
