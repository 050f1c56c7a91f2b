#pragma once

// What `posmode get`, `set` and `check` print: an aligned table by default, JSON with --json.
// Formatting only; the events and verdicts come from the component (component_run.cpp,
// check_command.cpp).

#include <string>
#include <string_view>
#include <vector>

#include "posmode/components/account_check.hpp"
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

/** One account's preflight verdict and its name (`posmode check`). */
struct account_verdict {
  std::string name;
  components::account_check check;
};

/** A product row's state in `check`: "ready", "differs" (from expected_mode) or "not_ready". */
[[nodiscard]] std::string_view check_row_state(const components::account_check& a,
                                               const components::product_check& p) noexcept;
/**
 * A product row's exit code in `check`: 0 ready; 7 differs; not ready: the code of the product's
 * failed read (4 auth, 5 transport or TLS, 6 venue or ban), or for a product read well on an
 * account that is not ready, the account's cause's (4 auth_failed; 5 unreachable,
 * tls_verification_failed, not_finished; 6 banned, clock_unsynced, mode_unreadable).
 */
[[nodiscard]] int check_row_exit_code(const components::account_check& a,
                                      const components::product_check& p) noexcept;
/** The worst row's code: 4, then 5, 6, 7 (the not-ready codes before a differing mode); else 0. */
[[nodiscard]] int check_exit_code(const std::vector<account_verdict>& accounts) noexcept;
/** The table of `check`: one row per account and product. */
[[nodiscard]] std::string check_table(const std::vector<account_verdict>& accounts);
/** `check --json`: one object, the accounts with their products, and the exit code. */
[[nodiscard]] std::string check_json(const std::vector<account_verdict>& accounts, int exit_code);

/** `s` as a JSON string literal, quotes included (control characters as \u00XX). */
[[nodiscard]] std::string json_string(std::string_view s);

}  // namespace posmode::cli
