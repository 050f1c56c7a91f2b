// tls_connection under faults: peers that reset, peers that never answer, bad hosts and CA files.

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>

#include "engine/loop_support.hpp"
#include "engine/tls_connection_support.hpp"
#include "posmode/engine/error.hpp"
#include "support/loopback_listener.hpp"

using namespace posmode::engine;
using namespace std::chrono_literals;
using posmode::test::fixture;
using posmode::test::from_now;
using posmode::test::ping;
using posmode::test::run_until;

namespace {

// A TCP listener on 127.0.0.1 that never accepts: connects succeed (the kernel completes them
// into the backlog) and then nothing ever answers, as behind a proxy that lost its upstream.
using silent_listener = posmode::test::loopback_listener;

struct temp_file {
  std::string path;
  explicit temp_file(const std::string& text)
      : path("/tmp/posmode-test-" + std::to_string(::getpid()) + "-" +
             std::to_string(reinterpret_cast<std::uintptr_t>(this)) + ".pem") {
    std::ofstream(path) << text;
  }
  ~temp_file() { std::remove(path.c_str()); }
  temp_file(const temp_file&) = delete;
  temp_file& operator=(const temp_file&) = delete;
};

}  // namespace

// Sends the next request from inside `on_response`, as a pool does: with a peer that closes
// after each reply, that request reaches a socket the peer already closed, whose kernel answers
// with a reset, and OpenSSL then reads the close and writes an alert on the reset socket.
struct eager_sender final : connection_listener {
  tls_connection* connection = nullptr;
  int connected = 0;
  int responses = 0;
  int failures = 0;
  void on_connected(std::error_code ec) noexcept override {
    if (!ec) ++connected;
  }
  void on_response(const http_response_parser&) noexcept override {
    ++responses;
    (void)connection->send({ping.data(), ping.size()}, from_now(2s));
  }
  void on_failure(std::error_code, bool, const http_response_parser&) noexcept override {
    ++failures;
  }
};

TEST_CASE("issue 11: a peer that drops every connection after its reply never raises SIGPIPE") {
  // SIGPIPE keeps its default action, as in a host that never touched it.
  const auto previous = std::signal(SIGPIPE, SIG_DFL);
  fixture f;
  f.mock.set_faults({.drop_after_reply = true});
  eager_sender events;
  tls_connection c(f.io, f.tls, f.where(), events);
  events.connection = &c;
  for (int i = 0; i < 30; ++i) {
    const int connected = events.connected;
    c.connect();
    if (!run_until(
            f.io, [&] { return events.connected > connected; }, false, 1000ms))
      continue;
    const int before = events.responses;
    REQUIRE_FALSE(c.send({ping.data(), ping.size()}, from_now(2s)));
    REQUIRE(run_until(f.io, [&] { return events.responses > before; }));
    REQUIRE(run_until(f.io, [&] { return !c.connected(); }));
  }
  CHECK(events.responses >= 30);
  std::signal(SIGPIPE, previous);
}

TEST_CASE("issue 11: a peer that accepts TCP and never answers ends in connect_timeout") {
  fixture f;
  silent_listener silent;
  connection_options options;
  options.connect_timeout = 150ms;
  tls_connection c(f.io, f.tls, {"127.0.0.1", silent.port, false}, f.events, options);
  const auto started = std::chrono::steady_clock::now();
  c.connect();
  REQUIRE(run_until(f.io, [&] { return f.events.connected > 0; }));
  CHECK(f.events.connect_error == errc::connect_timeout);
  CHECK(c.last_error_detail().find("TLS handshake") != std::string_view::npos);
  CHECK_FALSE(c.connected());
  CHECK(c.send({ping.data(), ping.size()}, from_now(1s)) == errc::not_connected);
  // Bounded, not instant: the attempt waited for the timer rather than failing for another reason.
  CHECK(std::chrono::steady_clock::now() - started >= 150ms);
  // A later attempt is bounded the same way.
  f.events.connected = 0;
  c.connect();
  REQUIRE(run_until(f.io, [&] { return f.events.connected > 0; }));
  CHECK(f.events.connect_error == errc::connect_timeout);
}

TEST_CASE(
    "issue 11: the host name is resolved again after a failed connect, not after a clean one") {
  fixture f;
  {
    std::uint16_t port = 0;
    {
      silent_listener gone;  // a port nobody listens on once this closes
      port = gone.port;
    }
    tls_connection c(f.io, f.tls, {"localhost", port, false}, f.events);
    for (int attempt = 1; attempt <= 3; ++attempt) {
      f.events.connected = 0;
      c.connect();
      REQUIRE(run_until(f.io, [&] { return f.events.connected > 0; }));
      CHECK(f.events.connect_error == errc::connect_failed);
      CHECK(c.resolutions() == static_cast<std::uint64_t>(attempt));
    }
  }
  // A clean close (Connection: close) keeps the addresses: the reconnect resolves nothing.
  f.mock.set_faults({.connection_close = true});
  tls_connection c(f.io, f.tls, f.where(), f.events);
  f.connect(c);
  CHECK(c.resolutions() == 1);
  f.round_trip(c, ping);
  REQUIRE_FALSE(c.connected());
  f.mock.set_faults({});
  f.connect(c);
  CHECK(c.resolutions() == 1);
  // A lost connection (dropped before the reply) resolves again.
  f.mock.set_faults({.drop_before_reply = true});
  REQUIRE_FALSE(c.send({ping.data(), ping.size()}, from_now(2s)));
  REQUIRE(run_until(f.io, [&] { return f.events.failures > 0; }));
  f.mock.set_faults({});
  f.events.failures = 0;
  f.connect(c);
  CHECK(c.resolutions() == 2);
  f.round_trip(c, ping);
}

TEST_CASE("issue 11: hosts that DNS, SNI or the Host header cannot carry are refused") {
  fixture f;
  for (const char* host :
       {"::1%1", "fe80::1%lo", "a b", "user@host", "x?y", "h#x", "bad\r\nhost"}) {
    CAPTURE(host);
    CHECK_THROWS_AS(tls_connection(f.io, f.tls, {host, 443, false}, f.events),
                    std::invalid_argument);
  }
  CHECK_THROWS_AS(tls_connection(f.io, f.tls, {std::string(300, 'a'), 443, false}, f.events),
                  std::invalid_argument);
  CHECK_THROWS_AS(tls_connection(f.io, f.tls, {"::1%1", 443, true}, f.events),
                  std::invalid_argument);
}

TEST_CASE("issue 11: connection options out of range are refused") {
  fixture f;
  connection_options zero_timeout;
  zero_timeout.connect_timeout = 0ms;
  CHECK_THROWS_AS(tls_connection(f.io, f.tls, f.where(), f.events, zero_timeout),
                  std::invalid_argument);
  connection_options huge_idle;
  huge_idle.keepalive_idle = std::chrono::seconds(1'000'000);
  CHECK_THROWS_AS(tls_connection(f.io, f.tls, f.where(), f.events, huge_idle),
                  std::invalid_argument);
}

TEST_CASE("issue 11: a CA file that is a directory, missing or not PEM is a configuration error") {
  temp_file not_pem("this is not a certificate\n");
  for (const std::string& path :
       {std::string("/tmp"), std::string("/nonexistent/ca.pem"), not_pem.path}) {
    CAPTURE(path);
    try {
      tls_client_context context({.ca_file = path, .ca_pem = {}});
      FAIL("accepted");
    } catch (const std::invalid_argument& e) {
      CHECK(std::string(e.what()).find(path) != std::string::npos);
    }
  }
  CHECK_THROWS_AS(tls_client_context({.ca_file = {}, .ca_pem = "no certificate here"}),
                  std::invalid_argument);
}
