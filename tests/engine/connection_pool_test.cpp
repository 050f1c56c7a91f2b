// connection_pool against the mock exchange on 127.0.0.1: slots, bypass, reconnect with backoff,
// keep-alives, clock offset from a skewed server clock, and no allocation on the request path.

#include "posmode/engine/connection_pool.hpp"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "engine/loop_support.hpp"
#include "posmode/engine/clock_offset.hpp"
#include "posmode/engine/error.hpp"
#include "posmode/mock/exchange.hpp"
#include "support/allocation_counter.hpp"

using namespace posmode::engine;
using namespace std::chrono_literals;
using posmode::test::from_now;
using posmode::test::run_until;

namespace {

constexpr std::string_view ping = "GET /fapi/v1/ping HTTP/1.1\r\nHost: localhost\r\n\r\n";
constexpr std::string_view server_time = "GET /fapi/v1/time HTTP/1.1\r\nHost: localhost\r\n\r\n";

std::span<const char> bytes(std::string_view s) {
  return {s.data(), s.size()};
}

// Records what the pool reports, sorted by purpose as the owner would.
struct pool_recorder final : pool_listener {
  int responses = 0;
  int last_status = 0;
  std::size_t last_slot = 99;
  int failures = 0;
  std::error_code failure;
  int probe_responses = 0;
  int keepalive_responses = 0;
  int probe_failures = 0;
  std::int64_t last_server_ms = 0;
  exchange_timing last_timing;
  ticket last_ticket;
  int ups = 0;
  int downs = 0;
  int readies = 0;
  bool keepalives_allowed = true;
  int keepalive_questions = 0;

  void on_result(const ticket& t, const exchange_result& r) noexcept override {
    last_ticket = t;
    if (t.purpose == send_purpose::request) {
      last_slot = t.slot;
      if (r.error) {
        ++failures;
        failure = r.error;
      } else {
        ++responses;
        last_status = r.response.status();
      }
      return;
    }
    if (r.error) {
      ++probe_failures;
      return;
    }
    ++(t.purpose == send_purpose::keepalive ? keepalive_responses : probe_responses);
    last_status = r.response.status();
    last_timing = r.timing;
    // {"serverTime":1700000000000}: the test reads it by hand, independent of posmode's venues.
    const std::string_view body = r.response.body();
    const auto colon = body.find(':');
    last_server_ms = 0;
    if (colon != std::string_view::npos)
      std::from_chars(body.data() + colon + 1, body.data() + body.size(), last_server_ms);
  }
  void on_ready(std::size_t) noexcept override { ++readies; }
  bool may_send_keepalive() noexcept override {
    ++keepalive_questions;
    return keepalives_allowed;
  }
  void on_connection_change(std::size_t, std::error_code ec, std::string_view) noexcept override {
    ++(ec ? downs : ups);
  }
};

// Keep-alive and allocation tests send hundreds of pings; Binance's weight limit is not under test.
posmode::mock::exchange_options unlimited() {
  posmode::mock::exchange_options o;
  o.weight_limit = 1'000'000;
  return o;
}

struct fixture {
  posmode::mock::exchange mock{unlimited()};
  tls_client_context tls{{.ca_file = {}, .ca_pem = mock.ca_pem()}};
  boost::asio::io_context io{1};
  pool_recorder events;

  pool_options options(std::size_t n = 2) {
    pool_options o;
    o.connections = n;
    o.keepalive_interval = 0ms;
    o.backoff = {.initial = 20ms, .max = 200ms, .multiplier = 2.0, .jitter = 0.5};
    o.jitter_seed = 11;
    return o;
  }

  void start(connection_pool& p) {
    p.start();
    REQUIRE(run_until(io, [&] { return p.ready() == p.size(); }));
  }

  void round_trip(connection_pool& p, std::string_view request, bool spin = false) {
    const int before = events.responses + events.failures;
    const auto r = p.send(bytes(request), from_now(2s));
    REQUIRE_FALSE(r.error);
    REQUIRE(run_until(
        io, [&] { return events.responses + events.failures > before; }, spin));
  }
};

std::size_t pings_logged(const posmode::mock::exchange& mock) {
  std::size_t n = 0;
  for (const auto& r : mock.request_log())
    if (r.target == "/fapi/v1/ping") ++n;
  return n;
}

}  // namespace

TEST_CASE("a pool connects every slot, fills idle slots in order and reports busy when full") {
  fixture f;
  connection_pool p(f.io, f.tls, {"localhost", f.mock.port(), false}, f.events, f.options(2));
  f.start(p);
  CHECK(f.events.ups == 2);
  CHECK(p.counters().handshakes == 2);
  const auto a = p.send(bytes(ping), from_now(2s));
  const auto b = p.send(bytes(ping), from_now(2s));
  REQUIRE_FALSE(a.error);
  REQUIRE_FALSE(b.error);
  CHECK(a.slot == 0);
  CHECK(b.slot == 1);
  CHECK(p.send(bytes(ping), from_now(2s)).error == errc::busy);
  CHECK(p.ready() == 0);
  REQUIRE(run_until(f.io, [&] { return f.events.responses == 2; }));
  CHECK(f.events.last_status == 200);
  CHECK(p.ready() == 2);
}

TEST_CASE("a connection closed by the server is bypassed, then reconnects resuming its session") {
  fixture f;
  connection_pool p(f.io, f.tls, {"localhost", f.mock.port(), false}, f.events, f.options(2));
  f.start(p);
  f.mock.set_faults({.connection_close = true});
  f.round_trip(p, ping);
  CHECK(f.events.last_slot == 0);
  CHECK(f.events.last_status == 200);
  f.mock.set_faults({});
  // Slot 0 is closing; the next request goes to slot 1 at once, without waiting for it.
  CHECK(p.connected() == 1);
  const auto r = p.send(bytes(ping), from_now(2s));
  REQUIRE_FALSE(r.error);
  CHECK(r.slot == 1);
  REQUIRE(run_until(f.io, [&] { return f.events.responses == 2 && p.ready() == 2; }));
  CHECK(f.events.failures == 0);
  CHECK(p.counters().connections_lost == 1);
  CHECK(p.counters().handshakes == 3);
  CHECK(p.counters().resumed_handshakes == 1);
}

TEST_CASE("a drop before the reply fails that request only, and the slot comes back") {
  fixture f;
  connection_pool p(f.io, f.tls, {"localhost", f.mock.port(), false}, f.events, f.options(1));
  f.start(p);
  f.mock.set_faults({.drop_before_reply = true});
  f.round_trip(p, ping);
  CHECK(f.events.failures == 1);
  CHECK(f.events.failure == errc::connection_closed);
  f.mock.set_faults({});
  REQUIRE(run_until(f.io, [&] { return p.ready() == 1; }));
  f.round_trip(p, ping);
  CHECK(f.events.responses == 1);
  CHECK(f.events.last_status == 200);
  CHECK(p.counters().handshakes == 2);
}

TEST_CASE("with no server, connecting is retried with backoff and reported each time") {
  std::uint16_t dead_port = 0;
  {
    posmode::mock::exchange gone;
    dead_port = gone.port();
  }
  fixture f;
  connection_pool p(f.io, f.tls, {"127.0.0.1", dead_port, false}, f.events, f.options(1));
  p.start();
  REQUIRE(run_until(f.io, [&] { return p.counters().connect_failures >= 3; }));
  CHECK(f.events.downs >= 3);
  CHECK(f.events.ups == 0);
  CHECK(p.send(bytes(ping), from_now(2s)).error == errc::not_connected);
  p.stop();
  const auto failures = p.counters().connect_failures;
  (void)run_until(
      f.io, [] { return false; }, false, 300ms);  // stopped: no further attempts
  CHECK(p.counters().connect_failures == failures);
}

TEST_CASE("a certificate that does not verify is retried only after the longest backoff") {
  fixture f;
  // Trust another server's CA: the mock's certificate cannot verify.
  posmode::mock::exchange other;
  tls_client_context wrong_trust{{.ca_file = {}, .ca_pem = other.ca_pem()}};
  pool_options o = f.options(1);
  o.backoff = {.initial = 20ms, .max = 2'000ms, .multiplier = 2.0, .jitter = 0.5};
  connection_pool p(f.io, wrong_trust, {"localhost", f.mock.port(), false}, f.events, o);
  p.start();
  REQUIRE(run_until(f.io, [&] { return p.counters().connect_failures >= 1; }));
  // A refused connection would have been retried after 10..20 ms, and again and again; this
  // one waits at least half the 2 s cap before its second attempt.
  (void)run_until(
      f.io, [] { return false; }, false, 500ms);
  CHECK(p.counters().connect_failures == 1);
  CHECK(f.events.downs == 1);
  CHECK(f.events.ups == 0);
  p.stop();
}

TEST_CASE("idle connections get keep-alive requests, and their answers are reported") {
  fixture f;
  auto o = f.options(2);
  o.keepalive_interval = 40ms;
  connection_pool p(f.io, f.tls, {"localhost", f.mock.port(), false}, f.events, o);
  p.set_keepalive_request(bytes(ping));
  f.start(p);
  REQUIRE(run_until(f.io, [&] { return f.events.keepalive_responses >= 4; }));
  CHECK(f.events.last_status == 200);
  CHECK(p.counters().keepalives >= 4);
  CHECK(pings_logged(f.mock) >= 4);
  CHECK(f.events.responses == 0);  // keep-alive answers never reach on_response
}

TEST_CASE("the owner may hold keep-alives back (a venue ban), and they resume when it allows") {
  fixture f;
  auto o = f.options(2);
  o.keepalive_interval = 40ms;
  connection_pool p(f.io, f.tls, {"localhost", f.mock.port(), false}, f.events, o);
  p.set_keepalive_request(bytes(ping));
  f.events.keepalives_allowed = false;
  f.start(p);
  // Idle well past the interval, asked on several ticks, nothing sent.
  REQUIRE(run_until(f.io, [&] { return f.events.keepalive_questions >= 6; }));
  CHECK(p.counters().keepalives == 0);
  CHECK(pings_logged(f.mock) == 0);
  f.events.keepalives_allowed = true;
  REQUIRE(run_until(f.io, [&] { return f.events.keepalive_responses >= 2; }));
  CHECK(p.counters().keepalives >= 2);
}

TEST_CASE("issue 13: a manual clock drives the reconnect backoff, and real time does not") {
  std::uint16_t dead_port = 0;
  {
    posmode::mock::exchange gone;
    dead_port = gone.port();
  }
  fixture f;
  manual_clock clock(std::int64_t{1} << 60);
  pool_options o = f.options(1);
  o.backoff = {.initial = 10min, .max = 10min, .multiplier = 2.0, .jitter = 0.5};
  o.connection.clock = clock_ref(clock);
  connection_pool p(f.io, f.tls, {"127.0.0.1", dead_port, false}, f.events, o);
  p.start();
  REQUIRE(run_until(f.io, [&] { return p.counters().connect_failures == 1; }));
  // A round trip on another pool shows the loop ran on; the retry, 5..10 min away, waits.
  pool_recorder other_events;
  connection_pool other(f.io, f.tls, {"localhost", f.mock.port(), false}, other_events, o);
  other.start();
  REQUIRE(run_until(f.io, [&] { return other.ready() == 1; }));
  REQUIRE_FALSE(other.send(bytes(ping), from_now(2s, o.connection.clock)).error);
  REQUIRE(run_until(f.io, [&] { return other_events.responses == 1; }));
  CHECK(p.counters().connect_failures == 1);
  clock.advance(10min);
  REQUIRE(run_until(f.io, [&] { return p.counters().connect_failures == 2; }));
  CHECK(f.events.downs == 2);
  p.stop();
}

TEST_CASE("issue 13: a manual clock drives the keep-alive tick, and the answer names its purpose") {
  fixture f;
  manual_clock clock(std::int64_t{1} << 60);
  pool_options o = f.options(1);
  o.keepalive_interval = 10min;
  o.connection.clock = clock_ref(clock);
  connection_pool p(f.io, f.tls, {"localhost", f.mock.port(), false}, f.events, o);
  p.set_keepalive_request(bytes(server_time));
  f.start(p);
  // A round trip shows the loop ran; the connection is not idle for 10 minutes of this clock.
  const ticket sent = p.send(bytes(ping), from_now(2s, o.connection.clock));
  REQUIRE_FALSE(sent.error);
  REQUIRE(run_until(f.io, [&] { return f.events.responses == 1; }));
  CHECK(f.events.last_ticket.same_exchange(sent));
  CHECK(p.counters().keepalives == 0);
  CHECK(f.events.keepalive_questions == 0);
  clock.advance(10min + 10min / 4);
  REQUIRE(run_until(f.io, [&] { return f.events.keepalive_responses == 1; }));
  CHECK(p.counters().keepalives == 1);
  CHECK(f.events.last_ticket.purpose == send_purpose::keepalive);
  CHECK(f.events.last_ticket.slot == 0);
  CHECK(f.events.last_ticket.generation == sent.generation + 1);
  CHECK(f.events.last_timing.sent_monotonic_ns == clock.monotonic_ns());
  CHECK(f.events.last_timing.received_monotonic_ns == clock.monotonic_ns());
  CHECK(f.events.last_server_ms > 0);
}

TEST_CASE("issue 13: tickets number each slot's exchanges, and the answer carries its ticket") {
  fixture f;
  connection_pool p(f.io, f.tls, {"localhost", f.mock.port(), false}, f.events, f.options(2));
  f.start(p);
  CHECK(p.up(0));
  CHECK(p.up(1));
  CHECK_FALSE(p.up(2));
  const ticket a = p.send(bytes(ping), from_now(2s));
  const ticket b = p.probe(bytes(server_time));
  REQUIRE_FALSE(a.error);
  REQUIRE_FALSE(b.error);
  CHECK(a.slot == 0);
  CHECK(a.generation == 1);
  CHECK(a.purpose == send_purpose::request);
  CHECK(b.slot == 1);
  CHECK(b.generation == 1);
  CHECK(b.purpose == send_purpose::probe);
  CHECK_FALSE(a.same_exchange(b));
  const ticket refused = p.send(bytes(ping), from_now(2s));
  CHECK(refused.error == errc::busy);
  CHECK_FALSE(refused.same_exchange(refused));  // names no exchange
  REQUIRE(
      run_until(f.io, [&] { return f.events.responses == 1 && f.events.probe_responses == 1; }));
  REQUIRE(run_until(f.io, [&] { return p.ready() == 2; }));
  const ticket c = p.send(bytes(ping), from_now(2s));
  CHECK(c.slot == 0);
  CHECK(c.generation == 2);
  REQUIRE(run_until(f.io, [&] { return f.events.responses == 2; }));
  CHECK(f.events.last_ticket.same_exchange(c));
  CHECK_FALSE(f.events.last_ticket.same_exchange(a));
}

TEST_CASE("a send whose latest start has passed by the pool's own clock writes nothing") {
  fixture f;
  manual_clock clock(std::int64_t{1} << 60);
  pool_options o = f.options(1);
  o.connection.clock = clock_ref(clock);
  connection_pool p(f.io, f.tls, {"localhost", f.mock.port(), false}, f.events, o);
  f.start(p);
  const std::int64_t latest = clock.monotonic_ns() + 1'000'000;
  clock.advance(1ms);  // the pool's read lands exactly on the bound: too late
  const ticket late = p.send(bytes(ping), from_now(2s, o.connection.clock), latest);
  CHECK(late.error == errc::deadline_expired);
  CHECK(late.generation == 0);
  CHECK(p.ready() == 1);  // the slot stays idle: nothing is in flight on it
  CHECK(pings_logged(f.mock) == 0);
  // One nanosecond earlier the same send goes out and is answered.
  const ticket on_time = p.send(bytes(ping), from_now(2s, o.connection.clock), latest + 1);
  REQUIRE_FALSE(on_time.error);
  REQUIRE(run_until(f.io, [&] { return f.events.responses == 1; }));
  CHECK(pings_logged(f.mock) == 1);
}

TEST_CASE("the clock offset is found within the round trip of the mock's skewed clock") {
  for (const auto skew : {3700ms, -2200ms}) {
    CAPTURE(skew.count());
    fixture f;
    f.mock.set_clock_skew(skew);
    connection_pool p(f.io, f.tls, {"localhost", f.mock.port(), false}, f.events, f.options(1));
    f.start(p);
    clock_offset_estimator estimator;
    for (int i = 0; i < 5; ++i) {
      const int before = f.events.probe_responses;
      REQUIRE_FALSE(p.probe(bytes(server_time)).error);
      REQUIRE(run_until(f.io, [&] { return f.events.probe_responses > before; }));
      REQUIRE(estimator.add({f.events.last_timing.sent_monotonic_ns,
                             f.events.last_timing.received_monotonic_ns,
                             f.events.last_timing.received_wall_ms, f.events.last_server_ms}));
    }
    // The mock and this test read the same system clock, so the true offset is the skew.
    const std::int64_t rtt_ms = estimator.round_trip_ns() / 1'000'000;
    CHECK(estimator.offset_ms() <= skew.count());
    CHECK(estimator.offset_ms() >= skew.count() - rtt_ms - 2);
    CHECK(p.counters().probes == 5);
  }
}

TEST_CASE("stop closes the pool and start brings it back") {
  fixture f;
  connection_pool p(f.io, f.tls, {"localhost", f.mock.port(), false}, f.events, f.options(2));
  f.start(p);
  p.stop();
  CHECK(p.connected() == 0);
  CHECK(p.send(bytes(ping), from_now(2s)).error == errc::not_connected);
  f.start(p);
  f.round_trip(p, ping);
  CHECK(f.events.last_status == 200);
}

TEST_CASE("invalid pool options are refused") {
  fixture f;
  auto o = f.options(0);
  CHECK_THROWS_AS(connection_pool(f.io, f.tls, {"localhost", 1, false}, f.events, o),
                  std::invalid_argument);
  o = f.options(17);
  CHECK_THROWS_AS(connection_pool(f.io, f.tls, {"localhost", 1, false}, f.events, o),
                  std::invalid_argument);
  o = f.options(1);
  o.backoff.jitter = 2.0;
  CHECK_THROWS_AS(connection_pool(f.io, f.tls, {"localhost", 1, false}, f.events, o),
                  std::invalid_argument);
  o = f.options(1);
  CHECK_THROWS_AS(connection_pool(f.io, f.tls, {"example.com", 1, true}, f.events, o),
                  std::invalid_argument);
}

#if POSMODE_ALLOCATION_COUNTING
TEST_CASE("after warm-up a pooled send and its response allocate nothing") {
  fixture f;
  connection_pool p(f.io, f.tls, {"localhost", f.mock.port(), false}, f.events, f.options(2));
  f.start(p);
  for (int i = 0; i < 20; ++i)
    f.round_trip(p, ping, true);
  posmode::test::allocation_scope scope;
  for (int i = 0; i < 50; ++i) {
    const int before = f.events.responses;
    const auto r = p.send(bytes(ping), from_now(2s));
    while (!r.error && f.events.responses == before && f.events.failures == 0)
      f.io.poll();
  }
  CHECK(scope.count() == 0);
  CHECK(f.events.responses == 70);
  CHECK(f.events.failures == 0);
}
#endif
