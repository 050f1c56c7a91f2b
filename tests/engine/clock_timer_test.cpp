// clock_timer: a wait on the clock seam. With the system clock it is a steady_timer wait; with a
// manual clock it fires when the test advances the clock, and never on real time.

#include "posmode/engine/clock_timer.hpp"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>

#include "engine/loop_support.hpp"
#include "posmode/engine/handler_memory.hpp"
#include "support/allocation_counter.hpp"

using namespace posmode::engine;
using namespace std::chrono_literals;
using posmode::test::run_until;

namespace {

// Far from the system's monotonic time: a wait that ran on real time, whether it took the expiry
// as an absolute steady_clock time or as a delay from now, could not end within a test.
constexpr std::int64_t far_start = std::int64_t{1} << 60;
constexpr std::int64_t hour_ns = std::chrono::nanoseconds(1h).count();

struct outcome {
  int calls = 0;
  boost::system::error_code ec;
  auto handler() {
    return [this](const boost::system::error_code& e) {
      ++calls;
      ec = e;
    };
  }
};

// A timer on a manual clock that starts far from the system's time.
struct manual_fixture {
  boost::asio::io_context io{1};
  manual_clock clock{far_start};
  clock_timer timer{io, clock_ref(clock)};

  void wait(outcome& o, std::int64_t at_ns) {
    (void)timer.expires_at(at_ns);
    timer.async_wait(o.handler());
  }
};

// A wait on the system clock that is already due: once it has completed, the loop has run its
// reactor, so a wait that was wrongly due would have completed too.
void run_past_a_due_system_wait(boost::asio::io_context& io) {
  clock_timer witness(io, clock_ref{});
  outcome w;
  (void)witness.expires_at(system_clock::monotonic_ns());
  witness.async_wait(w.handler());
  REQUIRE(run_until(io, [&] { return w.calls > 0; }));
  io.poll();
}

}  // namespace

TEST_CASE("on the system clock a wait ends at its expiry, and a new expiry cancels it") {
  boost::asio::io_context io{1};
  clock_timer timer(io, clock_ref{});
  outcome first;
  (void)timer.expires_at(system_clock::monotonic_ns() + hour_ns);
  timer.async_wait(first.handler());
  CHECK(timer.expires_at(system_clock::monotonic_ns()) == 1);
  outcome second;
  timer.async_wait(second.handler());
  REQUIRE(run_until(io, [&] { return first.calls > 0 && second.calls > 0; }));
  CHECK(first.ec == boost::asio::error::operation_aborted);
  CHECK_FALSE(second.ec);
  CHECK(timer.expiry() <= system_clock::monotonic_ns());
}

TEST_CASE("on a manual clock a wait ends when the clock is advanced to its expiry, not before") {
  manual_fixture f;
  outcome o;
  f.wait(o, far_start + hour_ns);
  run_past_a_due_system_wait(f.io);
  CHECK(o.calls == 0);
  f.clock.advance(1h - 1ns);
  run_past_a_due_system_wait(f.io);
  CHECK(o.calls == 0);
  f.clock.advance(1ns);
  REQUIRE(run_until(f.io, [&] { return o.calls > 0; }));
  CHECK(o.calls == 1);
  CHECK_FALSE(o.ec);
}

TEST_CASE("on a manual clock one nanosecond short of the expiry, the loop is not kept busy") {
  // A slice as short as what is left would be due at once, again and again: poll() would never
  // return. Every slice is a whole one, so almost every poll finds nothing to run.
  manual_fixture f;
  outcome o;
  f.wait(o, far_start + 1);
  std::size_t ran = 0;
  for (int i = 0; i < 1000; ++i)
    ran += f.io.poll_one();
  CHECK(o.calls == 0);
  CHECK(ran < 50);
  f.clock.advance(1ns);
  REQUIRE(run_until(f.io, [&] { return o.calls > 0; }));
  CHECK_FALSE(o.ec);
}

TEST_CASE("on a manual clock cancel() and a new expiry end the pending wait as aborted") {
  manual_fixture f;
  outcome cancelled;
  f.wait(cancelled, far_start + hour_ns);
  CHECK(f.timer.cancel() == 1);
  REQUIRE(run_until(f.io, [&] { return cancelled.calls > 0; }));
  CHECK(cancelled.ec == boost::asio::error::operation_aborted);

  outcome replaced;
  f.wait(replaced, far_start + hour_ns);
  CHECK(f.timer.expires_at(far_start) == 1);  // already due
  outcome due;
  f.timer.async_wait(due.handler());
  REQUIRE(run_until(f.io, [&] { return replaced.calls > 0 && due.calls > 0; }));
  CHECK(replaced.ec == boost::asio::error::operation_aborted);
  CHECK_FALSE(due.ec);
}

TEST_CASE("a manual clock's wait is dropped with its timer, and its handler told so") {
  boost::asio::io_context io{1};
  manual_clock clock(far_start);
  outcome o;
  {
    clock_timer timer(io, clock_ref(clock));
    (void)timer.expires_at(far_start + hour_ns);
    timer.async_wait(o.handler());
  }
  REQUIRE(run_until(io, [&] { return o.calls > 0; }));
  CHECK(o.ec == boost::asio::error::operation_aborted);
}

TEST_CASE("a system clock bound by reference is the system clock") {
  const system_clock sys;
  CHECK(clock_ref(sys).is_system());
  const manual_clock manual;
  CHECK_FALSE(clock_ref(manual).is_system());
}

#if POSMODE_ALLOCATION_COUNTING
TEST_CASE("a manual clock's wait re-arms its slices in the handler's memory, allocating nothing") {
  boost::asio::io_context io{1};
  manual_clock clock(far_start);
  clock_timer timer(io, clock_ref(clock));
  handler_memory memory;
  int fired = 0;
  const auto arm = [&] {
    (void)timer.expires_at(clock.monotonic_ns() + hour_ns);
    timer.async_wait(bind_memory(memory, [&](const boost::system::error_code& ec) {
      if (!ec) ++fired;
    }));
  };
  arm();  // warm-up: the reactor's own structures
  clock.advance(1h);
  REQUIRE(run_until(io, [&] { return fired == 1; }));
  io.restart();  // the loop ran out of work and stopped
  posmode::test::allocation_scope scope;
  arm();
  for (int i = 0; i < 5; ++i)
    REQUIRE(io.run_one() == 1);  // slices that find the clock short of the expiry and wait again
  CHECK(fired == 1);
  clock.advance(1h);
  REQUIRE(io.run_one() == 1);
  CHECK(scope.count() == 0);
  CHECK(fired == 2);
}
#endif
