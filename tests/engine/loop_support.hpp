#pragma once

// Driving an io_context in tests: until a condition holds, with a bound so that a lost callback
// fails the test instead of hanging it.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>

#include "posmode/engine/clock.hpp"

namespace posmode::test {

/**
 * Runs `io` until `done()` or `limit` passes (false then). A spinning host uses `poll()`
 * (`spin`), a blocking one `run_one_for`.
 */
inline bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
                      bool spin = false,
                      std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    if (io.stopped()) io.restart();
    if (spin)
      io.poll();
    else
      io.run_one_for(std::chrono::milliseconds(10));
  }
  return true;
}

/** The absolute deadline `d` from now on `clock` (default: the system clock), as `send` takes it.
 */
inline std::int64_t from_now(std::chrono::nanoseconds d, engine::clock_ref clock = {}) {
  return clock.monotonic_ns() + d.count();
}

}  // namespace posmode::test
