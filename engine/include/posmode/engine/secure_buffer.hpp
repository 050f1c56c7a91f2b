#pragma once

#include <cstddef>
#include <new>
#include <utility>

namespace posmode::engine {

/**
 * Memory for key material and for request bytes that carry credentials: whole pages of its own
 * (an anonymous `mmap`), marked `MADV_DONTDUMP` so that a core dump of the host never contains
 * them, and overwritten with `OPENSSL_cleanse` before they are unmapped, so that nothing is left
 * behind for the next owner of the pages.
 *
 * A size of 0 holds no memory. The bytes start zeroed. `dump_excluded()` says whether the kernel
 * accepted `MADV_DONTDUMP` (it always does on Linux; elsewhere the buffer is still wiped).
 *
 * **Threads.** Not synchronised. **Allocation.** The constructor maps pages (a system call; never
 * on the hot path); reading and writing the bytes cost nothing more than any memory.
 * **Errors.** The constructor throws `std::bad_alloc` when the pages cannot be mapped. Movable,
 * not copyable: the pages have one owner.
 */
class secure_buffer {
 public:
  secure_buffer() noexcept = default;
  /** Maps at least `size` bytes. @throws std::bad_alloc. */
  explicit secure_buffer(std::size_t size);
  ~secure_buffer();
  secure_buffer(secure_buffer&& other) noexcept;
  secure_buffer& operator=(secure_buffer&& other) noexcept;
  secure_buffer(const secure_buffer&) = delete;
  secure_buffer& operator=(const secure_buffer&) = delete;

  [[nodiscard]] char* data() noexcept { return data_; }
  [[nodiscard]] const char* data() const noexcept { return data_; }
  /** The usable bytes: the requested size (the mapping itself is rounded up to pages). */
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] bool dump_excluded() const noexcept { return dump_excluded_; }

 private:
  void release() noexcept;

  char* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t mapped_ = 0;
  bool dump_excluded_ = false;
};

/**
 * One `T` constructed in a `secure_buffer` of its own: for objects holding key-equivalent state
 * (an `hmac_signer`'s pre-keyed pad states), kept out of core dumps and wiped after `T`'s own
 * destructor ran. Movable (the object stays where it is; only ownership moves), not copyable.
 * @throws what `T`'s constructor throws, or `std::bad_alloc`.
 */
template <typename T>
class secure_object {
 public:
  template <typename... Args>
  explicit secure_object(Args&&... args) : memory_(sizeof(T)) {
    object_ = ::new (static_cast<void*>(memory_.data())) T(std::forward<Args>(args)...);
  }
  ~secure_object() {
    if (object_ != nullptr) object_->~T();
  }
  secure_object(secure_object&& other) noexcept
      : memory_(std::move(other.memory_)), object_(std::exchange(other.object_, nullptr)) {}
  secure_object& operator=(secure_object&& other) noexcept {
    if (this != &other) {
      if (object_ != nullptr) object_->~T();
      memory_ = std::move(other.memory_);
      object_ = std::exchange(other.object_, nullptr);
    }
    return *this;
  }
  secure_object(const secure_object&) = delete;
  secure_object& operator=(const secure_object&) = delete;

  [[nodiscard]] T& operator*() const noexcept { return *object_; }
  [[nodiscard]] T* operator->() const noexcept { return object_; }
  [[nodiscard]] T* get() const noexcept { return object_; }
  [[nodiscard]] const secure_buffer& memory() const noexcept { return memory_; }

 private:
  secure_buffer memory_;
  T* object_ = nullptr;
};

}  // namespace posmode::engine
