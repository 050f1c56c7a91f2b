#pragma once

// Terminal output of posmode-demo: fixed-width event rows, outcome counts for the rounds not
// printed in full, latency percentiles per stage, and the component's counters. Everything here
// runs off the hot path (the order-manager thread or the end of the run) and may allocate.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "posmode/components/position_event.hpp"
#include "posmode/components/position_mode_component.hpp"

namespace posmode::demo {

/** The column titles of `event_row`, and a rule under them. */
[[nodiscard]] std::string event_header();

/**
 * One event as a fixed-width table row (no trailing newline): sequence, request id, account,
 * venue, product, requested and observed mode, status, venue code, HTTP status, the three stage
 * latencies in µs (trigger to on-wire, to response, to published) and the message.
 */
[[nodiscard]] std::string event_row(const components::position_event& e,
                                    std::string_view account_name);

/**
 * Latency samples of request events (not start-up reports, not verification reports), per stage
 * and per account. Filled by one thread; read after it is done.
 */
class latency_book {
 public:
  /** `names[i]` is account i's name, used in the per-account table. */
  explicit latency_book(std::vector<std::string> names);

  /** Records the stages `e` reached; ignores events that answer no request. */
  void add(const components::position_event& e);

  /** The per-stage and per-account tables (p50/p90/p99/p99.9/max, µs). */
  [[nodiscard]] std::string report() const;

 private:
  std::vector<std::string> names_;
  std::vector<std::int64_t> to_wire_;
  std::vector<std::int64_t> to_response_;
  std::vector<std::int64_t> to_published_;
  std::vector<std::vector<std::int64_t>> published_per_account_;
};

/** Outcome counts per account and product, for rounds summarised rather than printed. */
class outcome_tally {
 public:
  /** `names[i]` is account i's name. */
  explicit outcome_tally(std::vector<std::string> names);

  /** Counts `e` (request events; verification reports apart from the others). */
  void add(const components::position_event& e);

  [[nodiscard]] bool empty() const noexcept { return counts_.empty(); }

  /** One row per account and product: events and `status count` pairs. */
  [[nodiscard]] std::string report() const;

 private:
  using key = std::tuple<std::uint16_t, components::product, bool, components::event_status>;
  std::vector<std::string> names_;
  std::map<key, std::uint64_t> counts_;
};

/** The component's counters and its own latency summaries, as a table. */
[[nodiscard]] std::string stats_report(const components::component_stats& s);

/**
 * Each account's all-time latencies (`position_mode_component::latency`): trigger to wire,
 * trigger to event and answer time, one block per account named in `names`.
 */
[[nodiscard]] std::string latency_report(const components::position_mode_component& c,
                                         const std::vector<std::string>& names);

}  // namespace posmode::demo
