#pragma once

#include <algorithm>
#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>

#include "posmode/engine/clock.hpp"

namespace posmode::engine {

/**
 * A one-shot timer whose expiry is a time of the clock seam (`clock_ref::monotonic_ns()`), so
 * that the clock posmode reads is also the clock its timers run on: with a `manual_clock`, a
 * deadline, a reconnect backoff or a keep-alive tick fires when the test advances the clock, and
 * never on its own.
 *
 * - **System clock** (a default `clock_ref`): a thin wrapper over one `asio::steady_timer` wait
 *   at the same absolute time (`system_clock` reads `std::chrono::steady_clock`), so a wait costs
 *   exactly what a `steady_timer` wait costs: no extra clock read, no extra system call.
 * - **Any other clock** (test clocks only): Asio cannot wait on a clock it does not know, so the
 *   wait runs in real slices of `test_clock_slice` (1 ms) and completes at the end of the
 *   first slice at which the seam's time has reached the expiry. The cost: one loop wake-up per
 *   millisecond per pending wait, and a completion up to one slice after the clock got there.
 *   Production hosts use the system clock and never pay it.
 *
 * Semantics follow `asio::steady_timer`: one handler per `async_wait`, called with
 * `operation_aborted` when the wait is cancelled (`cancel()`, a later `expires_at()`, the
 * timer's destruction), else with a clear code once the expiry has passed; a wait started after
 * the expiry completes at once (through the executor, never inside `async_wait`). On a test
 * clock a timer carries one wait at a time (each slice re-arms the underlying timer), and a
 * cancellation is final even for a slice already queued.
 *
 * **Threads.** The thread running the `io_context`, like any Asio object. **Allocation.**
 * Exactly that of `steady_timer::async_wait`: the operation is allocated through the handler's
 * associated allocator (bind it to a `handler_memory` and re-arming allocates nothing), also for
 * every slice of a test clock's wait. **Errors.** Only through the handler's `error_code`.
 *
 * This is the one engine header that includes Asio: `async_wait` is a template on the caller's
 * handler, as Asio's own timers are.
 */
class clock_timer {
 public:
  /** The longest real wait of one slice when the clock is not the system clock. */
  static constexpr std::chrono::nanoseconds test_clock_slice{1'000'000};

  /**
   * A timer on `io`'s executor reading `clock`, which must outlive the timer. Allocates once for
   * a clock other than the system clock (the record a pending slice consults); may throw
   * `std::bad_alloc`.
   */
  clock_timer(boost::asio::io_context& io, clock_ref clock) : timer_(io), clock_(clock) {
    if (!clock_.is_system()) owner_ = std::make_shared<clock_timer*>(this);
  }
  /** Cancels the pending waits; a test clock's slice that had already completed ends aborted. */
  ~clock_timer() {
    if (owner_) *owner_ = nullptr;
  }
  clock_timer(const clock_timer&) = delete;
  clock_timer& operator=(const clock_timer&) = delete;

  /**
   * Sets the expiry to `at_ns` on the seam's monotonic clock and cancels the pending waits (their
   * handlers get `operation_aborted`); returns how many were cancelled. Never throws.
   */
  std::size_t expires_at(std::int64_t at_ns) noexcept {
    expiry_ns_ = at_ns;
    if (!clock_.is_system()) return cancel();
    // Asio's throwing overload fails only where the timer queue can (never on Linux's reactor).
    try {
      return timer_.expires_at(
          boost::asio::steady_timer::time_point(std::chrono::nanoseconds(at_ns)));
    } catch (...) {
      return 0;
    }
  }

  /** The expiry last set, in the seam's monotonic nanoseconds. */
  [[nodiscard]] std::int64_t expiry() const noexcept { return expiry_ns_; }

  /**
   * Waits for the expiry, then calls `handler(const boost::system::error_code&)` through the
   * timer's executor (never from inside this call).
   */
  template <typename Handler>
  void async_wait(Handler&& handler) {
    if (clock_.is_system()) {
      timer_.async_wait(std::forward<Handler>(handler));
      return;
    }
    ++live_waits_;
    wait_slice(slice_wait<std::decay_t<Handler>>{owner_, wait_id_, std::forward<Handler>(handler)});
  }

  /** Cancels the pending waits (`operation_aborted`); returns how many. Never throws. */
  std::size_t cancel() noexcept {
    std::size_t cancelled = 0;
    if (!clock_.is_system()) {
      // A slice that already completed may be queued: its wait id tells it that it was cancelled.
      cancelled = std::exchange(live_waits_, 0);
      ++wait_id_;
    }
    try {  // as in expires_at
      const std::size_t real = timer_.cancel();
      return clock_.is_system() ? real : cancelled;
    } catch (...) {
      return cancelled;
    }
  }

 private:
  // One real slice of a test clock's wait; carries the caller's handler (and its allocator) to
  // the next slice until the seam's time has reached the expiry. A slice may complete and sit in
  // the loop's queue while the owner cancels the wait, sets a new expiry or destroys the timer:
  // it finds the timer through `owner` (cleared by the destructor) and learns of a cancellation
  // from `id`, so that it ends aborted instead of firing for an expiry no longer wanted.
  template <typename Handler>
  struct slice_wait {
    using allocator_type = boost::asio::associated_allocator_t<Handler>;
    allocator_type get_allocator() const noexcept {
      return boost::asio::get_associated_allocator(handler);
    }
    void operator()(const boost::system::error_code& ec) {
      clock_timer* const timer = *owner;
      if (timer == nullptr || id != timer->wait_id_)
        return handler(boost::asio::error::operation_aborted);
      if (ec || timer->clock_.monotonic_ns() >= timer->expiry_ns_) {
        --timer->live_waits_;
        return handler(ec);
      }
      timer->wait_slice(std::move(*this));
    }
    std::shared_ptr<clock_timer* const> owner;
    std::uint64_t id;
    Handler handler;
  };

  template <typename Slice>
  void wait_slice(Slice&& slice) {
    // Always a whole slice while the expiry is ahead: real time says nothing of when a test
    // clock gets there, and a shorter wait (the last nanoseconds of a manual clock that stands
    // still) would be due at once, again and again, and keep `io_context::poll()` from returning.
    const bool due = clock_.monotonic_ns() >= expiry_ns_;
    timer_.expires_after(due ? std::chrono::nanoseconds(0) : test_clock_slice);
    timer_.async_wait(std::forward<Slice>(slice));
  }

  boost::asio::steady_timer timer_;
  clock_ref clock_;
  std::int64_t expiry_ns_ = 0;
  // Test clocks only: this (null once destroyed), the id of the waits not cancelled, their count.
  std::shared_ptr<clock_timer*> owner_;
  std::uint64_t wait_id_ = 0;
  std::size_t live_waits_ = 0;
};

}  // namespace posmode::engine
