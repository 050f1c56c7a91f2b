#pragma once

// What the tls_connection tests share: a recorder of the connection's callbacks and a fixture
// with the mock exchange (a real HTTPS server on 127.0.0.1) and a client context trusting it.

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <string>
#include <string_view>

#include "engine/loop_support.hpp"
#include "posmode/engine/tls_connection.hpp"
#include "posmode/mock/exchange.hpp"

namespace posmode::test {

using namespace std::chrono_literals;
using engine::connection_listener;
using engine::http_response_parser;
using engine::tls_client_context;
using engine::tls_connection;
using engine::tls_endpoint;

inline constexpr std::string_view ping = "GET /fapi/v1/ping HTTP/1.1\r\nHost: localhost\r\n\r\n";
inline constexpr std::string_view server_time =
    "GET /fapi/v1/time HTTP/1.1\r\nHost: localhost\r\n\r\n";

// Records what the connection reports.
struct recorder final : connection_listener {
  int connected = 0;
  std::error_code connect_error;
  int responses = 0;
  int last_status = 0;
  std::string last_body;
  bool last_keep_alive = true;
  int failures = 0;
  std::error_code failure;
  bool failure_in_flight = false;

  void on_connected(std::error_code ec) noexcept override {
    ++connected;
    connect_error = ec;
  }
  void on_response(const http_response_parser& r) noexcept override {
    ++responses;
    last_status = r.status();
    last_body.assign(r.body());  // test only: allocation is counted around send/read elsewhere
    last_keep_alive = r.keep_alive();
  }
  void on_failure(std::error_code ec, bool in_flight,
                  const http_response_parser&) noexcept override {
    ++failures;
    failure = ec;
    failure_in_flight = in_flight;
  }
};

struct fixture {
  posmode::mock::exchange mock;
  tls_client_context tls{{.ca_file = {}, .ca_pem = mock.ca_pem()}};
  boost::asio::io_context io{1};
  recorder events;

  tls_endpoint where(std::string host = "localhost") const { return {host, mock.port(), false}; }

  void connect(tls_connection& c) {
    events.connected = 0;
    c.connect();
    REQUIRE(posmode::test::run_until(io, [&] { return events.connected > 0; }));
    REQUIRE_FALSE(events.connect_error);
    events.connected = 0;
  }

  void round_trip(tls_connection& c, std::string_view request, bool spin = false) {
    const int before = events.responses;
    REQUIRE_FALSE(c.send({request.data(), request.size()}, from_now(2s)));
    REQUIRE(posmode::test::run_until(
        io, [&] { return events.responses > before || events.failures > 0; }, spin));
    REQUIRE(events.failures == 0);
  }
};

}  // namespace posmode::test
