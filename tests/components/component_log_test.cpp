// issue 17: the log records end to end against the mock exchange. Each kind of record comes from
// a scenario that provokes it, with the fields an operator filters on (account, host, slot, HTTP
// status, venue code); records about an answer arrive after its event; nothing is built when no
// hook listens or the floor is above the record's level.

#include <doctest/doctest.h>

#include <chrono>
#include <set>
#include <string>
#include <string_view>

#include "components/component_test_support.hpp"

using namespace posmode;
using namespace std::chrono_literals;
using components::event_status;
using components::log_event;
using components::log_level;
using components::product;
using components::venue;
using test::component_harness;
using test::host_kind;
using namespace test::modes;

namespace {

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// Waits (bounded) for a record of `event` and returns the first.
components::log_record first_of(component_harness& h, log_event event) {
  INFO("waiting for a record of kind ", to_string(event));
  REQUIRE(h.wait_until([&] { return !h.log_records(event).empty(); }));
  static thread_local std::vector<test::owned_log_record> kept;
  kept = h.log_records(event);
  return kept.front().record();
}

void check_about_account(const components::log_record& r, component_harness& h,
                         std::size_t account) {
  CHECK(r.account == account);
  CHECK(r.account_id == h.config.accounts[account].account.id);
  CHECK(r.host == "localhost");
  CHECK(r.port == h.ex().port());
  CHECK(r.wall_ms > 0);
  CHECK(r.monotonic_ns > 0);
}

}  // namespace

TEST_CASE("issue 17: start-up logs insecure_endpoint, connect, clock_resync and warm_up") {
  component_harness h;
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  h.config.accounts[0].insecure_loopback = true;
  h.config.accounts[0].account.host = "127.0.0.1";
  h.start();
  INFO(h.log());
  const auto insecure = first_of(h, log_event::insecure_endpoint);
  CHECK(insecure.level == log_level::warning);
  CHECK(insecure.host == "127.0.0.1");
  const auto up = first_of(h, log_event::connect);
  CHECK(up.level == log_level::debug);
  CHECK(up.slot >= 0);
  CHECK(up.slot < 2);
  const auto clock = first_of(h, log_event::clock_resync);
  CHECK(clock.level == log_level::info);
  CHECK(contains(clock.message, "server clock offset"));
  const auto warm = first_of(h, log_event::warm_up);
  CHECK(warm.level == log_level::info);
  CHECK(warm.account == 0);
  CHECK(warm.message == "warm: 1 of 1 modes read");
}

TEST_CASE("issue 17: a dropped connection logs disconnect, then reconnect with its slot") {
  component_harness h;
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  h.config.accounts[0].connections = 1;
  h.start();
  mock::fault_set faults;
  faults.drop_after_reply = true;
  h.fault_next_set(test::binance_key(1), faults);
  (void)h.terminal(h.request(0, hedge));
  INFO(h.log());
  const auto down = first_of(h, log_event::disconnect);
  check_about_account(down, h, 0);
  CHECK(down.level == log_level::warning);
  CHECK(down.slot == 0);
  CHECK(contains(down.message, "connection down: localhost:"));
  const auto again = first_of(h, log_event::reconnect);
  check_about_account(again, h, 0);
  CHECK(again.level == log_level::info);
  CHECK(again.slot == 0);
  CHECK(again.message == "connection 0 up again");
  h.check_invariants();
}

TEST_CASE("issue 17: a certificate that does not verify logs tls_failure, an error") {
  component_harness h;
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  mock::exchange other;
  h.config.accounts[0].ca_pem = other.ca_pem();
  h.config.accounts[0].connections = 1;
  h.start(host_kind::run_thread, false);
  REQUIRE(h.wait_until([&] { return h.component().started(); }));
  INFO(h.log());
  const auto tls = first_of(h, log_event::tls_failure);
  check_about_account(tls, h, 0);
  CHECK(tls.level == log_level::error);
  CHECK(contains(tls.message, "certificate verify failed"));
  const auto warm = first_of(h, log_event::warm_up);
  CHECK(warm.level == log_level::warning);
  CHECK(contains(warm.message, "warm: 0 of 1 modes read; "));
}

TEST_CASE("issue 17: a refused timestamp logs clock_skew_retry, then the clock_resync it caused") {
  component_harness h;
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  h.start();
  h.ex().set_clock_skew(8'000ms);
  const auto e = h.terminal(h.request(0, hedge));
  INFO(h.log());
  CHECK(e.status == event_status::applied);
  const auto skew = first_of(h, log_event::clock_skew_retry);
  check_about_account(skew, h, 0);
  CHECK(skew.level == log_level::warning);
  CHECK(skew.http_status == 400);
  CHECK(skew.has_code);
  CHECK(skew.code == -1021);
  CHECK(contains(skew.message, "reading its clock again, then retrying once"));
  REQUIRE(h.wait_until([&] {
    for (const auto& r : h.log_records(log_event::clock_resync))
      if (contains(r.record().message, "after a refused timestamp")) return true;
    return false;
  }));
  h.check_invariants();
}

TEST_CASE("issue 17: a 429 logs rate_limited with the status, code and Retry-After") {
  component_harness h;
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  h.start();
  h.ex().set_weight_limit(1);
  const auto e = h.terminal(h.request(0, hedge));
  INFO(h.log());
  CHECK(e.status == event_status::rate_limited);
  const auto limited = first_of(h, log_event::rate_limited);
  check_about_account(limited, h, 0);
  CHECK(limited.level == log_level::warning);
  CHECK(limited.http_status == 429);
  CHECK(limited.code == -1003);
  CHECK(contains(limited.message, "the venue limits this account: Retry-After "));
  CHECK(limited.monotonic_ns >= e.published_ns);
  h.check_invariants();
}

TEST_CASE("issue 17: an IP ban logs ip_banned, an error naming the host and the wait") {
  component_harness h;
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  h.start();
  h.ex().ban_ip("127.0.0.1", 1s);
  const auto e = h.terminal(h.request(0, hedge));
  INFO(h.log());
  CHECK(e.status == event_status::ip_banned);
  const auto ban = first_of(h, log_event::ip_banned);
  check_about_account(ban, h, 0);
  CHECK(ban.level == log_level::error);
  CHECK(ban.http_status == 418);
  CHECK(contains(ban.message,
                 "the venue banned this host: nothing is sent to it by any account "
                 "for 1000 ms"));
  h.check_invariants();
}

TEST_CASE("issue 17: a read-back that disagrees logs verification_mismatch") {
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
  CHECK(h.verification(id).status == event_status::verify_mismatch);
  INFO(h.log());
  const auto mismatch = first_of(h, log_event::verification_mismatch);
  CHECK(mismatch.level == log_level::error);
  CHECK(mismatch.account == 0);
  CHECK(contains(mismatch.message, "request " + std::to_string(id) + ": "));
  CHECK(contains(mismatch.message, " was set to hedge but reads back one-way"));
}

TEST_CASE("issue 17: a request for an unknown account logs request_refused") {
  component_harness h;
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  h.start();
  const auto id = h.request(7, hedge);
  CHECK(h.terminal(id).status == event_status::rejected);
  INFO(h.log());
  const auto refused = first_of(h, log_event::request_refused);
  CHECK(refused.level == log_level::warning);
  CHECK(refused.account == 7);
  CHECK(refused.account_id.empty());
  CHECK(refused.message ==
        "request " + std::to_string(id) + " rejected, not sent: unknown account index");
  h.check_invariants();
}

TEST_CASE("issue 17: no record is built without a hook, or below the hook's floor") {
  // The same faults each time: a 429, then a ban (a warning and an error record).
  for (const int variant : {0, 1, 2}) {
    CAPTURE(variant);
    component_harness h;
    h.add_binance(venue::binance_usdm, {product::usdm}, 1);
    h.config.accounts[0].insecure_loopback = true;  // a warning at start
    h.config.accounts[0].account.host = "127.0.0.1";
    h.install_log_hook = variant != 0;
    h.log_floor = variant == 1 ? log_level::error : log_level::debug;
    h.start();
    h.ex().set_weight_limit(1);
    CHECK(h.terminal(h.request(0, hedge)).status == event_status::rate_limited);
    h.ex().set_weight_limit(2400);
    h.ex().ban_ip("127.0.0.1", 1s);
    CHECK(h.terminal(h.request(0, hedge)).status == event_status::ip_banned);
    if (variant != 0)
      REQUIRE(h.wait_until([&] { return !h.log_records(log_event::ip_banned).empty(); }));
    h.stop_component();
    const auto built = h.component().stats().log_records;
    INFO(h.log());
    switch (variant) {
      case 0:
        CHECK(built == 0);
        CHECK(h.log_records().empty());
        break;
      case 1: {
        // Only the ban reaches an error floor: nothing below it was built.
        const auto records = h.log_records();
        REQUIRE_FALSE(records.empty());
        CHECK(built >= records.size());  // a repeat is built, then merged
        for (const auto& r : records)
          CHECK(r.record().level == log_level::error);
        CHECK(records.front().record().event == log_event::ip_banned);
        break;
      }
      default:
        CHECK(built > 4);
        CHECK(h.log_records().size() > 4);
        break;
    }
  }
}
