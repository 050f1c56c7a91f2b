// The position-mode component against the mock exchange's Bybit v5 (docs/venues.md §5): start-up
// reports read from the position list, every switch answer, refused credentials, a clock that
// moved, the per-key rate limit with its reset time, the 403 IP ban, and open outcomes settled by
// reading the mode back.

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

constexpr std::string_view switch_path = "/v5/position/switch-mode";

}  // namespace

TEST_CASE("Bybit start-up reports the mode read from every position-list row") {
  component_harness h;
  const auto a =
      h.add_bybit({product::bybit_linear_usdt, product::bybit_linear_symbol}, 1, "ETHUSDT");
  h.ex().set_bybit_mode(test::bybit_key(1), "ETHUSDT", mock_hedge);
  h.start();
  INFO(h.dump());
  REQUIRE(h.wait_until([&] { return h.current_mode_events().size() >= 2; }));
  for (const auto& e : h.current_mode_events()) {
    CHECK(e.account == a);
    CHECK(e.venue_kind == venue::bybit);
    CHECK(e.has_observed_mode);
    // linear-USDT reads its own perpetual, BTCUSDT (one-way); linear-symbol reads ETHUSDT.
    CHECK(e.observed_mode == (e.product_scope == product::bybit_linear_symbol ? hedge : one_way));
  }
  CHECK(h.count_requests("GET", "/v5/position/list?category=linear&symbol=ETHUSDT") >= 1);
  CHECK(h.count_requests("GET", "/v5/position/list?category=linear&symbol=BTCUSDT") >= 1);
  h.check_invariants();
}

TEST_CASE("a Bybit switch the venue applies ends in applied, scope after scope") {
  component_harness h;
  h.add_bybit({product::bybit_linear_usdt, product::bybit_linear_symbol}, 1, "ETHPERP");
  h.start();
  const auto id = h.request(0, hedge);
  h.terminal(id);
  INFO(h.dump());
  // ETHPERP settles in USDC, one-way only: the second scope is refused with 110029.
  auto mine = h.events_of(id);
  REQUIRE(mine.size() == 2);
  CHECK(mine[0].product_scope == product::bybit_linear_usdt);
  CHECK(mine[0].status == event_status::applied);
  CHECK(mine[0].code == 0);
  CHECK(mine[0].http_status == 200);
  CHECK(!mine[0].terminal);
  CHECK(mine[1].product_scope == product::bybit_linear_symbol);
  CHECK(mine[1].status == event_status::mode_not_supported);
  CHECK(mine[1].code == 110029);
  CHECK(mine[1].message.view() == "Hedge mode is not supported for this symbol.");
  CHECK(mine[1].attempts == 1);
  CHECK(mine[1].terminal);
  CHECK(h.count_requests("POST", switch_path) == 2);
  CHECK(h.ex().bybit_mode(test::bybit_key(1), "USDT") == mock_hedge);
  CHECK(h.ex().bybit_mode(test::bybit_key(1), "ETHPERP") == mock_one_way);

  // Back to one-way: applied for USDT, "not modified" (110025) for ETHPERP.
  const auto back = h.request(0, one_way);
  h.terminal(back);
  mine = h.events_of(back);
  REQUIRE(mine.size() == 2);
  CHECK(mine[0].status == event_status::applied);
  CHECK(mine[1].status == event_status::already_in_mode);
  CHECK(mine[1].code == 110025);
  CHECK(h.ex().bybit_mode(test::bybit_key(1), "USDT") == mock_one_way);
  h.check_invariants();
}

TEST_CASE("Bybit open positions or orders block the switch, and it is never retried") {
  component_harness h;
  h.add_bybit({product::bybit_linear_usdt}, 1);
  h.start();
  bool positions = true;
  long code = 110024;
  event_status expected = event_status::blocked_positions;
  SUBCASE("positions") {}
  SUBCASE("orders") {
    positions = false;
    code = 110028;
    expected = event_status::blocked_orders;
  }
  h.ex().set_bybit_flags(test::bybit_key(1), positions, !positions);
  const auto e = h.terminal(h.request(0, hedge));
  INFO(h.dump());
  CHECK(e.status == expected);
  CHECK(e.code == code);
  CHECK(e.attempts == 1);
  CHECK(h.count_requests("POST", switch_path) == 1);
  CHECK(h.ex().bybit_mode(test::bybit_key(1), "USDT") == mock_one_way);
  h.check_invariants();
}

TEST_CASE("refused Bybit credentials end in auth_failed with the venue's code") {
  component_harness h;
  h.add_bybit({product::bybit_linear_usdt}, 1);
  long code = 0;
  int status = 0;
  SUBCASE("a wrong secret: 10004") {
    h.add_settings(h.settings(venue::bybit, {product::bybit_linear_usdt}, test::bybit_key(1),
                              "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ", ""));
    code = 10004;
    status = 200;
  }
  SUBCASE("an unknown key: 10003, HTTP 401") {
    h.add_settings(h.settings(venue::bybit, {product::bybit_linear_usdt}, test::bybit_key(99),
                              test::bybit_secret, ""));
    code = 10003;
    status = 401;
  }
  h.start();
  const auto e = h.terminal(h.request(1, hedge));
  INFO(h.dump());
  CHECK(e.status == event_status::auth_failed);
  CHECK(e.code == code);
  CHECK(e.http_status == status);
  CHECK(h.ex().bybit_mode(test::bybit_key(1), "USDT") == mock_one_way);
  h.check_invariants();
}

TEST_CASE("a Bybit clock that moved after start: resync, retry once, applied") {
  component_harness h;
  std::chrono::milliseconds skew{0};
  SUBCASE("venue 8 s ahead: outside X-BAPI-RECV-WINDOW") {
    skew = 8'000ms;
  }
  SUBCASE("venue 3 s behind: the timestamps are over 1 s ahead") {
    skew = -3'000ms;
  }
  h.add_bybit({product::bybit_linear_usdt}, 1);
  h.start();
  const auto before = h.component().stats();
  h.ex().set_clock_skew(skew);
  const auto e = h.terminal(h.request(0, hedge));
  INFO(h.dump());
  CHECK(e.status == event_status::applied);
  CHECK(e.attempts == 2);
  CHECK(h.count_requests("POST", switch_path) == 2);
  CHECK(h.component().stats().clock_syncs > before.clock_syncs);
  CHECK(h.ex().bybit_mode(test::bybit_key(1), "USDT") == mock_hedge);
  h.check_invariants();
}

TEST_CASE("Bybit 10006 on the second scope: wait for X-Bapi-Limit-Reset-Timestamp, retry") {
  // One switch per second per key: the second scope's switch is refused with 10006 and a reset
  // time under a second away, which fits the deadline.
  mock::exchange_options options;
  options.bybit_rate_limit = 1;
  component_harness h(options);
  // Both scopes start in hedge (ETHPERP settles in USDC, which the USDT switch leaves alone).
  h.add_bybit({product::bybit_linear_usdt, product::bybit_linear_symbol}, 1, "ETHPERP", mock_hedge);
  h.start();
  const auto id = h.request(0, one_way);
  h.terminal(id);
  INFO(h.dump());
  const auto mine = h.events_of(id);
  REQUIRE(mine.size() == 2);
  CHECK(mine[0].status == event_status::applied);
  CHECK(mine[0].attempts == 1);
  CHECK(mine[1].status == event_status::applied);
  CHECK(mine[1].attempts == 2);
  CHECK(h.count_requests("POST", switch_path) == 3);
  CHECK(h.ex().bybit_mode(test::bybit_key(1), "USDT") == mock_one_way);
  CHECK(h.ex().bybit_mode(test::bybit_key(1), "ETHPERP") == mock_one_way);
  h.check_invariants();
}

TEST_CASE("a Bybit 403 bans the host: no account sends to it while the ban lasts") {
  component_harness h;
  h.add_bybit({product::bybit_linear_usdt}, 1);
  h.add_bybit({product::bybit_linear_usdt}, 2);
  h.start();
  h.ex().set_bybit_limits(10, 0);  // the next request from 127.0.0.1 earns the ban
  const auto first = h.terminal(h.request(0, hedge));
  INFO(h.dump());
  CHECK(first.status == event_status::ip_banned);
  CHECK(first.http_status == 403);
  CHECK(first.message.view() == "access too frequent");
  CHECK(h.count_requests("POST", switch_path) == 1);
  const auto second = h.terminal(h.request(1, hedge));
  CHECK(second.status == event_status::ip_banned);
  CHECK(second.on_wire_ns == 0);
  CHECK(h.count_requests("POST", switch_path) == 1);
  CHECK(h.ex().bybit_mode(test::bybit_key(2), "USDT") == mock_one_way);
  h.check_invariants();
}

TEST_CASE("a Bybit open outcome is settled by reading the position list") {
  component_harness h;
  mock::fault_set faults;
  SUBCASE("503 (10016), the venue acted") {
    faults.unknown_error_503 = true;
    faults.apply_change = true;
  }
  SUBCASE("503 (10016), the venue did not act") {
    faults.unknown_error_503 = true;
  }
  SUBCASE("HTML 502, the venue acted") {
    faults.html_502 = true;
    faults.apply_change = true;
  }
  SUBCASE("dropped before the reply, the venue did not act") {
    faults.drop_before_reply = true;
  }
  h.add_bybit({product::bybit_linear_usdt}, 1);
  h.config.accounts.back().account.recv_window_ms = 1'000;
  h.config.accounts.back().account.presign_max_age_ms = 500;
  h.start();
  const auto queries_before = h.component().stats().queries_sent;
  h.fault_next_set(test::bybit_key(1), faults);
  const auto e = h.terminal(h.request(0, hedge));
  INFO(h.dump());
  const event_status expected =
      faults.apply_change ? event_status::confirmed : event_status::not_applied;
  CHECK(e.status == expected);
  CHECK(e.has_observed_mode);
  CHECK(e.observed_mode == (faults.apply_change ? hedge : one_way));
  CHECK(h.component().stats().queries_sent > queries_before);
  CHECK(h.count_requests("POST", switch_path) == 1);
  CHECK(h.ex().bybit_mode(test::bybit_key(1), "USDT") ==
        (faults.apply_change ? mock_hedge : mock_one_way));
  h.check_invariants();
}

TEST_CASE("a Bybit coin switch that skipped the held symbol: applied, then verify_mismatch") {
  // Bybit's documented coin switch answers 0 but leaves the symbols with positions or orders as
  // they were (docs/venues.md §5.1, A-Y3): only reading the symbol back shows it.
  component_harness h;
  mock::bybit_account account;
  account.api_key = test::bybit_key(1);
  account.secret = std::string(test::bybit_secret);
  account.has_positions = true;
  account.coin_switch_skips_held = true;
  h.ex().add_bybit_account(account);
  h.add_settings(h.settings(venue::bybit, {product::bybit_linear_usdt}, account.api_key,
                            test::bybit_secret, ""));
  h.config.accounts.back().verify_after_set = true;
  h.start();
  const auto id = h.request(0, hedge);
  const auto e = h.terminal(id);
  const auto v = h.verification(id);
  INFO(h.dump());
  CHECK(e.status == event_status::applied);
  CHECK(v.status == event_status::verify_mismatch);
  CHECK(v.has_observed_mode);
  CHECK(v.observed_mode == one_way);
  CHECK(h.ex().bybit_mode(test::bybit_key(1), "USDT") == mock_hedge);
  CHECK(h.ex().bybit_mode(test::bybit_key(1), "BTCUSDT") == mock_one_way);
}
