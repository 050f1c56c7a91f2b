// issue 11: the component never loses a request and never hurts its host: stop() ends every
// accepted request, a stopped component refuses requests and restarts, a throwing log hook is
// contained, a silent peer is timed out and left behind, and an unknown index is kept whole.

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "components/component_test_support.hpp"

using namespace posmode;
using namespace std::chrono_literals;
using components::event_status;
using components::product;
using components::venue;
using test::component_harness;
using namespace test::modes;
using test::host_kind;

TEST_CASE("issue 11: stop() ends the running, the queued and the ring's requests, once each") {
  component_harness h;
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  h.config.wakeup = components::wakeup_mode::busy_poll;
  h.start(host_kind::test_thread);
  mock::fault_set faults;
  faults.delay = 5'000ms;
  h.ex().set_account_faults(test::binance_key(1), faults);
  // The first request goes out (and hangs at the venue); two more queue behind it.
  const auto running = h.request(0, hedge);
  REQUIRE(h.wait_until([&] { return h.component().stats().set_requests_sent == 1; }));
  const auto queued_a = h.request(0, one_way);
  const auto queued_b = h.request(0, hedge);
  (void)h.component().poll();  // admitted to the account's queue
  // Three more stay in the request ring: nothing drains it before stop().
  const auto ring_a = h.request(0, one_way);
  const auto ring_b = h.request(0, hedge);
  const auto ring_c = h.request(5, hedge);  // an unknown account, still never drained
  h.stop_component();
  INFO(h.dump());
  const auto first = h.terminal(running);
  CHECK(first.status == event_status::unknown);
  for (const auto id : {queued_a, queued_b, ring_a, ring_b, ring_c}) {
    CAPTURE(id);
    const auto e = h.terminal(id);
    CHECK(e.status == event_status::rejected);
    CHECK(e.on_wire_ns == 0);
    CHECK(e.message.view() == "not sent: the component stopped");
  }
  // After stop(): refused at once, and the component cannot be started again.
  CHECK_FALSE(h.component().request(0, hedge));
  CHECK(h.component().stats().requests_refused == 1);
  CHECK_THROWS_AS(h.component().start(), std::logic_error);
  CHECK(h.component().stats().set_requests_sent == 1);
  h.check_invariants();
}

TEST_CASE("issue 11: stop() with the order manager behind: every event still reaches the ring") {
  component_harness h;
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  h.config.event_ring_capacity = 2;
  h.config.wakeup = components::wakeup_mode::busy_poll;
  h.start(host_kind::test_thread);
  h.set_consuming(false);  // the order manager stops reading: events back up
  std::vector<std::uint64_t> ids;
  for (int i = 0; i < 6; ++i)
    ids.push_back(h.request(0, i % 2 == 0 ? hedge : one_way));
  h.stop_component();
  CHECK(h.component().stats().backlog_now > 0);
  h.set_consuming(true);
  // The host keeps polling its loop; the backlog drains into the ring as it frees up.
  for (const auto id : ids) {
    CAPTURE(id);
    CHECK(h.terminal(id).status == event_status::rejected);
  }
  CHECK(h.component().stats().backlog_now == 0);
  h.check_invariants();
}

TEST_CASE("issue 11: a log hook that throws is contained and counted") {
  component_harness t;
  t.add_binance(venue::binance_usdm, {product::usdm}, 1);
  t.config.accounts.back().insecure_loopback = true;  // a warning is logged at start
  t.config.accounts.back().account.host = "127.0.0.1";
  t.throwing_log_hook = true;
  t.start();
  const auto applied = t.terminal(t.request(0, hedge));
  INFO(t.dump());
  CHECK(applied.status == event_status::applied);
  CHECK(t.component().stats().log_hook_failures > 0);
  t.check_invariants();
}

TEST_CASE("issue 13: the log hook's floor keeps lower lines from being built or passed") {
  for (const auto floor : {components::log_level::debug, components::log_level::warning}) {
    CAPTURE(static_cast<int>(floor));
    component_harness t;
    t.add_binance(venue::binance_usdm, {product::usdm}, 1);
    t.config.accounts.back().insecure_loopback = true;  // a warning at start
    t.config.accounts.back().account.host = "127.0.0.1";
    t.log_floor = floor;
    t.start();
    CHECK(t.terminal(t.request(0, hedge)).status == event_status::applied);
    t.stop();
    INFO(t.log());
    // Connections up (debug) and the clock offset (info) are logged at start.
    CHECK(t.lowest_log_level() == floor);
    CHECK(t.log().find("TLS certificate verification is OFF") != std::string::npos);
    CHECK((t.log().find("server clock offset") != std::string::npos) ==
          (floor == components::log_level::debug));
  }
}

TEST_CASE("issue 11: a venue that accepts TCP and never answers is timed out, then recovered") {
  component_harness h;
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  h.config.connect_timeout = 200ms;
  h.config.request_deadline = 1'500ms;
  h.config.attempt_timeout = 1'000ms;
  h.ex().set_silent(true);
  h.start(host_kind::run_thread, false);
  // Warm-up cannot read the mode; the start-up report says so once the deadline passes.
  REQUIRE(h.wait_until([&] { return h.component().started(); }));
  CHECK(h.current_mode_events().empty());
  bool reported = false;
  for (const auto& e : h.events())
    reported = reported || (e.request_id == 0 && e.status == event_status::transport_error);
  CHECK(reported);
  CHECK(h.log().find("no TLS connection within the connect timeout (TLS handshake)") !=
        std::string::npos);
  const auto waited = h.terminal(h.request(0, hedge));
  CHECK(waited.status == event_status::timeout);
  CHECK(waited.on_wire_ns == 0);
  // The event carries the cause, not only the log.
  CHECK(waited.message.view() == "not sent: localhost:" + std::to_string(h.ex().port()) +
                                     ": no TLS connection within the connect timeout (TLS "
                                     "handshake)");
  // The venue answers again: the pool reconnects by itself and requests go through.
  h.ex().set_silent(false);
  const auto applied = h.terminal(h.request(0, hedge));
  INFO(h.dump());
  INFO(h.log());
  CHECK(applied.status == event_status::applied);
  h.check_invariants();
}

TEST_CASE("issue 11: an account index beyond 16 bits is kept whole in its rejection") {
  component_harness h;
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  h.start();
  const auto e = h.terminal(h.request(70'000, hedge));
  CHECK(e.status == event_status::rejected);
  CHECK(e.account == 70'000);
  CHECK(e.message.view() == "unknown account index");
  h.check_invariants();
}

TEST_CASE("issue 17: health() goes from connecting to ready and counts what the account did") {
  component_harness h;
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  h.start(host_kind::run_thread, false);
  // Readable from this thread at once, before and during the warm-up.
  REQUIRE(h.component().health(0).has_value());
  CHECK_FALSE(h.component().health(1).has_value());
  REQUIRE(h.wait_until([&] { return h.component().started(); }));
  REQUIRE(h.wait_until(
      [&] { return h.component().health(0)->state == components::account_state::ready; }));
  auto health = *h.component().health(0);
  CHECK(health.warm);
  CHECK(health.warm_up_succeeded);
  CHECK(health.connections_up == 2);
  CHECK(health.connections_total == 2);
  CHECK(health.clock_synced);
  CHECK(health.clock_synced_ns > 0);
  CHECK(health.cause.empty());
  REQUIRE(health.product_count == 1);
  CHECK(health.products[0].scope == product::usdm);
  CHECK(health.products[0].mode_known);
  CHECK(health.products[0].mode == one_way);  // the mock's initial mode
  CHECK(health.outcomes[static_cast<std::size_t>(event_status::current_mode)] == 1);
  CHECK(health.queries_sent == 1);
  CHECK(health.used_weight >= 0);  // Binance reports its weight on every answer

  // A reader on another thread copies it out while requests run; it never sees a torn value:
  // the counters only grow and every request is one of the outcomes counted.
  std::atomic<bool> done{false};
  std::atomic<bool> consistent{true};
  std::thread reader([&] {
    std::uint64_t last = 0;
    while (!done.load()) {
      const auto seen = *h.component().health(0);
      std::uint64_t outcomes = 0;
      for (const auto n : seen.outcomes)
        outcomes += n;
      if (seen.requests < last || outcomes < seen.requests) consistent = false;
      last = seen.requests;
    }
  });
  for (int i = 0; i < 6; ++i)
    CHECK(h.terminal(h.request(0, i % 2 == 0 ? hedge : one_way)).status == event_status::applied);
  done = true;
  reader.join();
  CHECK(consistent.load());

  health = *h.component().health(0);
  CHECK(health.requests == 6);
  CHECK(health.sets_sent == 6);
  CHECK(health.outcomes[static_cast<std::size_t>(event_status::applied)] == 6);
  CHECK(health.products[0].mode == one_way);  // the sixth request's
  CHECK(health.products[0].observed_ns > health.clock_synced_ns);
  CHECK(health.last_round_trip_ns > 0);
  CHECK(to_string(health.state) == "ready");
}

TEST_CASE("issue 17: health() through connecting, ready, degraded, banned and ready again") {
  // Before the harness: its loop thread reads this clock until the harness is gone.
  test::shifted_clock time;
  component_harness h;
  h.config.clock = engine::clock_ref(time);
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  const auto state = [&] { return h.component().health(0)->state; };

  // connecting: the venue accepts TCP but never completes a TLS handshake.
  h.ex().set_silent(true);
  h.start(host_kind::run_thread, false);
  auto health = *h.component().health(0);
  CHECK(health.state == components::account_state::connecting);
  CHECK_FALSE(health.warm);
  CHECK(health.connections_up == 0);
  CHECK(health.connections_total == 2);

  // ready: the venue answers again (the held connections are closed; the pool reconnects).
  h.ex().set_silent(false);
  REQUIRE(h.wait_until([&] { return h.component().started(); }));
  REQUIRE(h.wait_until([&] { return state() == components::account_state::ready; }));
  health = *h.component().health(0);
  CHECK(health.warm_up_succeeded);
  CHECK(health.connections_up == 2);
  CHECK(health.cause.empty());

  // degraded: the connection carrying a set is dropped before its reply (the venue acted), and
  // its reconnection hangs, since new connections get no handshake: one of two is up. The query
  // that settles the set goes out on the other one.
  h.ex().set_silent(true);
  mock::fault_set drop;
  drop.drop_before_reply = true;
  drop.apply_change = true;
  h.fault_next_set(test::binance_key(1), drop);
  const auto settled = h.terminal(h.request(0, hedge));
  INFO(h.dump());
  CHECK(settled.status == event_status::confirmed);
  REQUIRE(h.wait_until([&] { return state() == components::account_state::degraded; }));
  health = *h.component().health(0);
  CHECK(health.connections_up == 1);
  CHECK(health.connections_total == 2);
  CHECK_FALSE(health.cause.empty());  // the lost connection's cause
  CHECK(h.component().stats().connections_lost >= 1);

  // banned: the venue bans the IP; a set on the connection still up is answered 418. (The same
  // mode: a set of the other one would wait until the dropped set's window has closed.)
  h.ex().ban_ip("127.0.0.1", 1s);
  const auto refused = h.terminal(h.request(0, hedge));
  CHECK(refused.status == event_status::ip_banned);
  REQUIRE(h.wait_until([&] { return state() == components::account_state::banned; }));
  health = *h.component().health(0);
  CHECK(health.banned_until_ns > 0);
  // The ban holds until the clock moves: a request meanwhile is refused without being written.
  const std::size_t sets_before = h.count_requests("POST", "/fapi/v1/positionSide/dual");
  const auto held = h.terminal(h.request(0, hedge));
  CHECK(held.status == event_status::ip_banned);
  CHECK(held.on_wire_ns == 0);
  CHECK(h.count_requests("POST", "/fapi/v1/positionSide/dual") == sets_before);
  // While banned, the lost connection comes back; the state stays banned.
  h.ex().set_silent(false);
  REQUIRE(h.wait_until([&] { return h.component().health(0)->connections_up == 2; }));
  CHECK(state() == components::account_state::banned);

  // ready: 6 s pass on both sides (posmode's clock and the venue's): the ban ends, so does the
  // dropped set's window (5 s), and a set of the other mode goes through on a full pool.
  time.advance(6s);
  h.ex().set_clock_skew(6s);
  h.ex().ban_ip("127.0.0.1", 0ms);
  const auto applied = h.terminal(h.request(0, one_way));
  CHECK(applied.status == event_status::applied);
  REQUIRE(h.wait_until([&] { return state() == components::account_state::ready; }));
  health = *h.component().health(0);
  CHECK(health.connections_up == 2);
  CHECK(health.banned_until_ns == 0);
  CHECK(health.cause.empty());
  CHECK(health.products[0].mode == one_way);
  h.check_invariants();
}

namespace {

// One sample line of a Prometheus exposition: `name{labels} value`.
struct prometheus_sample {
  std::string name;
  std::string labels;
  double value = 0;
};

// Parses the text exposition format strictly enough to catch a malformed line: every line is a
// `# HELP`/`# TYPE` comment or a sample, every family is typed once before its samples.
std::vector<prometheus_sample> parse_prometheus(const std::string& text,
                                                std::map<std::string, std::string>& types) {
  std::vector<prometheus_sample> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    INFO(line);
    REQUIRE_FALSE(line.empty());
    if (line.starts_with("# HELP ")) continue;
    if (line.starts_with("# TYPE ")) {
      const auto rest = line.substr(7);
      const auto space = rest.find(' ');
      REQUIRE(space != std::string::npos);
      CHECK(types.emplace(rest.substr(0, space), rest.substr(space + 1)).second);
      continue;
    }
    REQUIRE(line[0] != '#');
    const auto space = line.rfind(' ');
    REQUIRE(space != std::string::npos);
    prometheus_sample s;
    s.value = std::stod(line.substr(space + 1));
    const std::string series = line.substr(0, space);
    const auto brace = series.find('{');
    s.name = series.substr(0, brace);
    if (brace != std::string::npos) {
      REQUIRE(series.back() == '}');
      s.labels = series.substr(brace + 1, series.size() - brace - 2);
    }
    // The family is typed before its samples.
    std::string family = s.name;
    for (const std::string_view suffix : {"_bucket", "_sum", "_count"})
      if (family.ends_with(suffix) && types.count(family.substr(0, family.size() - suffix.size())))
        family = family.substr(0, family.size() - suffix.size());
    CHECK_MESSAGE(types.count(family) == 1, family);
    out.push_back(s);
  }
  return out;
}

}  // namespace

TEST_CASE("issue 17: each account's latency histograms, read from another thread, exported") {
  component_harness h;
  h.add_binance(venue::binance_usdm, {product::usdm}, 1);
  h.add_binance(venue::binance_usdm, {product::usdm}, 2);
  h.start();
  // Before any request: empty, but there (the start-up reads are answers).
  const auto before = h.component().latency(0);
  REQUIRE(before.has_value());
  CHECK(before->trigger_to_wire.count == 0);
  CHECK(before->answer.count == 1);  // the start-up mode query
  CHECK_FALSE(h.component().latency(2).has_value());
  CHECK(h.component().account_histogram(2, components::latency_kind::answer) == nullptr);

  // A reader on another thread (TSan: no race with the loop's recording) while requests run.
  std::atomic<bool> done{false};
  std::atomic<bool> monotonic{true};
  std::thread reader([&] {
    std::uint64_t last = 0;
    while (!done.load()) {
      const auto l = h.component().latency(0);
      const auto* wire =
          h.component().account_histogram(0, components::latency_kind::trigger_to_wire);
      if (!l || wire == nullptr || l->trigger_to_event.count < last) monotonic = false;
      last = l ? l->trigger_to_event.count : last;
      if (wire != nullptr) (void)wire->quantile(0.5);
    }
  });
  for (int i = 0; i < 4; ++i)
    CHECK(h.terminal(h.request(0, i % 2 == 0 ? hedge : one_way)).status == event_status::applied);
  CHECK(h.terminal(h.request(1, hedge)).status == event_status::applied);
  done = true;
  reader.join();
  CHECK(monotonic.load());

  const auto first = *h.component().latency(0);
  const auto second = *h.component().latency(1);
  CHECK(first.trigger_to_wire.count == 4);
  CHECK(first.trigger_to_event.count == 4);
  CHECK(first.answer.count == 5);
  CHECK(second.trigger_to_event.count == 1);
  CHECK(first.trigger_to_wire.max <= first.trigger_to_event.max);
  CHECK(first.answer.min > 0);
  const auto all = h.component().stats();
  CHECK(all.trigger_to_event.count == 5);

  std::string text(32768, '\0');
  text.resize(h.component().write_metrics(text, R"(host="h1")"));
  REQUIRE_FALSE(text.empty());
  std::map<std::string, std::string> types;
  const auto samples = parse_prometheus(text, types);
  CHECK(types["posmode_account_trigger_to_event_seconds"] == "histogram");
  CHECK(types["posmode_account_answer_seconds"] == "histogram");
  CHECK(types["posmode_requests_accepted_total"] == "counter");
  // Per account and family: cumulative buckets, +Inf equal to _count, _count what latency() says.
  std::map<std::string, double> count;
  std::map<std::string, double> last_bucket;
  for (const auto& s : samples) {
    if (!s.labels.starts_with("host=\"h1\"")) FAIL("labels: " << s.labels);
    if (!s.name.starts_with("posmode_account_")) continue;
    const auto account = s.labels.substr(0, s.labels.find(",le="));
    if (s.name.ends_with("_bucket")) {
      const std::string key = s.name + account;
      CHECK(s.value >= last_bucket[key]);
      last_bucket[key] = s.value;
    } else if (s.name.ends_with("_count")) {
      count[s.name + "{" + account + "}"] = s.value;
    }
  }
  CHECK(count[R"(posmode_account_trigger_to_event_seconds_count{host="h1",account="acct0"})"] == 4);
  CHECK(count[R"(posmode_account_trigger_to_event_seconds_count{host="h1",account="acct1"})"] == 1);
  CHECK(count[R"(posmode_account_trigger_to_wire_seconds_count{host="h1",account="acct0"})"] == 4);
  CHECK(count[R"(posmode_account_answer_seconds_count{host="h1",account="acct0"})"] == 5);
  for (const auto& entry : last_bucket) {
    const std::string& key = entry.first;
    INFO(key);
    CHECK(entry.second == count[key.substr(0, key.find("_bucket")) + "_count{" +
                                key.substr(key.find("_bucket") + 7) + "}"]);
  }
  // Each account's health() as gauges and counters beside its histograms, one family per
  // HELP/TYPE block, with the values health() itself shows.
  std::map<std::string, double> series;
  std::vector<std::string> family_order;
  for (const auto& s : samples) {
    series[s.name + "{" + s.labels + "}"] = s.value;
    if (family_order.empty() || family_order.back() != s.name) family_order.push_back(s.name);
  }
  for (const char* family : {"posmode_account_state", "posmode_account_requests_total",
                             "posmode_account_events_total", "posmode_account_connections_up"}) {
    INFO(family);
    CHECK(std::count(family_order.begin(), family_order.end(), family) == 1);
  }
  CHECK(types["posmode_account_state"] == "gauge");
  CHECK(types["posmode_account_events_total"] == "counter");
  CHECK(types["posmode_account_clock_offset_seconds"] == "gauge");
  for (std::size_t account : {0U, 1U}) {
    const auto health = *h.component().health(account);
    const std::string id = "host=\"h1\",account=\"acct" + std::to_string(account) + "\"";
    INFO(id);
    CHECK(series["posmode_account_state{" + id + ",state=\"ready\"}"] == 1);
    CHECK(series["posmode_account_state{" + id + ",state=\"connecting\"}"] == 0);
    CHECK(series["posmode_account_state{" + id + ",state=\"banned\"}"] == 0);
    CHECK(series["posmode_account_connections_up{" + id + "}"] == health.connections_up);
    CHECK(series["posmode_account_requests_total{" + id + "}"] == double(health.requests));
    CHECK(series["posmode_account_set_requests_total{" + id + "}"] == double(health.sets_sent));
    CHECK(series["posmode_account_read_backs_total{" + id + "}"] == 0);
    CHECK(series["posmode_account_retries_total{" + id + "}"] == 0);
    CHECK(series["posmode_account_events_total{" + id + ",status=\"applied\"}"] ==
          (account == 0 ? 4 : 1));
    CHECK(series["posmode_account_events_total{" + id + ",status=\"current_mode\"}"] == 1);
    CHECK(series.count("posmode_account_clock_offset_seconds{" + id + "}") == 1);
  }
  CHECK(series["posmode_account_requests_total{host=\"h1\",account=\"acct0\"}"] == 4);
  // Labels too long for the per-account series: nothing rather than a cut exposition.
  CHECK(h.component().write_metrics(text, std::string(901, 'x')) == 0);
  h.check_invariants();
}
