#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <new>
#include <utility>

namespace posmode::engine {

/**
 * Storage for the asynchronous operations of one kind (a socket wait, a timer wait) that an
 * object arms again and again. Asio allocates each operation through the handler's associated
 * allocator; its default recycles one block per thread, and only inside `run()`/`poll()`, which
 * is not enough when several waits are outstanding together or when an operation is armed from
 * outside the loop (a busy-poll host's own call). Binding a handler to a `handler_memory` with
 * `bind_memory` puts the operation in one of two blocks owned by the object, so the steady state
 * allocates nothing (the pattern of Asio's "allocation" example). Larger or third concurrent
 * operations fall back to `operator new`.
 *
 * **Threads.** The thread running the operations' `io_context`. No Asio header is needed here:
 * Asio finds the allocator through the handler's `get_allocator()`.
 */
class handler_memory {
 public:
  void* allocate(std::size_t size) {
    for (auto& block : slots_) {
      if (!block.in_use && size <= block.storage.size()) {
        block.in_use = true;
        return block.storage.data();
      }
    }
    return ::operator new(size);
  }
  void deallocate(void* pointer) noexcept {
    for (auto& block : slots_) {
      if (pointer == block.storage.data()) {
        block.in_use = false;
        return;
      }
    }
    ::operator delete(pointer);
  }

 private:
  // Two per kind: a cancelled wait (e.g. the deadline of the request that just completed) may
  // still be queued when the next one is armed.
  struct memory_block {
    alignas(std::max_align_t) std::array<unsigned char, 384> storage{};
    bool in_use = false;
  };
  std::array<memory_block, 2> slots_{};
};

/** The standard allocator interface over a `handler_memory`. */
template <typename T>
struct handler_allocator {
  using value_type = T;
  explicit handler_allocator(handler_memory& m) noexcept : memory(&m) {}
  template <typename U>
  handler_allocator(const handler_allocator<U>& other) noexcept : memory(other.memory) {}
  T* allocate(std::size_t n) { return static_cast<T*>(memory->allocate(sizeof(T) * n)); }
  void deallocate(T* p, std::size_t) noexcept { memory->deallocate(p); }
  template <typename U>
  bool operator==(const handler_allocator<U>& other) const noexcept {
    return memory == other.memory;
  }
  handler_memory* memory;
};

/** A handler with an associated allocator drawing from a `handler_memory`. */
template <typename Handler>
struct with_memory {
  using allocator_type = handler_allocator<Handler>;
  allocator_type get_allocator() const noexcept { return allocator_type(*memory); }
  template <typename... Args>
  void operator()(Args&&... args) {
    handler(std::forward<Args>(args)...);
  }
  handler_memory* memory;
  Handler handler;
};

/** Binds `handler` to `memory`; the memory must outlive every operation that uses it. */
template <typename Handler>
with_memory<Handler> bind_memory(handler_memory& memory, Handler handler) {
  return {&memory, std::move(handler)};
}

/**
 * Like `handler_allocator`, but sharing ownership of the memory, for objects whose pending
 * operations may outlive them (a cancelled wait is completed, and its memory returned, after the
 * owner is gone). Copies only touch the reference count; nothing is allocated.
 */
template <typename T>
struct shared_handler_allocator {
  using value_type = T;
  explicit shared_handler_allocator(std::shared_ptr<handler_memory> m) noexcept
      : memory(std::move(m)) {}
  template <typename U>
  shared_handler_allocator(const shared_handler_allocator<U>& other) noexcept
      : memory(other.memory) {}
  T* allocate(std::size_t n) { return static_cast<T*>(memory->allocate(sizeof(T) * n)); }
  void deallocate(T* p, std::size_t) noexcept { memory->deallocate(p); }
  template <typename U>
  bool operator==(const shared_handler_allocator<U>& other) const noexcept {
    return memory == other.memory;
  }
  std::shared_ptr<handler_memory> memory;
};

/** A handler whose operations draw from shared `handler_memory` (see `bind_shared_memory`). */
template <typename Handler>
struct with_shared_memory {
  using allocator_type = shared_handler_allocator<Handler>;
  allocator_type get_allocator() const noexcept { return allocator_type(memory); }
  template <typename... Args>
  void operator()(Args&&... args) {
    handler(std::forward<Args>(args)...);
  }
  std::shared_ptr<handler_memory> memory;
  Handler handler;
};

/** Binds `handler` to memory that lives as long as any operation using it. */
template <typename Handler>
with_shared_memory<Handler> bind_shared_memory(const std::shared_ptr<handler_memory>& memory,
                                               Handler handler) {
  return {memory, std::move(handler)};
}

}  // namespace posmode::engine
