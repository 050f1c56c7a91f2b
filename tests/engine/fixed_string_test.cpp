// fixed_string: inline text for records on a ring; truncates, never allocates.

#include "posmode/engine/fixed_string.hpp"

#include <doctest/doctest.h>

using posmode::engine::fixed_string;

TEST_CASE("assign truncates to the capacity and says so") {
  fixed_string<5> s("hello world");
  CHECK(s.view() == "hello");
  CHECK(s.truncated());
  s.assign("hi");
  CHECK(s.view() == "hi");
  CHECK_FALSE(s.truncated());
}

TEST_CASE("append adds what fits, and a cut is flagged until the next assign") {
  fixed_string<8> s("abc");
  s.append("de");
  CHECK(s.view() == "abcde");
  CHECK_FALSE(s.truncated());
  s.append("fghij");
  CHECK(s.view() == "abcdefgh");
  CHECK(s.truncated());
  s.append("");
  CHECK(s.truncated());  // an empty append does not clear an earlier cut
  s.append("x");         // full: nothing fits
  CHECK(s.size() == 8);
  s.assign("");
  s.append("12345678");
  CHECK(s.view() == "12345678");
  CHECK_FALSE(s.truncated());
}
