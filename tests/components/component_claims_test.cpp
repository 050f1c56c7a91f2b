// issue 11: every claim (applied, already_in_mode, confirmed, not_applied) holds against the
// venue's final state, when a set lands late at the venue, when its answer is dripped past the
// attempt timeout, when requests queue past their deadline, and when the host's wall clock steps.

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "components/component_test_support.hpp"
#include "posmode/engine/clock.hpp"

using namespace posmode;
using namespace std::chrono_literals;
using components::event_status;
using components::product;
using components::venue;
using mock::binance_product;
using test::component_harness;
using namespace test::modes;

namespace {

// A USDⓈ-M account whose set requests (POST only) reach the venue `delay` late: queries are
// answered at once, so a read-back can see the mode before the set lands.
void late_sets(component_harness& h, std::chrono::milliseconds delay) {
  mock::fault_set faults;
  faults.delay = delay;
  faults.sets_only = true;
  h.ex().set_account_faults(test::binance_key(1), faults);
}

mock::position_mode venue_mode(component_harness& h) {
  return h.ex().binance_mode(test::binance_key(1), binance_product::usdm);
}

// The host's wall clock with a step added: what NTP or an operator does to a running host.
struct stepped_clock {
  std::atomic<std::int64_t> step_ms{0};
  [[nodiscard]] std::int64_t monotonic_ns() const noexcept {
    return engine::system_clock::monotonic_ns();
  }
  [[nodiscard]] std::int64_t wall_ms() const noexcept {
    return engine::system_clock::wall_ms() + step_ms.load();
  }
};

}  // namespace

TEST_CASE("issue 11: a set that lands late is confirmed after its window, never not_applied") {
  component_harness h;
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  h.config.accounts.back().account.recv_window_ms = 2'000;
  h.config.attempt_timeout = 300ms;
  h.config.request_deadline = 6'000ms;
  h.start();
  // The set times out after 300 ms, the mode is read back at once (one-way), and the set lands
  // at the venue after 900 ms, inside its 2 s window.
  late_sets(h, 900ms);
  const auto first = h.terminal(h.request(0, hedge));
  INFO(h.dump());
  CHECK(first.status == event_status::confirmed);
  CHECK(first.observed_mode == hedge);
  CHECK(first.attempts == 1);
  CHECK(venue_mode(h) == mock_hedge);
  CHECK(h.count_requests("GET", "/fapi/v1/positionSide/dual") >= 3);  // start-up, read, re-read

  h.ex().clear_account_faults(test::binance_key(1));
  const auto second = h.terminal(h.request(0, one_way));
  CHECK(second.status == event_status::applied);
  CHECK(venue_mode(h) == mock_one_way);
  h.check_invariants();
}

TEST_CASE("issue 11: a set refused for its late arrival is not_applied, after its window") {
  component_harness h;
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  h.config.accounts.back().account.recv_window_ms = 1'000;
  h.config.accounts.back().account.presign_max_age_ms = 500;
  h.config.attempt_timeout = 300ms;
  h.config.request_deadline = 6'000ms;
  h.start();
  // Processed 2.5 s late: outside its 1 s recvWindow, the venue refuses it (-1021).
  late_sets(h, 2'500ms);
  const auto e = h.terminal(h.request(0, hedge));
  INFO(h.dump());
  CHECK(e.status == event_status::not_applied);
  CHECK(e.observed_mode == one_way);
  CHECK(venue_mode(h) == mock_one_way);
  // Whenever the late set is processed, it is refused: the claim stays true.
  REQUIRE(h.wait_until([&] { return h.count_requests("POST", "/fapi/v1/positionSide/dual") == 1; },
                       5'000ms));
  for (const auto& r : h.ex().request_log())
    if (r.method == "POST") CHECK(r.outcome == "-1021");
  CHECK(venue_mode(h) == mock_one_way);
  h.check_invariants();
}

TEST_CASE("issue 11: a request for the other mode waits until an earlier set can no longer land") {
  component_harness h;
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  h.config.accounts.back().account.recv_window_ms = 2'000;
  h.config.request_deadline = 6'000ms;
  h.start();
  // 503 "Unknown error" after the venue acted: the read-back shows hedge (confirmed), but the set
  // stays executable for its window, so a one-way request must not be sent before that ends.
  mock::fault_set faults;
  faults.unknown_error_503 = true;
  faults.apply_change = true;
  faults.sets_only = true;
  h.ex().set_account_faults(test::binance_key(1), faults);
  const auto first = h.terminal(h.request(0, hedge));
  INFO(h.dump());
  CHECK(first.status == event_status::confirmed);
  h.ex().clear_account_faults(test::binance_key(1));
  const auto second = h.terminal(h.request(0, one_way));
  CHECK(second.status == event_status::applied);
  CHECK(venue_mode(h) == mock_one_way);
  // Its set went out no sooner than the first set's timestamp plus the 2 s window (the first
  // was signed at most 1 s before it was sent): at least 1 s after the first went out.
  CHECK(second.on_wire_ns - first.on_wire_ns >= 1'000'000'000);
  h.check_invariants();
}

TEST_CASE("issue 11: a set unanswered at the deadline is unknown and holds back the other mode") {
  component_harness h;
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  h.config.attempt_timeout = 300ms;
  h.config.request_deadline = 2'000ms;
  h.start();
  // Every set lands 1.5 s late. The first set's window (5 s) closes after the deadline, so the
  // read-back of one-way is followed by a second set, which also goes unanswered: unknown.
  late_sets(h, 1'500ms);
  const auto first = h.terminal(h.request(0, hedge));
  INFO(h.dump());
  CHECK(first.status == event_status::unknown);
  CHECK(first.attempts == 2);
  CHECK(first.message.view().find("may still be executed") != std::string_view::npos);
  // The one-way request cannot be sent before the hedge sets' windows close, past its deadline.
  const auto second = h.terminal(h.request(0, one_way));
  CHECK(second.status == event_status::unknown);
  CHECK(second.on_wire_ns == 0);
  CHECK(second.message.view().starts_with("not sent: an earlier set"));
  // Both hedge sets land; no one-way set was ever sent.
  REQUIRE(h.wait_until(
      [&] {
        int changes = 0;
        for (const auto& c : h.ex().mode_history())
          changes += c.by_request ? 1 : 0;
        return changes == 1 && h.count_requests("POST", "/fapi/v1/positionSide/dual") == 2;
      },
      5'000ms));
  CHECK(venue_mode(h) == mock_hedge);
  for (const auto& r : h.ex().request_log())
    if (r.method == "POST") CHECK(r.target.find("dualSidePosition=true") != std::string::npos);
  h.check_invariants();
}

TEST_CASE("issue 11: a request that waited in the queue past its deadline is never sent") {
  // Both deadlines pass at one step of posmode's clock, long before either could pass on real
  // time (a loaded machine once let 800 ms of real time go by between the two requests). The
  // first request's set is held by the venue for 3 s of real time, so it is still unanswered
  // when the clock steps.
  // Before the harness: its loop thread reads this clock until the harness is gone.
  test::shifted_clock time;
  component_harness h;
  h.config.clock = engine::clock_ref(time);
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  h.config.attempt_timeout = 60s;
  h.config.request_deadline = 60s;
  h.start();
  late_sets(h, 3'000ms);
  const auto first_id = h.request(0, hedge);
  const auto second_id = h.request(0, hedge);  // queued behind the first
  REQUIRE(h.wait_until([&] { return h.component().stats().set_requests_sent == 1; }));
  time.advance(61s);
  const auto first = h.terminal(first_id);
  const auto second = h.terminal(second_id);
  INFO(h.dump());
  CHECK(first.status == event_status::unknown);  // sent, never answered in time
  CHECK(second.status == event_status::timeout);
  CHECK(second.on_wire_ns == 0);
  CHECK(second.attempts == 0);
  CHECK(second.message.view().starts_with("not sent: the deadline passed"));
  REQUIRE(h.wait_until([&] { return venue_mode(h) == mock_hedge; }, 10'000ms));
  CHECK(h.count_requests("POST", "/fapi/v1/positionSide/dual") == 1);
  h.check_invariants();
}

TEST_CASE("issue 11: an already-in-mode answer dripped past the attempt timeout is settled") {
  component_harness h;
  h.add_binance(venue::binance_usdm, {product::usdm}, 1, mock_hedge);
  h.config.accounts.back().account.recv_window_ms = 2'000;
  h.config.attempt_timeout = 300ms;
  h.config.request_deadline = 6'000ms;
  h.start();
  mock::fault_set faults;
  faults.drip = true;
  faults.drip_interval = 5ms;  // a -4059 answer of ~300 bytes takes over a second
  faults.sets_only = true;
  h.ex().set_account_faults(test::binance_key(1), faults);
  const auto first = h.terminal(h.request(0, hedge));
  INFO(h.dump());
  CHECK(first.status == event_status::confirmed);
  CHECK(first.observed_mode == hedge);
  CHECK(venue_mode(h) == mock_hedge);
  h.ex().clear_account_faults(test::binance_key(1));
  const auto second = h.terminal(h.request(0, one_way));
  CHECK(second.status == event_status::applied);
  CHECK(venue_mode(h) == mock_one_way);
  h.check_invariants();
}

TEST_CASE("issue 11: a wall clock stepped after the venue's clock was read moves no stamp") {
  stepped_clock clock;
  component_harness h;
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  h.config.clock = engine::clock_ref(clock);
  h.start();
  for (const std::int64_t step : {40'000, -40'000, 3'600'000}) {
    CAPTURE(step);
    clock.step_ms.store(step);
    const auto mode = venue_mode(h) == mock_hedge ? one_way : hedge;
    const auto e = h.terminal(h.request(0, mode));
    INFO(h.dump());
    CHECK(e.status == event_status::applied);
    CHECK(e.attempts == 1);  // no -1021, no resync: the stamp followed the venue's clock
  }
  h.check_invariants();
}
