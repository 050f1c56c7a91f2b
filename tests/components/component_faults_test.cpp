// The position-mode component against the mock exchange's faults: a venue clock that moved after
// start, rate limits, answers that leave the outcome open (dropped connections, 503 unknown, HTML
// 502) and are settled by a mode query, and deadlines.

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "components/component_test_support.hpp"

using namespace posmode;
using namespace std::chrono_literals;
using components::event_status;
using components::product;
using components::venue;
using mock::binance_product;
using test::component_harness;
using namespace test::modes;

TEST_CASE("a venue clock that moved after start: resync, retry once, applied") {
  component_harness h;
  std::chrono::milliseconds skew{0};
  std::string set_path;
  bool bitget = false;
  SUBCASE("Binance, venue 8 s ahead: the timestamps are outside recvWindow") {
    skew = 8'000ms;
  }
  SUBCASE("Binance, venue 3 s behind: the timestamps are over 1 s ahead") {
    skew = -3'000ms;
  }
  SUBCASE("Bitget, venue 35 s ahead: outside its 30 s window") {
    skew = 35'000ms;
    bitget = true;
  }
  if (bitget) {
    h.add_bitget({product::usdt_futures}, 1);
    set_path = "set-position-mode";
  } else {
    h.add_binance(venue::binance_usdm, {product::usdm}, 1);
    set_path = "/fapi/v1/positionSide/dual";
  }
  h.start();
  const auto before = h.component().stats();
  h.ex().set_clock_skew(skew);
  const auto e = h.terminal(h.request(0, hedge));
  INFO(h.dump());
  INFO(h.log());
  CHECK(e.status == event_status::applied);
  CHECK(e.attempts == 2);
  CHECK(h.count_requests("POST", set_path) == 2);
  const auto after = h.component().stats();
  CHECK(after.retries == before.retries + 1);
  CHECK(after.clock_syncs > before.clock_syncs);
  if (bitget) {
    CHECK(h.ex().bitget_mode(test::bitget_key(1), "USDT-FUTURES") == mock_hedge);
  } else {
    CHECK(h.ex().binance_mode(test::binance_key(1), binance_product::usdm) == mock_hedge);
  }
  h.check_invariants();
}

TEST_CASE("a timestamp refused again after the resync ends in clock_skew") {
  component_harness h;
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  h.start();
  // The venue clock jumps 8 s, and 10 s more after each time answer: a resync never catches up.
  auto skew = std::make_shared<std::atomic<long long>>(8'000);
  auto& ex = h.ex();
  h.set_request_hook([&ex, skew](const mock::request_record& r) {
    if (r.target.find("/time") != std::string::npos)
      ex.set_clock_skew(std::chrono::milliseconds(skew->fetch_add(10'000) + 10'000));
  });
  ex.set_clock_skew(8'000ms);
  const auto e = h.terminal(h.request(0, hedge));
  INFO(h.dump());
  CHECK(e.status == event_status::clock_skew);
  CHECK(e.attempts == 2);
  CHECK(e.has_code);
  CHECK(e.code == -1021);
  CHECK(h.count_requests("POST", "/fapi/v1/positionSide/dual") == 2);
  CHECK(h.ex().binance_mode(test::binance_key(1), binance_product::usdm) == mock_one_way);
  h.check_invariants();
}

TEST_CASE("Binance 429 whose Retry-After does not fit the deadline: rate_limited") {
  component_harness h;
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  h.start();
  // Start-up spent more than this; the mock asks to retry once the minute's oldest weight expires.
  h.ex().set_weight_limit(1);
  const auto e = h.terminal(h.request(0, hedge));
  INFO(h.dump());
  CHECK(e.status == event_status::rate_limited);
  CHECK(e.http_status == 429);
  CHECK(e.code == -1003);
  CHECK(e.attempts == 1);
  CHECK(h.count_requests("POST", "/fapi/v1/positionSide/dual") == 1);
  CHECK(h.ex().binance_mode(test::binance_key(1), binance_product::usdm) == mock_one_way);
  h.check_invariants();
}

TEST_CASE("an IP ban (HTTP 418): no account sends to that host until it ends") {
  // Before the harness: its loop thread reads this clock until the harness is gone.
  test::shifted_clock time;
  component_harness h;
  h.config.clock = engine::clock_ref(time);
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  h.add_binance(venue::binance_usdm, {product::usdm}, 2);
  h.start();
  h.ex().ban_ip("127.0.0.1", 1s);  // the mock answers Retry-After: 1
  const auto first = h.terminal(h.request(0, hedge));
  INFO(h.dump());
  CHECK(first.status == event_status::ip_banned);
  CHECK(first.http_status == 418);
  CHECK(first.code == -1003);
  CHECK(first.message.view().find("IP banned until") != std::string_view::npos);
  CHECK(h.count_requests("POST", "/fapi/v1/positionSide/dual") == 1);
  // Both accounts talk to the banned host: both say so, with one and the same end of the ban
  // (when it ends is shown below by moving the clock, not by reading times).
  const auto banned_until = h.component().health(0)->banned_until_ns;
  CHECK(banned_until > 0);
  for (std::size_t account : {0U, 1U}) {
    const auto health = h.component().health(account);
    REQUIRE(health.has_value());
    CHECK(health->state == components::account_state::banned);
    CHECK(health->banned_until_ns == banned_until);
  }
  // The host both accounts use says the same, once.
  REQUIRE(h.component().host_count() == 1);
  const auto host = *h.component().host(0);
  CHECK(host.accounts == 2);
  CHECK(host.banned);
  CHECK(host.banned_until_ns == h.component().health(0)->banned_until_ns);
  CHECK(host.accounts_ready == 0);

  // The ban is the IP's, not the key's: the other account sends nothing while it lasts.
  const auto second = h.terminal(h.request(1, hedge));
  CHECK(second.status == event_status::ip_banned);
  CHECK(second.http_status == 0);
  CHECK(second.on_wire_ns == 0);
  CHECK(second.message.view().find("not sent") != std::string_view::npos);
  CHECK(h.count_requests("POST", "/fapi/v1/positionSide/dual") == 1);

  // 1.1 s pass, past Retry-After, on both sides: posmode's clock and the venue's move together
  // (its timestamps stay in the window) and the venue's ban ends.
  time.advance(1100ms);
  h.ex().set_clock_skew(1100ms);
  h.ex().ban_ip("127.0.0.1", 0ms);
  const auto after = h.terminal(h.request(1, hedge));
  CHECK(after.status == event_status::applied);
  CHECK(h.ex().binance_mode(test::binance_key(2), binance_product::usdm) == mock_hedge);
  CHECK(h.ex().binance_mode(test::binance_key(1), binance_product::usdm) == mock_one_way);
  h.check_invariants();
}

TEST_CASE(
    "issue 13: a Retry-After wait runs on the clock seam: the test moves time, nothing sleeps") {
  // Up to a minute of Retry-After inside a two-minute deadline: on real time the retry would
  // come long after this test's bounded waits give up. The test moves posmode's clock (and the
  // venue's, so that the stamps stay in its window) in 5 s steps until the request ends.
  // Before the harness: its loop thread reads this clock until the harness is gone.
  test::shifted_clock time;
  component_harness h;
  h.config.clock = engine::clock_ref(time);
  h.config.request_deadline = 120s;
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  h.start();
  h.ex().set_weight_limit(1);  // start-up spent more than this: the set is answered 429
  const auto id = h.request(0, hedge);
  REQUIRE(
      h.wait_until([&] { return h.count_requests("POST", "/fapi/v1/positionSide/dual") == 1; }));
  // Time moves only once posmode has read the 429: moved before, the jump would expire the
  // set's attempt first, and the request would rightly end by a read-back instead of a retry.
  REQUIRE(h.wait_until([&] {
    for (const auto& owned : h.log_records())
      if (owned.record().event == components::log_event::rate_limited) return true;
    return false;
  }));
  h.ex().set_weight_limit(2400);
  std::chrono::milliseconds moved{0};
  while (h.find_terminal(id) == nullptr && moved < 110s) {
    moved += 5s;
    time.advance(5s);
    h.ex().set_clock_skew(moved);
    (void)h.wait_until([&] { return h.find_terminal(id) != nullptr; }, 20ms);
  }
  const auto e = h.terminal(id);
  INFO(h.dump());
  CHECK(e.status == event_status::applied);
  CHECK(e.attempts == 2);
  CHECK(h.count_requests("POST", "/fapi/v1/positionSide/dual") == 2);
  CHECK(h.ex().binance_mode(test::binance_key(1), binance_product::usdm) == mock_hedge);
  h.check_invariants();
}

TEST_CASE("Bitget 429 on the second product type of a request") {
  // One set call per second per account: the request's second set call is refused with 429 and
  // no Retry-After, so the component assumes `default_retry_after`.
  mock::exchange_options options;
  options.bitget_rate_limit = 1;
  component_harness h(options);
  h.add_bitget({product::usdt_futures, product::coin_futures}, 1);
  bool fits = true;
  SUBCASE("the default wait fits the deadline: wait, retry, applied") {
    h.config.retry.default_retry_after = 1'100ms;
  }
  SUBCASE("it does not: rate_limited") {
    h.config.retry.default_retry_after = 20'000ms;
    fits = false;
  }
  h.start();
  const auto id = h.request(0, hedge);
  h.terminal(id);
  INFO(h.dump());
  const auto mine = h.events_of(id);
  REQUIRE(mine.size() == 2);
  int applied_first_try = 0;
  int applied_second_try = 0;
  int limited = 0;
  for (const auto& e : mine) {
    if (e.status == event_status::applied && e.attempts == 1) ++applied_first_try;
    if (e.status == event_status::applied && e.attempts == 2) ++applied_second_try;
    if (e.status == event_status::rate_limited) {
      ++limited;
      CHECK(e.http_status == 429);
      CHECK(e.attempts == 1);
    }
  }
  CHECK(applied_first_try == 1);
  CHECK(applied_second_try == (fits ? 1 : 0));
  CHECK(limited == (fits ? 0 : 1));
  CHECK(h.count_requests("POST", "set-position-mode") == (fits ? 3U : 2U));
  h.check_invariants();
}

TEST_CASE("the connection drops right after a complete reply: the reply counts, then reconnect") {
  component_harness h;
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  h.start();
  mock::fault_set faults;
  faults.drop_after_reply = true;
  h.fault_next_set(test::binance_key(1), faults);
  const auto e = h.terminal(h.request(0, hedge));
  INFO(h.dump());
  // The whole 200 arrived before the cut; a component that lost it must have queried instead.
  CHECK((e.status == event_status::applied || e.status == event_status::confirmed));
  CHECK(e.attempts == 1);
  CHECK(h.ex().binance_mode(test::binance_key(1), binance_product::usdm) == mock_hedge);
  CHECK(h.wait_until([&] { return h.component().stats().connections_lost >= 1; }));
  // The pool recovers: more requests go through.
  CHECK(h.terminal(h.request(0, one_way)).status == event_status::applied);
  CHECK(h.terminal(h.request(0, hedge)).status == event_status::applied);
  CHECK(h.terminal(h.request(0, one_way)).status == event_status::applied);
  h.check_invariants();
}

TEST_CASE("an open outcome whose mode query fails too: unknown, with both causes") {
  component_harness h;
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  h.start();
  mock::fault_set faults;
  faults.unknown_error_503 = true;  // every request from now on, the query included
  h.ex().set_account_faults(test::binance_key(1), faults);
  const auto e = h.terminal(h.request(0, hedge));
  INFO(h.dump());
  CHECK(e.status == event_status::unknown);
  CHECK(e.http_status == 503);
  CHECK(e.code == -1000);  // the set's answer keeps the code fields
  const std::string_view message = e.message.view();
  CHECK(message.starts_with("Unknown error"));
  CHECK(message.find("; mode query: unknown (Unkn") != std::string_view::npos);  // 87 bytes
  CHECK(h.count_requests("GET", "/fapi/v1/positionSide/dual") >= 2);  // start-up + the query
  h.check_invariants();
}

// issue 11: a read-back of the other mode proves nothing while the set may still be executed
// (its timestamp plus the venue's window): Binance's window (recvWindow, 1000 ms here) closes
// within the deadline, so the component reads again after it; Bitget's assumed 30 s does not, so
// it sends the same set again and takes that answer.
TEST_CASE("an open outcome is settled by a mode query: confirmed or not_applied") {
  component_harness h;
  mock::fault_set faults;
  bool bitget = false;
  SUBCASE("dropped before the reply, after the venue acted") {
    faults.drop_before_reply = true;
    faults.apply_change = true;
  }
  SUBCASE("dropped before the reply, the venue did not act") {
    faults.drop_before_reply = true;
  }
  SUBCASE("503 unknown error, the venue acted") {
    faults.unknown_error_503 = true;
    faults.apply_change = true;
  }
  SUBCASE("503 unknown error, the venue did not act") {
    faults.unknown_error_503 = true;
  }
  SUBCASE("HTML 502 from the CDN, the venue did not act") {
    faults.html_502 = true;
  }
  SUBCASE("HTML 502 from the CDN, the venue acted") {
    faults.html_502 = true;
    faults.apply_change = true;
  }
  SUBCASE("Bitget 503 (40010), the venue acted") {
    faults.unknown_error_503 = true;
    faults.apply_change = true;
    bitget = true;
  }
  SUBCASE("Bitget HTML 502, the venue did not act: the set is sent again") {
    faults.html_502 = true;
    bitget = true;
  }
  if (bitget) {
    h.add_bitget({product::usdt_futures}, 1);
  } else {
    h.add_binance(venue::binance_usdm, {product::usdm}, 1);
    h.config.accounts.back().account.recv_window_ms = 1'000;
    h.config.accounts.back().account.presign_max_age_ms = 500;
  }
  h.start();
  const auto queries_before = h.component().stats().queries_sent;
  h.fault_next_set(bitget ? test::bitget_key(1) : test::binance_key(1), faults);
  const auto e = h.terminal(h.request(0, hedge));
  INFO(h.dump());
  INFO(h.log());
  const bool resent = bitget && !faults.apply_change;
  const event_status expected = faults.apply_change ? event_status::confirmed
                                : resent            ? event_status::applied
                                                    : event_status::not_applied;
  CHECK(e.status == expected);
  CHECK(e.has_observed_mode);
  CHECK(e.observed_mode == (faults.apply_change ? hedge : one_way));
  CHECK(e.attempts == (resent ? 2 : 1));
  CHECK(h.component().stats().queries_sent > queries_before);
  // The account's own counters say the same: a read-back settled it, and a resend is a retry.
  const auto health = *h.component().health(0);
  CHECK(health.read_backs >= 1);
  CHECK(health.read_backs == health.queries_sent - 1);  // all but the start-up read
  CHECK(health.retries == (resent ? 1U : 0U));
  const std::string_view set_path = bitget ? "set-position-mode" : "/fapi/v1/positionSide/dual";
  CHECK(h.count_requests("POST", set_path) == (resent ? 2U : 1U));
  // The claim holds against the venue.
  const auto venue_mode = bitget ? h.ex().bitget_mode(test::bitget_key(1), "USDT-FUTURES")
                                 : h.ex().binance_mode(test::binance_key(1), binance_product::usdm);
  CHECK(venue_mode == (expected == event_status::not_applied ? mock_one_way : mock_hedge));

  // The next request asks for the other mode. With Binance it goes out once the first set can no
  // longer be executed; Bitget's 30 s are past its deadline, so it is not sent at all.
  const auto next = h.terminal(h.request(0, one_way));
  if (bitget) {
    CHECK(next.status == event_status::unknown);
    CHECK(next.on_wire_ns == 0);
    CHECK(next.message.view().starts_with("not sent: an earlier set"));
    CHECK(h.count_requests("POST", set_path) == (resent ? 2U : 1U));
  } else {
    CHECK(next.status == (expected == event_status::not_applied ? event_status::already_in_mode
                                                                : event_status::applied));
    CHECK(h.ex().binance_mode(test::binance_key(1), binance_product::usdm) == mock_one_way);
  }
  h.check_invariants();
}

TEST_CASE("PAPI: an open outcome on CM after UM applied is settled for CM") {
  component_harness h;
  h.add_binance(venue::binance_papi, {product::papi_um, product::papi_cm}, 1);
  h.start();
  mock::fault_set faults;
  faults.unknown_error_503 = true;
  faults.apply_change = true;
  // The hook fires on the first POST (UM) without clearing; the second POST (CM) gets the 503.
  auto& ex = h.ex();
  auto posts = std::make_shared<std::atomic<int>>(0);
  const std::string key = test::binance_key(1);
  h.set_request_hook([&ex, key, posts, faults](const mock::request_record& r) {
    if (r.method != "POST") return;
    const int n = ++*posts;
    if (n == 1) ex.set_account_faults(key, faults);
    if (n == 2) ex.clear_account_faults(key);
  });
  const auto id = h.request(0, hedge);
  h.terminal(id);
  INFO(h.dump());
  const auto mine = h.events_of(id);
  REQUIRE(mine.size() == 2);
  CHECK(mine[0].product_scope == product::papi_um);
  CHECK(mine[0].status == event_status::applied);
  CHECK(mine[1].product_scope == product::papi_cm);
  CHECK(mine[1].status == event_status::confirmed);
  CHECK(mine[1].terminal);
  h.check_invariants();
}

// issue 11: a set sent but never answered by the deadline makes no claim: `unknown`, not
// `timeout` (the venue may execute it after the event).
TEST_CASE("a venue that does not answer in time: the deadline ends the request") {
  component_harness h;
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  mock::fault_set faults;
  SUBCASE("the deadline passes while the query is still out") {
    h.config.attempt_timeout = 400ms;
    h.config.request_deadline = 600ms;
    faults.delay = 3'000ms;
  }
  SUBCASE("the set and the query both time out before the deadline") {
    h.config.attempt_timeout = 200ms;
    h.config.request_deadline = 3'000ms;
    faults.delay = 6'000ms;
  }
  h.start();
  // Set after start: the start-up mode query must not be delayed. Time probes carry no key.
  h.ex().set_account_faults(test::binance_key(1), faults);
  const auto e = h.terminal(h.request(0, hedge));
  INFO(h.dump());
  INFO(h.log());
  CHECK(e.status == event_status::unknown);
  CHECK(e.terminal);
  CHECK(e.attempts == 1);
  CHECK(e.on_wire_ns != 0);
  CHECK(!e.has_observed_mode);
  // The faults go; the pool recovers and a new request for the same mode is served at once (a
  // late landing of the first sets the same mode).
  h.ex().clear_account_faults(test::binance_key(1));
  const auto next = h.terminal(h.request(0, hedge));
  CHECK(components::is_success(next.status));
  h.check_invariants();
}

// issue 11: the set went out and was never answered: `unknown`, as for a deadline.
TEST_CASE("stop() ends a request whose set is unanswered with unknown") {
  component_harness h;
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  h.start();
  mock::fault_set faults;
  faults.delay = 5'000ms;
  h.ex().set_account_faults(test::binance_key(1), faults);
  const auto id = h.request(0, hedge);
  REQUIRE(h.wait_until([&] { return h.component().stats().set_requests_sent == 1; }));
  h.stop_component();
  const auto e = h.terminal(id);
  INFO(h.dump());
  CHECK(e.status == event_status::unknown);
  CHECK(e.message.view().starts_with("the component stopped"));
  CHECK(e.attempts == 1);
  h.check_invariants();
}
