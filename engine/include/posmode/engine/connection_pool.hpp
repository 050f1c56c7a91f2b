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
  /**
   * Response limits, connect timeout, TCP keep-alive, and `connection.clock`: the pool's one
   * clock, read for idle times and timings and driving every timer of the pool and of its
   * connections (deadlines, connect timeouts, reconnect backoff, the keep-alive tick).
   */
  connection_options connection;
};

/** Why an exchange was put on a connection. */
enum class send_purpose : std::uint8_t {
  request,    ///< the owner's `send`
  probe,      ///< the owner's `probe` (a time endpoint, for clock samples)
  keepalive,  ///< the pool's own keep-alive on an idle connection
};

/**
 * One exchange (a request and its answer) on one connection of a pool: what `send` and `probe`
 * return and what `on_result` reports. Each slot numbers its exchanges (`generation`, from 1), so
 * a ticket names one exchange for the life of the pool: the owner tells its own request's answer
 * from one that outlived its interest by comparing tickets, with no per-slot record of its own.
 */
struct ticket {
  std::size_t slot = 0;
  std::uint64_t generation = 0;  ///< 0 when nothing was sent (`error` set)
  send_purpose purpose = send_purpose::request;
  /**
   * From `send`/`probe`: why nothing was sent (`errc::not_connected`: no slot up, `errc::busy`:
   * all busy, `errc::request_too_large`, ...). Always clear in `on_result`.
   */
  std::error_code error;

  /** True when both name the same exchange (slot and generation). */
  [[nodiscard]] bool same_exchange(const ticket& other) const noexcept {
    return generation != 0 && slot == other.slot && generation == other.generation;
  }
};

/** The clock readings of one exchange, on the pool's clock (`connection.clock`). */
struct exchange_timing {
  std::int64_t sent_monotonic_ns = 0;      ///< read just before the write
  std::int64_t received_monotonic_ns = 0;  ///< when the answer was complete or the failure known
  std::int64_t received_wall_ms = 0;       ///< the wall clock at the same moment
};

/** How an exchange ended; valid only during `on_result`. */
struct exchange_result {
  /**
   * Clear: `response` is complete. Else why the exchange ended without one (the peer closed, a
   * TLS error, a malformed answer as an `engine::errc` from the parser, `errc::deadline_expired`);
   * the connection is then closed and reconnects by itself.
   */
  std::error_code error;
  const http_response_parser& response;  ///< the response, or what was parsed of it
  exchange_timing timing;
};

/**
 * What a pool tells its owner. Called on the event-loop thread from inside the `io_context`;
 * a callback may send again (on the pool) but must not destroy the pool.
 */
class pool_listener {
 public:
  /**
   * The end of every exchange that went out, exactly once per ticket that `send` or `probe`
   * returned without error, and once per keep-alive (`purpose` keepalive: the owner may read a
   * clock sample or a ban from it). Not called for exchanges cut by `stop()` or the pool's
   * destruction. Must not allocate or block: it is on the response path.
   */
  virtual void on_result(const ticket& exchange, const exchange_result& result) noexcept = 0;
  /** Connection `slot` can take a request now (it connected, or its exchange completed). */
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
   * `connection_pool::up(slot)` already tells the new state during the call.
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
 * `tls_connection::send`: no allocation, lock or system call other than the socket write (and,
 * rarely, the request's deadline timer, armed after the write). An answer costs two clock reads
 * (its timing) and one `on_result` call. Keep-alives are driven by one periodic timer that checks
 * idle times, so nothing on the request path touches a keep-alive timer. Every timer runs on
 * `connection.clock` (`clock_timer`), so a test's `manual_clock` drives them.
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

  /**
   * Writes a whole HTTP/1.1 request on an idle connected slot (lowest index first); without an
   * answer by `deadline_ns` (absolute, on `connection.clock`'s monotonic clock) it fails with
   * `errc::deadline_expired`. Returns the exchange's ticket, or one with `error` set when nothing
   * was sent; the outcome reaches `on_result` with that ticket. Reads the clock once, before the
   * write (the ticket's `sent_monotonic_ns`).
   *
   * With `latest_start_ns` > 0 nothing is written when that read is at or past it: the ticket's
   * `error` is then `errc::deadline_expired`. This is the last moment before the bytes leave, so
   * an owner that must never start a write after some instant (a request's deadline) holds to it
   * even when its thread was descheduled between deciding to send and calling `send`.
   */
  [[nodiscard]] ticket send(std::span<const char> request, std::int64_t deadline_ns,
                            std::int64_t latest_start_ns = 0) noexcept;

  /**
   * Like `send` with purpose `probe` (for a time endpoint: the timing is the clock sample) and
   * the deadline `pool_options::probe_timeout` from the one clock read before the write.
   */
  [[nodiscard]] ticket probe(std::span<const char> request) noexcept;

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
  /** True when connection `slot` (< `size()`) is established (idle or carrying an exchange). */
  [[nodiscard]] bool up(std::size_t slot) const noexcept;
  [[nodiscard]] pool_counters counters() const noexcept;
  [[nodiscard]] const tls_endpoint& endpoint() const noexcept;
  /** True when the endpoint skips certificate checks (loopback tests only); log it loudly. */
  [[nodiscard]] bool insecure() const noexcept;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;  // shared with timer handlers, which keep it alive
};

}  // namespace posmode::engine
