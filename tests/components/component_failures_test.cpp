// issue 12: a failure keeps its cause. An unreachable venue (a closed port, a name that does not
// resolve) and a certificate that does not verify each end in events whose message says what
// failed and where; identical warnings are merged; a certificate failure is reported at once as
// tls_verification_failed and is not retried in a loop; accounts with the same trust settings
// share one TLS context.

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "components/component_test_support.hpp"

using namespace posmode;
using namespace std::chrono_literals;
using components::event_status;
using components::product;
using components::venue;
using test::component_harness;
using namespace test::modes;
using test::host_kind;

namespace {

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// How many log lines contain `part`.
std::size_t lines_with(const std::string& log, std::string_view part) {
  std::size_t n = 0;
  for (std::size_t at = 0; (at = log.find(part, at)) != std::string::npos; at += part.size())
    ++n;
  return n;
}

// Starts the component without waiting for a connection, waits until every account has warmed up
// (successfully or not) and returns the start-up reports, which must exist.
std::vector<components::position_event> startup_reports(component_harness& h) {
  h.start(host_kind::run_thread, false);
  REQUIRE(h.wait_until([&] { return h.component().started(); }));
  std::vector<components::position_event> reports;
  for (const auto& e : h.events())
    if (e.request_id == 0) reports.push_back(e);
  REQUIRE_FALSE(reports.empty());
  return reports;
}

// A port on 127.0.0.1 on which nothing listens (a mock that has come and gone).
std::uint16_t closed_port() {
  mock::exchange gone;
  return gone.port();
}

}  // namespace

TEST_CASE("issue 12: a closed port: the events say where and why, and the warnings are merged") {
  component_harness h;
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  const std::uint16_t port = closed_port();
  h.config.accounts[0].account.host = "127.0.0.1";
  h.config.accounts[0].account.port = port;
  h.config.request_deadline = 1'500ms;
  h.config.attempt_timeout = 1'000ms;
  const std::string cause = "127.0.0.1:" + std::to_string(port) + ": TCP connect failed";
  for (const auto& e : startup_reports(h)) {
    INFO(test::describe(e));
    CHECK(e.status == event_status::transport_error);
    CHECK(contains(e.message.view(), "no connection: " + cause));
    CHECK(contains(e.message.view(), "refused"));
  }

  // The account's health says the same, with the cause.
  const auto health = h.component().health(0);
  REQUIRE(health.has_value());
  CHECK(health->state == components::account_state::failed);
  CHECK(health->warm);
  CHECK_FALSE(health->warm_up_succeeded);
  CHECK(health->connections_up == 0);
  CHECK(health->connections_total == 2);
  CHECK(contains(health->cause.view(), cause));
  CHECK_FALSE(health->products[0].mode_known);

  const auto waited = h.terminal(h.request(0, hedge));
  INFO(test::describe(waited));
  CHECK(waited.status == event_status::timeout);
  CHECK(waited.on_wire_ns == 0);
  CHECK(contains(waited.message.view(), "not sent: " + cause));

  // Both connections failed again and again (backoff 20..200 ms over three seconds): the
  // warning was written once, and the count of the rest comes when the component stops.
  h.stop_component();
  const std::string log = h.log();
  INFO(log);
  CHECK(lines_with(log, "connection down: " + cause) >= 1);
  CHECK(lines_with(log, "(repeated ") >= 1);
  // Every line that is not a summary is distinct from the one before it.
  CHECK(lines_with(log, "connection down: " + cause) == 1 + lines_with(log, "(repeated "));
}

TEST_CASE("issue 12: a host name that does not resolve is named in the events") {
  component_harness h;
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  // RFC 2606 reserves .invalid: it never resolves, and the resolver knows it without a network.
  h.config.accounts[0].account.host = "posmode-test.invalid";
  h.config.request_deadline = 1'500ms;
  h.config.attempt_timeout = 1'000ms;
  const std::string where = "posmode-test.invalid:" + std::to_string(h.ex().port()) + ": ";
  for (const auto& e : startup_reports(h)) {
    INFO(test::describe(e));
    CHECK(e.status == event_status::transport_error);
    // A resolver without a network may also be slow: then the connect timeout says the phase.
    CHECK((contains(e.message.view(), where + "host name did not resolve") ||
           contains(e.message.view(), where + "no TLS connection within the connect timeout "
                                              "(resolving the host name)")));
  }
}

TEST_CASE("issue 12: a certificate that does not verify is tls_verification_failed, at once") {
  component_harness h;
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  // Trust another mock's CA: the exchange's certificate cannot verify.
  mock::exchange other;
  h.config.accounts[0].ca_pem = other.ca_pem();
  h.config.accounts[0].connections = 1;
  // The deadline is far off: the reports must come from the failure, not from the deadline.
  h.config.request_deadline = 60s;
  h.config.retry.reconnect.initial = 20ms;
  h.config.retry.reconnect.max = 30s;
  const std::string cause =
      "localhost:" + std::to_string(h.ex().port()) + ": certificate verify failed: ";
  for (const auto& e : startup_reports(h)) {
    INFO(test::describe(e));
    CHECK(e.status == event_status::tls_verification_failed);
    CHECK(contains(e.message.view(), cause));
  }

  const auto refused = h.terminal(h.request(0, hedge));
  INFO(test::describe(refused));
  CHECK(refused.status == event_status::tls_verification_failed);
  CHECK(refused.on_wire_ns == 0);
  CHECK(refused.attempts == 0);
  CHECK(contains(refused.message.view(), cause));
  CHECK(h.ex().request_log().empty());

  // Retrying cannot fix a certificate: after its failure the connection waits the longest
  // backoff (15..30 s here) before it tries again. With the backoff it had before (20 ms,
  // doubling) a third of a second would have seen four more attempts, merged into a count.
  (void)h.wait_until([] { return false; }, 300ms);
  h.stop_component();
  const std::string log = h.log();
  INFO(log);
  CHECK(lines_with(log, "connection down: " + cause) == 1);
  CHECK(lines_with(log, "(repeated ") == 0);
}

TEST_CASE("issue 12: accounts with the same trust settings share one TLS context") {
  mock::exchange ex;
  mock::exchange other;
  components::component_config config;
  config.event_ring_capacity = 1024;
  config.event_backlog_capacity = 4096;
  const auto account = [&](int n, const std::string& ca_pem) {
    components::account_settings s;
    s.account.id = "a" + std::to_string(n);
    s.account.venue_kind = venue::binance_usdm;
    s.account.products = {product::usdm};
    s.account.host = "localhost";
    s.account.port = ex.port();
    s.creds.api_key = test::binance_key(n);
    s.creds.secret = components::secret_string(test::binance_secret);
    s.ca_pem = ca_pem;
    return s;
  };
  for (int n = 0; n < 64; ++n)
    config.accounts.push_back(account(n, ex.ca_pem()));

  boost::asio::io_context io{1};
  {
    const components::position_mode_component one_trust(io, config);
    CHECK(one_trust.stats().tls_contexts == 1);
  }
  config.accounts[7] = account(7, other.ca_pem());
  config.accounts[9] = account(9, other.ca_pem());
  const components::position_mode_component two_trusts(io, config);
  CHECK(two_trusts.stats().tls_contexts == 2);
}
