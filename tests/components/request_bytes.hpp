#pragma once

// The bytes an account_requests object hands out at the fixed docs/venues.md time, as strings the
// byte-exact request tests compare with their expected requests.

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <system_error>

#include "posmode/components/account_requests.hpp"

namespace posmode::test {

/** The fixed time of the docs/venues.md vectors: 1700000000000 ms. */
inline constexpr std::int64_t vector_time_ms = 1700000000000;

/** The pre-signed set-mode request for `p` and `m`, signed at `vector_time_ms`. */
inline std::string set_bytes(components::account_requests& r, components::product p,
                             components::position_mode m) {
  std::error_code ec;
  auto bytes = r.set_mode(p, m, vector_time_ms, ec);
  REQUIRE_FALSE(ec);
  return {bytes.data(), bytes.size()};
}

/** The mode query for `p`, signed at `vector_time_ms`. */
inline std::string query_bytes(components::account_requests& r, components::product p) {
  std::error_code ec;
  auto bytes = r.query_mode(p, vector_time_ms, ec);
  REQUIRE_FALSE(ec);
  return {bytes.data(), bytes.size()};
}

}  // namespace posmode::test
