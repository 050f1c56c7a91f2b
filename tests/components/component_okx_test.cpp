// The position-mode component end to end against the mock exchange's OKX v5 (docs/venues.md §4):
// the account-wide mode, success with its echo, "already in mode" (no code: success or a
// read-back), 59000 (positions, orders, trading bots), 59001, portfolio margin, refused
// credentials and environments, a moved clock, the rate limit and open outcomes.

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "components/component_test_support.hpp"

using namespace posmode;
using namespace std::chrono_literals;
using components::event_status;
using components::product;
using components::venue;
using test::component_harness;
using namespace test::modes;

namespace {

constexpr std::string_view set_path = "/api/v5/account/set-position-mode";
constexpr std::string_view config_path = "/api/v5/account/config";

}  // namespace

TEST_CASE(
    "OKX: start-up reports the account-wide mode, and a switch is applied, its echo checked") {
  component_harness h;
  const auto okx = h.add_okx(1, mock_hedge);
  h.start();
  REQUIRE(h.wait_until([&] { return !h.current_mode_events().empty(); }));
  const auto report = h.current_mode_events().front();
  CHECK(report.account == okx);
  CHECK(report.venue_kind == venue::okx);
  CHECK(report.product_scope == product::okx_account);
  CHECK(report.observed_mode == hedge);

  const auto e = h.terminal(h.request(okx, one_way));
  INFO(h.dump());
  CHECK(e.status == event_status::applied);
  CHECK(e.product_scope == product::okx_account);
  CHECK(e.http_status == 200);
  CHECK(e.code_text == "0");
  CHECK(e.attempts == 1);
  CHECK(e.on_wire_ns >= e.trigger_ns);
  CHECK(h.ex().okx_mode(test::okx_key(1)) == mock_one_way);
  CHECK(h.terminal(h.request(okx, hedge)).status == event_status::applied);
  CHECK(h.ex().okx_mode(test::okx_key(1)) == mock_hedge);
  CHECK(h.count_requests("POST", set_path) == 2);
  h.check_invariants();
}

TEST_CASE("OKX: the mode the account is in: success, never claimed as already_in_mode") {
  // OKX documents no "already in mode" answer; the mock answers "0" with the echo. posmode says
  // `applied` (what OKX said) and only a read-back could say more: the verification shows it.
  component_harness h;
  h.add_okx(1, mock_hedge);
  h.config.accounts[0].verify_after_set = true;
  h.start();
  const auto id = h.request(0, hedge);
  const auto e = h.terminal(id);
  const auto v = h.verification(id);
  INFO(h.dump());
  CHECK(e.status == event_status::applied);
  CHECK(e.status != event_status::already_in_mode);
  CHECK(v.status == event_status::verified);
  CHECK(v.observed_mode == hedge);
  for (const auto& change : h.ex().mode_history())
    CHECK(!change.by_request);  // nothing changed at the venue
  h.check_invariants();
}

TEST_CASE("OKX 59000: positions, orders or trading bots, read back, never retried") {
  component_harness h;
  h.add_okx(1);
  h.start();
  mock::okx_flags flags;
  SUBCASE("positions") {
    flags.positions = true;
  }
  SUBCASE("orders") {
    flags.orders = true;
  }
  SUBCASE("trading bots (the text that names them)") {
    flags.bots = true;
  }
  h.ex().set_okx_flags(test::okx_key(1), flags);
  const auto queries_before = h.count_requests("GET", config_path);
  const auto e = h.terminal(h.request(0, hedge));
  INFO(h.dump());
  CHECK(e.status == event_status::blocked_positions_or_orders);
  CHECK(e.code == 59000);
  CHECK(e.code_text == "59000");
  CHECK(e.message.view().starts_with("positions, orders or trading bots: "));
  CHECK(e.has_observed_mode);
  CHECK(e.observed_mode == one_way);
  CHECK(e.attempts == 1);
  CHECK(h.count_requests("POST", set_path) == 1);
  CHECK(h.count_requests("GET", config_path) == queries_before + 1);
  CHECK(h.component().stats().retries == 0);
  CHECK(h.ex().okx_mode(test::okx_key(1)) == mock_one_way);
  h.check_invariants();
}

TEST_CASE("OKX 59001: borrowings, not_applied with the code and the cause") {
  component_harness h;
  h.add_okx(1);
  h.start();
  h.ex().set_okx_flags(test::okx_key(1), {.borrowings = true});
  const auto e = h.terminal(h.request(0, hedge));
  INFO(h.dump());
  CHECK(e.status == event_status::not_applied);
  CHECK(e.code == 59001);
  CHECK(e.message.view().starts_with("borrowings block the switch: "));
  CHECK(e.observed_mode == one_way);
  CHECK(h.count_requests("POST", set_path) == 1);
  h.check_invariants();
}

TEST_CASE("OKX portfolio margin: hedge is refused with the venue's code and the reason") {
  component_harness h;
  h.add_okx(1, mock_one_way, true);
  h.start();
  const auto e = h.terminal(h.request(0, hedge));
  INFO(h.dump());
  CHECK(e.status == event_status::not_applied);
  CHECK(e.code == 51000);
  CHECK(e.http_status == 400);
  CHECK(e.message.view().find("portfolio-margin account supports only net_mode") !=
        std::string_view::npos);
  CHECK(e.observed_mode == one_way);
  CHECK(h.ex().okx_mode(test::okx_key(1)) == mock_one_way);
  // Net mode is what such an account has, and asking for it is success.
  CHECK(h.terminal(h.request(0, one_way)).status == event_status::applied);
  h.check_invariants();
}

TEST_CASE("OKX refused credentials and environments end in auth_failed with the venue's code") {
  component_harness h;
  const auto good = h.add_okx(1);
  std::int64_t code = 0;
  SUBCASE("key unknown to the venue: 50111") {
    h.add_settings(h.settings(venue::okx, {product::okx_account}, test::okx_key(99),
                              test::okx_secret, test::okx_passphrase));
    code = 50111;
  }
  SUBCASE("wrong passphrase: 50105") {
    h.add_settings(h.settings(venue::okx, {product::okx_account}, test::okx_key(1),
                              test::okx_secret, "WrongPass1"));
    code = 50105;
  }
  SUBCASE("wrong secret: 50113") {
    h.add_settings(h.settings(venue::okx, {product::okx_account}, test::okx_key(1),
                              "00000000000000000000000000000000", test::okx_passphrase));
    code = 50113;
  }
  SUBCASE("a live key in demo (x-simulated-trading: 1): 50101") {
    auto s = h.settings(venue::okx, {product::okx_account}, test::okx_key(1), test::okx_secret,
                        test::okx_passphrase);
    s.account.environment = components::venue_environment::demo;
    h.add_settings(std::move(s));
    code = 50101;
  }
  h.start();
  const auto bad = h.component().account_count() - 1;
  const auto e = h.terminal(h.request(bad, hedge));
  INFO(h.dump());
  CHECK(e.status == event_status::auth_failed);
  CHECK(e.venue_kind == venue::okx);
  CHECK(e.code == code);
  CHECK(e.code_text == std::to_string(code));
  CHECK(e.http_status == 401);
  CHECK(e.attempts == 1);
  CHECK(h.ex().okx_mode(test::okx_key(1)) == mock_one_way);
  CHECK(h.terminal(h.request(good, hedge)).status == event_status::applied);
  h.check_invariants();
}

TEST_CASE("OKX demo: a demo key with x-simulated-trading: 1 is applied") {
  component_harness h;
  mock::okx_account demo;
  demo.api_key = "okx-demo-key-01";
  demo.secret = "okx-demo-secret";
  demo.passphrase = "DemoPass1";
  demo.demo_key = true;
  h.ex().add_okx_account(demo);
  auto s =
      h.settings(venue::okx, {product::okx_account}, demo.api_key, demo.secret, demo.passphrase);
  s.account.environment = components::venue_environment::demo;
  h.add_settings(std::move(s));
  h.start();
  const auto e = h.terminal(h.request(0, hedge));
  INFO(h.dump());
  CHECK(e.status == event_status::applied);
  CHECK(h.ex().okx_mode(demo.api_key) == mock_hedge);
  h.check_invariants();
}

TEST_CASE("OKX clock moved 35 s after start: 50102, resync on the time endpoint, applied") {
  component_harness h;
  h.add_okx(1);
  h.start();
  const auto before = h.component().stats();
  const auto time_probes = h.count_requests("GET", "/api/v5/public/time");
  h.ex().set_clock_skew(35'000ms);
  const auto e = h.terminal(h.request(0, hedge));
  INFO(h.dump());
  CHECK(e.status == event_status::applied);
  CHECK(e.attempts == 2);
  CHECK(h.count_requests("POST", set_path) == 2);
  CHECK(h.count_requests("GET", "/api/v5/public/time") > time_probes);
  CHECK(h.component().stats().clock_syncs > before.clock_syncs);
  CHECK(h.ex().okx_mode(test::okx_key(1)) == mock_hedge);
  h.check_invariants();
}

TEST_CASE("OKX 429 (50011): the default wait runs on the clock seam, then the retry is applied") {
  // One call per 2 s per endpoint: the second set within the window is refused with HTTP 429 and
  // no Retry-After, so the component waits `default_retry_after` (3 s). The test moves posmode's
  // clock, the venue's clock and the venue's rate window together; nothing sleeps.
  mock::exchange_options options;
  options.okx_rate_limit = 1;
  // Before the harness: its loop thread reads this clock until the harness is gone.
  test::shifted_clock time;
  component_harness h(options);
  h.config.clock = engine::clock_ref(time);
  h.config.retry.default_retry_after = 3s;
  h.config.request_deadline = 30s;
  h.add_okx(1);
  h.start();
  CHECK(h.terminal(h.request(0, hedge)).status == event_status::applied);
  const auto id = h.request(0, one_way);
  REQUIRE(h.wait_until([&] { return h.count_requests("POST", set_path) == 2; }));
  std::chrono::milliseconds moved{0};
  while (h.find_terminal(id) == nullptr && moved < 20s) {
    moved += 1s;
    time.advance(1s);
    h.ex().set_clock_skew(moved);
    h.ex().advance_time(1s);
    (void)h.wait_until([&] { return h.find_terminal(id) != nullptr; }, 20ms);
  }
  const auto e = h.terminal(id);
  INFO(h.dump());
  CHECK(e.status == event_status::applied);
  CHECK(e.attempts == 2);
  CHECK(h.count_requests("POST", set_path) == 3);
  bool saw_429 = false;
  for (const auto& r : h.ex().request_log())
    if (r.http_status == 429 && r.outcome == "50011") saw_429 = true;
  CHECK(saw_429);
  CHECK(h.ex().okx_mode(test::okx_key(1)) == mock_one_way);
  h.check_invariants();
}

TEST_CASE("OKX open outcomes are settled by reading posMode back") {
  component_harness h;
  h.add_okx(1);
  h.start();
  mock::fault_set faults;
  SUBCASE("503 (50001), the venue acted: confirmed") {
    faults.unknown_error_503 = true;
    faults.apply_change = true;
  }
  SUBCASE("dropped before the reply, the venue acted: confirmed") {
    faults.drop_before_reply = true;
    faults.apply_change = true;
  }
  SUBCASE("HTML 502, the venue did not act: the set is sent again (30 s window), applied") {
    faults.html_502 = true;
  }
  SUBCASE("echo of the other mode, the change was made: confirmed") {
    faults.echo_other_mode = true;
    faults.apply_change = true;
  }
  const auto queries_before = h.component().stats().queries_sent;
  h.fault_next_set(test::okx_key(1), faults);
  const auto e = h.terminal(h.request(0, hedge));
  INFO(h.dump());
  const bool resent = !faults.apply_change;
  CHECK(e.status == (resent ? event_status::applied : event_status::confirmed));
  CHECK(e.attempts == (resent ? 2 : 1));
  CHECK(h.component().stats().queries_sent > queries_before);
  CHECK(h.count_requests("POST", set_path) == (resent ? 2U : 1U));
  CHECK(h.ex().okx_mode(test::okx_key(1)) == mock_hedge);
  h.check_invariants();
}
