#include "support/allocation_counter.hpp"

#include <openssl/crypto.h>

#include <cerrno>
#include <cstdlib>
#include <new>

#if POSMODE_ASAN
#include <sanitizer/allocator_interface.h>
#endif

#if POSMODE_ALLOCATION_COUNTING

// Replacing the global allocation functions is the only way to see every allocation a piece of
// code makes, including those inside the standard library and the C libraries under it.
namespace {
thread_local std::size_t allocations = 0;
thread_local std::size_t c_allocations = 0;
thread_local std::size_t openssl_allocations = 0;
bool openssl_counted = false;

void* openssl_malloc(std::size_t n, const char* /*file*/, int /*line*/) {
  ++openssl_allocations;
  return std::malloc(n);
}
void* openssl_realloc(void* p, std::size_t n, const char* /*file*/, int /*line*/) {
  ++openssl_allocations;
  return std::realloc(p, n);
}
void openssl_free(void* p, const char* /*file*/, int /*line*/) {
  std::free(p);
}

#if POSMODE_ASAN
void on_malloc(const volatile void* /*p*/, std::size_t /*size*/) {
  ++c_allocations;
}
void on_free(const volatile void* /*p*/) {}
#endif

// Before any other static initialiser (priority 101 is the first one available to programs), so
// that OpenSSL has allocated nothing yet and accepts the replacement.
[[gnu::constructor(101)]] void install_counters() {
  openssl_counted = CRYPTO_set_mem_functions(&openssl_malloc, &openssl_realloc, &openssl_free) == 1;
#if POSMODE_ASAN
  __sanitizer_install_malloc_and_free_hooks(&on_malloc, &on_free);
#endif
}

void* counted_alloc(std::size_t size, std::size_t align) {
  ++allocations;
  if (size == 0) size = 1;
  void* p = align <= alignof(std::max_align_t)
                ? std::malloc(size)
                : std::aligned_alloc(align, (size + align - 1) / align * align);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
}  // namespace

std::size_t posmode::test::thread_allocations() noexcept {
  return allocations;
}
std::size_t posmode::test::thread_c_allocations() noexcept {
  return c_allocations;
}
std::size_t posmode::test::thread_openssl_allocations() noexcept {
  return openssl_allocations;
}
bool posmode::test::openssl_allocations_counted() noexcept {
  return openssl_counted;
}

#if !POSMODE_ASAN
// glibc's own entry points, which the interposed functions forward to.
extern "C" {
void* __libc_malloc(std::size_t n);
void* __libc_calloc(std::size_t n, std::size_t size);
void* __libc_realloc(void* p, std::size_t n);
void __libc_free(void* p);
void* __libc_memalign(std::size_t align, std::size_t n);

void* malloc(std::size_t n) {
  ++c_allocations;
  return __libc_malloc(n);
}
void* calloc(std::size_t n, std::size_t size) {
  ++c_allocations;
  return __libc_calloc(n, size);
}
void* realloc(void* p, std::size_t n) {
  ++c_allocations;
  return __libc_realloc(p, n);
}
void free(void* p) {
  __libc_free(p);
}
void* aligned_alloc(std::size_t align, std::size_t n) {
  ++c_allocations;
  return __libc_memalign(align, n);
}
void* memalign(std::size_t align, std::size_t n) {
  ++c_allocations;
  return __libc_memalign(align, n);
}
int posix_memalign(void** out, std::size_t align, std::size_t n) {
  ++c_allocations;
  if (align < sizeof(void*) || (align & (align - 1)) != 0) return EINVAL;
  void* p = __libc_memalign(align, n);
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}
}  // extern "C"
#endif  // !POSMODE_ASAN

void* operator new(std::size_t n) {
  return counted_alloc(n, 0);
}
void* operator new[](std::size_t n) {
  return counted_alloc(n, 0);
}
void* operator new(std::size_t n, std::align_val_t a) {
  return counted_alloc(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a) {
  return counted_alloc(n, static_cast<std::size_t>(a));
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return counted_alloc(n, 0);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return counted_alloc(n, 0);
  } catch (...) {
    return nullptr;
  }
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}

#else  // POSMODE_ALLOCATION_COUNTING

std::size_t posmode::test::thread_allocations() noexcept {
  return 0;
}
std::size_t posmode::test::thread_c_allocations() noexcept {
  return 0;
}
std::size_t posmode::test::thread_openssl_allocations() noexcept {
  return 0;
}
bool posmode::test::openssl_allocations_counted() noexcept {
  return false;
}

#endif  // POSMODE_ALLOCATION_COUNTING
