// The position-mode component's edges against the mock exchange: the hosts it runs in (a loop
// blocked in run(), a loop spinning on poll(), one thread for everything), a consumer slower than
// the events (the backlog keeps every event, in order), and no allocation on the hot path.

#include <doctest/doctest.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "components/component_test_support.hpp"
#include "support/allocation_counter.hpp"

using namespace posmode;
using namespace std::chrono_literals;
using components::event_status;
using components::position_event;
using components::product;
using components::venue;
using mock::binance_product;
using test::component_harness;
using namespace test::modes;
using test::host_kind;

namespace {

constexpr components::position_mode mode_for_round(int round) {
  return round % 2 == 0 ? hedge : one_way;
}

}  // namespace

TEST_CASE("the blocking run() host and the spinning poll() host are both served") {
  component_harness h;
  host_kind host = host_kind::run_thread;
  SUBCASE("run(): a loop thread blocked in io.run(), woken by the eventfd") {
    host = host_kind::run_thread;
  }
  SUBCASE("poll(): a loop thread spinning on io.poll() and component.poll()") {
    host = host_kind::poll_thread;
  }
  SUBCASE("one thread is loop, risk and order manager, blocking in run_one_for()") {
    host = host_kind::test_thread;
    h.config.wakeup = components::wakeup_mode::eventfd;
  }
  const auto pm = h.add_binance(venue::binance_papi, {product::papi_um, product::papi_cm}, 1);
  const auto bg = h.add_bitget({product::usdt_futures}, 2);
  const auto fut = h.add_binance(venue::binance_usdm, {product::usdm}, 3);
  h.start(host);
  INFO(h.dump());
  constexpr int rounds = 4;
  for (int round = 0; round < rounds; ++round) {
    // A burst over the three accounts, then the answers.
    const auto mode = mode_for_round(round);
    const std::array ids{h.request(pm, mode), h.request(bg, mode), h.request(fut, mode)};
    for (const auto id : ids) {
      const auto e = h.terminal(id);
      CHECK(e.status == event_status::applied);
      CHECK(e.requested == mode);
    }
  }
  // After an even number of rounds every product is back in one-way mode.
  CHECK(h.ex().binance_mode(test::binance_key(1), binance_product::papi_um) ==
        mock::position_mode::one_way);
  CHECK(h.ex().binance_mode(test::binance_key(1), binance_product::papi_cm) ==
        mock::position_mode::one_way);
  const auto stats = h.component().stats();
  CHECK(stats.requests_accepted == 3 * rounds);
  CHECK(stats.requests_refused == 0);
  CHECK(stats.set_requests_sent == 4 * rounds);  // PAPI sends UM and CM
  CHECK(stats.trigger_to_wire.count == 3 * rounds);
  CHECK(stats.trigger_to_event.count == 3 * rounds);
  CHECK(stats.handshakes >= 1);
  h.check_invariants();
}

TEST_CASE("a request made while the component warms up is served once it is connected") {
  component_harness h;
  h.add_binance(venue::binance_papi, {product::papi_um, product::papi_cm}, 1);
  h.add_bitget({product::usdt_futures}, 2);
  h.start(host_kind::run_thread, false);
  const auto a = h.request(0, hedge);
  const auto b = h.request(1, hedge);
  INFO(h.dump());
  CHECK(h.terminal(a).status == event_status::applied);
  CHECK(h.terminal(b).status == event_status::applied);
  CHECK(h.wait_until([&] { return h.component().started(); }));
  h.check_invariants();
}

TEST_CASE("a consumer slower than the events loses none and sees them in order") {
  component_harness h;
  h.config.event_ring_capacity = 2;
  const auto fut = h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  const auto pm = h.add_binance(venue::binance_papi, {product::papi_um, product::papi_cm}, 2);
  const auto bg = h.add_bitget({product::usdt_futures}, 3);
  constexpr std::uint64_t start_events = 4;  // current_mode: usdm, um, cm, USDT-FUTURES
  h.set_consuming(false);                    // the order manager is busy elsewhere
  h.start();
  constexpr int per_account = 6;
  std::vector<std::vector<std::uint64_t>> ids(3);
  for (int round = 0; round < per_account; ++round) {
    ids[0].push_back(h.request(fut, mode_for_round(round)));
    ids[1].push_back(h.request(pm, mode_for_round(round)));
    ids[2].push_back(h.request(bg, mode_for_round(round)));
  }
  // PAPI: a non-terminal UM event and a terminal CM event per request.
  constexpr std::uint64_t expected = start_events + 4 * per_account;
  const bool all_published =
      h.wait_until([&] { return h.component().stats().events_published >= expected; });
  const auto stats = h.component().stats();
  INFO(h.dump());
  CHECK(all_published);
  CHECK(stats.events_published == expected);
  CHECK(stats.events_backlogged > 0);
  CHECK(stats.backlog_now == expected - 2);  // all but the two in the ring
  CHECK(stats.backlog_high_water >= stats.backlog_now);

  // Now the consumer reads everything.
  h.set_consuming(true);
  CHECK(h.wait_until([&] { return h.events().size() >= expected; }));
  const auto& events = h.events();
  CHECK(events.size() == expected);
  for (std::size_t i = 0; i < events.size(); ++i)
    CHECK(events[i].sequence == i + 1);
  // Each account's requests end in the order they were made, all applied.
  for (std::size_t account = 0; account < ids.size(); ++account) {
    std::uint64_t last_sequence = 0;
    for (const auto id : ids[account]) {
      const auto* e = h.find_terminal(id);
      REQUIRE_MESSAGE(e != nullptr, "request " << id);
      CHECK(e->status == event_status::applied);
      CHECK(e->account == account);
      CHECK(e->sequence > last_sequence);
      last_sequence = e->sequence;
    }
  }
  CHECK(h.wait_until([&] { return h.component().stats().backlog_now == 0; }));
  h.check_invariants();
}

TEST_CASE("back-pressure: a full request ring refuses, a full account queue rejects") {
  component_harness h;
  h.config.wakeup = components::wakeup_mode::eventfd;
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  SUBCASE("the request ring is full: request() returns false") {
    h.config.request_ring_capacity = 2;
    h.start(host_kind::test_thread);  // the loop runs only when this thread drives it
    const auto a = h.request(0, hedge);
    const auto b = h.request(0, one_way);
    CHECK_FALSE(h.component().request(0, hedge));
    CHECK(h.component().stats().requests_refused == 1);
    CHECK(h.terminal(a).status == event_status::applied);
    CHECK(h.terminal(b).status == event_status::applied);
  }
  SUBCASE("one running and one queued: the third request is rejected") {
    h.config.pending_per_account = 1;
    h.start(host_kind::test_thread);
    const auto a = h.request(0, hedge);
    const auto b = h.request(0, one_way);
    const auto c = h.request(0, hedge);
    const auto rejected = h.terminal(c);
    INFO(h.dump());
    CHECK(rejected.status == event_status::rejected);
    CHECK(rejected.attempts == 0);
    CHECK(h.terminal(a).status == event_status::applied);
    CHECK(h.terminal(b).status == event_status::applied);
    CHECK(h.ex().binance_mode(test::binance_key(1), binance_product::usdm) ==
          mock::position_mode::one_way);
  }
  h.check_invariants();
}

#if POSMODE_ALLOCATION_COUNTING
namespace {

// One request to its terminal event, the test thread being the risk thread, the spinning loop and
// the order manager; `spin`: the host calls component.poll() (busy_poll), else the io_context
// takes the request when woken. Nothing here allocates; the caller checks the result.
bool round_trip(components::position_mode_component& c, boost::asio::io_context& io, bool spin,
                components::position_mode mode, position_event& out, std::uint64_t& popped) {
  if (!c.request(0, mode)) return false;
  const auto end = std::chrono::steady_clock::now() + test::event_wait;
  position_event e;
  while (std::chrono::steady_clock::now() < end) {
    if (spin) c.poll();
    if (io.stopped()) io.restart();
    // poll_one, bounded: a loop that always has a ready handler must not hang the test.
    for (int k = 0; k < 64 && io.poll_one() > 0; ++k) {
    }
    while (c.try_pop(e)) {
      ++popped;
      if (e.terminal) {
        out = e;
        return true;
      }
    }
  }
  return false;
}

}  // namespace

// What OpenSSL 3.0 allocates per set request and its answer (docs/performance.md, "Allocations").
constexpr std::size_t max_openssl_allocations_per_round_trip = 4;

TEST_CASE("no operator new from trigger to published event, after warm-up") {
  mock::exchange_options options;
  options.bybit_rate_limit = 1'000;  // 30 switches in a burst
  component_harness h(options);
  bool bybit = false;
  SUBCASE("busy_poll: component.poll() takes the request, outside io.poll()") {
    h.config.wakeup = components::wakeup_mode::busy_poll;
  }
  SUBCASE("eventfd: the io_context takes the request") {
    h.config.wakeup = components::wakeup_mode::eventfd;
  }
  SUBCASE("Bybit, busy_poll: retCode answers, X-Bapi-Limit headers") {
    h.config.wakeup = components::wakeup_mode::busy_poll;
    bybit = true;
  }
  if (bybit)
    h.add_bybit({product::bybit_linear_usdt}, 1);
  else
    h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  h.start(host_kind::test_thread);
  REQUIRE(h.wait_until([&] { return !h.current_mode_events().empty(); }));
  auto& c = h.component();
  auto& io = h.io();
  const bool spin = h.config.wakeup == components::wakeup_mode::busy_poll;

  std::uint64_t popped = 0;
  position_event e;
  for (int i = 0; i < 10; ++i) {
    REQUIRE(round_trip(c, io, spin, mode_for_round(i), e, popped));
    REQUIRE(e.status == event_status::applied);
  }

  constexpr int measured = 20;
  std::array<bool, measured> ok{};
  std::array<event_status, measured> statuses{};
  std::size_t allocations = 0;
  std::size_t c_allocations = 0;
  std::size_t openssl_allocations = 0;
  {
    const test::allocation_scope scope;
    for (int i = 0; i < measured; ++i) {
      const auto index = static_cast<std::size_t>(i);
      ok[index] = round_trip(c, io, spin, mode_for_round(i), e, popped);
      statuses[index] = e.status;
    }
    allocations = scope.count();
    c_allocations = scope.c_count();
    openssl_allocations = scope.openssl_count();
  }
  for (std::size_t i = 0; i < ok.size(); ++i) {
    CHECK_MESSAGE(ok[i], "round trip " << i);
    CHECK_MESSAGE(statuses[i] == event_status::applied, "round trip " << i);
  }
  // posmode's own code, the standard library, Boost and simdjson: nothing.
  CHECK(allocations == 0);
  // At the C level every allocation on the path is OpenSSL's, and there are no more of them per
  // round trip than docs/performance.md records (they are inside SSL_write and SSL_read).
  REQUIRE(test::openssl_allocations_counted());
  MESSAGE("per round trip: " << static_cast<double>(c_allocations) / measured
                             << " C-level allocations, of which OpenSSL's "
                             << static_cast<double>(openssl_allocations) / measured);
  CHECK(c_allocations == openssl_allocations);
  CHECK(openssl_allocations <= measured * max_openssl_allocations_per_round_trip);
  CHECK(popped == 30);
  components::component_stats stats;
  std::string metrics(16384, '\0');
  {
    // stats() and write_metrics() read all-time histograms in place: no copy, no sort, no
    // allocation.
    const test::allocation_scope scope;
    stats = c.stats();
    metrics.resize(c.write_metrics(metrics, R"(host="test")"));
    CHECK(scope.c_count() == 0);
  }
  // The exposition carries what stats() says, in Prometheus' own layout.
  CHECK(metrics.find("# TYPE posmode_set_requests_total counter\n") != std::string::npos);
  CHECK(metrics.find("\nposmode_set_requests_total{host=\"test\"} 30\n") != std::string::npos);
  CHECK(metrics.find("\nposmode_trigger_to_event_seconds_bucket{host=\"test\",le=\"+Inf\"} 30\n") !=
        std::string::npos);
  CHECK(metrics.find("\nposmode_trigger_to_wire_seconds_count{host=\"test\"} 30\n") !=
        std::string::npos);
  CHECK(metrics.find(
            "\nposmode_account_trigger_to_event_seconds_count{host=\"test\",account=\"acct0\"} "
            "30\n") != std::string::npos);
  std::string small(100, '\0');
  CHECK(c.write_metrics(small) == 0);
  CHECK(stats.requests_accepted == 30);
  CHECK(stats.set_requests_sent == 30);
  CHECK(stats.trigger_to_wire.count == 30);  // the warm-up round trips count too
  CHECK(stats.trigger_to_event.count == 30);
  CHECK(stats.trigger_to_event.min <= stats.trigger_to_event.p50);
  CHECK(stats.trigger_to_event.p50 <= stats.trigger_to_event.max);
}
#endif

TEST_CASE("an idle loop runs out of ready handlers after a request (eventfd wake-up)") {
  // After a wake-up the loop must go back to sleeping in epoll_wait: once the request is done,
  // `poll_one()` soon finds nothing to run. A wake handler that re-arms on an eventfd that stays
  // readable would be ready again at once, for ever (a loop spinning at 100% CPU in `run()`).
  component_harness h;
  h.config.wakeup = components::wakeup_mode::eventfd;
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  h.start(host_kind::test_thread);
  CHECK(h.terminal(h.request(0, hedge)).status == event_status::applied);
  constexpr std::size_t limit = 100'000;
  std::size_t handlers = 0;
  auto& io = h.io();
  if (io.stopped()) io.restart();
  while (handlers < limit && io.poll_one() > 0)
    ++handlers;
  CHECK_MESSAGE(handlers < limit, "the loop always had a handler ready after the request");
  h.check_invariants();
}
