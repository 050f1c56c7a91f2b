// The soak's verdict: what the component published, held against what the exchange did.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "soak.hpp"

namespace posmode::soak {

namespace {

// The steady clock the exchange stamps its history with is the component's monotonic clock.
std::int64_t ns_of(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

mock::position_mode mock_mode(pc::position_mode m) {
  return m == pc::position_mode::hedge ? mock::position_mode::hedge : mock::position_mode::one_way;
}

std::string describe(const pc::position_event& e) {
  return "request " + std::to_string(e.request_id) + " account " + std::to_string(e.account) + " " +
         std::string(pc::to_string(e.product_scope)) + " want " +
         std::string(pc::to_string(e.requested)) + " " + std::string(pc::to_string(e.status)) +
         " (" + std::string(e.message.view()) + ")";
}

// A product's mode over time: the initial mode, then each change the exchange recorded, with when
// the request behind it had reached the exchange.
class timeline {
 public:
  struct change {
    std::int64_t at_ns;
    std::int64_t received_ns;
    mock::position_mode mode;
  };

  timeline() = default;
  explicit timeline(mock::position_mode initial) : initial_(initial) {}
  void add(const change& c) { changes_.push_back(c); }

  [[nodiscard]] mock::position_mode at(std::int64_t t) const {
    mock::position_mode m = initial_;
    for (const auto& c : changes_)
      if (c.at_ns <= t) m = c.mode;
    return m;
  }

  /**
   * True when a claim published at `published` holds: the mode then is `wanted` (or anything
   * else, with `negate`), and no request that had reached the exchange before then changes it
   * the other way afterwards (a late landing). Requests that arrived later are later decisions.
   */
  [[nodiscard]] bool holds(std::int64_t published, mock::position_mode wanted, bool negate) const {
    const auto ok = [&](mock::position_mode m) { return (m == wanted) != negate; };
    if (!ok(at(published))) return false;
    for (const auto& c : changes_)
      if (c.at_ns > published && c.received_ns < published && !ok(c.mode)) return false;
    return true;
  }

 private:
  mock::position_mode initial_ = mock::position_mode::one_way;
  std::vector<change> changes_;
};

bool is_claim(pc::event_status s) {
  return s == pc::event_status::applied || s == pc::event_status::already_in_mode ||
         s == pc::event_status::confirmed || s == pc::event_status::verified ||
         s == pc::event_status::not_applied;
}

}  // namespace

std::string mock_product_name(const account_setup& a, pc::product p) {
  switch (p) {
    case pc::product::bybit_linear_usdt:
      return "linear:USDT";
    case pc::product::bybit_linear_usdc:
      return "linear:USDC";
    case pc::product::bybit_linear_symbol:
      return "linear:" + a.symbol;
    case pc::product::gate_usdt:
      return "futures:usdt";
    case pc::product::gate_btc:
      return "futures:btc";
    case pc::product::papi_um:
      return "papi_um";
    case pc::product::papi_cm:
      return "papi_cm";
    case pc::product::usdm:
      return "usdm";
    case pc::product::coinm:
      return "coinm";
    default:
      return std::string(pc::to_string(p));
  }
}

std::vector<std::string> check(const std::vector<account_setup>& accounts,
                               const std::vector<trigger_record>& triggers,
                               const std::vector<pc::position_event>& events,
                               const std::vector<mock::mode_change>& history,
                               const pc::component_stats& stats) {
  std::vector<std::string> violations;
  const auto fail = [&](std::string what) {
    if (violations.size() < 50) violations.push_back(std::move(what));
  };

  // Sequence continuity.
  for (std::size_t i = 0; i < events.size(); ++i)
    if (events[i].sequence != i + 1) {
      fail("event " + std::to_string(i) + " has sequence " + std::to_string(events[i].sequence));
      break;
    }

  // Exactly one terminal event per accepted request; verification after it, at most once.
  std::map<std::uint64_t, std::vector<const pc::position_event*>> by_request;
  for (const auto& e : events)
    if (e.request_id != 0) by_request[e.request_id].push_back(&e);
  for (const auto& t : triggers) {
    const auto it = by_request.find(t.id);
    int terminals = 0;
    int verifications = 0;
    if (it != by_request.end())
      for (const auto* e : it->second) {
        if (e->verification && terminals == 0)
          fail("request " + std::to_string(t.id) + ": verification before its terminal event");
        terminals += e->terminal ? 1 : 0;
        verifications += e->verification ? 1 : 0;
      }
    if (terminals != 1)
      fail("request " + std::to_string(t.id) + " (fault " + t.fault +
           "): " + std::to_string(terminals) + " terminal events");
    if (verifications > 1) fail("request " + std::to_string(t.id) + ": several verifications");
  }
  if (by_request.size() > triggers.size()) fail("events for requests that were never accepted");

  // Every set written is some event's attempt, and an event that says "not sent" wrote none.
  // When a set's write starts is not visible here: the pool refuses to start one at or past the
  // request's deadline by the clock it reads just before the write (connection_pool_test proves
  // the bound), while `on_wire_ns` is read after the write, which a descheduled thread may end
  // past the deadline (an ASan soak on two cores once did, by less than a write).
  std::uint64_t attempts = 0;
  for (const auto& e : events) {
    if (e.request_id == 0 || e.verification) continue;
    attempts += e.attempts;
    if (e.on_wire_ns == 0 && e.attempts != 0)
      fail(describe(e) + ": sets written, yet no time on the wire");
    if (e.attempts != 0 && e.message.view().starts_with("not sent"))
      fail(describe(e) + ": says not sent, yet " + std::to_string(e.attempts) + " set(s) written");
  }
  if (attempts != stats.set_requests_sent)
    fail("sets written " + std::to_string(stats.set_requests_sent) + ", attempts in events " +
         std::to_string(attempts));

  // Claims against the venue: true when published, and never undone by a request the component
  // had already sent (only this account's own requests change its modes in the soak).
  std::map<std::pair<std::string, std::string>, timeline> timelines;
  for (const auto& a : accounts)
    for (std::size_t i = 0; i < a.products.size(); ++i)
      timelines[{a.key, mock_product_name(a, a.products[i])}] = timeline(a.initial[i]);
  for (const auto& c : history)
    timelines[{c.api_key, c.product}].add({ns_of(c.at), ns_of(c.received), c.mode});

  std::size_t claims = 0;
  for (const auto& e : events) {
    if (e.request_id == 0 || !is_claim(e.status)) continue;
    if (e.account >= accounts.size()) continue;
    ++claims;
    const account_setup& a = accounts[e.account];
    const auto tl = timelines.find({a.key, mock_product_name(a, e.product_scope)});
    if (tl == timelines.end()) {
      fail(describe(e) + ": no such product at the exchange");
      continue;
    }
    const bool negate = e.status == pc::event_status::not_applied;
    if (!tl->second.holds(e.published_ns, mock_mode(e.requested), negate))
      fail(describe(e) + ": the exchange disagrees (mode at publication " +
           std::string(tl->second.at(e.published_ns) == mock::position_mode::hedge ? "hedge"
                                                                                   : "one-way") +
           ")");
  }
  if (claims == 0 && !events.empty()) fail("no claim was checked: the soak exercised nothing");
  return violations;
}

}  // namespace posmode::soak
