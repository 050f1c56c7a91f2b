#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "posmode/engine/clock.hpp"
#include "posmode/engine/http_response.hpp"

namespace boost::asio {
class io_context;
}
struct ssl_ctx_st;  // OpenSSL's SSL_CTX, kept out of this header

namespace posmode::engine {

/**
 * The TLS client settings shared by every connection of a process (one OpenSSL `SSL_CTX`):
 * TLS 1.2 and 1.3 only, AES-GCM suites first, read-ahead on, client session cache on (for
 * resumption on reconnect), and peer verification always on, against the system trust store or
 * a configured CA.
 *
 * **Threads.** Construct once; connections on any thread may share it (OpenSSL's context is
 * thread-safe for this use). **Errors.** The constructor throws `std::invalid_argument` naming
 * the file (and OpenSSL's reason) when `ca_file` is not a readable regular file of PEM
 * certificates or `ca_pem` holds none (a configuration mistake), and `std::runtime_error` when
 * OpenSSL cannot set up the context or load the system trust store.
 */
class tls_client_context {
 public:
  struct options {
    std::string ca_file;  ///< PEM file of trusted CAs; empty: the system trust store
    std::string ca_pem;  ///< PEM text of trusted CAs (e.g. the mock exchange's); added to the above
  };

  explicit tls_client_context(const options& opts);
  ~tls_client_context();
  tls_client_context(const tls_client_context&) = delete;
  tls_client_context& operator=(const tls_client_context&) = delete;

  [[nodiscard]] ssl_ctx_st* native() const noexcept { return ctx_; }

 private:
  ssl_ctx_st* ctx_ = nullptr;
};

/**
 * What a connection tells its owner. Called on the event-loop thread, from inside the
 * `io_context`; the callbacks must not destroy the connection (post that instead).
 */
class connection_listener {
 public:
  /** The connection is ready (`ec` clear) or could not be established (`ec` says why). */
  virtual void on_connected(std::error_code ec) noexcept = 0;
  /** A complete response to the request in flight; valid only during the call. */
  virtual void on_response(const http_response_parser& response) noexcept = 0;
  /**
   * The request in flight ended without a complete response, or an established connection
   * failed while idle (`request_in_flight` false): the peer closed, a TLS error, a malformed
   * response (`engine::errc` from the parser), or the deadline. `partial` holds what was parsed.
   * The connection is closed when this is called.
   */
  virtual void on_failure(std::error_code ec, bool request_in_flight,
                          const http_response_parser& partial) noexcept = 0;
  /**
   * The connection closed itself in good order after delivering a response: the server said
   * `Connection: close` (or sent bytes beyond the response). Reconnect from here if wanted.
   */
  virtual void on_closed() noexcept {}

 protected:
  ~connection_listener() = default;
};

/** Where a connection goes. */
struct tls_endpoint {
  /// DNS name (SNI and certificate name) or IP literal, as `host_problem()` accepts it
  std::string host;
  std::uint16_t port = 443;
  /**
   * Skip certificate verification. Accepted only when `host` is `127.0.0.1` or `::1`, for a local
   * test server; the constructor refuses it for any other host. `insecure()` reports it so the
   * owner can log it loudly.
   */
  bool insecure_loopback = false;
};

/** How a connection is set up and kept; every wait is bounded. */
struct connection_options {
  http_limits limits;  ///< response limits
  /**
   * Resolve, TCP connect and TLS handshake together must finish within this, else the attempt
   * fails with `errc::connect_timeout` and a detail naming the phase (a peer that accepts TCP and
   * never answers, a resolver that hangs). Positive.
   */
  std::chrono::milliseconds connect_timeout{2'000};
  /**
   * TCP keep-alive (`SO_KEEPALIVE`): the first probe after this much silence, then one every
   * `keepalive_probe_interval`, and the connection is dropped after `keepalive_probes` unanswered
   * ones. Seconds, positive.
   */
  std::chrono::seconds keepalive_idle{10};
  std::chrono::seconds keepalive_probe_interval{5};
  int keepalive_probes = 3;
  /**
   * `TCP_USER_TIMEOUT`: written bytes unacknowledged this long drop the connection, so a peer
   * that vanished mid-request is found even while data is queued. Positive.
   */
  std::chrono::milliseconds user_timeout{10'000};
  /**
   * The clock of the connection's deadlines and timers (request deadlines, connect timeout), and
   * the only clock it reads. Default: the system clock. Any other clock (tests) makes each
   * pending wait poll in real slices of 1 ms (see `clock_timer`). Must outlive the connection.
   */
  clock_ref clock;
};

/**
 * One persistent HTTP/1.1 connection over TLS, living in the host's `io_context`.
 *
 * `connect()` resolves the host (never on the hot path), connects TCP with `TCP_NODELAY` and TCP
 * keep-alive with a user timeout, and runs the TLS handshake with SNI, peer verification and
 * host-name checking, all within `connect_timeout`; a session from an earlier connection to the
 * same endpoint is offered for resumption. The addresses are resolved again on the next
 * `connect()` after a failed attempt or a lost connection (so a venue's address change or
 * failover is followed); if that resolution fails, the previous addresses are tried.
 *
 * **Signals.** Every byte goes out through `send(..., MSG_NOSIGNAL)` (a posmode BIO in place of
 * OpenSSL's socket BIO, which uses `write(2)`), so a peer that resets the connection never raises
 * SIGPIPE in the host, whatever the host's signal dispositions.
 *
 * `send()` is the hot path: OpenSSL writes the caller's contiguous bytes straight to the
 * non-blocking socket from the calling (loop) thread, one `SSL_write`, and returns once the bytes
 * are in the kernel. If the kernel's buffer is full, the rest is copied into the connection's own
 * buffer and finished when the socket is writable: no byte is lost and the caller's buffer is
 * free when `send` returns. Every deadline and timer runs on `connection_options::clock` (a
 * `clock_timer`), which is also the only clock the connection reads. Reading is event-driven: the
 * socket is watched by the `io_context` (so `run()` and a `poll()` spin both work), decrypted bytes
 * feed an `http_response_parser`, and the complete response goes to
 * `connection_listener::on_response`. A server's `Connection: close` is honoured by closing after
 * the response. One request at a time.
 *
 * **Threads.** Everything on the thread running the `io_context`.
 * **Allocation.** `send` and the read path allocate nothing after warm-up (every wait they arm
 * draws on the connection's own `handler_memory`). **Errors.** `send` returns an error code;
 * asynchronous outcomes reach the listener. The constructor throws `std::invalid_argument` for an
 * insecure non-loopback endpoint, a host `host_problem()` refuses, or options out of range.
 *
 * Not copyable or movable: pending operations refer to it. Destroying it closes the connection;
 * no callback runs after that.
 */
class tls_connection {
 public:
  tls_connection(boost::asio::io_context& io, tls_client_context& tls, tls_endpoint endpoint,
                 connection_listener& listener, connection_options options = {});
  ~tls_connection();
  tls_connection(const tls_connection&) = delete;
  tls_connection& operator=(const tls_connection&) = delete;

  /**
   * Starts resolve (the first time, and after a failure), connect and handshake; ends in
   * `on_connected`, within `connect_timeout`.
   */
  void connect();

  /**
   * Writes `request` (a whole HTTP/1.1 request) and arms the deadline: at `deadline_ns` on
   * `connection_options::clock`'s monotonic clock, without an answer, the request fails with
   * `errc::deadline_expired`. After the write it reads the clock once (the timeout, for the
   * idle re-arm), and reprograms the deadline wait (a timer system call) only when the pending
   * one expires later than `deadline_ns`. Returns `errc::not_connected`,
   * `errc::busy` (a request is in flight), `errc::request_too_large`, or `errc::tls_failed` (the
   * connection is then closed; no callback follows). While a response that closes the
   * connection (`Connection: close`) is being delivered, `connected()` is false and `send`
   * returns `errc::not_connected`.
   */
  [[nodiscard]] std::error_code send(std::span<const char> request,
                                     std::int64_t deadline_ns) noexcept;

  /** Closes the connection now (no callback). Safe to call at any time. */
  void close() noexcept;

  [[nodiscard]] bool connected() const noexcept;
  [[nodiscard]] bool request_in_flight() const noexcept;
  [[nodiscard]] bool insecure() const noexcept;
  /** Completed handshakes over this object's life, and how many resumed a session. */
  [[nodiscard]] std::uint64_t handshakes() const noexcept;
  [[nodiscard]] std::uint64_t resumed_handshakes() const noexcept;
  /** Host-name resolutions started over this object's life. */
  [[nodiscard]] std::uint64_t resolutions() const noexcept;
  /** A human-readable reason for the last failure (OpenSSL's verify text, ...); may be empty. */
  [[nodiscard]] std::string_view last_error_detail() const noexcept;
  [[nodiscard]] const tls_endpoint& endpoint() const noexcept;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;  // shared with in-flight handlers, which keep it alive
};

}  // namespace posmode::engine
