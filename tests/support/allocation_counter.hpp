#pragma once

#include <cstddef>

// ThreadSanitizer's runtime defines the global operator new/delete itself, so they cannot be
// replaced there: allocation-counting tests are compiled only in the other configurations
// (release, debug, asan), which CI runs too.
#if defined(__SANITIZE_THREAD__)
#define POSMODE_ALLOCATION_COUNTING 0
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define POSMODE_ALLOCATION_COUNTING 0
#endif
#endif
#ifndef POSMODE_ALLOCATION_COUNTING
#define POSMODE_ALLOCATION_COUNTING 1
#endif

// AddressSanitizer owns malloc; there its allocator hooks count instead of interposed functions.
#if defined(__SANITIZE_ADDRESS__)
#define POSMODE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POSMODE_ASAN 1
#endif
#endif
#ifndef POSMODE_ASAN
#define POSMODE_ASAN 0
#endif

namespace posmode::test {

/**
 * Counts calls to the global `operator new` family (all overloads) made by the current thread:
 * the C++ allocations (posmode's own code, the standard library, Boost, simdjson).
 * The replacement operators live in allocation_counter.cpp and are linked into each test binary.
 * Usage: `allocation_scope scope; hot_path(); CHECK(scope.count() == 0);`
 */
std::size_t thread_allocations() noexcept;

/**
 * Counts every heap allocation the current thread makes at the C level: `malloc`, `calloc`,
 * `realloc`, `aligned_alloc`, `posix_memalign`, `memalign` (interposed in this binary; under
 * AddressSanitizer, its allocator's malloc hook). Those behind `operator new` are included.
 */
std::size_t thread_c_allocations() noexcept;

/** Of those, the ones OpenSSL made (counted through `CRYPTO_set_mem_functions`). */
std::size_t thread_openssl_allocations() noexcept;

/**
 * True when OpenSSL's allocations are being counted: its memory functions can only be replaced
 * before its first allocation, which this binary arranges at start-up.
 */
bool openssl_allocations_counted() noexcept;

class allocation_scope {
 public:
  allocation_scope() noexcept
      : start_(thread_allocations()),
        c_start_(thread_c_allocations()),
        openssl_start_(thread_openssl_allocations()) {}
  /** `operator new` calls since construction. */
  [[nodiscard]] std::size_t count() const noexcept { return thread_allocations() - start_; }
  /** C-level allocations since construction (`operator new`'s included). */
  [[nodiscard]] std::size_t c_count() const noexcept { return thread_c_allocations() - c_start_; }
  /** OpenSSL's allocations since construction. */
  [[nodiscard]] std::size_t openssl_count() const noexcept {
    return thread_openssl_allocations() - openssl_start_;
  }

 private:
  std::size_t start_;
  std::size_t c_start_;
  std::size_t openssl_start_;
};

}  // namespace posmode::test
