#pragma once

// "Did you mean ...?" for the tools' messages: the valid name nearest to a mistyped one, so that
// a refusal can name what to type instead.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace posmode::tools {

/**
 * The optimal-string-alignment distance between `a` and `b` (Damerau–Levenshtein restricted to
 * edits of untouched characters): inserting, deleting or replacing one character, or swapping two
 * adjacent ones, costs 1 each. ASCII letters compare case-insensitively, so `GET` is 0 from
 * `get`. Allocates one row per string; any thread.
 */
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);

/**
 * The candidate nearest to `word`: the shortest candidate that `word` begins (an abbreviation,
 * e.g. `--acc` for `--account`), else the one at the smallest `edit_distance`, the earliest on a
 * tie. Empty only when `candidates` is empty. Allocates; any thread.
 */
[[nodiscard]] std::string nearest(std::string_view word,
                                  const std::vector<std::string>& candidates);

}  // namespace posmode::tools
