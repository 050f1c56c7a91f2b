// The position-mode component against the mock exchange: the venue's direct answers (applied,
// already in mode, blocked, -4220, refused credentials), start-up reports and verification.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "components/component_test_support.hpp"

using namespace posmode;
using components::event_status;
using components::position_event;
using components::product;
using components::venue;
using mock::binance_product;
using test::component_harness;
using namespace test::modes;

namespace {

// The stages of a request that reached the venue, in the order they happened.
void check_timestamps(const position_event& e) {
  CHECK(e.trigger_ns > 0);
  CHECK(e.on_wire_ns >= e.trigger_ns);
  CHECK(e.response_ns >= e.on_wire_ns);
  CHECK(e.published_ns >= e.response_ns);
}

}  // namespace

TEST_CASE("start-up publishes the current mode of every account and product") {
  component_harness h;
  const auto pm = h.add_binance(venue::binance_papi, {product::papi_um, product::papi_cm}, 1);
  const auto usdm = h.add_binance(venue::binance_usdm, {product::usdm}, 2, mock_hedge);
  const auto bg = h.add_bitget({product::usdt_futures, product::coin_futures}, 3);
  h.ex().set_binance_mode(test::binance_key(1), binance_product::papi_um, mock_hedge);
  h.ex().set_binance_mode(test::binance_key(1), binance_product::papi_cm, mock_hedge);
  h.ex().set_bitget_mode(test::bitget_key(3), "COIN-FUTURES", mock_hedge);
  h.start();
  INFO(h.dump());
  REQUIRE(h.wait_until([&] { return h.current_mode_events().size() >= 5; }));
  const auto reports = h.current_mode_events();
  CHECK(reports.size() == 5);
  auto observed = [&](std::size_t account, product p) {
    for (const auto& e : reports) {
      if (e.account == account && e.product_scope == p) {
        CHECK(e.request_id == 0);
        CHECK(e.has_observed_mode);
        return e.observed_mode;
      }
    }
    FAIL("no current_mode event for account " << account << " " << components::to_string(p));
    return one_way;
  };
  CHECK(observed(pm, product::papi_um) == hedge);
  CHECK(observed(pm, product::papi_cm) == hedge);
  CHECK(observed(usdm, product::usdm) == hedge);
  CHECK(observed(bg, product::usdt_futures) == one_way);
  CHECK(observed(bg, product::coin_futures) == hedge);
  CHECK(h.component().account_count() == 3);
  CHECK(h.component().find_account("acct1") == usdm);
  CHECK(!h.component().find_account("nope"));
  h.check_invariants();
}

TEST_CASE("a set request the venue applies ends in applied") {
  component_harness h;
  SUBCASE("Binance USD-M") {
    h.add_binance(venue::binance_usdm, {product::usdm}, 1);
    h.start();
    const auto id = h.request(0, hedge);
    const auto e = h.terminal(id);
    INFO(h.dump());
    CHECK(e.status == event_status::applied);
    CHECK(e.product_scope == product::usdm);
    CHECK(e.requested == hedge);
    CHECK(e.attempts == 1);
    CHECK(e.http_status == 200);
    CHECK(!e.verification);
    check_timestamps(e);
    CHECK(h.ex().binance_mode(test::binance_key(1), binance_product::usdm) == mock_hedge);
    // And back again on the same warm connection.
    const auto back = h.terminal(h.request(0, one_way));
    CHECK(back.status == event_status::applied);
    CHECK(h.ex().binance_mode(test::binance_key(1), binance_product::usdm) == mock_one_way);
    const auto stats = h.component().stats();
    CHECK(stats.requests_accepted == 2);
    CHECK(stats.set_requests_sent == 2);
    CHECK(stats.trigger_to_event.count == 2);
  }
  SUBCASE("Binance COIN-M") {
    h.add_binance(venue::binance_coinm, {product::coinm}, 1);
    h.start();
    const auto e = h.terminal(h.request(0, hedge));
    INFO(h.dump());
    CHECK(e.status == event_status::applied);
    CHECK(e.product_scope == product::coinm);
    CHECK(h.ex().binance_mode(test::binance_key(1), binance_product::coinm) == mock_hedge);
  }
  SUBCASE("Bitget") {
    h.add_bitget({product::usdt_futures}, 1);
    h.start();
    const auto e = h.terminal(h.request(0, hedge));
    INFO(h.dump());
    CHECK(e.status == event_status::applied);
    CHECK(e.product_scope == product::usdt_futures);
    CHECK(e.venue_kind == venue::bitget);
    CHECK(e.attempts == 1);
    CHECK(e.code_text == "00000");
    check_timestamps(e);
    CHECK(h.ex().bitget_mode(test::bitget_key(1), "USDT-FUTURES") == mock_hedge);
  }
  SUBCASE("Binance PAPI UM and CM: UM first (not terminal), then CM (terminal)") {
    h.add_binance(venue::binance_papi, {product::papi_um, product::papi_cm}, 1);
    h.start();
    const auto id = h.request(0, hedge);
    const auto last = h.terminal(id);
    INFO(h.dump());
    const auto mine = h.events_of(id);
    REQUIRE(mine.size() == 2);
    CHECK(mine[0].product_scope == product::papi_um);
    CHECK(mine[0].status == event_status::applied);
    CHECK(!mine[0].terminal);
    CHECK(mine[1].product_scope == product::papi_cm);
    CHECK(mine[1].status == event_status::applied);
    CHECK(mine[1].terminal);
    CHECK(last.sequence == mine[1].sequence);
    CHECK(h.ex().binance_mode(test::binance_key(1), binance_product::papi_um) == mock_hedge);
    CHECK(h.ex().binance_mode(test::binance_key(1), binance_product::papi_cm) == mock_hedge);
  }
  h.check_invariants();
}

TEST_CASE("verify after set: a query follows success and is reported") {
  component_harness h;
  SUBCASE("the venue shows the requested mode: verified") {
    const auto a = h.add_binance(venue::binance_usdm, {product::usdm}, 1);
    const auto b = h.add_bitget({product::usdt_futures}, 2);
    h.config.accounts[a].verify_after_set = true;
    h.config.accounts[b].verify_after_set = true;
    h.start();
    for (const auto account : {a, b}) {
      const auto id = h.request(account, hedge);
      const auto t = h.terminal(id);
      const auto v = h.verification(id);
      INFO(h.dump());
      CHECK(t.status == event_status::applied);
      CHECK(v.status == event_status::verified);
      CHECK(v.verification);
      CHECK(v.has_observed_mode);
      CHECK(v.observed_mode == hedge);
      CHECK(v.sequence > t.sequence);
    }
    CHECK(h.component().stats().queries_sent >= 2);
  }
  SUBCASE("someone flips the mode back right after: verify_mismatch") {
    h.add_binance(venue::binance_usdm, {product::usdm}, 1);
    h.config.accounts[0].verify_after_set = true;
    h.start();
    auto& ex = h.ex();
    h.set_request_hook([&ex](const mock::request_record& r) {
      if (r.method == "POST")
        ex.set_binance_mode(test::binance_key(1), binance_product::usdm, mock_one_way);
    });
    const auto id = h.request(0, hedge);
    const auto t = h.terminal(id);
    const auto v = h.verification(id);
    INFO(h.dump());
    CHECK(t.status == event_status::applied);
    CHECK(v.status == event_status::verify_mismatch);
    CHECK(v.has_observed_mode);
    CHECK(v.observed_mode == one_way);
  }
  h.check_invariants();
}

TEST_CASE("a request for the mode the account is in ends in already_in_mode") {
  component_harness h;
  SUBCASE("Binance USD-M: -4059") {
    h.add_binance(venue::binance_usdm, {product::usdm}, 1, mock_hedge);
    h.start();
    const auto e = h.terminal(h.request(0, hedge));
    INFO(h.dump());
    CHECK(e.status == event_status::already_in_mode);
    CHECK(e.has_code);
    CHECK(e.code == -4059);
    CHECK(e.attempts == 1);
    CHECK(components::is_success(e.status));
  }
  SUBCASE("Binance PAPI: UM already, CM applied") {
    h.add_binance(venue::binance_papi, {product::papi_um, product::papi_cm}, 1);
    h.ex().set_binance_mode(test::binance_key(1), binance_product::papi_um, mock_hedge);
    h.start();
    const auto id = h.request(0, hedge);
    h.terminal(id);
    INFO(h.dump());
    const auto mine = h.events_of(id);
    REQUIRE(mine.size() == 2);
    CHECK(mine[0].product_scope == product::papi_um);
    CHECK(mine[0].status == event_status::already_in_mode);
    CHECK(mine[0].code == -4059);
    CHECK(!mine[0].terminal);
    CHECK(mine[1].product_scope == product::papi_cm);
    CHECK(mine[1].status == event_status::applied);
    CHECK(mine[1].terminal);
    CHECK(h.ex().binance_mode(test::binance_key(1), binance_product::papi_cm) == mock_hedge);
  }
  SUBCASE("Bitget: the venue answers success, so it is a success") {
    h.add_bitget({product::usdt_futures}, 1, mock_hedge);
    h.start();
    const auto e = h.terminal(h.request(0, hedge));
    INFO(h.dump());
    CHECK(components::is_success(e.status));
    CHECK(h.ex().bitget_mode(test::bitget_key(1), "USDT-FUTURES") == mock_hedge);
  }
  h.check_invariants();
}

TEST_CASE("open positions or orders block the switch, and it is never retried") {
  component_harness h;
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  h.start();
  h.ex().clear_request_log();
  SUBCASE("positions: -4068") {
    h.ex().set_binance_flags(test::binance_key(1), true, false);
    const auto e = h.terminal(h.request(0, hedge));
    INFO(h.dump());
    CHECK(e.status == event_status::blocked_positions);
    CHECK(e.code == -4068);
    CHECK(e.http_status == 400);
    CHECK(e.attempts == 1);
    CHECK(!e.message.empty());
  }
  SUBCASE("orders: -4067") {
    h.ex().set_binance_flags(test::binance_key(1), false, true);
    const auto e = h.terminal(h.request(0, hedge));
    INFO(h.dump());
    CHECK(e.status == event_status::blocked_orders);
    CHECK(e.code == -4067);
    CHECK(e.attempts == 1);
  }
  INFO(h.dump());
  CHECK(h.count_requests("POST", "/fapi/v1/positionSide/dual") == 1);
  CHECK(h.ex().binance_mode(test::binance_key(1), binance_product::usdm) == mock_one_way);
  CHECK(h.component().stats().retries == 0);
  h.check_invariants();
}

TEST_CASE("Bitget's 45117 is settled by reading the mode: blocked when it did not change") {
  component_harness h;
  h.add_bitget({product::usdt_futures}, 1);
  h.start();
  h.ex().set_bitget_flags(test::bitget_key(1), true, true);  // the mock answers 45117
  const auto e = h.terminal(h.request(0, hedge));
  INFO(h.dump());
  CHECK(e.status == event_status::blocked_positions_or_orders);
  CHECK(e.code_text == "45117");  // the venue's answer behind the query is kept
  CHECK(e.has_observed_mode);
  CHECK(e.observed_mode == one_way);
  CHECK(e.attempts == 1);
  CHECK(h.count_requests("POST", "set-position-mode") == 1);
  CHECK(h.count_requests("GET", "/api/v2/mix/account/account") >= 2);  // start-up + this one
  h.check_invariants();
}

TEST_CASE("a Bitget success whose echo names the other mode is settled by reading the mode") {
  component_harness h;
  h.add_bitget({product::usdt_futures}, 1);
  h.start();
  mock::fault_set faults;
  faults.echo_other_mode = true;
  SUBCASE("the change was made: confirmed") {
    faults.apply_change = true;
    h.ex().set_account_faults(test::bitget_key(1), faults);
    const auto e = h.terminal(h.request(0, hedge));
    INFO(h.dump());
    CHECK(e.status == event_status::confirmed);
    CHECK(e.observed_mode == hedge);
    CHECK(h.ex().bitget_mode(test::bitget_key(1), "USDT-FUTURES") == mock_hedge);
  }
  SUBCASE("it was not: not_applied, never applied") {
    h.ex().set_account_faults(test::bitget_key(1), faults);
    const auto e = h.terminal(h.request(0, hedge));
    INFO(h.dump());
    CHECK(e.status == event_status::not_applied);
    CHECK(e.observed_mode == one_way);
    CHECK(h.ex().bitget_mode(test::bitget_key(1), "USDT-FUTURES") == mock_one_way);
  }
  CHECK(h.count_requests("POST", "set-position-mode") == 1);
  h.check_invariants();
}

TEST_CASE("PAPI CM alone may not differ from UM: -4220, never retried") {
  component_harness h;
  h.add_binance(venue::binance_papi, {product::papi_cm}, 1);
  h.start();
  const auto id = h.request(0, hedge);
  const auto e = h.terminal(id);
  INFO(h.dump());
  CHECK(e.status == event_status::blocked_um_cm_mismatch);
  CHECK(e.product_scope == product::papi_cm);
  CHECK(e.code == -4220);
  CHECK(e.attempts == 1);
  CHECK(h.events_of(id).size() == 1);
  CHECK(h.count_requests("POST", "/papi/v1/cm/positionSide/dual") == 1);
  CHECK(h.count_requests("POST", "/papi/v1/um/positionSide/dual") == 0);
  CHECK(h.ex().binance_mode(test::binance_key(1), binance_product::papi_cm) == mock_one_way);
  h.check_invariants();
}

TEST_CASE("refused credentials end in auth_failed with the venue's code") {
  component_harness h;
  const auto good = h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  h.add_bitget({product::usdt_futures}, 2);
  std::int64_t code = 0;
  std::string code_text;
  venue v = venue::binance_usdm;
  SUBCASE("Binance key unknown to the venue: -2015") {
    h.add_settings(h.settings(venue::binance_usdm, {product::usdm}, test::binance_key(99),
                              test::binance_secret, ""));
    code = -2015;
  }
  SUBCASE("Binance wrong secret: -1022") {
    h.add_settings(h.settings(venue::binance_usdm, {product::usdm}, test::binance_key(1),
                              "wrongsecret0123456789", ""));
    code = -1022;
  }
  SUBCASE("Bitget key unknown to the venue: 40037") {
    h.add_settings(h.settings(venue::bitget, {product::usdt_futures}, test::bitget_key(99),
                              test::bitget_secret, test::bitget_passphrase));
    code = 40037;
    code_text = "40037";
    v = venue::bitget;
  }
  SUBCASE("Bitget wrong passphrase: 40012") {
    h.add_settings(h.settings(venue::bitget, {product::usdt_futures}, test::bitget_key(2),
                              test::bitget_secret, "WrongPass1"));
    code = 40012;
    code_text = "40012";
    v = venue::bitget;
  }
  SUBCASE("Bitget wrong secret: 40009") {
    h.add_settings(h.settings(venue::bitget, {product::usdt_futures}, test::bitget_key(2),
                              "bgwrongsecret0123456789", test::bitget_passphrase));
    code = 40009;
    code_text = "40009";
    v = venue::bitget;
  }
  // Two accounts in the config may share a key (the second being wrong): that is the point here.
  h.start();
  const auto bad = h.component().account_count() - 1;
  const auto e = h.terminal(h.request(bad, hedge));
  INFO(h.dump());
  CHECK(e.status == event_status::auth_failed);
  CHECK(e.venue_kind == v);
  CHECK(e.has_code);
  CHECK(e.code == code);
  if (!code_text.empty()) CHECK(e.code_text == code_text);
  CHECK(e.attempts == 1);
  // The other accounts are served as usual.
  const auto ok = h.terminal(h.request(good, hedge));
  CHECK(ok.status == event_status::applied);
  h.check_invariants();
}

TEST_CASE("a request for an unknown account index ends in rejected") {
  component_harness h;
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  h.start();
  const auto e = h.terminal(h.request(7, hedge));
  INFO(h.dump());
  CHECK(e.status == event_status::rejected);
  CHECK(e.attempts == 0);
  CHECK(h.terminal(h.request(0, hedge)).status == event_status::applied);
  h.check_invariants();
}
