// The position-mode component against the mock exchange on coupled books (Binance's CM
// migration, docs/design.md "Coupled books"): a unified account's one set reported for both
// books and verified on both; a migrated account not configured unified whose CM moved with UM
// reported as such, never hidden; every claim true against the mock's final state.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "components/component_test_support.hpp"

using namespace posmode;
using components::event_status;
using components::product;
using components::venue;
using mock::binance_product;
using test::component_harness;
using namespace test::modes;

namespace {

const std::vector<product> papi{product::papi_um, product::papi_cm};

}  // namespace

TEST_CASE("unified PAPI: one set on UM, an event per book, both read back") {
  component_harness h;
  const auto a = h.add_binance(venue::binance_papi, papi, 1, mock_one_way, true);
  h.config.accounts[a].account.unified_position_mode = true;
  h.config.accounts[a].verify_after_set = true;
  h.start();
  const auto start = h.current_mode_events();
  REQUIRE(start.size() == 2);
  CHECK(start[0].coupled);
  CHECK(start[1].coupled);

  const auto id = h.request(a, hedge);
  const auto t = h.terminal(id);
  const auto v = h.verification(id);
  const auto events = h.events_of(id);
  INFO(h.dump());
  REQUIRE(events.size() == 3);
  CHECK(events[0].product_scope == product::papi_um);
  CHECK(events[0].status == event_status::applied);
  CHECK(events[0].coupled);
  CHECK(events[0].attempts == 1);
  CHECK(t.product_scope == product::papi_cm);
  CHECK(t.status == event_status::applied);
  CHECK(t.coupled);
  CHECK(t.attempts == 0);
  CHECK(t.message.view() == "by the um set (unified): success");
  CHECK(v.status == event_status::verified);
  CHECK(v.coupled);
  // One set, to UM; the verification read both books.
  CHECK(h.count_requests("POST", "/papi/v1/um/") == 1);
  CHECK(h.count_requests("POST", "/papi/v1/cm/") == 0);
  CHECK(h.count_requests("GET", "/papi/v1/cm/positionSide") == 2);  // start-up and verification
  CHECK(h.component().stats().set_requests_sent == 1);
  // True at the venue.
  CHECK(h.ex().binance_mode(test::binance_key(1), binance_product::papi_um) == mock_hedge);
  CHECK(h.ex().binance_mode(test::binance_key(1), binance_product::papi_cm) == mock_hedge);
  h.check_invariants();
}

TEST_CASE("unified PAPI: positions on the COIN-M side refuse both books") {
  component_harness h;
  const auto a = h.add_binance(venue::binance_papi, papi, 1, mock_one_way, true);
  h.config.accounts[a].account.unified_position_mode = true;
  h.ex().set_binance_coin_flags(test::binance_key(1), true, false);
  h.start();
  const auto id = h.request(a, hedge);
  const auto t = h.terminal(id);
  const auto events = h.events_of(id);
  INFO(h.dump());
  REQUIRE(events.size() == 2);
  CHECK(events[0].status == event_status::blocked_positions);
  CHECK(events[0].code == -4068);
  CHECK(t.product_scope == product::papi_cm);
  CHECK(t.status == event_status::blocked_positions);
  CHECK(h.ex().binance_mode(test::binance_key(1), binance_product::papi_cm) == mock_one_way);
  h.check_invariants();
}

TEST_CASE("unified PAPI: an answer lost after the venue acted is confirmed for both books") {
  component_harness h;
  const auto a = h.add_binance(venue::binance_papi, papi, 1, mock_one_way, true);
  h.config.accounts[a].account.unified_position_mode = true;
  h.config.accounts[a].account.recv_window_ms = 1'000;
  h.start();
  mock::fault_set faults;
  faults.drop_before_reply = true;
  faults.apply_change = true;
  h.fault_next_set(test::binance_key(1), faults);
  const auto id = h.request(a, hedge);
  const auto t = h.terminal(id);
  const auto events = h.events_of(id);
  INFO(h.dump());
  REQUIRE(events.size() == 2);
  CHECK(events[0].status == event_status::confirmed);
  CHECK(t.status == event_status::confirmed);
  CHECK(t.product_scope == product::papi_cm);
  CHECK(h.ex().binance_mode(test::binance_key(1), binance_product::papi_cm) == mock_hedge);
  h.check_invariants();
}

TEST_CASE("unified USDⓈ-M: the event is coupled and says COIN-M moved too") {
  component_harness h;
  const auto a = h.add_binance(venue::binance_usdm, {product::usdm}, 1, mock_one_way, true);
  h.config.accounts[a].account.unified_position_mode = true;
  h.start();
  const auto t = h.terminal(h.request(a, hedge));
  INFO(h.dump());
  CHECK(t.status == event_status::applied);
  CHECK(t.coupled);
  CHECK(t.message.view() == "coinm moved too (unified, not read): success");
  CHECK(h.ex().binance_mode(test::binance_key(1), binance_product::coinm) == mock_hedge);
  CHECK(h.count_requests("GET", "/dapi/") == 0);  // COIN-M is not read: dapi's host
  h.check_invariants();
}

TEST_CASE("a migrated PAPI account not configured unified: CM moved by UM's set is reported") {
  component_harness h;
  const auto a = h.add_binance(venue::binance_papi, papi, 1, mock_one_way, true);
  h.start();
  const auto id = h.request(a, hedge);
  const auto t = h.terminal(id);
  const auto events = h.events_of(id);
  INFO(h.dump());
  REQUIRE(events.size() == 2);
  CHECK(events[0].status == event_status::applied);
  CHECK_FALSE(events[0].coupled);
  // CM's own set found nothing to do: true, and the event says why.
  CHECK(t.status == event_status::already_in_mode);
  CHECK(t.code == -4059);
  CHECK(t.coupled);
  CHECK(t.attempts == 1);
  CHECK(t.message.view() ==
        "cm was one-way: the um set moved it too (CM migration? unified_position_mode)");
  CHECK(h.log().find("set unified_position_mode = true for this account") != std::string::npos);
  CHECK(h.lowest_log_level() <= components::log_level::warning);

  // The same request on an account from before the migration: each book its own set.
  component_harness before;
  const auto b = before.add_binance(venue::binance_papi, papi, 2);
  before.start();
  const auto bid = before.request(b, hedge);
  (void)before.terminal(bid);
  for (const auto& e : before.events_of(bid)) {
    CHECK(e.status == event_status::applied);
    CHECK_FALSE(e.coupled);
  }
  CHECK(before.log().find("unified_position_mode") == std::string::npos);
  h.check_invariants();
  before.check_invariants();
}

TEST_CASE("unified_position_mode on an account whose books read apart at start-up: a warning") {
  component_harness h;
  const auto a = h.add_binance(venue::binance_papi, papi, 1, mock_one_way, false);
  h.config.accounts[a].account.unified_position_mode = true;
  h.ex().set_binance_mode(test::binance_key(1), binance_product::papi_um, mock_hedge);
  h.start();
  INFO(h.log());
  CHECK(h.log().find("unified_position_mode is set, but um reads hedge and cm one-way") !=
        std::string::npos);
  h.check_invariants();
}
