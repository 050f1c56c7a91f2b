#pragma once

// The venue table: one row per venue variant, each defined in its venue's own file
// (venues/binance.cpp, venues/bitget.cpp, venues/okx.cpp, venues/bybit.cpp, venues/gate.cpp),
// gathered in venues/venue_table.cpp. Generic code (validation, request rendering, classification,
// the component's pools, the tools) reads a venue's facts and calls its code only through its row;
// no code outside a venue's file and the table names a venue. docs/adding-a-venue.md is the
// procedure for a new row.

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>

#include "posmode/components/account_config.hpp"
#include "posmode/components/credentials.hpp"
#include "posmode/components/venue_facts.hpp"
#include "posmode/components/venue_reply.hpp"
#include "reply_support.hpp"
#include "venues/venue_requests.hpp"

namespace posmode::components::detail {

/**
 * One venue variant: its facts (public, `venue_facts`) and its code. Constant data with static
 * storage, initialised at compile time (no order-of-initialisation question between files).
 *
 * Contracts of the function pointers:
 * - `build_product_specs`, `build_account_specs`: the requests of a validated account in the
 * venue's exact wire layout; construction time only, allocate, may throw `std::bad_alloc`.
 * - `check_account`: the venue's own configuration rules, after the generic ones passed (known
 *   venue, products the row lists, a host for the environment); throws `std::invalid_argument`
 *   through `refuse_field` with the field first and `where` (" (account 'id')") last.
 * - `classify`: maps a parsed answer to the outcome, code and mode of `reply` (`reply.kind` is
 *   set); the generic classifier has read the HTTP facts and applies `read_back_on_error` after it.
 *   Hot path: noexcept, no allocation.
 * - `parse_mode`: the mode-query parser: the mode named by the row's `mode_answer` field of a
 *   parsed answer; false when it is absent or names no mode posmode knows. noexcept, no
 *   allocation.
 */
struct venue_row {
  venue_facts facts;
  mode_field mode_answer;
  product_specs (*build_product_specs)(const account_config& config, product p,
                                       const credentials& creds);
  account_specs (*build_account_specs)(const account_config& config);
  void (*check_account)(const account_config& config, std::string_view where);
  void (*classify)(const parsed_answer& answer, position_mode requested, std::int64_t wall_now_ms,
                   venue_reply& reply) noexcept;
  bool (*parse_mode)(const parsed_answer& answer, position_mode& out) noexcept;
};

// The rows, each defined in its venue's file.
extern const venue_row binance_papi_row;
extern const venue_row binance_usdm_row;
extern const venue_row binance_coinm_row;
extern const venue_row bitget_row;
extern const venue_row okx_row;
extern const venue_row bybit_row;
extern const venue_row gate_row;

/** The row of `v`, or null for a value the table does not know. No allocation. */
[[nodiscard]] const venue_row* find_row(venue v) noexcept;

/** The row of `v`. Precondition: a known venue (validated configuration); asserted. */
[[nodiscard]] const venue_row& row_of(venue v) noexcept;

/** Every row, in the order of `venue`'s values. */
[[nodiscard]] std::span<const venue_row* const> venue_rows() noexcept;

/**
 * The open-outcome policy of `v` (`venue_facts::read_back_on_error`): true when every answer to a
 * set request other than success is settled by reading the mode back (Bitget). False for an
 * unknown venue. For the request state machine; noexcept, no allocation.
 */
[[nodiscard]] bool reads_back_on_error(venue v) noexcept;

/**
 * Throws `std::invalid_argument` with "<field>: <why...>": the one way configuration checks
 * (generic and the venues' own) refuse a value. Allocates; configuration time only.
 */
[[noreturn]] void refuse_field(std::string_view field, std::initializer_list<std::string_view> why);

}  // namespace posmode::components::detail
