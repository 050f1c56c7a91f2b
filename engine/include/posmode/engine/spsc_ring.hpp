#pragma once

#include <atomic>
#include <cassert>
#include <cstddef>
#include <new>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace posmode::engine {

/** Size of one cache line on the x86-64 and AArch64 parts posmode targets.
 *  Deliberately not `std::hardware_destructive_interference_size`, whose value may change between
 *  compiler versions and so between a host's translation units (g++ 12 `-Winterference-size`). */
inline constexpr std::size_t cache_line_size = 64;

/** Distance kept between fields written by different threads. Intel's spatial prefetcher fetches
 *  lines in aligned pairs, so two lines (128 bytes) is the distance that really avoids false
 *  sharing. */
inline constexpr std::size_t false_sharing_range = 2 * cache_line_size;

/** What a ring may carry: records the ring may copy with `memcpy` semantics and abandon without
 *  running a destructor. */
template <typename T>
concept ring_element = std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T> &&
                       alignof(T) <= false_sharing_range;

/**
 * Bounded, lock-free, wait-free single-producer/single-consumer ring of trivially copyable records.
 *
 * **Threads.** Exactly one producer thread may call `try_push`/`try_emplace`, and exactly one
 * consumer thread may call `front`/`pop`/`try_pop`. `size`, `empty` and `capacity` may be called
 * from either side. The threads may change over time only with a happens-before hand-over.
 *
 * **Allocation.** The slots are allocated once, by the constructor. No other member allocates,
 * locks, makes a system call or throws.
 *
 * **Memory ordering.** The producer constructs the slot, then publishes `write + 1` with a release
 * store; the consumer reads the write index with an acquire load before it touches the slot, so it
 * sees the whole record. Symmetrically the consumer publishes `read + 1` with a release store only
 * after it has finished with the slot, and the producer acquires the read index before it reuses
 * that slot, so a slot is never overwritten while it is being read. Each side also keeps a private
 * copy of its own index (it is the only writer, so it never needs to load its atomic) and a cached
 * copy of the other side's index, refreshed only when the cached value says "full" or "empty". A
 * stale cached value is always conservative: it can only under-report free slots to the producer
 * and available records to the consumer, never over-report them.
 *
 * **Layout.** The producer's fields, the consumer's fields and the read-only fields are in three
 * separate 128-byte groups, and the slot array is padded by 128 bytes at both ends so that
 * neighbouring heap objects never share a line with the first or last slot.
 *
 * Indices are free-running `std::size_t` counters: they wrap at 2^64 and the slot is
 * `index & (capacity - 1)`, which stays correct across the wrap because the capacity is a power of
 * two.
 *
 * @tparam T a trivially copyable, trivially destructible record type.
 */
template <ring_element T>
class spsc_ring {
 public:
  using value_type = T;

  /**
   * Allocates a ring of exactly `capacity` slots. Not for the hot path.
   *
   * @param capacity number of slots: a power of two, at least 1.
   * @param start_index the value both free-running indices start from. Only tests need another
   *        value than 0, to exercise the wrap of the indices at 2^64.
   * @throws std::invalid_argument if `capacity` is 0, not a power of two, or too large to allocate;
   *         the message contains the value.
   * @throws std::bad_alloc if the slots cannot be allocated.
   */
  explicit spsc_ring(std::size_t capacity, std::size_t start_index = 0)
      : slots_(allocate_slots(capacity)),
        mask_(capacity - 1),
        producer_{start_index, start_index, start_index},
        consumer_{start_index, start_index, start_index} {}

  ~spsc_ring() { ::operator delete (storage_of(slots_), std::align_val_t{false_sharing_range}); }

  spsc_ring(const spsc_ring&) = delete;
  spsc_ring& operator=(const spsc_ring&) = delete;
  spsc_ring(spsc_ring&&) = delete;
  spsc_ring& operator=(spsc_ring&&) = delete;

  /**
   * Producer only. Constructs a record in the next free slot from `args`.
   * @return false, leaving the ring untouched, when the ring is full.
   */
  template <typename... Args>
  requires std::is_nothrow_constructible_v<T, Args&&...>
  [[nodiscard]] bool try_emplace(Args&&... args) noexcept {
    const std::size_t write = producer_.write_private;
    if (write - producer_.read_cache == capacity()) {
      producer_.read_cache = consumer_.read_index.load(std::memory_order_acquire);
      if (write - producer_.read_cache == capacity()) return false;
    }
    ::new (static_cast<void*>(slots_ + (write & mask_))) T(std::forward<Args>(args)...);
    producer_.write_private = write + 1;
    producer_.write_index.store(write + 1, std::memory_order_release);
    return true;
  }

  /**
   * Producer only. Copies `value` into the next free slot.
   * @return false, leaving the ring untouched, when the ring is full.
   */
  [[nodiscard]] bool try_push(const T& value) noexcept { return try_emplace(value); }

  /**
   * Consumer only. The oldest record, or nullptr when the ring is empty. The pointer stays valid,
   * and the record unchanged, until the consumer calls `pop`.
   */
  [[nodiscard]] T* front() noexcept {
    const std::size_t read = consumer_.read_private;
    if (read == consumer_.write_cache) {
      consumer_.write_cache = producer_.write_index.load(std::memory_order_acquire);
      if (read == consumer_.write_cache) return nullptr;
    }
    return slots_ + (read & mask_);
  }

  /**
   * Consumer only. Releases the record returned by `front` to the producer.
   * Precondition: the last `front()` returned non-null (checked by an assert in debug builds).
   */
  void pop() noexcept {
    const std::size_t read = consumer_.read_private;
    assert(read != consumer_.write_cache && "spsc_ring::pop on an empty ring");
    // T is trivially destructible: releasing the slot is all there is to do.
    consumer_.read_private = read + 1;
    consumer_.read_index.store(read + 1, std::memory_order_release);
  }

  /**
   * Consumer only. Copies the oldest record into `out` and releases its slot.
   * @return false, leaving `out` untouched, when the ring is empty.
   */
  [[nodiscard]] bool try_pop(T& out) noexcept {
    T* const record = front();
    if (record == nullptr) return false;
    out = *record;
    pop();
    return true;
  }

  /**
   * Either side. Number of records in the ring: exact when called by one side while the other is
   * idle, otherwise a snapshot that may be stale by the time it returns. Always in [0, capacity].
   */
  [[nodiscard]] std::size_t size() const noexcept {
    // Read index first: the write index loaded afterwards can only be at or ahead of it.
    const std::size_t read = consumer_.read_index.load(std::memory_order_acquire);
    const std::size_t write = producer_.write_index.load(std::memory_order_acquire);
    const std::size_t used = write - read;
    return used > capacity() ? capacity() : used;
  }

  /** Either side. `size() == 0`, with the same staleness caveat. */
  [[nodiscard]] bool empty() const noexcept { return size() == 0; }

  /** Either side. The number of slots, fixed at construction. */
  [[nodiscard]] std::size_t capacity() const noexcept { return mask_ + 1; }

 private:
  static std::byte* storage_of(T* slots) noexcept {
    return reinterpret_cast<std::byte*>(slots) - false_sharing_range;
  }

  static T* allocate_slots(std::size_t capacity) {
    if (capacity == 0 || (capacity & (capacity - 1)) != 0) {
      throw std::invalid_argument("spsc_ring: capacity must be a power of two >= 1, got " +
                                  std::to_string(capacity));
    }
    constexpr std::size_t max_slots = (SIZE_MAX - 2 * false_sharing_range) / sizeof(T);
    if (capacity > max_slots) {
      throw std::invalid_argument("spsc_ring: capacity too large to allocate, got " +
                                  std::to_string(capacity));
    }
    // Raw storage: slots are constructed only when a record is pushed, never default-constructed.
    void* raw = ::operator new (capacity * sizeof(T) + 2 * false_sharing_range,
                                std::align_val_t{false_sharing_range});
    return reinterpret_cast<T*>(static_cast<std::byte*>(raw) + false_sharing_range);
  }

  struct alignas(false_sharing_range) producer_fields {
    std::atomic<std::size_t> write_index;  // published to the consumer
    std::size_t write_private;             // == write_index, read without an atomic load
    std::size_t read_cache;                // last read index seen
  };
  struct alignas(false_sharing_range) consumer_fields {
    std::atomic<std::size_t> read_index;  // published to the producer
    std::size_t read_private;             // == read_index, read without an atomic load
    std::size_t write_cache;              // last write index seen
  };

  // Read-only after construction, shared by both sides. alignas keeps it off the groups below.
  alignas(false_sharing_range) T* const slots_;
  const std::size_t mask_;
  producer_fields producer_;
  consumer_fields consumer_;

  static_assert(std::atomic<std::size_t>::is_always_lock_free,
                "the ring's indices must be lock-free atomics");
  static_assert(sizeof(producer_fields) == false_sharing_range &&
                    sizeof(consumer_fields) == false_sharing_range,
                "each side's fields must fill exactly one 128-byte group");
};

}  // namespace posmode::engine
