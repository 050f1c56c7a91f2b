// tls_connection against the mock exchange: a real HTTPS server on 127.0.0.1 started by the test.

#include "posmode/engine/tls_connection.hpp"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "engine/loop_support.hpp"
#include "engine/tls_connection_support.hpp"
#include "posmode/engine/clock.hpp"
#include "posmode/engine/error.hpp"
#include "posmode/mock/exchange.hpp"
#include "support/allocation_counter.hpp"

using namespace posmode::engine;
using namespace std::chrono_literals;
using posmode::test::from_now;
using posmode::test::run_until;

using posmode::test::fixture;
using posmode::test::ping;
using posmode::test::server_time;

TEST_CASE("a verified TLS connection carries a request and its response") {
  fixture f;
  tls_connection c(f.io, f.tls, f.where(), f.events);
  f.connect(c);
  CHECK(c.connected());
  CHECK_FALSE(c.insecure());
  f.round_trip(c, ping);
  CHECK(f.events.last_status == 200);
  CHECK(f.events.last_body == "{}");
  f.round_trip(c, server_time);
  CHECK(f.events.last_body.starts_with(R"({"serverTime":)"));
}

TEST_CASE("an IP literal is verified against the certificate's IP address") {
  fixture f;
  tls_connection c(f.io, f.tls, f.where("127.0.0.1"), f.events);
  f.connect(c);
  f.round_trip(c, ping);
  CHECK(f.events.last_status == 200);
}

TEST_CASE("many requests share one connection and one handshake, with run() or a poll() spin") {
  fixture f;
  tls_connection c(f.io, f.tls, f.where(), f.events);
  f.connect(c);
  for (int i = 0; i < 50; ++i)
    f.round_trip(c, ping, i % 2 == 0);
  CHECK(f.events.responses == 50);
  CHECK(c.handshakes() == 1);
}

TEST_CASE("a second request while one is in flight is refused with busy") {
  fixture f;
  tls_connection c(f.io, f.tls, f.where(), f.events);
  f.connect(c);
  REQUIRE_FALSE(c.send({ping.data(), ping.size()}, from_now(2s)));
  CHECK(c.send({ping.data(), ping.size()}, from_now(2s)) == errc::busy);
  REQUIRE(run_until(f.io, [&] { return f.events.responses == 1; }));
}

TEST_CASE("a server's Connection: close is honoured and a reconnect resumes the TLS session") {
  fixture f;
  f.mock.set_faults({.connection_close = true});
  tls_connection c(f.io, f.tls, f.where(), f.events);
  f.connect(c);
  f.round_trip(c, ping);
  CHECK_FALSE(f.events.last_keep_alive);
  CHECK_FALSE(c.connected());
  CHECK(c.send({ping.data(), ping.size()}, from_now(2s)) == errc::not_connected);

  f.mock.set_faults({});
  f.connect(c);
  f.round_trip(c, ping);
  CHECK(c.handshakes() == 2);
  CHECK(c.resumed_handshakes() == 1);
}

TEST_CASE("a drop before the reply ends the request with connection_closed") {
  fixture f;
  f.mock.set_faults({.drop_before_reply = true});
  tls_connection c(f.io, f.tls, f.where(), f.events);
  f.connect(c);
  REQUIRE_FALSE(c.send({ping.data(), ping.size()}, from_now(2s)));
  REQUIRE(run_until(f.io, [&] { return f.events.failures > 0; }));
  CHECK(f.events.failure == errc::connection_closed);
  CHECK(f.events.failure_in_flight);
  CHECK_FALSE(c.connected());

  f.mock.set_faults({});
  f.events.failures = 0;
  f.connect(c);  // the owner reconnects; the connection object is reusable
  f.round_trip(c, ping);
}

TEST_CASE("a response dripped one byte at a time arrives whole") {
  fixture f;
  f.mock.set_faults({.drip = true, .drip_interval = 0ms});
  tls_connection c(f.io, f.tls, f.where(), f.events);
  f.connect(c);
  f.round_trip(c, server_time);
  CHECK(f.events.last_status == 200);
  CHECK(f.events.last_body.starts_with(R"({"serverTime":)"));
}

TEST_CASE("a request without an answer before its deadline fails with deadline_expired") {
  fixture f;
  f.mock.set_faults({.delay = 500ms});
  tls_connection c(f.io, f.tls, f.where(), f.events);
  f.connect(c);
  REQUIRE_FALSE(c.send({ping.data(), ping.size()}, from_now(50ms)));
  REQUIRE(run_until(f.io, [&] { return f.events.failures > 0; }));
  CHECK(f.events.failure == errc::deadline_expired);
  CHECK(f.events.responses == 0);
}

TEST_CASE("the deadline holds for a request sent after answered ones (the timer is reused)") {
  fixture f;
  tls_connection c(f.io, f.tls, f.where(), f.events);
  f.connect(c);
  for (int i = 0; i < 3; ++i) {  // each leaves the 200 ms wait of the first request pending
    REQUIRE_FALSE(c.send({ping.data(), ping.size()}, from_now(200ms)));
    REQUIRE(run_until(f.io, [&] { return f.events.responses == i + 1; }));
  }
  f.mock.set_faults({.delay = 3000ms});
  // Later than the pending wait: that wait fires first and must re-arm for this deadline.
  REQUIRE_FALSE(c.send({ping.data(), ping.size()}, from_now(1000ms)));
  REQUIRE(run_until(f.io, [&] { return f.events.failures > 0; }));
  CHECK(f.events.failure == errc::deadline_expired);
  CHECK(f.events.responses == 3);
}

TEST_CASE("a shorter deadline than the pending wait's is still honoured") {
  fixture f;
  tls_connection c(f.io, f.tls, f.where(), f.events);
  f.connect(c);
  f.round_trip(c, ping);  // leaves a 2 s wait pending
  f.mock.set_faults({.delay = 1500ms});
  REQUIRE_FALSE(c.send({ping.data(), ping.size()}, from_now(100ms)));
  REQUIRE(run_until(f.io, [&] { return f.events.failures > 0; }));
  CHECK(f.events.failure == errc::deadline_expired);
  // Had only the pending 2 s wait been kept, the answer (after 1.5 s) would have come first.
  CHECK(f.events.responses == 1);
}

TEST_CASE("issue 13: a manual clock drives the request deadline, and real time does not") {
  fixture f;
  // Only requests carrying this key wait; another connection's round trip shows the loop ran.
  f.mock.set_account_faults("slow", {.delay = 60'000ms});
  constexpr std::string_view slow_ping =
      "GET /fapi/v1/ping HTTP/1.1\r\nHost: localhost\r\nX-MBX-APIKEY: slow\r\n\r\n";
  // Far from the system's monotonic time: a deadline waited for on real time, absolute or
  // relative, could not pass within the test.
  manual_clock clock(std::int64_t{1} << 60);
  connection_options options;
  options.clock = clock_ref(clock);
  tls_connection c(f.io, f.tls, f.where(), f.events, options);
  f.connect(c);
  REQUIRE_FALSE(c.send({slow_ping.data(), slow_ping.size()}, from_now(1h, options.clock)));

  posmode::test::recorder other_events;
  tls_connection other(f.io, f.tls, f.where(), other_events, options);
  other.connect();
  REQUIRE(run_until(f.io, [&] { return other_events.connected > 0; }));
  clock.advance(1h - 1ns);
  REQUIRE_FALSE(other.send({ping.data(), ping.size()}, from_now(1h, options.clock)));
  REQUIRE(run_until(f.io, [&] { return other_events.responses > 0; }));
  CHECK(f.events.failures == 0);  // one nanosecond short of the deadline

  clock.advance(1ns);
  REQUIRE(run_until(f.io, [&] { return f.events.failures > 0; }));
  CHECK(f.events.failure == errc::deadline_expired);
  CHECK(f.events.failure_in_flight);
  CHECK(f.events.responses == 0);
  CHECK(other_events.failures == 0);
}

TEST_CASE("a CA that did not sign the server's certificate is refused, and nothing is sent") {
  fixture f;
  posmode::mock::exchange other;  // a second mock: its own, different CA
  tls_client_context wrong_ca({.ca_file = {}, .ca_pem = other.ca_pem()});
  tls_connection c(f.io, wrong_ca, f.where(), f.events);
  c.connect();
  REQUIRE(run_until(f.io, [&] { return f.events.connected > 0; }));
  CHECK(f.events.connect_error == errc::tls_verify_failed);
  CHECK(c.last_error_detail().find("certificate") != std::string_view::npos);
  CHECK(c.send({ping.data(), ping.size()}, from_now(2s)) == errc::not_connected);
  CHECK(f.mock.request_log().empty());  // no request reached the server
}

TEST_CASE("a certificate for another host name is refused") {
  fixture f;
  f.mock.set_wrong_host_certificate(true);
  tls_connection c(f.io, f.tls, f.where(), f.events);
  c.connect();
  REQUIRE(run_until(f.io, [&] { return f.events.connected > 0; }));
  CHECK(f.events.connect_error == errc::tls_verify_failed);
  CHECK_FALSE(c.last_error_detail().empty());
  CHECK_FALSE(c.connected());
}

TEST_CASE("skipping verification is refused for any host but the loopback literal") {
  fixture f;
  CHECK_THROWS_AS(tls_connection(f.io, f.tls, {"localhost", f.mock.port(), true}, f.events),
                  std::invalid_argument);
  CHECK_THROWS_AS(tls_connection(f.io, f.tls, {"", 443, false}, f.events), std::invalid_argument);
  tls_connection c(f.io, f.tls, {"127.0.0.1", f.mock.port(), true}, f.events);
  CHECK(c.insecure());
}

TEST_CASE("a host that does not resolve or refuses connections is reported") {
  fixture f;
  tls_connection c(f.io, f.tls, {"127.0.0.1", 1, false}, f.events);
  c.connect();
  REQUIRE(run_until(f.io, [&] { return f.events.connected > 0; }));
  CHECK(f.events.connect_error == errc::connect_failed);
}

#if POSMODE_ALLOCATION_COUNTING
TEST_CASE("after warm-up a write and its response allocate nothing, with poll() or run_one()") {
  fixture f;
  tls_connection c(f.io, f.tls, f.where(), f.events);
  f.connect(c);
  for (int i = 0; i < 20; ++i)
    f.round_trip(c, ping);  // warm-up: Asio and OpenSSL buffers
  for (const bool spin : {true, false}) {
    CAPTURE(spin);
    const int before = f.events.responses;
    posmode::test::allocation_scope scope;
    for (int i = 1; i <= 20; ++i) {
      REQUIRE_FALSE(c.send({ping.data(), ping.size()}, from_now(2s)));
      while (f.events.responses < before + i) {
        if (spin)
          f.io.poll();  // a spinning host
        else
          f.io.run_one();  // a blocking host (run_one_for's own timer wait allocates in Asio)
      }
    }
    // The recorder copies "{}" into a std::string's small buffer: any count is the connection's.
    CHECK(scope.count() == 0);
  }
}
#endif
