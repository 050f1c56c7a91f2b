#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace posmode::engine {

/**
 * One writer publishes a value of `T` that any number of readers on other threads copy out,
 * without a lock: the writer never waits, a reader retries while a write is in progress and never
 * sees a torn value. For snapshots the loop updates now and then (an account's health) and
 * monitoring threads read at will.
 *
 * The value lives in relaxed atomic 64-bit words bracketed by a sequence counter (odd while a
 * write is in progress), the form that ThreadSanitizer and the C++ memory model accept (a plain
 * `memcpy` under a seqlock is a data race).
 *
 * **Threads.** `store` from one thread at a time; `load` from any. **Allocation.** None; no
 * exception. **Cost.** A store is one word store per 8 bytes of `T` plus two counter stores.
 */
template <typename T>
class seqlock {
  static_assert(std::is_trivially_copyable_v<T>, "a seqlock copies its value word by word");

 public:
  static constexpr std::size_t words = (sizeof(T) + 7) / 8;

  seqlock() noexcept { store(T{}); }
  seqlock(const seqlock&) = delete;
  seqlock& operator=(const seqlock&) = delete;

  /** Writer: publishes `value`. Never waits. */
  void store(const T& value) noexcept {
    std::array<std::uint64_t, words> raw{};
    std::memcpy(raw.data(), &value, sizeof(T));
    const std::uint64_t s = sequence_.load(std::memory_order_relaxed);
    sequence_.store(s + 1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    for (std::size_t i = 0; i < words; ++i)
      data_[i].store(raw[i], std::memory_order_relaxed);
    sequence_.store(s + 2, std::memory_order_release);
  }

  /**
   * Reader: copies the last complete value into `out`. Retries while the writer is inside
   * `store`, at most `attempts` times; false (and `out` untouched) if every attempt overlapped a
   * write, which takes a writer storing without pause.
   */
  [[nodiscard]] bool load(T& out, int attempts = 1000) const noexcept {
    std::array<std::uint64_t, words> raw;
    for (int a = 0; a < attempts; ++a) {
      const std::uint64_t before = sequence_.load(std::memory_order_acquire);
      if ((before & 1) != 0) continue;
      for (std::size_t i = 0; i < words; ++i)
        raw[i] = data_[i].load(std::memory_order_relaxed);
      std::atomic_thread_fence(std::memory_order_acquire);
      if (sequence_.load(std::memory_order_relaxed) != before) continue;
      std::memcpy(static_cast<void*>(&out), raw.data(), sizeof(T));
      return true;
    }
    return false;
  }

 private:
  std::atomic<std::uint64_t> sequence_{0};
  std::array<std::atomic<std::uint64_t>, words> data_{};
};

}  // namespace posmode::engine
