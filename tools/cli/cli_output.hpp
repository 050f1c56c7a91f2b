#pragma once

// What `posmode get` and `posmode set` print: an aligned table by default, JSON with --json.
// Formatting only; the events come from the component (component_run.cpp).

#include <string>
#include <vector>

#include "posmode/components/position_event.hpp"

namespace posmode::cli {

/** One account's start-up reports: one event per product, in configuration order. */
struct account_modes {
  std::string name;
  components::venue venue = components::venue::binance_papi;
  std::vector<components::position_event> products;
};

/** The outcome of `posmode set` for one account. */
struct set_report {
  std::string account;
  components::venue venue = components::venue::binance_papi;
  components::position_mode requested = components::position_mode::hedge;
  account_modes before;                           ///< the start-up reports
  std::vector<components::position_event> steps;  ///< the request's events, verification last
  components::event_status result = components::event_status::unknown;  ///< the deciding status
  int exit_code = 0;
};

/** The table of `get`: account, venue, product, mode, status, http, code, message. */
[[nodiscard]] std::string modes_table(const std::vector<account_modes>& accounts);
/** `get --json`: `{"accounts":[{"name":..,"venue":..,"products":[...]}],"exit_code":N}`. */
[[nodiscard]] std::string modes_json(const std::vector<account_modes>& accounts, int exit_code);

/** The table of `set`: one row per event, then a summary line with the exit code. */
[[nodiscard]] std::string set_table(const set_report& report);
/** `set --json`: one object with the account, the request, every event and the exit code. */
[[nodiscard]] std::string set_json(const set_report& report);

/** `s` as a JSON string literal, quotes included (control characters as \u00XX). */
[[nodiscard]] std::string json_string(std::string_view s);

}  // namespace posmode::cli
