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

namespace posmode::test {

/**
 * Counts calls to the global `operator new` family (all overloads) made by the current thread.
 * The replacement operators live in allocation_counter.cpp and are linked into each test binary.
 * Usage: `allocation_scope scope; hot_path(); CHECK(scope.count() == 0);`
 */
std::size_t thread_allocations() noexcept;

class allocation_scope {
 public:
  allocation_scope() noexcept : start_(thread_allocations()) {}
  [[nodiscard]] std::size_t count() const noexcept { return thread_allocations() - start_; }

 private:
  std::size_t start_;
};

}  // namespace posmode::test
