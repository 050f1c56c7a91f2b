// request_machine on coupled books (Binance's CM migration, docs/design.md "Coupled books"):
// a unified account's one set reported for both books, the verification reading both back, and
// on an account not configured unified a book moved by its twin's set reported as such, never
// hidden. Times are milliseconds after the trigger; the request deadline is 8 s, an attempt 2 s.

#include <doctest/doctest.h>

#include <string>

#include "components/request_machine_support.hpp"
#include "request_machine.hpp"

namespace pc = posmode::components;
using pc::event_status;
using pc::outcome;
using pc::position_mode;
using pc::product;
using pc::venue;
using pc::test::machine_rig;
using request_state = pc::detail::request_machine::state;

namespace {

constexpr auto hedge = position_mode::hedge;
constexpr auto one_way = position_mode::one_way;

const std::vector<product> papi{product::papi_um, product::papi_cm};

}  // namespace

TEST_CASE("the rows: coupled twins share an open-set entry, and a unified CM follows UM's set") {
  machine_rig plain(venue::binance_papi, papi);
  CHECK_FALSE(plain.policy.unified);
  CHECK(plain.policy.open_slot[0] == 0);
  CHECK(plain.policy.open_slot[1] == 0);  // unified or not: a set on one may land on both
  CHECK(plain.policy.twin[0] == 1);
  CHECK(plain.policy.twin[1] == 0);
  CHECK_FALSE(plain.policy.follows[1]);

  machine_rig unified(venue::binance_papi, papi, false, true);
  CHECK(unified.policy.follows[1]);
  CHECK_FALSE(unified.policy.follows[0]);
  CHECK(unified.policy.unlisted_twin[0].empty());

  machine_rig usdm(venue::binance_usdm, {product::usdm}, false, true);
  CHECK(usdm.policy.twin[0] == pc::detail::no_twin);
  CHECK(usdm.policy.unlisted_twin[0] == "coinm");

  // A venue whose row couples nothing keeps one entry per product.
  machine_rig bitget(venue::bitget, {product::usdt_futures, product::coin_futures});
  CHECK(bitget.policy.open_slot[1] == 1);
  CHECK(bitget.policy.twin[0] == pc::detail::no_twin);
}

TEST_CASE("unified PAPI: one set on UM, an event for each book, CM's by UM's set") {
  machine_rig r(venue::binance_papi, papi, false, true);
  CHECK(r.machine.events_per_request() == 2);
  CHECK(r.begin(hedge) == "send_set um @2000");
  r.sent(0, 5'000);
  CHECK(r.answer(pc::test::answer_of(outcome::applied, "success"), 1) ==
        "publish applied | publish applied terminal | finish");
  REQUIRE(r.events.size() == 2);
  const pc::position_event& um = r.events[0];
  const pc::position_event& cm = r.events[1];
  CHECK(um.product_scope == product::papi_um);
  CHECK(um.coupled);
  CHECK(um.attempts == 1);
  CHECK_FALSE(um.terminal);
  CHECK(um.message.view() == "success");
  CHECK(cm.product_scope == product::papi_cm);
  CHECK(cm.coupled);
  CHECK(cm.attempts == 0);  // no set of its own was written
  CHECK(cm.terminal);
  CHECK(cm.message.view() == "by the um set (unified): success");
  CHECK(cm.on_wire_ns == um.on_wire_ns);
  CHECK(r.machine.events_left() == 0);
  // What the account now is, for the next request.
  CHECK(r.facts.known[0].known);
  CHECK(r.facts.known[1].known);
  CHECK(r.facts.known[1].mode == hedge);
}

TEST_CASE("unified PAPI: every outcome of UM's set is CM's too") {
  SUBCASE("a refusal ends both books, CM's event terminal") {
    machine_rig r(venue::binance_papi, papi, false, true);
    r.begin(one_way);
    r.sent(0, 5'000);
    CHECK(r.answer(outcome::blocked_positions, 1) ==
          "publish blocked_positions | publish blocked_positions terminal | finish");
    CHECK(r.events[1].product_scope == product::papi_cm);
    CHECK(r.events[1].coupled);
  }
  SUBCASE("an open outcome read back on UM: confirmed for both") {
    machine_rig r(venue::binance_papi, papi, false, true);
    r.begin(hedge);
    r.sent(0, 5'000);
    CHECK(r.answer(outcome::malformed, 1) == "send_query um @2001");
    r.sent(1);
    CHECK(r.read(hedge, 2) == "publish confirmed | publish confirmed terminal | finish");
    CHECK(r.events[1].has_observed_mode);  // UM's read, which is CM's on a migrated account
  }
  SUBCASE("the deadline with UM's set unanswered: unknown for both, and the set stays open") {
    machine_rig r(venue::binance_papi, papi, false, true);
    r.begin(hedge);
    r.sent(0, 9'000);
    CHECK(r.deadline(8'000) == "publish unknown | publish unknown terminal | finish");
    CHECK_FALSE(r.facts.known[1].known);
    // A later request for the other mode waits for it, whichever book it starts with.
    CHECK(r.begin(one_way, 8'100, 2) == "wait_until 9000");
  }
  SUBCASE("nothing sent at stop: rejected for both") {
    machine_rig r(venue::binance_papi, papi, false, true);
    r.facts.warm = false;
    r.begin(hedge);
    CHECK(r.stop(1) == "publish rejected | publish rejected terminal | finish");
    CHECK(r.events[1].message.view() == "by the um set (unified): not sent: the component stopped");
  }
}

TEST_CASE("unified PAPI with verify_after_set: both books are read back") {
  machine_rig r(venue::binance_papi, papi, true, true);
  CHECK(r.machine.events_per_request() == 3);
  r.begin(hedge);
  r.sent(0, 5'000);
  CHECK(r.answer(outcome::applied, 1) ==
        "publish applied | publish applied terminal | send_verify um @2001");
  r.sent(1);
  CHECK(r.read(hedge, 2) == "send_verify cm @2002");
  r.sent(2);
  CHECK(r.read(hedge, 3) == "publish verified verification | finish");
  CHECK(r.last().coupled);

  machine_rig m(venue::binance_papi, papi, true, true);
  m.begin(hedge);
  m.sent(0, 5'000);
  m.answer(outcome::applied, 1);
  m.sent(1);
  m.read(hedge, 2);
  m.sent(2);
  // The account is not migrated after all: the verification says so, naming CM.
  CHECK(m.read(one_way, 3) == "publish verify_mismatch verification | finish");
  CHECK(m.last().product_scope == product::papi_cm);
  CHECK(m.facts.known[1].mode == one_way);
}

TEST_CASE("unified USDⓈ-M: the event is coupled and says COIN-M moved too, unread") {
  machine_rig r(venue::binance_usdm, {product::usdm}, false, true);
  r.begin(hedge);
  r.sent(0, 5'000);
  CHECK(r.answer(pc::test::answer_of(outcome::applied, "success"), 1) ==
        "publish applied terminal | finish");
  CHECK(r.last().coupled);
  CHECK(r.last().message.view() == "coinm moved too (unified, not read): success");

  machine_rig b(venue::binance_usdm, {product::usdm}, false, true);
  b.begin(hedge);
  b.sent(0, 5'000);
  b.answer(pc::test::answer_of(outcome::blocked_orders, "open orders"), 1);
  CHECK(b.last().coupled);
  CHECK(b.last().message.view() == "open orders");  // nothing moved: nothing more to say
}

TEST_CASE(
    "not unified: CM found already in the mode right after UM's set is reported, not hidden") {
  SUBCASE("CM read one-way before, UM applied, CM -4059: coupled, with the story") {
    machine_rig r(venue::binance_papi, papi);
    r.facts.known[0] = {true, one_way};
    r.facts.known[1] = {true, one_way};
    r.begin(hedge);
    r.sent(0, 5'000);
    CHECK(r.answer(outcome::applied, 1) == "publish applied | send_set cm @2001");
    CHECK_FALSE(r.events[0].coupled);
    r.sent(1, 5'001);
    pc::venue_reply already = pc::test::answer_of(outcome::already_in_mode, "No need to change");
    already.has_code = true;
    already.code = -4059;
    CHECK(r.answer(already, 2) == "publish already_in_mode terminal | finish");
    CHECK(r.last().coupled);
    CHECK(r.last().status == event_status::already_in_mode);  // still true: CM is in hedge
    CHECK(r.last().code == -4059);
    CHECK(r.last().attempts == 1);
    CHECK(r.last().message.view() ==
          "cm was one-way: the um set moved it too (CM migration? unified_position_mode)");
  }
  SUBCASE("no evidence, no flag") {
    // CM never read: nothing says it was in the other mode.
    machine_rig unread(venue::binance_papi, papi);
    unread.begin(hedge);
    unread.sent(0, 5'000);
    unread.answer(outcome::applied, 1);
    unread.sent(1, 5'001);
    unread.answer(outcome::already_in_mode, 2);
    CHECK_FALSE(unread.last().coupled);
    // CM was already in the mode before: its -4059 is its own.
    machine_rig was(venue::binance_papi, papi);
    was.facts.known[0] = {true, one_way};
    was.facts.known[1] = {true, hedge};
    was.begin(hedge);
    was.sent(0, 5'000);
    was.answer(outcome::applied, 1);
    was.sent(1, 5'001);
    was.answer(outcome::already_in_mode, 2);
    CHECK_FALSE(was.last().coupled);
    // UM's set did not move UM (-4059 too): it moved nothing.
    machine_rig still(venue::binance_papi, papi);
    still.facts.known[1] = {true, one_way};
    still.begin(hedge);
    still.sent(0, 5'000);
    still.answer(outcome::already_in_mode, 1);
    still.sent(1, 5'001);
    still.answer(outcome::already_in_mode, 2);
    CHECK_FALSE(still.last().coupled);
  }
  SUBCASE("the claims of the request keep what the account is known to be") {
    machine_rig r(venue::binance_papi, papi);
    r.facts.known[1] = {true, one_way};
    r.begin(hedge);
    r.sent(0, 5'000);
    r.answer(outcome::applied, 1);
    r.sent(1, 5'001);
    r.answer(outcome::applied, 2);
    CHECK(r.facts.known[0].mode == hedge);
    CHECK(r.facts.known[1].mode == hedge);
    // A set whose fate is open makes the book unknown.
    r.begin(one_way, 100, 2);
    r.sent(100, 5'100);
    r.stop(101);
    CHECK_FALSE(r.facts.known[0].known);
  }
}

TEST_CASE("not unified: a CM set that may still land holds back UM's set for the other mode") {
  // On a migrated account CM's late set would flip UM under UM's new claim.
  machine_rig r(venue::binance_papi, papi);
  r.begin(hedge);
  r.sent(0, 5'000);
  r.answer(outcome::applied, 1);
  r.sent(1, 9'000);  // CM's set, never answered
  CHECK(r.deadline(8'000) == "publish unknown terminal | finish");
  CHECK(r.begin(one_way, 8'100, 2) == "wait_until 9000");
  CHECK(r.machine.current_state() == request_state::landing_wait);
  CHECK(r.wait_over(9'000) == "send_set um @11000");

  // Books a venue does not couple are independent, as before.
  machine_rig g(venue::bitget, {product::usdt_futures, product::coin_futures});
  g.begin(hedge);
  g.sent(0, 5'000);
  g.answer(outcome::applied, 1);
  g.sent(1, 9'000);
  g.deadline(8'000);
  CHECK(g.begin(one_way, 8'100, 2) == "send_set USDT-FUTURES @10100");
}
