#include "socket_bio.hpp"

#include <openssl/bio.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <cerrno>
#include <climits>
#include <cstdint>

namespace posmode::engine::detail {

namespace {

int fd_of(BIO* b) noexcept {
  return static_cast<int>(reinterpret_cast<std::intptr_t>(BIO_get_data(b)));
}

bool retryable(int e) noexcept {
  return e == EAGAIN || e == EWOULDBLOCK || e == EINTR;
}

int socket_write(BIO* b, const char* data, int size) {
  BIO_clear_retry_flags(b);
  // MSG_NOSIGNAL: a reset peer gives EPIPE, never the signal (the reason this BIO exists).
  const ssize_t n = ::send(fd_of(b), data, static_cast<std::size_t>(size), MSG_NOSIGNAL);
  if (n < 0 && retryable(errno)) BIO_set_retry_write(b);
  return static_cast<int>(n);
}

int socket_read(BIO* b, char* data, int size) {
  if (data == nullptr) return 0;
  BIO_clear_retry_flags(b);
  const ssize_t n = ::recv(fd_of(b), data, static_cast<std::size_t>(size), MSG_NOSIGNAL);
  if (n == 0) BIO_set_flags(b, BIO_FLAGS_IN_EOF);  // read by BIO_CTRL_EOF, as the socket BIO does
  if (n < 0 && retryable(errno)) BIO_set_retry_read(b);
  return static_cast<int>(n);
}

int socket_puts(BIO* b, const char* text) {
  int size = 0;
  while (text[size] != '\0' && size < INT_MAX)
    ++size;
  return socket_write(b, text, size);
}

long socket_ctrl(BIO* b, int cmd, long num, void* /*ptr*/) {
  switch (cmd) {
    case BIO_CTRL_FLUSH:
    case BIO_CTRL_DUP:
      return 1;
    case BIO_CTRL_EOF:
      return BIO_test_flags(b, BIO_FLAGS_IN_EOF) != 0 ? 1 : 0;
    case BIO_CTRL_GET_CLOSE:
      return BIO_get_shutdown(b);
    case BIO_CTRL_SET_CLOSE:
      BIO_set_shutdown(b, static_cast<int>(num));
      return 1;
    default:
      return 0;  // no kTLS, no pending bytes, nothing else to report
  }
}

int socket_create(BIO* b) {
  BIO_set_shutdown(b, BIO_NOCLOSE);
  return 1;
}

int socket_destroy(BIO* b) {
  BIO_set_data(b, nullptr);
  BIO_set_init(b, 0);
  return 1;
}

// One method table for the process, made on first use (thread-safe static initialisation) and
// kept for the process's life, as OpenSSL's own methods are.
const BIO_METHOD* method() noexcept {
  static const BIO_METHOD* const m = []() -> BIO_METHOD* {
    const int type = BIO_get_new_index();
    if (type == -1) return nullptr;
    BIO_METHOD* made =
        BIO_meth_new(type | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR, "posmode socket");
    if (made == nullptr) return nullptr;
    if (BIO_meth_set_write(made, socket_write) != 1 || BIO_meth_set_read(made, socket_read) != 1 ||
        BIO_meth_set_puts(made, socket_puts) != 1 || BIO_meth_set_ctrl(made, socket_ctrl) != 1 ||
        BIO_meth_set_create(made, socket_create) != 1 ||
        BIO_meth_set_destroy(made, socket_destroy) != 1) {
      BIO_meth_free(made);
      return nullptr;
    }
    return made;
  }();
  return m;
}

}  // namespace

bio_st* make_socket_bio(int fd) noexcept {
  const BIO_METHOD* m = method();
  if (m == nullptr || fd < 0) return nullptr;
  BIO* b = BIO_new(m);
  if (b == nullptr) return nullptr;
  BIO_set_data(b, reinterpret_cast<void*>(static_cast<std::intptr_t>(fd)));
  BIO_set_init(b, 1);
  return b;
}

}  // namespace posmode::engine::detail
