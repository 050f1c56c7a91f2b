#pragma once

#include <algorithm>
#include <atomic>
#include <bit>
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
 * from either side (or a third thread). The threads may change over time only with a
 * happens-before hand-over.
 *
 * **Contract.** `try_push` refuses only when `capacity` records are in the ring (pushed and not
 * yet popped); `front` returns null only when no pushed record is left to read. There is no slack:
 * a popped slot is the producer's again at once.
 *
 * **Allocation.** The slots are allocated once, by the constructor. No other member allocates,
 * locks, makes a system call or throws.
 *
 * **Memory ordering.** Each slot carries a turn word beside the record. The producer constructs
 * the record, then publishes it with one release store of `index + 1` into that slot's turn; the
 * consumer polls the turn of the slot it reads next (acquire) and reads the record once the turn
 * says so. Record and turn share the slot's line, so a record reaches the consumer in one
 * cache-line transfer: there is no separate write index to fetch before the slot. Releasing is the
 * other way round: the consumer publishes `read + 1` with a release store after it has finished
 * with the slot, and the producer acquires that read index only when its cached copy says "full",
 * so a slot is never overwritten while it is being read. A turn from an earlier lap (or the initial
 * value) can never equal the one expected, since it differs by a multiple of the capacity (or by
 * one).
 *
 * **Layout.** Five 128-byte groups: the read-only fields; the producer's private fields (next
 * write, cached read index); the consumer's private field (next read); the read index the
 * consumer publishes (read by the producer only when it finds the ring full); and the write index
 * the producer publishes only for `size` and `empty` (no hot-path read). Neither side's private
 * state shares a line with anything the other side reads. A slot (record + turn) is rounded up to
 * a power of two up to a cache line, and to whole lines beyond, so that no slot straddles a line
 * it need not; the slot array is padded by 128 bytes at both ends so that neighbouring heap objects
 * never share a line with the first or last slot.
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
      : slots_(allocate_slots(capacity, start_index)),
        mask_(capacity - 1),
        producer_{start_index, start_index},
        consumer_{start_index},
        read_index_{start_index},
        write_index_{start_index} {}

  ~spsc_ring() {
    for (std::size_t i = 0; i <= mask_; ++i)
      slots_[i].~slot();
    ::operator delete (storage_of(slots_), std::align_val_t{false_sharing_range});
  }

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
    const std::size_t write = producer_.write;
    if (write - producer_.read_cache == capacity()) {
      producer_.read_cache = read_index_.value.load(std::memory_order_acquire);
      if (write - producer_.read_cache == capacity()) return false;
    }
    slot& s = slots_[write & mask_];
    ::new (static_cast<void*>(s.storage)) T(std::forward<Args>(args)...);
    producer_.write = write + 1;
    // For size() only, and stored before the turn: whoever has seen the record (and so perhaps
    // its release) then also sees a write index that counts it, and size() never goes negative.
    write_index_.value.store(write + 1, std::memory_order_relaxed);
    s.turn.store(write + 1, std::memory_order_release);
    return true;
  }

  /**
   * Producer only. Copies `value` into the next free slot.
   * @return false, leaving the ring untouched, when the ring is full.
   */
  [[nodiscard]] bool try_push(const T& value) noexcept { return try_emplace(value); }

  /**
   * Consumer only. The oldest record, or nullptr when the ring is empty. The pointer stays valid,
   * and the record unchanged, until the consumer calls `pop`. The consumer's cheapest "is there
   * anything?": it reads only the slot's line.
   */
  [[nodiscard]] T* front() noexcept {
    const std::size_t read = consumer_.read;
    slot& s = slots_[read & mask_];
    if (s.turn.load(std::memory_order_acquire) != read + 1) return nullptr;
    return std::launder(reinterpret_cast<T*>(s.storage));
  }

  /**
   * Consumer only. Releases the record returned by `front` to the producer.
   * Precondition: the last `front()` returned non-null (checked by an assert in debug builds).
   */
  void pop() noexcept {
    const std::size_t read = consumer_.read;
    assert(slots_[read & mask_].turn.load(std::memory_order_relaxed) == read + 1 &&
           "spsc_ring::pop on an empty ring");
    // T is trivially destructible: releasing the slot is all there is to do.
    consumer_.read = read + 1;
    read_index_.value.store(read + 1, std::memory_order_release);
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
   * It reads both published indices, so a consumer polling for work should call `front` instead.
   */
  [[nodiscard]] std::size_t size() const noexcept {
    // Read index first: the write index loaded afterwards can only be at or ahead of it (the
    // producer stores it before the turn that lets the consumer pop the record).
    const std::size_t read = read_index_.value.load(std::memory_order_acquire);
    const std::size_t write = write_index_.value.load(std::memory_order_acquire);
    const std::size_t used = write - read;
    return used > capacity() ? capacity() : used;
  }

  /** Either side. `size() == 0`, with the same staleness caveat. */
  [[nodiscard]] bool empty() const noexcept { return size() == 0; }

  /** Either side. The number of slots, fixed at construction. */
  [[nodiscard]] std::size_t capacity() const noexcept { return mask_ + 1; }

 private:
  // A record's storage and its turn: `index + 1` once the record of `index` is in it.
  static constexpr std::size_t slot_alignment =
      std::min(std::max(alignof(T), std::bit_ceil(sizeof(T) + sizeof(std::size_t))),
               std::max(alignof(T), cache_line_size));
  struct alignas(slot_alignment) slot {
    explicit slot(std::size_t initial_turn) noexcept : turn(initial_turn) {}
    alignas(T) unsigned char storage[sizeof(T)];
    std::atomic<std::size_t> turn;
  };
  static_assert(sizeof(slot) % cache_line_size == 0 || cache_line_size % sizeof(slot) == 0,
                "a slot is a whole number of lines, or a power of two that divides one");

  static std::byte* storage_of(slot* slots) noexcept {
    return reinterpret_cast<std::byte*>(slots) - false_sharing_range;
  }

  static slot* allocate_slots(std::size_t capacity, std::size_t start_index) {
    if (capacity == 0 || (capacity & (capacity - 1)) != 0) {
      throw std::invalid_argument("spsc_ring: capacity must be a power of two >= 1, got " +
                                  std::to_string(capacity));
    }
    constexpr std::size_t max_slots = (SIZE_MAX - 2 * false_sharing_range) / sizeof(slot);
    if (capacity > max_slots) {
      throw std::invalid_argument("spsc_ring: capacity too large to allocate, got " +
                                  std::to_string(capacity));
    }
    void* raw = ::operator new (capacity * sizeof(slot) + 2 * false_sharing_range,
                                std::align_val_t{false_sharing_range});
    auto* slots = reinterpret_cast<slot*>(static_cast<std::byte*>(raw) + false_sharing_range);
    // Records are constructed only when pushed; each turn starts at the first index that will use
    // its slot, which is never "that index + 1", so no slot looks full before its first push.
    const std::size_t mask = capacity - 1;
    for (std::size_t i = 0; i < capacity; ++i)
      ::new (static_cast<void*>(slots + i)) slot(start_index + ((i - start_index) & mask));
    return slots;
  }

  struct alignas(false_sharing_range) producer_fields {
    std::size_t write;       // next index to write
    std::size_t read_cache;  // last read index seen
  };
  struct alignas(false_sharing_range) consumer_fields {
    std::size_t read;  // next index to read
  };
  struct alignas(false_sharing_range) published_index {
    std::atomic<std::size_t> value;
  };

  // Read-only after construction, shared by both sides. alignas keeps it off the groups below.
  alignas(false_sharing_range) slot* const slots_;
  const std::size_t mask_;
  producer_fields producer_;
  consumer_fields consumer_;
  published_index read_index_;   // consumer -> producer: slots released
  published_index write_index_;  // producer -> size()/empty(): records pushed

  static_assert(std::atomic<std::size_t>::is_always_lock_free,
                "the ring's indices must be lock-free atomics");
  static_assert(sizeof(producer_fields) == false_sharing_range &&
                    sizeof(consumer_fields) == false_sharing_range &&
                    sizeof(published_index) == false_sharing_range,
                "each side's fields and each published index fill exactly one 128-byte group");
};

}  // namespace posmode::engine
