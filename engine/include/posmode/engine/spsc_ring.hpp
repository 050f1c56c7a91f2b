#pragma once

#include <algorithm>
#include <atomic>
#include <bit>
#include <cassert>
#include <cstddef>
#include <cstring>
#include <new>
#include <span>
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
 * **Threads.** Exactly one producer thread may call `try_push`/`try_emplace`/`try_push_n`, and
 * exactly one consumer thread may call `front`/`pop`/`try_pop`/`try_pop_n`. `size`, `empty` and
 * `capacity` may be called from either side (or a third thread). The threads may change over time
 * only with a happens-before hand-over.
 *
 * **Contract.** `try_push` refuses only when `capacity` records are in the ring (pushed and not
 * yet popped); `front` returns null only when no pushed record is left to read. There is no slack:
 * a popped slot is the producer's again at once. The burst forms keep the same contract:
 * `try_push_n` pushes as many as the free slots allow, `try_pop_n` pops as many as were pushed
 * (up to the sizes asked), and the slots a `try_pop_n` popped are free when it returns.
 *
 * **Allocation.** The slots are allocated once, by the constructor. No other member allocates,
 * locks, makes a system call or throws.
 *
 * **Memory ordering.** Slots are laid out in *line groups*: as many records as fit in one cache
 * line beside one 8-byte turn word (7 of 8 bytes, 3 of 16 bytes, 1 of 29 bytes or more), the
 * turn holding `index + 1` of the last record the producer put in the group. The producer
 * constructs a record, then publishes it with one release store of `index + 1` into its group's
 * turn; the consumer reads the record of `index` once its group's turn (acquire) is at least
 * `index + 1`. Record and turn share a line, so a record reaches the consumer in one cache-line
 * transfer: there is no separate write index to fetch before the record, and small records are
 * packed almost as densely as in a plain array (7 eight-byte records per line, against 8), so a
 * stream of them costs about as many line transfers as an index-based ring. Releasing is the
 * other way round: the consumer publishes `read + 1` with a release store after it has finished
 * with the slot, and the producer acquires that read index only when its cached copy says "full",
 * so a slot is never overwritten while it is being read. A turn left from an earlier lap, or the
 * initial one (the start index), is below every index of the current lap, and turns compare as
 * signed distances, so the check stays exact across the wrap of the indices.
 *
 * **Layout.** Five 128-byte groups: the read-only fields; the producer's private fields (next
 * write, its line group and place in it, cached read index); the consumer's private fields (next
 * read, line group and place); the read index the consumer publishes (read by the producer only
 * when it finds the ring full); and the write index the producer publishes only for `size` and
 * `empty` (no hot-path read). Neither side's private state shares a line with anything the other
 * side reads. A record wider than a line group gets a group of its own, rounded up to a power of
 * two up to a cache line and to whole lines beyond. The groups are padded by 128 bytes at both
 * ends so that neighbouring heap objects never share a line with the first or last group. There
 * may be a few more slots than `capacity` (the last group's), but no more than `capacity` records
 * are ever in the ring.
 *
 * Indices are free-running `std::size_t` counters that wrap at 2^64; each side walks the line
 * groups with its own (group, place) cursor, so the capacity need not be a multiple of a group.
 *
 * @tparam T a trivially copyable, trivially destructible record type.
 */
template <ring_element T>
class spsc_ring {
 public:
  using value_type = T;

  /**
   * Allocates a ring for exactly `capacity` records. Not for the hot path.
   *
   * @param capacity the number of records the ring holds: a power of two, at least 1.
   * @param start_index the value both free-running indices start from. Only tests need another
   *        value than 0, to exercise the wrap of the indices at 2^64.
   * @throws std::invalid_argument if `capacity` is 0, not a power of two, or too large to allocate;
   *         the message contains the value.
   * @throws std::bad_alloc if the slots cannot be allocated.
   */
  explicit spsc_ring(std::size_t capacity, std::size_t start_index = 0)
      : groups_(allocate_groups(capacity, start_index)),
        group_count_(groups_for(capacity)),
        capacity_(capacity),
        producer_{start_index, start_index, {}},
        consumer_{start_index, {}},
        read_index_{start_index},
        write_index_{start_index} {}

  ~spsc_ring() {
    for (std::size_t i = 0; i < group_count_; ++i)
      groups_[i].~line_group();
    ::operator delete (storage_of(groups_), std::align_val_t{false_sharing_range});
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
    if (write - producer_.read_cache == capacity_) {
      producer_.read_cache = read_index_.value.load(std::memory_order_acquire);
      if (write - producer_.read_cache == capacity_) return false;
    }
    line_group& g = groups_[producer_.at.group];
    ::new (static_cast<void*>(g.storage[producer_.at.place])) T(std::forward<Args>(args)...);
    producer_.write = write + 1;
    advance(producer_.at);
    // For size() only, and stored before the turn: whoever has seen the record (and so perhaps
    // its release) then also sees a write index that counts it, and size() never goes negative.
    write_index_.value.store(write + 1, std::memory_order_relaxed);
    g.turn.store(write + 1, std::memory_order_release);
    return true;
  }

  /**
   * Producer only. Copies `value` into the next free slot.
   * @return false, leaving the ring untouched, when the ring is full.
   */
  [[nodiscard]] bool try_push(const T& value) noexcept { return try_emplace(value); }

  /**
   * Producer only. Copies as many of `values` as there is room for, in order, into the ring: a
   * burst. The records are written first, then each line group they went to is published with
   * one turn store, so the consumer sees the burst whole (its first record a few stores later
   * than `try_push` would show it); the read index is fetched at most once.
   * @return how many of `values` were pushed (the first ones): 0 when the ring is full.
   */
  [[nodiscard]] std::size_t try_push_n(std::span<const T> values) noexcept {
    const std::size_t write = producer_.write;
    std::size_t room = capacity_ - (write - producer_.read_cache);
    if (room < values.size()) {
      producer_.read_cache = read_index_.value.load(std::memory_order_acquire);
      room = capacity_ - (write - producer_.read_cache);
    }
    const std::size_t count = std::min(room, values.size());
    if (count == 0) return 0;
    write_index_.value.store(write + count, std::memory_order_relaxed);  // see try_emplace
    // Records first, then the turns: the consumer sees the whole burst at once instead of chasing
    // it group by group, and the turn stores go to lines the producer has just written.
    cursor at = producer_.at;
    const T* from = values.data();
    for (std::size_t left = count; left != 0;) {
      const std::size_t take = std::min(left, per_group - at.place);
      // T is trivially copyable (an implicit-lifetime type): the copy creates the records.
      std::memcpy(groups_[at.group].storage[at.place], from, take * sizeof(T));
      from += take;
      left -= take;
      step(at, take);
    }
    at = producer_.at;
    std::size_t next = write;
    for (std::size_t left = count; left != 0;) {
      line_group& g = groups_[at.group];
      const std::size_t take = std::min(left, per_group - at.place);
      left -= take;
      next += take;
      step(at, take);
      g.turn.store(next, std::memory_order_release);
    }
    producer_.at = at;
    producer_.write = next;
    return count;
  }

  /**
   * Consumer only. The oldest record, or nullptr when the ring is empty. The pointer stays valid,
   * and the record unchanged, until the consumer calls `pop`. The consumer's cheapest "is there
   * anything?": it reads only the record's line.
   */
  [[nodiscard]] T* front() noexcept {
    line_group& g = groups_[consumer_.at.group];
    if (!published(g.turn.load(std::memory_order_acquire), consumer_.read)) return nullptr;
    return std::launder(reinterpret_cast<T*>(g.storage[consumer_.at.place]));
  }

  /**
   * Consumer only. Releases the record returned by `front` to the producer.
   * Precondition: the last `front()` returned non-null (checked by an assert in debug builds).
   */
  void pop() noexcept {
    const std::size_t read = consumer_.read;
    assert(published(groups_[consumer_.at.group].turn.load(std::memory_order_relaxed), read) &&
           "spsc_ring::pop on an empty ring");
    // T is trivially destructible: releasing the slot is all there is to do.
    consumer_.read = read + 1;
    advance(consumer_.at);
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
   * Consumer only. Copies up to `out.size()` of the oldest records into `out`, in order, and
   * releases all of their slots with one store: a drain. Reads one turn per line group.
   * @return how many records were copied (0 when the ring is empty); the rest of `out` is
   *         untouched.
   */
  [[nodiscard]] std::size_t try_pop_n(std::span<T> out) noexcept {
    const std::size_t first = consumer_.read;
    std::size_t read = first;
    cursor at = consumer_.at;
    T* to = out.data();
    for (std::size_t left = out.size(); left != 0;) {
      line_group& g = groups_[at.group];
      const auto ready = static_cast<std::ptrdiff_t>(g.turn.load(std::memory_order_acquire) - read);
      if (ready <= 0) break;
      const std::size_t take =
          std::min({static_cast<std::size_t>(ready), per_group - at.place, left});
      std::memcpy(to, g.storage[at.place], take * sizeof(T));
      to += take;
      left -= take;
      read += take;
      step(at, take);
    }
    consumer_.at = at;
    if (read == first) return 0;
    consumer_.read = read;
    read_index_.value.store(read, std::memory_order_release);
    return read - first;
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
    return used > capacity_ ? capacity_ : used;
  }

  /** Either side. `size() == 0`, with the same staleness caveat. */
  [[nodiscard]] bool empty() const noexcept { return size() == 0; }

  /** Either side. The number of records the ring holds, fixed at construction. */
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }

 private:
  using turn_word = std::atomic<std::size_t>;
  // Records per line group: as many as fit in a cache line beside the turn, or one.
  static constexpr std::size_t per_group = sizeof(T) + sizeof(turn_word) <= cache_line_size
                                               ? (cache_line_size - sizeof(turn_word)) / sizeof(T)
                                               : 1;
  static constexpr std::size_t group_alignment =
      per_group > 1 ? cache_line_size
                    : std::min(std::max(alignof(T), std::bit_ceil(sizeof(T) + sizeof(turn_word))),
                               std::max(alignof(T), cache_line_size));
  struct alignas(group_alignment) line_group {
    explicit line_group(std::size_t initial_turn) noexcept : turn(initial_turn) {}
    alignas(T) unsigned char storage[per_group][sizeof(T)];
    turn_word turn;  // `index + 1` of the last record put in this group
  };
  static_assert(sizeof(line_group) % cache_line_size == 0 ||
                    cache_line_size % sizeof(line_group) == 0,
                "a line group is a whole number of lines, or a power of two that divides one");

  // A side's place in the line groups; both sides step through them in the same order.
  struct cursor {
    std::size_t group = 0;
    std::size_t place = 0;
  };

  void advance(cursor& at) const noexcept { step(at, 1); }

  // Moves `at` on by `n` places, n <= what is left of its group.
  void step(cursor& at, std::size_t n) const noexcept {
    if constexpr (per_group > 1) {
      at.place += n;
      if (at.place != per_group) return;
      at.place = 0;
    }
    if (++at.group == group_count_) at.group = 0;
  }

  // The record of `index` is in its group once the group's turn has reached `index + 1`. Every
  // turn the group held before (an earlier lap's, or the start index) is behind `index + 1` by
  // at most the number of slots, far below 2^63 for any ring that can be allocated, so the signed
  // distance tells them apart across the wrap at 2^64.
  static bool published(std::size_t turn, std::size_t index) noexcept {
    return static_cast<std::ptrdiff_t>(turn - (index + 1)) >= 0;
  }

  static constexpr std::size_t groups_for(std::size_t capacity) noexcept {
    return capacity / per_group + (capacity % per_group != 0 ? 1 : 0);
  }

  static std::byte* storage_of(line_group* groups) noexcept {
    return reinterpret_cast<std::byte*>(groups) - false_sharing_range;
  }

  static line_group* allocate_groups(std::size_t capacity, std::size_t start_index) {
    if (capacity == 0 || (capacity & (capacity - 1)) != 0) {
      throw std::invalid_argument("spsc_ring: capacity must be a power of two >= 1, got " +
                                  std::to_string(capacity));
    }
    constexpr std::size_t max_groups = (SIZE_MAX - 2 * false_sharing_range) / sizeof(line_group);
    if (groups_for(capacity) > max_groups) {
      throw std::invalid_argument("spsc_ring: capacity too large to allocate, got " +
                                  std::to_string(capacity));
    }
    const std::size_t count = groups_for(capacity);
    void* raw = ::operator new (count * sizeof(line_group) + 2 * false_sharing_range,
                                std::align_val_t{false_sharing_range});
    auto* groups =
        reinterpret_cast<line_group*>(static_cast<std::byte*>(raw) + false_sharing_range);
    // Records are constructed only when pushed. A turn of `start_index` is behind every index the
    // first lap uses, so no group looks filled before its first push.
    for (std::size_t i = 0; i < count; ++i)
      ::new (static_cast<void*>(groups + i)) line_group(start_index);
    return groups;
  }

  struct alignas(false_sharing_range) producer_fields {
    std::size_t write;       // next index to write
    std::size_t read_cache;  // last read index seen
    cursor at;               // where `write` goes
  };
  struct alignas(false_sharing_range) consumer_fields {
    std::size_t read;  // next index to read
    cursor at;         // where `read` is
  };
  struct alignas(false_sharing_range) published_index {
    std::atomic<std::size_t> value;
  };

  // Read-only after construction, shared by both sides. alignas keeps it off the groups below.
  alignas(false_sharing_range) line_group* const groups_;
  const std::size_t group_count_;
  const std::size_t capacity_;
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
