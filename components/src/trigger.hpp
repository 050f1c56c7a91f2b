#pragma once

// A request from the risk thread. Private to posmode::components.

#include <cstddef>
#include <cstdint>

#include "posmode/components/venue.hpp"

namespace posmode::components::detail {

/** A trigger from the risk thread, as it crosses the request ring (trivially copyable). */
struct trigger {
  std::uint64_t id = 0;
  std::size_t account = 0;
  position_mode mode = position_mode::hedge;
  std::int64_t trigger_ns = 0;  ///< monotonic, read by the risk thread in `request`
};

}  // namespace posmode::components::detail
