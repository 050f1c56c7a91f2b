#pragma once

// The `posmode` command line's own argument checks: misspelt commands and options named with the
// nearest valid one before CLI11 parses, and option values whose refusal names the nearest valid
// value. Every refusal is one line without the "posmode: " prefix; nothing here prints.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "posmode/components/venue.hpp"

namespace posmode::cli {

/**
 * The short usage printed for a bare `posmode`: the synopsis, one line per command with its
 * description, and where to find more.
 */
[[nodiscard]] std::string usage(const std::vector<const CLI::App*>& commands);

/**
 * The first argument of `args` (argv[1..]) that is not a command of `commands` or an option of
 * the program or of the command given, as a refusal naming the nearest valid one: "unknown
 * command 'gte' (did you mean get?)", "get: unknown option '--confg' (did you mean --config?)";
 * or a stray value, "set: unexpected argument 'hedge' (did you mean --mode hedge?)". Option values
 * are skipped (an option takes one when CLI11 says it does). Empty when every argument is known.
 */
[[nodiscard]] std::string unknown_argument(const CLI::App& app,
                                           const std::vector<const CLI::App*>& commands,
                                           const std::vector<std::string>& args);

/**
 * "<option>: unknown <what> '<value>' (did you mean <nearest>? valid: <choices>)", the value
 * escaped for the terminal by the caller's printing.
 */
[[nodiscard]] std::string unknown_value(std::string_view option, std::string_view what,
                                        std::string_view value,
                                        const std::vector<std::string>& choices);

/** `hedge` or `one-way` (also `one_way`). @throws usage_error naming `option` otherwise. */
[[nodiscard]] components::position_mode parse_mode_option(std::string_view option,
                                                          const std::string& text);

/**
 * A decimal integer in `low..high`. @throws usage_error "<option>: 0 is outside 1..3600000
 * (nearest valid: 1)" or "<option>: 'abc' is not a whole number of <unit> (1..3600000)".
 */
[[nodiscard]] std::int64_t parse_integer_option(std::string_view option, const std::string& text,
                                                std::int64_t low, std::int64_t high,
                                                std::string_view unit);

/**
 * `--timestamp`: `now` (the wall clock, in ms) or a 13-digit time in milliseconds.
 * @throws usage_error naming `--timestamp` otherwise.
 */
[[nodiscard]] std::int64_t parse_timestamp_option(const std::string& text);

}  // namespace posmode::cli
