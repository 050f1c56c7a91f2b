// request_machine without sockets: every row of docs/design.md's state-machine table, for both
// venue policies, as "these inputs give these steps and these events". Times are milliseconds
// after the trigger; the request deadline is 8 s, an attempt 2 s.

#include "request_machine.hpp"

#include <doctest/doctest.h>

#include <string>

#include "components/request_machine_support.hpp"

namespace pc = posmode::components;
using pc::event_status;
using pc::outcome;
using pc::position_mode;
using pc::product;
using pc::venue;
using pc::test::machine_rig;
using pc::test::send_refusal;
using request_state = pc::detail::request_machine::state;

namespace {

constexpr auto hedge = position_mode::hedge;
constexpr auto one_way = position_mode::one_way;

struct set_answer_row {
  outcome answer;
  const char* binance;  // steps after the set's answer at t=1, USDⓈ-M (no read-back)
  const char* bitget;   // the same for Bitget, which reads back every non-success answer
};

// The answer column of the table: what one set answer leads to, per venue policy.
const set_answer_row set_answer_rows[] = {
    {outcome::applied, "publish applied terminal | finish", "publish applied terminal | finish"},
    {outcome::already_in_mode, "publish already_in_mode terminal | finish",
     "publish already_in_mode terminal | finish"},
    {outcome::mode_reported, "publish venue_error terminal | finish",
     "send_query USDT-FUTURES @2001"},
    {outcome::ok, "publish venue_error terminal | finish", "send_query USDT-FUTURES @2001"},
    {outcome::blocked_positions, "publish blocked_positions terminal | finish",
     "publish blocked_positions terminal | finish"},
    {outcome::blocked_orders, "publish blocked_orders terminal | finish",
     "publish blocked_orders terminal | finish"},
    {outcome::blocked_um_cm_mismatch, "publish blocked_um_cm_mismatch terminal | finish",
     "publish blocked_um_cm_mismatch terminal | finish"},
    {outcome::blocked_positions_or_orders, "publish blocked_positions_or_orders terminal | finish",
     "send_query USDT-FUTURES @2001"},
    {outcome::clock_skew, "resync_clock", "resync_clock"},
    {outcome::bad_signature, "publish auth_failed terminal | finish",
     "send_query USDT-FUTURES @2001"},
    {outcome::key_or_permission, "publish auth_failed terminal | finish",
     "send_query USDT-FUTURES @2001"},
    {outcome::wrong_environment, "publish auth_failed terminal | finish",
     "send_query USDT-FUTURES @2001"},
    {outcome::rate_limited, "wait_until 1001", "wait_until 1001"},
    {outcome::ip_banned, "publish ip_banned terminal | finish",
     "publish ip_banned terminal | finish"},
    {outcome::unknown, "send_query usdm @2001", "send_query USDT-FUTURES @2001"},
    {outcome::venue_error, "publish venue_error terminal | finish",
     "send_query USDT-FUTURES @2001"},
    {outcome::malformed, "send_query usdm @2001", "send_query USDT-FUTURES @2001"},
    {outcome::mode_not_supported, "publish mode_not_supported terminal | finish",
     "publish mode_not_supported terminal | finish"},
};

}  // namespace

TEST_CASE("the answer table has one row per outcome, and each set answer leads where it says") {
  CHECK(std::size(set_answer_rows) == pc::detail::outcome_rules.size());
  for (const set_answer_row& row : set_answer_rows) {
    CAPTURE(pc::to_string(row.answer));
    machine_rig binance(venue::binance_usdm, {product::usdm});
    CHECK(binance.begin(hedge) == "send_set usdm @2000");
    CHECK(binance.sent(0, 5'000).empty());
    CHECK(binance.answer(row.answer, 1) == row.binance);

    machine_rig bitget(venue::bitget, {product::usdt_futures});
    CHECK(bitget.begin(hedge) == "send_set USDT-FUTURES @2000");
    CHECK(bitget.sent(0, 30'000).empty());
    CHECK(bitget.answer(row.answer, 1) == row.bitget);
  }
}

TEST_CASE("OKX's policy is Bitget's: every set answer but success is read back") {
  // OKX documents no "already in mode" answer (docs/venues.md §4.5), so its row reads back every
  // refusal; the same column of the table as Bitget's, on its one account-wide scope.
  CHECK(pc::facts_of(venue::okx).read_back_on_error);
  for (const set_answer_row& row : set_answer_rows) {
    CAPTURE(pc::to_string(row.answer));
    machine_rig okx(venue::okx, {product::okx_account});
    CHECK(okx.begin(hedge) == "send_set account @2000");
    CHECK(okx.sent(0, 30'000).empty());
    std::string expected = row.bitget;
    if (const auto at = expected.find("USDT-FUTURES"); at != std::string::npos)
      expected.replace(at, 12, "account");
    CHECK(okx.answer(row.answer, 1) == expected);
  }
}

TEST_CASE("OKX 59000 and an unrecognised refusal are settled by the read-back") {
  for (const outcome answer : {outcome::blocked_positions_or_orders, outcome::venue_error}) {
    CAPTURE(pc::to_string(answer));
    const bool blocked = answer == outcome::blocked_positions_or_orders;
    // The requested mode read back: the account is in it, whatever the refusal said.
    machine_rig in_mode(venue::okx, {product::okx_account});
    in_mode.begin(hedge);
    in_mode.sent(0, 30'000);
    CHECK(in_mode.answer(answer, 1) == "send_query account @2001");
    in_mode.sent(2);
    CHECK(in_mode.read(hedge, 3) == "publish confirmed terminal | finish");
    // The other mode: the refusal stands (blocked), or the set did nothing (not_applied); the
    // set was answered, so it cannot land later.
    machine_rig other(venue::okx, {product::okx_account});
    other.begin(hedge);
    other.sent(0, 30'000);
    other.answer(answer, 1);
    other.sent(2);
    CHECK(other.read(one_way, 3) == (blocked
                                         ? "publish blocked_positions_or_orders terminal | finish"
                                         : "publish not_applied terminal | finish"));
    CHECK(other.last().has_observed_mode);
    CHECK(other.last().observed_mode == one_way);
  }
  // "already_in_mode" is never claimed for OKX from a read-back: it says `confirmed`.
  machine_rig r(venue::okx, {product::okx_account});
  r.begin(one_way);
  r.sent(0, 30'000);
  r.answer(outcome::venue_error, 1);
  r.sent(2);
  r.read(one_way, 3);
  CHECK(r.last().status == event_status::confirmed);
}

TEST_CASE("a success publishes the answer's code and message, the attempts and the times") {
  machine_rig r(venue::binance_usdm, {product::usdm});
  r.begin(one_way, 0, 42);
  r.sent(2, 5'000);
  pc::venue_reply ok = pc::test::answer_of(outcome::applied, "success");
  ok.http_status = 200;
  ok.has_code = true;
  ok.code = 200;
  CHECK(r.answer(ok, 7) == "publish applied terminal | finish");
  const pc::position_event& e = r.last();
  CHECK(e.request_id == 42);
  CHECK(e.account == 3);
  CHECK(e.venue_kind == venue::binance_usdm);
  CHECK(e.product_scope == product::usdm);
  CHECK(e.requested == one_way);
  CHECK(e.attempts == 1);
  CHECK(e.http_status == 200);
  CHECK(e.code == 200);
  CHECK(e.message.view() == "success");
  CHECK(e.on_wire_ns == 2 * pc::test::ms);
  CHECK(e.response_ns == 7 * pc::test::ms);
  CHECK_FALSE(r.machine.active());
  CHECK(r.machine.events_left() == 0);
}

TEST_CASE("a timestamp refusal resyncs the clock and retries once") {
  machine_rig r(venue::binance_usdm, {product::usdm});
  r.begin(hedge);
  r.sent(0, 5'000);
  CHECK(r.answer(outcome::clock_skew, 1) == "resync_clock");
  CHECK(r.machine.current_state() == request_state::resyncing);
  CHECK(r.synced(3) == "send_set usdm @2003");
  r.sent(3, 5'003);
  CHECK(r.answer(outcome::clock_skew, 4) == "publish clock_skew terminal | finish");
  CHECK(r.last().attempts == 2);

  machine_rig again(venue::binance_usdm, {product::usdm});
  again.begin(hedge);
  again.sent(0, 5'000);
  again.answer(outcome::clock_skew, 1);
  again.synced(3);
  again.sent(3, 5'003);
  CHECK(again.answer(outcome::applied, 4) == "publish applied terminal | finish");
  CHECK(again.last().attempts == 2);

  machine_rig off(venue::binance_usdm, {product::usdm});
  off.policy.resync_on_clock_skew = false;
  off.begin(hedge);
  off.sent(0, 5'000);
  CHECK(off.answer(outcome::clock_skew, 1) == "publish clock_skew terminal | finish");
}

TEST_CASE("a 429 waits Retry-After within the deadline, at most max_rate_limit_retries times") {
  machine_rig r(venue::binance_usdm, {product::usdm});
  r.begin(hedge);
  r.sent(0, 5'000);
  pc::venue_reply limited = pc::test::answer_of(outcome::rate_limited);
  limited.retry_after_ms = 500;
  CHECK(r.answer(limited, 1) == "wait_until 501");
  CHECK(r.machine.current_state() == request_state::rate_waiting);
  CHECK(r.wait_over(501) == "send_set usdm @2501");
  r.sent(501, 5'501);
  CHECK(r.answer(limited, 502) == "wait_until 1002");
  CHECK(r.wait_over(1'002) == "send_set usdm @3002");
  r.sent(1'002, 6'002);
  CHECK(r.answer(limited, 1'003) == "publish rate_limited terminal | finish");
  CHECK(r.last().attempts == 3);

  // A Retry-After past the deadline ends the request at once.
  machine_rig late(venue::binance_usdm, {product::usdm});
  late.begin(hedge);
  late.sent(0, 5'000);
  limited.retry_after_ms = 9'000;
  CHECK(late.answer(limited, 1) == "publish rate_limited terminal | finish");

  machine_rig off(venue::bitget, {product::usdt_futures});
  off.policy.wait_on_rate_limit = false;
  off.begin(hedge);
  off.sent(0, 30'000);
  CHECK(off.answer(outcome::rate_limited, 1) == "publish rate_limited terminal | finish");
}

TEST_CASE("an open outcome is settled by reading the mode back") {
  SUBCASE("the requested mode read back is confirmed at once") {
    machine_rig r(venue::binance_usdm, {product::usdm});
    r.begin(hedge);
    r.sent(0, 5'000);
    CHECK(r.answer(pc::test::answer_of(outcome::unknown, "Unknown error"), 1) ==
          "send_query usdm @2001");
    CHECK(r.sent(1).empty());
    CHECK(r.read(hedge, 2) == "publish confirmed terminal | finish");
    CHECK(r.last().message.view() == "Unknown error");  // the open answer's own text
    CHECK(r.last().has_observed_mode);
    CHECK(r.last().observed_mode == hedge);
  }
  SUBCASE("the other mode read back once the set can no longer land is not_applied") {
    machine_rig r(venue::binance_usdm, {product::usdm});
    r.begin(hedge);
    r.sent(0, 5);
    r.answer(outcome::malformed, 1);
    r.sent(1);
    CHECK(r.read(one_way, 10) == "publish not_applied terminal | finish");
  }
  SUBCASE("the other mode read back while the set may land waits and reads again") {
    machine_rig r(venue::binance_usdm, {product::usdm});
    r.begin(hedge);
    r.sent(0, 5'000);
    r.answer(outcome::malformed, 1);
    r.sent(1);
    CHECK(r.read(one_way, 2) == "wait_until 5000");
    CHECK(r.machine.current_state() == request_state::settling);
    CHECK(r.wait_over(5'000) == "send_query usdm @7000");
    r.sent(5'000);
    CHECK(r.read(one_way, 5'001) == "publish not_applied terminal | finish");
  }
  SUBCASE("past the deadline the same set is sent once more; failing that, unknown") {
    machine_rig r(venue::binance_usdm, {product::usdm});
    r.begin(hedge);
    r.sent(0, 9'000);
    r.answer(outcome::malformed, 1);
    r.sent(1);
    CHECK(r.read(one_way, 2) == "send_set usdm @2002");
    r.sent(2, 9'002);
    CHECK(r.answer(outcome::applied, 3) == "publish applied terminal | finish");
    CHECK(r.last().attempts == 2);

    machine_rig u(venue::binance_usdm, {product::usdm});
    u.begin(hedge);
    u.sent(0, 9'000);
    u.answer(outcome::malformed, 1);
    u.sent(1);
    u.read(one_way, 2);
    u.sent(2, 9'002);
    CHECK(u.answer(outcome::malformed, 3) == "send_query usdm @2003");
    u.sent(3);
    CHECK(u.read(one_way, 4) == "publish unknown terminal | finish");
    CHECK(u.last().message.view().starts_with("read back the other mode"));
  }
  SUBCASE("a query that gets no answer is repeated once, then both causes are reported") {
    machine_rig r(venue::binance_usdm, {product::usdm});
    r.begin(hedge);
    r.sent(0, 5'000);
    r.answer(pc::test::answer_of(outcome::unknown, "Unknown error"), 1);
    r.sent(1);
    CHECK(r.answer(outcome::malformed, 2) == "send_query usdm @2002");
    r.sent(2);
    CHECK(r.answer(pc::test::answer_of(outcome::malformed, "peer closed"), 3) ==
          "publish unknown terminal | finish");
    CHECK(r.last().message.view() == "Unknown error; mode query: malformed (peer closed)");
  }
}

TEST_CASE("Bitget: a recognised refusal read back in the other mode keeps its own status") {
  const struct {
    outcome answer;
    event_status other_mode;
  } rows[] = {
      {outcome::key_or_permission, event_status::auth_failed},
      {outcome::bad_signature, event_status::auth_failed},
      {outcome::wrong_environment, event_status::auth_failed},
      {outcome::blocked_positions_or_orders, event_status::blocked_positions_or_orders},
      {outcome::venue_error, event_status::not_applied},
      {outcome::mode_reported, event_status::not_applied},
  };
  for (const auto& row : rows) {
    CAPTURE(pc::to_string(row.answer));
    machine_rig other(venue::bitget, {product::usdt_futures});
    other.begin(hedge);
    other.sent(0, 30'000);
    other.answer(row.answer, 1);
    other.sent(1);
    other.read(one_way, 2);
    CHECK(other.last().status == row.other_mode);
    CHECK(other.last().terminal);

    machine_rig same(venue::bitget, {product::usdt_futures});
    same.begin(hedge);
    same.sent(0, 30'000);
    same.answer(row.answer, 1);
    same.sent(1);
    CHECK(same.read(hedge, 2) == "publish confirmed terminal | finish");
  }
}

TEST_CASE("Bitget: a success whose echo names the other mode is read back") {
  machine_rig r(venue::bitget, {product::usdt_futures});
  r.begin(hedge);
  r.sent(0, 30'000);
  pc::venue_reply echo = pc::test::answer_of(outcome::applied);
  echo.verify_by_query = true;
  CHECK(r.answer(echo, 1) == "send_query USDT-FUTURES @2001");
  r.sent(1);
  CHECK(r.read(one_way, 2) == "publish not_applied terminal | finish");
}

TEST_CASE("Gate: a mode read back that is neither hedge nor one-way is never the requested one") {
  // What the classifier makes of position_mode "dual_plus": a mode read, without a value.
  pc::venue_reply split = pc::test::answer_of(outcome::mode_reported, "position_mode dual_plus");
  split.kind = pc::request_kind::query_mode;
  split.has_mode = false;

  machine_rig r(venue::gate, {product::gate_usdt});
  r.begin(hedge);
  r.sent(0, 30'000);
  CHECK(r.answer(pc::test::answer_of(outcome::venue_error, "no change"), 1) ==
        "send_query usdt @2001");
  r.sent(1);
  CHECK(r.answer(split, 2) == "publish not_applied terminal | finish");
  CHECK_FALSE(r.last().has_observed_mode);
  CHECK(r.last().message.view() == "read back: position_mode dual_plus (no change)");

  // A recognised refusal keeps its status, and the message still names what was read.
  machine_rig blocked(venue::gate, {product::gate_usdt});
  blocked.begin(one_way);
  blocked.sent(0, 30'000);
  blocked.answer(pc::test::answer_of(outcome::blocked_positions_or_orders, "holding"), 1);
  blocked.sent(1);
  CHECK(blocked.answer(split, 2) == "publish blocked_positions_or_orders terminal | finish");
  CHECK(blocked.last().message.view().starts_with("read back: position_mode dual_plus"));

  // Verification after a success: a split read is a mismatch with no observed mode.
  machine_rig verify(venue::gate, {product::gate_usdt}, true);
  verify.begin(hedge);
  verify.sent(0, 30'000);
  verify.answer(outcome::applied, 1);
  verify.sent(1);
  CHECK(verify.answer(split, 2) == "publish verify_mismatch verification | finish");
  CHECK_FALSE(verify.last().has_observed_mode);
  CHECK(verify.last().message.view() == "position_mode dual_plus");
}

TEST_CASE("PAPI switches UM then CM: UM's event is not terminal, a CM failure ends there") {
  machine_rig r(venue::binance_papi, {product::papi_um, product::papi_cm});
  CHECK(r.machine.events_per_request() == 2);
  r.begin(one_way);
  r.sent(0, 5'000);
  CHECK(r.answer(outcome::applied, 1) == "publish applied | send_set cm @2001");
  CHECK(r.events.back().product_scope == product::papi_um);
  CHECK_FALSE(r.events.back().terminal);
  r.sent(1, 5'001);
  CHECK(r.answer(outcome::blocked_positions, 2) == "publish blocked_positions terminal | finish");
  CHECK(r.last().product_scope == product::papi_cm);
  CHECK(r.last().attempts == 1);

  machine_rig both(venue::binance_papi, {product::papi_um, product::papi_cm});
  both.begin(hedge);
  both.sent(0, 5'000);
  both.answer(outcome::already_in_mode, 1);
  both.sent(1, 5'001);
  CHECK(both.answer(outcome::applied, 2) == "publish applied terminal | finish");
  CHECK(both.events.size() == 2);
  CHECK(both.events[0].status == event_status::already_in_mode);
}

TEST_CASE("verify after set: one verification event per request, per product read in turn") {
  machine_rig r(venue::binance_papi, {product::papi_um, product::papi_cm}, true);
  CHECK(r.machine.events_per_request() == 3);
  r.begin(hedge);
  r.sent(0, 5'000);
  r.answer(outcome::applied, 1);
  r.sent(1, 5'001);
  CHECK(r.answer(outcome::applied, 2) == "publish applied terminal | send_verify um @2002");
  r.sent(2);
  CHECK(r.read(one_way, 3) == "send_verify cm @2003");
  r.sent(3);
  CHECK(r.read(hedge, 4) == "publish verify_mismatch verification | finish");
  CHECK(r.last().product_scope == product::papi_um);  // where the mismatch was
  CHECK(r.last().observed_mode == one_way);

  machine_rig ok(venue::binance_usdm, {product::usdm}, true);
  ok.begin(hedge);
  ok.sent(0, 5'000);
  ok.answer(outcome::applied, 1);
  ok.sent(1);
  CHECK(ok.answer(outcome::malformed, 2) == "send_verify usdm @2002");
  ok.sent(2);
  CHECK(ok.read(hedge, 3) == "publish verified verification | finish");

  machine_rig failed(venue::binance_usdm, {product::usdm}, true);
  failed.begin(hedge);
  failed.sent(0, 5'000);
  failed.answer(outcome::applied, 1);
  failed.sent(1);
  CHECK(failed.answer(outcome::key_or_permission, 2) == "publish unknown verification | finish");
}

TEST_CASE("what the account's facts say before anything is sent") {
  SUBCASE("not warm: the request waits, and goes when the warm-up ends") {
    machine_rig r(venue::binance_usdm, {product::usdm});
    r.facts.warm = false;
    CHECK(r.begin(hedge).empty());
    CHECK(r.machine.current_state() == request_state::waiting);
    r.facts.warm = true;
    CHECK(r.ready(5) == "send_set usdm @2005");
  }
  SUBCASE("banned: ip_banned at once, nothing sent") {
    machine_rig r(venue::binance_usdm, {product::usdm});
    r.facts.banned = true;
    CHECK(r.begin(hedge) == "publish ip_banned terminal | finish");
    CHECK(r.last().message.view() == pc::detail::ban_reason);
  }
  SUBCASE("banned while a retry waited: ip_banned, and it is the retry that was not sent") {
    machine_rig r(venue::binance_usdm, {product::usdm});
    r.begin(hedge);
    r.sent(0, 5'000);
    CHECK(r.answer(outcome::rate_limited, 1) == "wait_until 1001");
    r.facts.banned = true;  // another account's answer banned the host meanwhile
    CHECK(r.wait_over(1'001) == "publish ip_banned terminal | finish");
    CHECK(r.last().attempts == 1);
    CHECK(r.last().message.view() == "retry " + std::string(pc::detail::ban_reason));
  }
  SUBCASE("certificate never verified and no connection: tls_verification_failed, with the cause") {
    machine_rig r(venue::binance_usdm, {product::usdm});
    r.facts.tls_unverified = true;
    r.facts.unreachable_cause = "fapi.binance.com:443: certificate verify failed: self-signed";
    CHECK(r.begin(hedge) == "publish tls_verification_failed terminal | finish");
    CHECK(r.last().message.view() == r.facts.unreachable_cause);
  }
  SUBCASE("an earlier set for the other mode may still land: wait for it, or give up") {
    machine_rig r(venue::binance_usdm, {product::usdm});
    r.begin(hedge);
    r.sent(0, 3'000);
    CHECK(r.stop(1) == "publish unknown terminal | finish");  // unanswered: it may land
    CHECK(r.begin(one_way, 10, 2) == "wait_until 3000");
    CHECK(r.machine.current_state() == request_state::landing_wait);
    CHECK(r.wait_over(3'000) == "send_set usdm @5000");
    r.sent(3'000, 8'000);
    r.answer(outcome::applied, 3'001);
    // The same mode does not wait.
    CHECK(r.begin(hedge, 3'100, 3) == "send_set usdm @5100");
    r.sent(3'100, 12'000);
    r.stop(3'101);
    // Past the deadline of the next one: unknown, nothing sent.
    CHECK(r.begin(one_way, 3'200, 4) == "publish unknown terminal | finish");
    CHECK(r.last().message.view().starts_with("not sent: an earlier set"));
    CHECK(r.last().on_wire_ns == 0);
  }
}

TEST_CASE("a refused send waits for a connection, or ends the request with the cause") {
  machine_rig r(venue::binance_usdm, {product::usdm});
  r.begin(hedge);
  CHECK(r.refused(send_refusal::no_connection, 0).empty());
  CHECK(r.machine.current_state() == request_state::waiting);
  CHECK(r.ready(4) == "send_set usdm @2004");
  CHECK(r.refused(send_refusal::transport, 4, "broken pipe") ==
        "publish transport_error terminal | finish");
  CHECK(r.last().message.view() == "broken pipe");

  machine_rig b(venue::bitget, {product::usdt_futures});
  b.begin(hedge);
  CHECK(b.refused(send_refusal::build_failed, 0, "signing failed") ==
        "publish rejected terminal | finish");
  CHECK(b.last().message.view() == "signing failed");
}

TEST_CASE("the deadline, in each state") {
  SUBCASE("nothing sent: timeout, with the connection's cause when none is up") {
    machine_rig r(venue::binance_usdm, {product::usdm});
    r.begin(hedge);
    r.refused(send_refusal::no_connection, 0);
    CHECK(r.deadline(7'999).empty());  // not yet
    CHECK(r.deadline(8'000) == "publish timeout terminal | finish");
    CHECK(r.last().message.view().starts_with("not sent: the deadline passed"));

    machine_rig c(venue::binance_usdm, {product::usdm});
    c.begin(hedge);
    c.refused(send_refusal::no_connection, 0);
    c.facts.unreachable_cause = "fapi.binance.com:443: connection refused";
    c.deadline(8'000);
    CHECK(c.last().message.view() == "not sent: fapi.binance.com:443: connection refused");
  }
  SUBCASE("every set step carries the request deadline as its latest start") {
    machine_rig r(venue::binance_usdm, {product::usdm});
    CHECK(r.begin(hedge, 100) == "send_set usdm @2100");
    CHECK(r.latest_start_ms == 8'100);
    r.sent(100, 5'000);
    r.answer(outcome::rate_limited, 101);
    CHECK(r.wait_over(1'101) == "send_set usdm @3101");
    CHECK(r.latest_start_ms == 8'100);  // a retry does not move it
  }
  SUBCASE("a set the pool found too late to start: timeout, nothing sent") {
    // The driver's clock said "in time", the pool's read just before the write did not.
    machine_rig r(venue::binance_usdm, {product::usdm});
    r.begin(hedge);
    CHECK(r.deadline(8'000) == "publish timeout terminal | finish");
    CHECK(r.last().attempts == 0);
    CHECK(r.last().on_wire_ns == 0);
    CHECK(r.last().message.view().starts_with("not sent: the deadline passed"));
  }
  SUBCASE("set on the wire: unknown, and later requests for the other mode wait for it") {
    machine_rig r(venue::binance_usdm, {product::usdm});
    r.begin(hedge);
    r.sent(0, 10'000);
    CHECK(r.deadline(8'000) == "publish unknown terminal | finish");
    CHECK(r.begin(one_way, 8'001, 2) == "wait_until 10000");
  }
  SUBCASE("reading back an open answer: unknown, the reason first") {
    machine_rig r(venue::binance_usdm, {product::usdm});
    r.begin(hedge);
    r.sent(0, 10'000);
    r.answer(pc::test::answer_of(outcome::unknown, "Unknown error"), 1);
    r.sent(1);
    CHECK(r.deadline(8'000) == "publish unknown terminal | finish");
    CHECK(r.last().message.view().starts_with("deadline passed: the set was sent"));
    CHECK(r.last().message.view().ends_with("(Unknown error)"));
  }
  SUBCASE("waiting on a 429 after an answered set: timeout") {
    machine_rig r(venue::binance_usdm, {product::usdm});
    r.begin(hedge);
    r.sent(0, 5'000);
    r.answer(outcome::rate_limited, 1);
    CHECK(r.deadline(8'000) == "publish timeout terminal | finish");
    CHECK(r.wait_over(8'001).empty());  // the request is over
  }
  SUBCASE("resyncing: timeout; a late clock sync changes nothing") {
    machine_rig r(venue::binance_usdm, {product::usdm});
    r.begin(hedge);
    r.sent(0, 5'000);
    r.answer(outcome::clock_skew, 1);
    CHECK(r.deadline(8'000) == "publish timeout terminal | finish");
    CHECK(r.synced(8'001).empty());
  }
  SUBCASE("verifying: the verification times out") {
    machine_rig r(venue::binance_usdm, {product::usdm}, true);
    r.begin(hedge);
    r.sent(0, 5'000);
    r.answer(outcome::applied, 1);
    r.sent(1);
    CHECK(r.deadline(8'000) == "publish timeout verification | finish");
  }
  SUBCASE("a trigger taken after its deadline sends nothing") {
    machine_rig r(venue::binance_usdm, {product::usdm});
    CHECK(r.begin(hedge, 0, 1, 8'000) == "publish timeout terminal | finish");
    CHECK(r.last().on_wire_ns == 0);
  }
}

TEST_CASE("stop(), in each state, ends the request with what can be said") {
  machine_rig waiting(venue::binance_usdm, {product::usdm});
  waiting.begin(hedge);
  waiting.refused(send_refusal::no_connection, 0);
  CHECK(waiting.stop(1) == "publish rejected terminal | finish");
  CHECK(waiting.last().message.view() == "not sent: the component stopped");

  machine_rig on_wire(venue::binance_usdm, {product::usdm});
  on_wire.begin(hedge);
  on_wire.sent(0, 5'000);
  CHECK(on_wire.stop(1) == "publish unknown terminal | finish");

  machine_rig answered(venue::binance_usdm, {product::usdm});
  answered.begin(hedge);
  answered.sent(0, 5'000);
  answered.answer(outcome::rate_limited, 1);
  CHECK(answered.stop(2) == "publish transport_error terminal | finish");

  machine_rig reading(venue::bitget, {product::usdt_futures});
  reading.begin(hedge);
  reading.sent(0, 30'000);
  reading.answer(pc::test::answer_of(outcome::malformed, "truncated"), 1);
  reading.sent(1);
  CHECK(reading.stop(2) == "publish unknown terminal | finish");
  CHECK(reading.last().message.view().ends_with("(truncated)"));

  machine_rig verifying(venue::binance_usdm, {product::usdm}, true);
  verifying.begin(hedge);
  verifying.sent(0, 5'000);
  verifying.answer(outcome::applied, 1);
  CHECK(verifying.stop(2) == "publish unknown verification | finish");

  machine_rig idle(venue::binance_usdm, {product::usdm});
  CHECK(idle.stop(0).empty());
}

TEST_CASE("every request ends in exactly one finish after exactly one terminal event") {
  // A walk over many input orders: whatever comes, one terminal event and one finish.
  const outcome answers[] = {outcome::applied,      outcome::unknown,    outcome::malformed,
                             outcome::rate_limited, outcome::clock_skew, outcome::venue_error,
                             outcome::mode_reported};
  for (venue v : {venue::binance_papi, venue::bitget, venue::okx}) {
    for (outcome first : answers) {
      for (outcome second : answers) {
        CAPTURE(pc::to_string(first));
        CAPTURE(pc::to_string(second));
        const std::vector<product> products =
            v == venue::bitget ? std::vector{product::usdt_futures}
            : v == venue::okx  ? std::vector{product::okx_account}
                               : std::vector{product::papi_um, product::papi_cm};
        machine_rig r(v, products, true);
        std::string steps = r.begin(hedge);
        std::int64_t t = 0;
        for (int i = 0; i < 40 && r.machine.active(); ++i) {
          t += 100;
          if (steps.find("send_") != std::string::npos) {
            r.sent(t, t + 1'000);
            steps = (i % 2 == 0) ? r.answer(first, t + 1) : r.answer(second, t + 1);
          } else if (steps.find("wait_until") != std::string::npos) {
            steps = r.wait_over(t + 1'000);
            t += 1'000;
          } else if (steps.find("resync_clock") != std::string::npos) {
            steps = r.synced(t);
          } else {
            steps = r.deadline(8'000);
          }
        }
        if (r.machine.active()) r.deadline(8'000);
        CHECK_FALSE(r.machine.active());
        CHECK(r.finishes == 1);
        std::size_t terminal = 0;
        for (const auto& e : r.events)
          terminal += e.terminal ? 1 : 0;
        CHECK(terminal == 1);
        CHECK(r.events.size() + r.machine.events_left() == r.machine.events_per_request());
      }
    }
  }
}

TEST_CASE("inputs that do not fit the state give no steps") {
  machine_rig r(venue::binance_usdm, {product::usdm});
  CHECK(r.answer(outcome::applied, 0).empty());
  CHECK(r.wait_over(0).empty());
  CHECK(r.synced(0).empty());
  CHECK(r.deadline(9'000).empty());
  CHECK(r.sent(0).empty());
  r.begin(hedge);
  r.sent(0, 5'000);
  CHECK(r.sent(1).empty());       // already on the wire
  CHECK(r.ready(1).empty());      // not waiting for a connection
  CHECK(r.wait_over(1).empty());  // no wait running
  CHECK(r.machine.current_state() == request_state::set_sent);
}
