#pragma once

// A socket-free driver for request_machine tests: inputs in milliseconds from the trigger, steps
// rendered as short text ("send_set usdm @2000 | publish applied terminal | finish"), every
// published event kept for closer checks.

#include <cstdint>
#include <string>
#include <vector>

#include "posmode/components/venue_facts.hpp"
#include "request_machine.hpp"

namespace posmode::components::test {

using detail::account_facts;
using detail::request_machine;
using detail::request_policy;
using detail::send_refusal;
using detail::step_kind;
using detail::step_list;

inline constexpr std::int64_t ms = 1'000'000;

/** A venue answer with the given outcome (and mode, for queries). */
inline venue_reply answer_of(outcome o, std::string_view message = {}) {
  venue_reply r;
  r.result = o;
  // As the classifier marks them: no answer, or the venue does not know.
  r.verify_by_query = o == outcome::unknown || o == outcome::malformed;
  r.message.assign(message);
  return r;
}

inline venue_reply mode_answer(position_mode m) {
  venue_reply r = answer_of(outcome::mode_reported);
  r.kind = request_kind::query_mode;
  r.has_mode = true;
  r.mode = m;
  return r;
}

/** One account's machine with a Binance-like (no read-back) or Bitget-like policy. */
class machine_rig {
 public:
  /** `unified`: `account_config::unified_position_mode`; the coupled-books fields come from
   *  the rows (`set_coupling`), as the component fills them. */
  explicit machine_rig(venue v, std::vector<product> products, bool verify_after_set = false,
                       bool unified = false)
      : products_(std::move(products)) {
    policy.account = 3;
    policy.venue_kind = v;
    policy.products = products_;
    policy.verify_after_set = verify_after_set;
    policy.read_back_on_error = facts_of(v).read_back_on_error;
    policy.request_deadline_ns = 8'000 * ms;
    policy.attempt_timeout_ns = 2'000 * ms;
    policy.default_retry_after_ms = 1'000;
    policy.max_rate_limit_retries = 2;
    account_config config;
    config.venue_kind = v;
    config.products = products_;
    config.unified_position_mode = unified;
    detail::set_coupling(policy, config);
    facts.warm = true;
  }
  machine_rig(const machine_rig&) = delete;
  machine_rig& operator=(const machine_rig&) = delete;

  /** A trigger at `at_ms`, taken by the loop at `taken_ms` (by default at once). */
  std::string begin(position_mode mode, std::int64_t at_ms = 0, std::uint64_t id = 1,
                    std::int64_t taken_ms = -1) {
    detail::trigger t;
    t.id = id;
    t.account = 3;
    t.mode = mode;
    t.trigger_ns = at_ms * ms;
    return take(machine.begin(t, (taken_ms < 0 ? at_ms : taken_ms) * ms));
  }
  std::string sent(std::int64_t at_ms, std::int64_t cutoff_ms = 0) {
    return take(machine.on_sent(at_ms * ms, cutoff_ms * ms));
  }
  std::string refused(send_refusal why, std::int64_t at_ms, std::string_view detail = {}) {
    return take(machine.on_send_refused(why, detail, at_ms * ms));
  }
  std::string answer(const venue_reply& r, std::int64_t at_ms) {
    return take(machine.on_answer(r, at_ms * ms));
  }
  std::string answer(outcome o, std::int64_t at_ms) { return answer(answer_of(o), at_ms); }
  std::string read(position_mode m, std::int64_t at_ms) { return answer(mode_answer(m), at_ms); }
  std::string ready(std::int64_t at_ms) { return take(machine.on_ready(at_ms * ms)); }
  std::string wait_over(std::int64_t at_ms) { return take(machine.on_wait_over(at_ms * ms)); }
  std::string synced(std::int64_t at_ms) { return take(machine.on_clock_synced(at_ms * ms)); }
  std::string deadline(std::int64_t at_ms) { return take(machine.on_deadline(at_ms * ms)); }
  std::string stop(std::int64_t at_ms) { return take(machine.on_stop(at_ms * ms)); }

  /** The last published event. */
  [[nodiscard]] const position_event& last() const { return events.back(); }

  request_policy policy;
  account_facts facts;
  request_machine machine{policy, facts};
  std::vector<position_event> events;
  std::size_t finishes = 0;
  std::int64_t latest_start_ms = -1;  ///< of the last send_set step

 private:
  std::string take(const step_list& steps) {
    std::string out;
    for (const detail::step& s : steps) {
      if (!out.empty()) out += " | ";
      switch (s.kind) {
        case step_kind::send_set:
        case step_kind::send_query:
        case step_kind::send_verify:
          out += s.kind == step_kind::send_set     ? "send_set "
                 : s.kind == step_kind::send_query ? "send_query "
                                                   : "send_verify ";
          out += std::string(to_string(s.scope)) + " @" + std::to_string(s.at_ns / ms);
          if (s.kind == step_kind::send_set) latest_start_ms = s.latest_start_ns / ms;
          break;
        case step_kind::wait_until:
          out += "wait_until " + std::to_string(s.at_ns / ms);
          break;
        case step_kind::resync_clock:
          out += "resync_clock";
          break;
        case step_kind::publish:
          events.push_back(*s.event);
          out += "publish " + std::string(to_string(s.event->status));
          if (s.event->terminal) out += " terminal";
          if (s.event->verification) out += " verification";
          break;
        case step_kind::finish:
          ++finishes;
          out += "finish";
          break;
      }
    }
    return out;
  }

  std::vector<product> products_;
};

}  // namespace posmode::components::test
