// The nearest-name helper behind the tools' "did you mean ...?" messages.

#include "posmode/tools/suggest.hpp"

#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

using posmode::tools::edit_distance;
using posmode::tools::nearest;

TEST_CASE("edit_distance counts insertions, deletions, replacements and adjacent swaps") {
  CHECK(edit_distance("", "") == 0);
  CHECK(edit_distance("get", "get") == 0);
  CHECK(edit_distance("", "get") == 3);
  CHECK(edit_distance("get", "") == 3);
  CHECK(edit_distance("gte", "get") == 1);           // one swap, not two replacements
  CHECK(edit_distance("--confg", "--config") == 1);  // one insertion
  CHECK(edit_distance("sett", "set") == 1);          // one deletion
  CHECK(edit_distance("hedgr", "hedge") == 1);       // one replacement
  CHECK(edit_distance("GET", "get") == 0);           // ASCII letters ignore case
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("ca", "abc") == 3);  // the restricted form: no edit of a swapped pair
  for (const auto& [a, b] : {std::pair{"one-way", "oneway"}, std::pair{"demo", "mode"}})
    CHECK(edit_distance(a, b) == edit_distance(b, a));
}

TEST_CASE("nearest prefers an abbreviation, then the smallest distance, then the first") {
  const std::vector<std::string> options{"--config", "--account",   "--mode",
                                         "--mock",   "--mock-drop", "--mock-drop-after"};
  CHECK(nearest("--confg", options) == "--config");
  CHECK(nearest("--acc", options) == "--account");
  CHECK(nearest("--mock-drop-aft", options) == "--mock-drop-after");
  CHECK(nearest("--moke", options) == "--mode");
  CHECK(nearest("ab", {"ax", "ay"}) == "ax");  // a tie: the earlier one
  CHECK(nearest("gte", {"get", "set", "sign"}) == "get");
  CHECK(nearest("sing", {"get", "set", "sign"}) == "sign");
  CHECK(nearest("anything", {"only"}) == "only");
  CHECK(nearest("x", {}).empty());
}
