#pragma once

// What the venues share when reading an answer: one pass over the JSON body that collects the
// fields every venue's classifier looks at (code, message, server time, and the mode field or
// rows, under the keys the venue's row names), and the HTTP-level facts (status, Retry-After, the
// recorded usage headers).

#include <simdjson.h>

#include <cstdint>
#include <span>
#include <string_view>

#include "ascii.hpp"
#include "posmode/components/venue_reply.hpp"
#include "posmode/engine/http_response.hpp"

namespace posmode::components::detail {

/**
 * Where a venue's answers carry their fields (the row's `mode_answer`): the code, message,
 * payload object and server-time keys (Binance and Bitget `code`, `msg`, `data`, `serverTime`;
 * Bybit `retCode`, `retMsg`, `result`, `time`), and the position mode: a top-level key, or a key
 * of the payload object, holding a JSON boolean or string; or (`rows` set) a key of every object
 * of an array in the payload, holding an integer (Bybit `result.list[].positionIdx`). Another
 * type there makes the body malformed.
 */
struct mode_field {
  std::string_view key;  ///< e.g. `dualSidePosition` (Binance), `posMode` (Bitget, OKX)
  /// inside the top-level payload object (`data_key`), or inside the first element of a payload
  /// array (OKX answers `"data":[{"posMode":...}]`)
  bool in_data = false;
  bool is_bool = false;  ///< a JSON boolean; else a string (ignored with `rows`)
  /// Non-empty: `key` is read from every object of the payload's array of this name, as an
  /// integer (a number or a decimal string); `parsed_answer::row_values` says which occurred
  std::string_view rows{};
  std::string_view code_key = "code";
  std::string_view message_key = "msg";
  std::string_view data_key = "data";
  /// the key of the server time in milliseconds, top level or in the payload as above:
  /// `serverTime` (Binance, Bitget), `ts` (OKX), `time` (Bybit); a number or a string of digits
  std::string_view time_key = "serverTime";
  /// Non-empty: the key, in the payload object as `key` is, of the API key's permissions as a
  /// string (OKX `perm`, docs/venues.md §10 A-O1); empty for the venues whose read shows none
  std::string_view permission_key{};
};

/**
 * The fields of a venue answer. String views point into the simdjson parser's buffers and are
 * valid until it parses again.
 */
struct parsed_answer {
  bool json = false;   ///< the body is a JSON object that was walked without error
  int json_error = 0;  ///< simdjson error code when not
  bool has_code = false;
  bool code_is_string = false;
  std::int64_t code = 0;       ///< numeric value (string codes when all digits)
  bool code_numeric = false;   ///< `code` holds a number
  std::string_view code_text;  ///< the string code as sent
  std::string_view msg;
  bool has_mode_value = false;    ///< the row's mode field was present with its type
  bool mode_flag = false;         ///< its value, when a boolean
  std::string_view mode_text;     ///< its value, when a string
  std::int64_t server_time = -1;  ///< the row's time key, top-level or in the payload
  /// the row's `permission_key` was present as a string (a value of another type is ignored:
  /// it says nothing of the mode), and its text
  bool has_permissions = false;
  std::string_view permissions;
  /// `rows` form: how many rows carried the mode key, and bit v set for each value v in 0..31
  /// that occurred; `row_value_other` when a value outside 0..31 did
  int mode_rows = 0;
  std::uint32_t row_values = 0;
  bool row_value_other = false;
  /// the rate-limit usage headers the row names, as recorded (valid while the response is)
  std::span<const engine::usage_header> usage{};
  int status = 0;
  std::string_view body;
  engine::content_kind content = engine::content_kind::none;
};

/**
 * Walks `response`'s body with `json` (one reused parser) into `answer`, looking for the mode at
 * `mode`, and fills the venue-neutral fields of `reply`: status, used weight, Retry-After
 * converted to milliseconds (using `wall_now_ms` for the HTTP-date form), and for a JSON answer
 * the message and a string code as sent. noexcept: simdjson is used through its error codes.
 */
void read_answer(const engine::http_response_parser& response, simdjson::ondemand::parser& json,
                 const mode_field& mode, std::int64_t wall_now_ms, parsed_answer& answer,
                 venue_reply& reply) noexcept;

/** A non-JSON body: the message becomes the HTML title, or the start of the text. */
void describe_non_json(const parsed_answer& answer, venue_reply& reply) noexcept;

/** One row of a venue's code table: the codes `first`..`last` mean `result`. */
struct code_rule {
  std::int64_t first;
  std::int64_t last;
  outcome result;
  constexpr code_rule(std::int64_t code, outcome o) noexcept : first(code), last(code), result(o) {}
  constexpr code_rule(std::int64_t from, std::int64_t to, outcome o) noexcept
      : first(from), last(to), result(o) {}
};

/** The outcome a venue's table gives `code`; `venue_error` for a code it does not list. */
[[nodiscard]] constexpr outcome outcome_of_code(std::span<const code_rule> table,
                                                std::int64_t code) noexcept {
  for (const code_rule& c : table)
    if (code >= c.first && code <= c.last) return c.result;
  return outcome::venue_error;
}

}  // namespace posmode::components::detail
