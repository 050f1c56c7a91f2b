#pragma once

// An OpenSSL BIO over a connected TCP socket that can never raise SIGPIPE. Private to
// posmode::engine.

struct bio_st;  // OpenSSL's BIO

namespace posmode::engine::detail {

/**
 * A source/sink BIO on `fd` (not owned: closing stays with the socket's owner) that writes with
 * `send(..., MSG_NOSIGNAL)` and reads with `recv`. OpenSSL's own socket BIO writes with
 * `write(2)`, so a peer that reset the connection kills a host that keeps SIGPIPE's default
 * action whenever OpenSSL writes, including the alerts and close_notify it sends from inside
 * `SSL_read` and `SSL_shutdown`. Retry flags, EOF reporting (`BIO_eof`, which OpenSSL uses to
 * recognise a close without close_notify) and `errno` behave as with the socket BIO.
 *
 * Returns nullptr when OpenSSL cannot allocate the BIO (the cause is on OpenSSL's error queue).
 * The caller hands the BIO to `SSL_set_bio`, which takes ownership. Thread-safe; allocates.
 */
[[nodiscard]] bio_st* make_socket_bio(int fd) noexcept;

}  // namespace posmode::engine::detail
