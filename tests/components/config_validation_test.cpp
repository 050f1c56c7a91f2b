// validate_config: every refusal names its field, and never shows a secret.

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include "posmode/components/component_config.hpp"
#include "posmode/components/position_event.hpp"
#include "posmode/components/venue_reply.hpp"

using namespace posmode::components;

namespace {

account_settings binance(std::string id) {
  account_settings a;
  a.account.id = std::move(id);
  a.account.venue_kind = venue::binance_papi;
  a.account.products = {product::papi_um, product::papi_cm};
  a.creds.api_key = "key-0123456789";
  a.creds.secret = secret_string("TOP-SECRET-VALUE");
  return a;
}

component_config valid() {
  component_config c;
  c.accounts.push_back(binance("a"));
  account_settings b;
  b.account.id = "b";
  b.account.venue_kind = venue::bitget;
  b.account.products = {product::usdt_futures};
  b.creds.api_key = "bg-0123456789";
  b.creds.secret = secret_string("TOP-SECRET-VALUE");
  b.creds.passphrase = secret_string("TOP-SECRET-PASS");
  c.accounts.push_back(b);
  return c;
}

// The message of the refusal, which must start with `field`.
std::string refusal(const component_config& c, const std::string& field) {
  try {
    validate_config(c);
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    CHECK_MESSAGE(what.rfind(field + ":", 0) == 0, what);
    CHECK(what.find("TOP-SECRET") == std::string::npos);
    return what;
  }
  FAIL("accepted; expected a refusal naming " << field);
  return {};
}

}  // namespace

TEST_CASE("a valid configuration passes") {
  CHECK_NOTHROW(validate_config(valid()));
}

TEST_CASE("each invalid field is refused by name") {
  component_config c = valid();
  c.accounts.clear();
  refusal(c, "accounts");

  c = valid();
  c.accounts[1].account.id = std::string(1, 'a');  // not `= "a"`: g++ 12 -O3 false -Wrestrict
  refusal(c, "accounts[1].account.id");

  c = valid();
  c.accounts[0].account.recv_window_ms = 70'000;
  refusal(c, "accounts[0].account.recv_window_ms");

  c = valid();
  c.accounts[0].creds.api_key.clear();
  refusal(c, "accounts[0].creds.api_key");

  c = valid();
  c.accounts[0].creds.secret = secret_string();
  refusal(c, "accounts[0].creds.secret");

  c = valid();
  c.accounts[1].creds.passphrase = secret_string();
  refusal(c, "accounts[1].creds.passphrase");

  c = valid();
  c.accounts[0].connections = 0;
  refusal(c, "accounts[0].connections");

  c = valid();
  c.accounts[0].insecure_loopback = true;
  c.accounts[0].account.host = "papi.binance.com";
  refusal(c, "accounts[0].insecure_loopback");

  c = valid();
  c.attempt_timeout = std::chrono::milliseconds(0);
  refusal(c, "attempt_timeout");

  c = valid();
  c.attempt_timeout = std::chrono::milliseconds(9'000);
  c.request_deadline = std::chrono::milliseconds(8'000);
  refusal(c, "attempt_timeout");

  c = valid();
  c.clock_samples_at_start = 0;
  refusal(c, "clock_samples_at_start");

  c = valid();
  c.retry.reconnect.jitter = 3;
  refusal(c, "retry.reconnect");

  c = valid();
  c.event_ring_capacity = 0;
  refusal(c, "event_ring_capacity");

  c = valid();
  c.pending_per_account = 65;
  refusal(c, "pending_per_account");

  c = valid();
  c.event_backlog_capacity = 3;  // 3 start-up reports + 2 events of a PAPI request
  refusal(c, "event_backlog_capacity");
}

TEST_CASE("insecure mode is accepted for 127.0.0.1") {
  component_config c = valid();
  c.accounts[0].insecure_loopback = true;
  c.accounts[0].account.host = "127.0.0.1";
  CHECK_NOTHROW(validate_config(c));
}

TEST_CASE("event statuses have stable names and success is exactly the in-mode outcomes") {
  CHECK(to_string(event_status::blocked_um_cm_mismatch) == "blocked_um_cm_mismatch");
  CHECK(to_string(event_status::current_mode) == "current_mode");
  CHECK(to_string(event_status::blocked_positions_or_orders) == "blocked_positions_or_orders");
  CHECK_FALSE(is_success(event_status::blocked_positions_or_orders));
  CHECK(to_string(event_status::mode_not_supported) == "mode_not_supported");
  CHECK_FALSE(is_success(event_status::mode_not_supported));
  CHECK(to_string(outcome::mode_not_supported) == "mode_not_supported");
  CHECK_FALSE(is_blocked(outcome::mode_not_supported));
  CHECK(is_success(event_status::applied));
  CHECK(is_success(event_status::already_in_mode));
  CHECK(is_success(event_status::confirmed));
  CHECK(is_success(event_status::verified));
  CHECK_FALSE(is_success(event_status::not_applied));
  CHECK_FALSE(is_success(event_status::timeout));
}

TEST_CASE("issue 11: unbounded durations, bad hosts and unprintable ids are refused by name") {
  using std::chrono::milliseconds;
  const auto huge = milliseconds(std::numeric_limits<std::int64_t>::max());
  {
    component_config c = valid();
    c.request_deadline = huge;
    CHECK(refusal(c, "request_deadline").find("exceeds the limit of 3600000 ms") !=
          std::string::npos);
  }
  {
    component_config c = valid();
    c.connect_timeout = milliseconds(0);
    (void)refusal(c, "connect_timeout");
  }
  {
    component_config c = valid();
    c.retry.default_retry_after = huge;
    (void)refusal(c, "retry.default_retry_after");
  }
  {
    component_config c = valid();
    c.settle_margin = milliseconds(-1);
    (void)refusal(c, "settle_margin");
  }
  {
    component_config c = valid();
    c.retry.reconnect.max = huge;
    (void)refusal(c, "retry.reconnect.max");
  }
  for (const char* host : {"::1%1", "fe80::1%eth0", "a b", "user@host", "x?y", "h#x",
                           "api.binance.com\r\nX: y", "[::1]", "host:443"}) {
    CAPTURE(host);
    component_config c = valid();
    c.accounts[0].account.host = host;
    const std::string what = refusal(c, "accounts[0].account.host");
    CHECK(what.find('\r') == std::string::npos);
  }
  component_config c = valid();
  c.accounts[0].account.id = "bad\x1b[2Jid";
  CHECK(refusal(c, "accounts[0].account.id").find('\x1b') == std::string::npos);
}

TEST_CASE("issue 11: the backlog must also hold a full request ring's rejections at stop()") {
  component_config c = valid();
  c.request_ring_capacity = 64;
  // Start-up reports (3) + one request (2 products) + the ring (64) = 69.
  c.event_backlog_capacity = 68;
  CHECK(refusal(c, "event_backlog_capacity").find("69") != std::string::npos);
  c.event_backlog_capacity = 69;
  CHECK_NOTHROW(validate_config(c));
}
