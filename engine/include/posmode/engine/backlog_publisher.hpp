#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <type_traits>

#include "posmode/engine/spsc_ring.hpp"

namespace posmode::engine {

/**
 * The producer side of an `spsc_ring` that never drops: when the ring is full, items wait in a
 * bounded FIFO backlog owned by the producer, and `flush()` moves them into the ring, oldest
 * first, as the consumer frees space. Items always reach the consumer in publication order.
 *
 * The backlog is bounded so that memory is: `has_room(n)` lets the producer stop taking new work
 * before it could produce more than the backlog holds (the caller's back-pressure), and
 * `publish` returns false only if the caller ignored it.
 *
 * **Threads.** `publish`, `flush` and the inspectors on the producer thread only; the consumer
 * uses the ring. **Allocation.** Only in the constructor. **Errors.** The constructor throws
 * `std::invalid_argument` for a zero capacity; the rest is noexcept.
 */
template <typename T>
class backlog_publisher {
  static_assert(std::is_trivially_copyable_v<T>, "items are copied between threads");

 public:
  backlog_publisher(spsc_ring<T>& ring, std::size_t backlog_capacity)
      : ring_(ring), capacity_(backlog_capacity) {
    if (backlog_capacity == 0) throw std::invalid_argument("backlog capacity must be positive");
    items_ = std::make_unique<T[]>(backlog_capacity);
  }

  /**
   * Publishes `item`: straight into the ring when nothing is waiting and there is space, else at
   * the back of the backlog. False only when the backlog is full as well (nothing is stored).
   */
  [[nodiscard]] bool publish(const T& item) noexcept {
    if (count_ == 0 && ring_.try_push(item)) return true;
    if (count_ == capacity_) return false;
    items_[(head_ + count_) % capacity_] = item;
    ++count_;
    if (count_ > high_water_) high_water_ = count_;
    ++backlogged_total_;
    flush();
    return true;
  }

  /** Moves waiting items into the ring while it has space; returns how many are still waiting. */
  std::size_t flush() noexcept {
    while (count_ > 0 && ring_.try_push(items_[head_])) {
      head_ = (head_ + 1) % capacity_;
      --count_;
    }
    return count_;
  }

  /** True when `n` more items are sure to be accepted (the ring may be full). */
  [[nodiscard]] bool has_room(std::size_t n) const noexcept { return capacity_ - count_ >= n; }
  /** Items waiting now, the most that ever waited, and how many ever had to wait. */
  [[nodiscard]] std::size_t waiting() const noexcept { return count_; }
  [[nodiscard]] std::size_t high_water() const noexcept { return high_water_; }
  [[nodiscard]] std::size_t backlogged_total() const noexcept { return backlogged_total_; }
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }

 private:
  spsc_ring<T>& ring_;
  std::unique_ptr<T[]> items_;
  std::size_t capacity_;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
  std::size_t high_water_ = 0;
  std::size_t backlogged_total_ = 0;
};

}  // namespace posmode::engine
