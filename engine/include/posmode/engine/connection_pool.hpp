#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <system_error>

#include "posmode/engine/backoff.hpp"
#include "posmode/engine/clock.hpp"
#include "posmode/engine/http_response.hpp"
#include "posmode/engine/tls_connection.hpp"

namespace posmode::engine {

/** The most connections one pool keeps to its host. */
inline constexpr std::size_t max_pool_connections = 16;

/** How a `connection_pool` keeps its connections. */
struct pool_options {
  std::size_t connections = 2;  ///< connections to the host, 1..`max_pool_connections`
  /**
   * A connection idle this long gets a keep-alive request (the pool's `keepalive_request`), so
   * that neither the venue nor a middlebox closes it and a dead one is found before a trigger
   * needs it. Zero disables keep-alives.
   */
  std::chrono::milliseconds keepalive_interval{15'000};
  std::chrono::milliseconds probe_timeout{2'000};  ///< deadline of keep-alives and probes
  backoff_options backoff;                         ///< spacing of reconnect attempts
  std::uint64_t jitter_seed = 0;                   ///< 0: seeded from the clock
  connection_options connection;  ///< response limits, connect timeout, TCP keep-alive
  clock_ref clock;                ///< for idle times and probe timings
};

/** The round trip of a probe (or keep-alive), for clock synchronisation. */
struct probe_timing {
  std::int64_t sent_monotonic_ns = 0;
  std::int64_t received_monotonic_ns = 0;
  std::int64_t received_wall_ms = 0;
};

/**
 * What a pool tells its owner. Called on the event-loop thread from inside the `io_context`;
 * a callback may send again (on the pool) but must not destroy the pool.
 */
class pool_listener {
 public:
  /** The response to the owner's `send` that went out on connection `slot`. */
  virtual void on_response(std::size_t slot, const http_response_parser& response) noexcept = 0;
  /**
   * The owner's request on `slot` ended without a complete response (peer closed, TLS error,
   * malformed answer, deadline); `partial` holds what was parsed. The pool reconnects the slot.
   */
  virtual void on_failure(std::size_t slot, std::error_code ec,
                          const http_response_parser& partial) noexcept = 0;
  /** The answer to a `probe` or keep-alive (`keepalive` true), with its timing. */
  virtual void on_probe_response(std::size_t /*slot*/, const http_response_parser& /*response*/,
                                 const probe_timing& /*timing*/, bool /*keepalive*/) noexcept {}
  /** A probe or keep-alive failed; the pool reconnects the slot. */
  virtual void on_probe_failure(std::size_t /*slot*/, std::error_code /*ec*/,
                                bool /*keepalive*/) noexcept {}
  /** Connection `slot` can take a request now (it connected, or its request completed). */
  virtual void on_ready(std::size_t /*slot*/) noexcept {}
  /**
   * Asked before each keep-alive; false skips this round (e.g. while the venue bans the IP with
   * HTTP 418, when every request, a ping included, would lengthen the ban). The idle connection
   * is asked again on the next tick.
   */
  [[nodiscard]] virtual bool may_send_keepalive() noexcept { return true; }
  /**
   * Connection `slot` went down (`ec` says why) or came up (`ec` clear), for logs and health.
   * `detail` is OpenSSL's or the resolver's text (certificate errors ...), valid during the call.
   */
  virtual void on_connection_change(std::size_t /*slot*/, std::error_code /*ec*/,
                                    std::string_view /*detail*/) noexcept {}

 protected:
  ~pool_listener() = default;
};

/** What a pool has done, for `stats()`. */
struct pool_counters {
  std::uint64_t handshakes = 0;          ///< completed TLS handshakes, all slots
  std::uint64_t resumed_handshakes = 0;  ///< of which resumed a session
  std::uint64_t connect_failures = 0;    ///< connect or handshake attempts that failed
  std::uint64_t connections_lost = 0;    ///< established connections that failed or were closed
  std::uint64_t keepalives = 0;          ///< keep-alive requests sent
  std::uint64_t probes = 0;              ///< probes sent by the owner
};

/**
 * A small set of persistent TLS connections to one host (`tls_connection`), kept warm in the
 * host's `io_context`: all connect at `start()`; a connection that fails or is closed by the
 * server reconnects by itself (at once if it had been serving, else with exponential backoff and
 * jitter, resuming the TLS session); idle ones get keep-alive requests. `send` puts a request on
 * a connected idle connection, so a broken one is bypassed while it reconnects.
 *
 * **Hot path.** `send` scans at most 16 slots, reads the monotonic clock (vDSO) and calls
 * `tls_connection::send`: no allocation, lock or system call other than the socket write (and the
 * request's deadline timer, armed after the write). Keep-alives are driven by one periodic timer
 * that checks idle times, so nothing on the request path touches a keep-alive timer.
 *
 * **Threads.** Everything on the thread running the `io_context`. **Errors.** The constructor
 * throws `std::invalid_argument` for an invalid option or endpoint; the rest reports through
 * return codes and the listener. Destroying the pool closes every connection; no callback runs
 * after that.
 */
class connection_pool {
 public:
  connection_pool(boost::asio::io_context& io, tls_client_context& tls, tls_endpoint endpoint,
                  pool_listener& listener, pool_options options = {});
  ~connection_pool();
  connection_pool(const connection_pool&) = delete;
  connection_pool& operator=(const connection_pool&) = delete;

  /** Connects every slot (resolving the host once) and starts the keep-alive timer. */
  void start();
  /** Closes every connection and stops reconnecting; `start()` may be called again. */
  void stop() noexcept;

  /** The outcome of `send`: the slot used, or why none could be. */
  struct send_result {
    std::error_code error;  ///< `errc::not_connected` (none up), `errc::busy` (all busy), ...
    std::size_t slot = 0;
  };

  /**
   * Writes a whole HTTP/1.1 request on an idle connected slot (lowest index first) with a
   * deadline; the outcome reaches `on_response` or `on_failure` for that slot.
   */
  [[nodiscard]] send_result send(std::span<const char> request,
                                 std::chrono::nanoseconds timeout) noexcept;

  /**
   * Like `send`, but the answer goes to `on_probe_response` with its timing (for a time
   * endpoint), or `on_probe_failure`. Deadline: `pool_options::probe_timeout`.
   */
  [[nodiscard]] send_result probe(std::span<const char> request) noexcept;

  /**
   * The request sent on idle connections (e.g. the venue's ping or time endpoint). The bytes are
   * not copied and must outlive the pool or the next call. Empty: no keep-alives.
   */
  void set_keepalive_request(std::span<const char> request) noexcept;

  [[nodiscard]] std::size_t size() const noexcept;
  /** Slots connected and idle, i.e. able to take a `send` now. */
  [[nodiscard]] std::size_t ready() const noexcept;
  /** Slots connected (idle or busy). */
  [[nodiscard]] std::size_t connected() const noexcept;
  [[nodiscard]] pool_counters counters() const noexcept;
  [[nodiscard]] const tls_endpoint& endpoint() const noexcept;
  /** True when the endpoint skips certificate checks (loopback tests only); log it loudly. */
  [[nodiscard]] bool insecure() const noexcept;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;  // shared with timer handlers, which keep it alive
};

}  // namespace posmode::engine
