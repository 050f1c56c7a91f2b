#pragma once

// The three SPSC rings the ring benchmarks compare, behind one push/pop interface: posmode's
// spsc_ring, boost::lockfree::spsc_queue, and a minimal cached-index ring written here as the
// reference. Benchmark-only code; nothing here is part of the library.

#include <algorithm>
#include <atomic>
#include <boost/lockfree/spsc_queue.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "posmode/engine/spsc_ring.hpp"

namespace posmode::bench {

inline constexpr std::size_t ring_slots = 1024;

/**
 * The reference: the plain cached-index SPSC ring (the shape of rigtorp's SPSCQueue, written
 * from its description): a write index and a read index, each alone on its 128-byte group, each
 * side's cached copy of the other's index on a group of its own, acquire/release on the indices
 * and nothing else. Every push publishes the write index; every pop publishes the read index;
 * a burst (push_n) or a drain (pop_n) publishes it once.
 * Capacity `Slots` (a power of two), free-running indices. Producer: push; consumer: pop.
 */
template <std::size_t Slots>
class reference_ring {
  static_assert(Slots > 0 && (Slots & (Slots - 1)) == 0, "a power of two");
  static constexpr std::size_t group = engine::false_sharing_range;

 public:
  [[nodiscard]] bool push(std::uint64_t v) noexcept {
    const std::size_t w = write_.load(std::memory_order_relaxed);
    if (w - read_cache_ == Slots) {
      read_cache_ = read_.load(std::memory_order_acquire);
      if (w - read_cache_ == Slots) return false;
    }
    slots_[w & (Slots - 1)] = v;
    write_.store(w + 1, std::memory_order_release);
    return true;
  }
  // A burst: as many of `in` as fit, then one publication of the write index.
  [[nodiscard]] std::size_t push_n(std::span<const std::uint64_t> in) noexcept {
    const std::size_t w = write_.load(std::memory_order_relaxed);
    if (Slots - (w - read_cache_) < in.size()) read_cache_ = read_.load(std::memory_order_acquire);
    const std::size_t n = std::min(in.size(), Slots - (w - read_cache_));
    for (std::size_t i = 0; i < n; ++i)
      slots_[(w + i) & (Slots - 1)] = in[i];
    if (n != 0) write_.store(w + n, std::memory_order_release);
    return n;
  }
  // A drain: as many as are there (up to out.size()), then one publication of the read index.
  [[nodiscard]] std::size_t pop_n(std::span<std::uint64_t> out) noexcept {
    const std::size_t r = read_.load(std::memory_order_relaxed);
    if (write_cache_ - r < out.size()) write_cache_ = write_.load(std::memory_order_acquire);
    const std::size_t n = std::min(out.size(), write_cache_ - r);
    for (std::size_t i = 0; i < n; ++i)
      out[i] = slots_[(r + i) & (Slots - 1)];
    if (n != 0) read_.store(r + n, std::memory_order_release);
    return n;
  }
  [[nodiscard]] bool pop(std::uint64_t& v) noexcept {
    const std::size_t r = read_.load(std::memory_order_relaxed);
    if (r == write_cache_) {
      write_cache_ = write_.load(std::memory_order_acquire);
      if (r == write_cache_) return false;
    }
    v = slots_[r & (Slots - 1)];
    read_.store(r + 1, std::memory_order_release);
    return true;
  }

 private:
  alignas(group) std::atomic<std::size_t> write_{0};
  alignas(group) std::size_t read_cache_ = 0;  // producer's
  alignas(group) std::atomic<std::size_t> read_{0};
  alignas(group) std::size_t write_cache_ = 0;  // consumer's
  alignas(group) std::uint64_t slots_[Slots] = {};
  alignas(group) char pad_after_[group] = {};  // nothing else on the last slots' lines
};

struct posmode_queue {
  static constexpr const char* name = "posmode";
  engine::spsc_ring<std::uint64_t> ring{ring_slots};
  [[nodiscard]] bool push(std::uint64_t v) noexcept { return ring.try_push(v); }
  [[nodiscard]] bool pop(std::uint64_t& v) noexcept { return ring.try_pop(v); }
  [[nodiscard]] std::size_t push_n(std::span<const std::uint64_t> in) noexcept {
    return ring.try_push_n(in);
  }
  [[nodiscard]] std::size_t pop_n(std::span<std::uint64_t> out) noexcept {
    return ring.try_pop_n(out);
  }
};

// Boost's compile-time capacity keeps one slot empty to tell full from empty: 1023 usable slots.
struct boost_queue {
  static constexpr const char* name = "boost";
  boost::lockfree::spsc_queue<std::uint64_t, boost::lockfree::capacity<ring_slots>> queue;
  [[nodiscard]] bool push(std::uint64_t v) noexcept { return queue.push(v); }
  [[nodiscard]] bool pop(std::uint64_t& v) noexcept { return queue.pop(v); }
  [[nodiscard]] std::size_t push_n(std::span<const std::uint64_t> in) noexcept {
    return queue.push(in.data(), in.size());
  }
  [[nodiscard]] std::size_t pop_n(std::span<std::uint64_t> out) noexcept {
    return queue.pop(out.data(), out.size());
  }
};

struct reference_queue {
  static constexpr const char* name = "reference";
  reference_ring<ring_slots> ring;
  [[nodiscard]] bool push(std::uint64_t v) noexcept { return ring.push(v); }
  [[nodiscard]] bool pop(std::uint64_t& v) noexcept { return ring.pop(v); }
  [[nodiscard]] std::size_t push_n(std::span<const std::uint64_t> in) noexcept {
    return ring.push_n(in);
  }
  [[nodiscard]] std::size_t pop_n(std::span<std::uint64_t> out) noexcept { return ring.pop_n(out); }
};

}  // namespace posmode::bench
