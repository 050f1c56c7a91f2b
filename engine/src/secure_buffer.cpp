#include "posmode/engine/secure_buffer.hpp"

#include <openssl/crypto.h>
#include <sys/mman.h>
#include <unistd.h>

#include <new>
#include <utility>

namespace posmode::engine {

secure_buffer::secure_buffer(std::size_t size) {
  if (size == 0) return;
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const std::size_t mapped = (size + page - 1) / page * page;
  void* p = ::mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  data_ = static_cast<char*>(p);
  size_ = size;
  mapped_ = mapped;
#ifdef MADV_DONTDUMP
  dump_excluded_ = ::madvise(p, mapped, MADV_DONTDUMP) == 0;
#endif
}

secure_buffer::~secure_buffer() {
  release();
}

secure_buffer::secure_buffer(secure_buffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      mapped_(std::exchange(other.mapped_, 0)),
      dump_excluded_(std::exchange(other.dump_excluded_, false)) {}

secure_buffer& secure_buffer::operator=(secure_buffer&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    mapped_ = std::exchange(other.mapped_, 0);
    dump_excluded_ = std::exchange(other.dump_excluded_, false);
  }
  return *this;
}

void secure_buffer::release() noexcept {
  if (data_ == nullptr) return;
  OPENSSL_cleanse(data_, mapped_);
  ::munmap(data_, mapped_);
  data_ = nullptr;
  size_ = mapped_ = 0;
  dump_excluded_ = false;
}

}  // namespace posmode::engine
