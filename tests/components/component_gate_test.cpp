// The position-mode component end to end against the mock exchange's Gate APIv4 futures
// (docs/venues.md §5b): one mode per settle account (usdt, btc) read at start-up and switched in
// turn, success with its echo checked, the mode already in place (no documented answer: the mock
// answers 200), POSITION_HOLDING, refused credentials, a moved clock, TOO_MANY_REQUESTS with its
// reset time, open outcomes read back, and the split mode (dual_plus), which posmode reports as
// itself and never as hedge or one-way. Every claim is held against the mock's final state.

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "components/component_test_support.hpp"

using namespace posmode;
using namespace std::chrono_literals;
using components::event_status;
using components::product;
using components::venue;
using mock::gate_mode;
using test::component_harness;
using namespace test::modes;

namespace {

constexpr std::string_view usdt_set = "/api/v4/futures/usdt/set_position_mode";
constexpr std::string_view btc_set = "/api/v4/futures/btc/set_position_mode";
constexpr std::string_view usdt_accounts = "/api/v4/futures/usdt/accounts";
constexpr std::string_view time_path = "/api/v4/spot/time";

std::string_view settle_of(product p) {
  return p == product::gate_btc ? "btc" : "usdt";
}

gate_mode gate_of(components::position_mode m) {
  return m == hedge ? gate_mode::dual : gate_mode::single;
}

/**
 * Holds every request's last claim per account and settle account against the mock's final
 * state: `applied`, `already_in_mode`, `confirmed` and `verified` say the requested mode is in
 * place; `not_applied`, `blocked_positions_or_orders` and `verify_mismatch` say it is not. A
 * verification event replaces its request's claim (it is the later read). Returns how many claims
 * were checked.
 */
int check_claims(component_harness& h) {
  std::map<std::pair<std::uint64_t, product>, components::position_event> last;
  for (const auto& e : h.events())
    if (e.request_id != 0) last[{e.account, e.product_scope}] = e;
  int checked = 0;
  for (const auto& entry : last) {
    const components::position_event& e = entry.second;
    const std::string& key = h.config.accounts[entry.first.first].creds.api_key;
    const std::string_view settle = settle_of(entry.first.second);
    // Only claims name a mode; an account the venue refused may have a key it does not know.
    const auto now_mode = [&] { return h.ex().gate_mode_of(key, settle); };
    CAPTURE(test::describe(e));
    switch (e.status) {
      case event_status::applied:
      case event_status::already_in_mode:
      case event_status::confirmed:
      case event_status::verified:
        CHECK(now_mode() == gate_of(e.requested));
        ++checked;
        break;
      case event_status::not_applied:
      case event_status::blocked_positions_or_orders:
      case event_status::verify_mismatch:
        CHECK(now_mode() != gate_of(e.requested));
        ++checked;
        break;
      default:
        break;
    }
  }
  return checked;
}

}  // namespace

TEST_CASE("Gate start-up reports each settle account's position_mode") {
  component_harness h;
  const auto a = h.add_gate({product::gate_usdt, product::gate_btc}, 1);
  h.ex().set_gate_mode(test::gate_key(1), "usdt", gate_mode::dual);
  h.start();
  REQUIRE(h.wait_until([&] { return h.current_mode_events().size() >= 2; }));
  INFO(h.dump());
  const auto reports = h.current_mode_events();
  CHECK(reports.size() == 2);
  bool saw_usdt = false;
  bool saw_btc = false;
  for (const auto& e : reports) {
    CHECK(e.account == a);
    CHECK(e.venue_kind == venue::gate);
    CHECK(e.request_id == 0);
    CHECK(e.has_observed_mode);
    if (e.product_scope == product::gate_usdt) {
      saw_usdt = true;
      CHECK(e.observed_mode == hedge);
    } else {
      saw_btc = true;
      CHECK(e.product_scope == product::gate_btc);
      CHECK(e.observed_mode == one_way);
    }
  }
  CHECK(saw_usdt);
  CHECK(saw_btc);
  CHECK(h.count_requests("GET", usdt_accounts) >= 1);
  CHECK(h.count_requests("GET", "/api/v4/futures/btc/accounts") >= 1);
  CHECK(h.ex().gate_mode_of(test::gate_key(1), "usdt") == gate_mode::dual);
  CHECK(h.ex().gate_mode_of(test::gate_key(1), "btc") == gate_mode::single);
  h.check_invariants();
}

TEST_CASE("a Gate switch is applied on the 200's account object, and back") {
  component_harness h;
  const auto a = h.add_gate({product::gate_usdt}, 1);
  h.start();
  const auto e = h.terminal(h.request(a, hedge));
  INFO(h.dump());
  CHECK(e.status == event_status::applied);
  CHECK(e.venue_kind == venue::gate);
  CHECK(e.product_scope == product::gate_usdt);
  CHECK(e.http_status == 200);
  CHECK(!e.has_code);  // success carries no label
  CHECK(e.code == 0);
  CHECK(e.attempts == 1);
  CHECK(e.on_wire_ns >= e.trigger_ns);
  CHECK(h.ex().gate_mode_of(test::gate_key(1), "usdt") == gate_mode::dual);
  CHECK(h.ex().gate_mode_of(test::gate_key(1), "btc") == gate_mode::single);  // not in scope
  CHECK(check_claims(h) == 1);
  CHECK(h.terminal(h.request(a, one_way)).status == event_status::applied);
  CHECK(h.ex().gate_mode_of(test::gate_key(1), "usdt") == gate_mode::single);
  CHECK(h.count_requests("POST", std::string(usdt_set) + "?position_mode=dual") == 1);
  CHECK(h.count_requests("POST", std::string(usdt_set) + "?position_mode=single") == 1);
  CHECK(h.count_requests("POST", "/dual_mode") == 0);  // never the legacy form
  CHECK(check_claims(h) == 1);
  h.check_invariants();
}

TEST_CASE("two Gate settle accounts are switched in turn, usdt then btc") {
  component_harness h;
  h.add_gate({product::gate_usdt, product::gate_btc}, 1);
  h.start();
  const auto id = h.request(0, hedge);
  h.terminal(id);
  INFO(h.dump());
  const auto mine = h.events_of(id);
  REQUIRE(mine.size() == 2);
  CHECK(mine[0].product_scope == product::gate_usdt);
  CHECK(mine[0].status == event_status::applied);
  CHECK(!mine[0].terminal);
  CHECK(mine[1].product_scope == product::gate_btc);
  CHECK(mine[1].status == event_status::applied);
  CHECK(mine[1].terminal);
  // The mock saw the usdt set before the btc one.
  std::vector<std::string> sets;
  for (const auto& r : h.ex().request_log())
    if (r.method == "POST") sets.push_back(r.target);
  REQUIRE(sets.size() == 2);
  CHECK(sets[0].starts_with(usdt_set));
  CHECK(sets[1].starts_with(btc_set));
  CHECK(h.ex().gate_mode_of(test::gate_key(1), "usdt") == gate_mode::dual);
  CHECK(h.ex().gate_mode_of(test::gate_key(1), "btc") == gate_mode::dual);
  CHECK(check_claims(h) == 2);
  h.check_invariants();
}

TEST_CASE("Gate: the mode already in place is answered like a change, and posmode says applied") {
  // Gate documents no "already in that mode" answer (A-G4); the mock answers 200 with the
  // account object. posmode reports what Gate said (applied); the claim is still true.
  component_harness h;
  h.add_gate({product::gate_usdt}, 1, gate_mode::dual);
  h.config.accounts[0].verify_after_set = true;
  h.start();
  const auto id = h.request(0, hedge);
  const auto e = h.terminal(id);
  const auto v = h.verification(id);
  INFO(h.dump());
  CHECK(e.status == event_status::applied);
  CHECK(e.status != event_status::already_in_mode);
  CHECK(e.http_status == 200);
  CHECK(v.status == event_status::verified);
  CHECK(v.has_observed_mode);
  CHECK(v.observed_mode == hedge);
  CHECK(h.count_requests("POST", usdt_set) == 1);
  for (const auto& change : h.ex().mode_history())
    CHECK(!change.by_request);  // nothing changed at the venue
  CHECK(h.ex().gate_mode_of(test::gate_key(1), "usdt") == gate_mode::dual);
  CHECK(check_claims(h) == 1);
  h.check_invariants();
}

TEST_CASE("Gate POSITION_HOLDING: positions or orders, read back, never retried") {
  component_harness h;
  h.add_gate({product::gate_usdt}, 1);
  h.start();
  bool positions = true;
  std::string_view cause = "positions are held";
  SUBCASE("positions") {}
  SUBCASE("orders") {
    positions = false;
    cause = "orders are pending";
  }
  h.ex().set_gate_flags(test::gate_key(1), positions, !positions);
  const auto queries_before = h.count_requests("GET", usdt_accounts);
  const auto e = h.terminal(h.request(0, hedge));
  INFO(h.dump());
  CHECK(e.status == event_status::blocked_positions_or_orders);
  CHECK(e.http_status == 400);
  CHECK(e.code == 0);  // Gate's codes are labels
  CHECK(e.code_text == "POSITION_HOLDING");
  CHECK(e.message.view().find(cause) != std::string_view::npos);
  CHECK(e.has_observed_mode);
  CHECK(e.observed_mode == one_way);
  CHECK(e.attempts == 1);
  CHECK(h.count_requests("POST", usdt_set) == 1);
  CHECK(h.count_requests("GET", usdt_accounts) == queries_before + 1);
  CHECK(h.component().stats().retries == 0);
  CHECK(h.ex().gate_mode_of(test::gate_key(1), "usdt") == gate_mode::single);
  CHECK(check_claims(h) == 1);
  h.check_invariants();
}

TEST_CASE("refused Gate credentials end in auth_failed with the label in code_text") {
  component_harness h;
  const auto good = h.add_gate({product::gate_usdt}, 1);
  std::string_view label;
  SUBCASE("a wrong secret: INVALID_SIGNATURE") {
    h.add_settings(h.settings(venue::gate, {product::gate_usdt}, test::gate_key(1),
                              "wrongsecret0123456789abcdef0123456789abcdef0123456789abcdef01", ""));
    label = "INVALID_SIGNATURE";
  }
  SUBCASE("a key unknown to the venue: INVALID_KEY") {
    h.add_settings(
        h.settings(venue::gate, {product::gate_usdt}, test::gate_key(99), test::gate_secret, ""));
    label = "INVALID_KEY";
  }
  h.start();
  const auto e = h.terminal(h.request(1, hedge));
  INFO(h.dump());
  CHECK(e.status == event_status::auth_failed);
  CHECK(e.venue_kind == venue::gate);
  CHECK(e.http_status == 401);
  CHECK(e.code == 0);
  CHECK(e.code_text == label);
  CHECK(e.attempts == 1);
  CHECK(h.count_requests("POST", usdt_set) == 1);
  CHECK(h.ex().gate_mode_of(test::gate_key(1), "usdt") == gate_mode::single);
  CHECK(h.terminal(h.request(good, hedge)).status == event_status::applied);
  CHECK(h.ex().gate_mode_of(test::gate_key(1), "usdt") == gate_mode::dual);
  CHECK(check_claims(h) == 1);
  h.check_invariants();
}

TEST_CASE("a Gate clock moved over 60 s after start: REQUEST_EXPIRED, resync, applied") {
  component_harness h;
  std::chrono::milliseconds skew{0};
  SUBCASE("venue 90 s ahead") {
    skew = 90'000ms;
  }
  SUBCASE("venue 90 s behind") {
    skew = -90'000ms;
  }
  h.add_gate({product::gate_usdt}, 1);
  h.start();
  const auto before = h.component().stats();
  const auto time_probes = h.count_requests("GET", time_path);
  h.ex().set_clock_skew(skew);
  const auto e = h.terminal(h.request(0, hedge));
  INFO(h.dump());
  CHECK(e.status == event_status::applied);
  CHECK(e.attempts == 2);
  CHECK(h.count_requests("POST", usdt_set) == 2);
  bool saw_expired = false;
  for (const auto& r : h.ex().request_log())
    if (r.method == "POST" && r.outcome == "REQUEST_EXPIRED") saw_expired = true;
  CHECK(saw_expired);
  CHECK(h.count_requests("GET", time_path) > time_probes);
  CHECK(h.component().stats().clock_syncs > before.clock_syncs);
  CHECK(h.ex().gate_mode_of(test::gate_key(1), "usdt") == gate_mode::dual);
  CHECK(check_claims(h) == 1);
  h.check_invariants();
}

TEST_CASE("Gate 429 TOO_MANY_REQUESTS: the retry waits for X-Gate-RateLimit-Reset-Timestamp") {
  // One set per 10 s per key: the second set is refused with 429 and a reset time about 10 s
  // ahead. default_retry_after is 3 s, so a retry that ignored the header would be refused again.
  // The test moves posmode's clock, the venue's clock and the venue's rate window together;
  // nothing sleeps.
  mock::exchange_options options;
  options.gate_rate_limit = 1;
  test::shifted_clock time;  // before the harness: its loop thread reads this clock
  component_harness h(options);
  h.config.clock = engine::clock_ref(time);
  h.config.retry.default_retry_after = 3s;
  h.config.request_deadline = 30s;
  h.add_gate({product::gate_usdt}, 1);
  h.start();
  CHECK(h.terminal(h.request(0, hedge)).status == event_status::applied);
  const auto id = h.request(0, one_way);
  REQUIRE(h.wait_until([&] { return h.count_requests("POST", usdt_set) == 2; }));
  std::chrono::milliseconds moved{0};
  while (h.find_terminal(id) == nullptr && moved < 25s) {
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
  CHECK(h.count_requests("POST", usdt_set) == 3);
  // The retry waited for the reset time: the mock's window (one set per 10 s) refuses any set
  // sent before it, so a retry at the 3 s default would have drawn a second 429.
  std::size_t refusals = 0;
  for (const auto& r : h.ex().request_log())
    if (r.http_status == 429 && r.outcome == "TOO_MANY_REQUESTS") ++refusals;
  CHECK(refusals == 1);
  CHECK(h.component().stats().retries >= 1);
  CHECK(h.ex().gate_mode_of(test::gate_key(1), "usdt") == gate_mode::single);
  CHECK(check_claims(h) == 1);
  h.check_invariants();
}

TEST_CASE("a Gate open outcome is settled by reading position_mode back") {
  component_harness h;
  h.add_gate({product::gate_usdt}, 1);
  h.start();
  mock::fault_set faults;
  SUBCASE("500 SERVER_ERROR, the venue acted: confirmed") {
    faults.unknown_error_503 = true;
    faults.apply_change = true;
  }
  SUBCASE("500 SERVER_ERROR, the venue did not act: sent again (60 s window), applied") {
    faults.unknown_error_503 = true;
  }
  SUBCASE("dropped before the reply, the venue acted: confirmed") {
    faults.drop_before_reply = true;
    faults.apply_change = true;
  }
  SUBCASE("dropped before the reply, the venue did not act: sent again, applied") {
    faults.drop_before_reply = true;
  }
  SUBCASE("HTML 502, the venue acted: confirmed") {
    faults.html_502 = true;
    faults.apply_change = true;
  }
  SUBCASE("HTML 502, the venue did not act: sent again, applied") {
    faults.html_502 = true;
  }
  SUBCASE("an echo of the other mode, the change was made: confirmed") {
    faults.echo_other_mode = true;
    faults.apply_change = true;
  }
  const auto queries_before = h.component().stats().queries_sent;
  h.fault_next_set(test::gate_key(1), faults);
  const auto e = h.terminal(h.request(0, hedge));
  INFO(h.dump());
  const bool resent = !faults.apply_change;
  CHECK(e.status == (resent ? event_status::applied : event_status::confirmed));
  CHECK(e.attempts == (resent ? 2 : 1));
  CHECK(h.component().stats().queries_sent > queries_before);
  CHECK(h.count_requests("POST", usdt_set) == (resent ? 2U : 1U));
  CHECK(h.ex().gate_mode_of(test::gate_key(1), "usdt") == gate_mode::dual);
  CHECK(check_claims(h) == 1);
  h.check_invariants();
}

TEST_CASE("a Gate echo of the other mode with no change: read back, not_applied") {
  // A 200 whose account object names the other mode: the venue answered, so the set cannot land
  // later, and the read-back of the old mode is final.
  component_harness h;
  h.add_gate({product::gate_usdt}, 1);
  h.start();
  mock::fault_set faults;
  faults.echo_other_mode = true;
  h.fault_next_set(test::gate_key(1), faults);
  const auto e = h.terminal(h.request(0, hedge));
  INFO(h.dump());
  CHECK(e.status == event_status::not_applied);
  CHECK(e.has_observed_mode);
  CHECK(e.observed_mode == one_way);
  CHECK(e.attempts == 1);
  CHECK(h.count_requests("POST", usdt_set) == 1);
  CHECK(h.ex().gate_mode_of(test::gate_key(1), "usdt") == gate_mode::single);
  CHECK(check_claims(h) == 1);
  h.check_invariants();
}

TEST_CASE("a Gate reply dropped after it was written is still an answer: applied") {
  component_harness h;
  h.add_gate({product::gate_usdt}, 1);
  h.start();
  mock::fault_set faults;
  faults.drop_after_reply = true;
  h.fault_next_set(test::gate_key(1), faults);
  const auto e = h.terminal(h.request(0, hedge));
  INFO(h.dump());
  CHECK(e.status == event_status::applied);
  CHECK(e.attempts == 1);
  CHECK(h.count_requests("POST", usdt_set) == 1);
  CHECK(h.ex().gate_mode_of(test::gate_key(1), "usdt") == gate_mode::dual);
  CHECK(check_claims(h) == 1);
  // The next request gets a fresh connection and is applied too.
  CHECK(h.terminal(h.request(0, one_way)).status == event_status::applied);
  CHECK(h.ex().gate_mode_of(test::gate_key(1), "usdt") == gate_mode::single);
  h.check_invariants();
}

TEST_CASE("Gate split mode (dual_plus) is reported as itself, never as hedge or one-way") {
  component_harness h;
  mock::gate_account account;
  account.api_key = test::gate_key(1);
  account.secret = std::string(test::gate_secret);
  account.modes = {{"usdt", gate_mode::dual_plus}, {"btc", gate_mode::single}};
  std::string_view spelling = "dual_plus";
  SUBCASE("read back as dual_plus (API doc)") {}
  SUBCASE("read back as split (Go SDK doc)") {
    account.split_spelling = true;
    spelling = "split";
  }
  h.ex().add_gate_account(account);
  h.add_settings(h.settings(venue::gate, {product::gate_usdt, product::gate_btc}, account.api_key,
                            test::gate_secret, ""));
  h.start();
  REQUIRE(h.wait_until([&] { return h.current_mode_events().size() >= 2; }));
  INFO(h.dump());
  for (const auto& e : h.current_mode_events()) {
    if (e.product_scope == product::gate_usdt) {
      CHECK(!e.has_observed_mode);
      CHECK(e.message.view().find(spelling) != std::string_view::npos);
    } else {
      CHECK(e.has_observed_mode);
      CHECK(e.observed_mode == one_way);
    }
  }
  // A hedge request changes the split account to dual (the btc one was single: changed too).
  const auto id = h.request(0, hedge);
  const auto e = h.terminal(id);
  const auto mine = h.events_of(id);
  REQUIRE(mine.size() == 2);
  CHECK(mine[0].product_scope == product::gate_usdt);
  CHECK(mine[0].status == event_status::applied);
  CHECK(e.status == event_status::applied);
  CHECK(h.ex().gate_mode_of(account.api_key, "usdt") == gate_mode::dual);
  CHECK(h.ex().gate_mode_of(account.api_key, "btc") == gate_mode::dual);
  CHECK(check_claims(h) == 2);
  h.check_invariants();
}

TEST_CASE("Gate verify_after_set: a split read-back after the echo is verify_mismatch") {
  // The set is applied (the echo names dual), then someone sets dual_plus at the venue before
  // the verification reads the account: the read shows a mode posmode cannot express.
  component_harness h;
  h.add_gate({product::gate_usdt}, 1);
  h.config.accounts[0].verify_after_set = true;
  h.start();
  mock::exchange& ex = h.ex();
  auto fired = std::make_shared<std::atomic<bool>>(false);
  h.set_request_hook([&ex, fired](const mock::request_record& r) {
    // After the set's reply was decided, before it is written: the read-back comes later.
    if (r.method == "POST" && r.outcome == "ok" && !fired->exchange(true))
      ex.set_gate_mode(test::gate_key(1), "usdt", gate_mode::dual_plus);
  });
  const auto id = h.request(0, hedge);
  const auto e = h.terminal(id);
  const auto v = h.verification(id);
  INFO(h.dump());
  CHECK(e.status == event_status::applied);
  CHECK(v.status == event_status::verify_mismatch);
  CHECK(!v.has_observed_mode);
  CHECK(v.message.view().find("dual_plus") != std::string_view::npos);
  CHECK(h.ex().gate_mode_of(test::gate_key(1), "usdt") == gate_mode::dual_plus);
  // The verification's claim (not the requested mode) is what holds at the end.
  CHECK(check_claims(h) == 1);
  h.check_invariants();
}
