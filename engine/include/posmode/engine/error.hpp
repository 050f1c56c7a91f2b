#pragma once

#include <string>
#include <string_view>
#include <system_error>

namespace posmode::engine {

/**
 * Errors raised by the engine layer (response parser, request templates; the transport adds its
 * own values here). Delivered as `std::error_code` in the `posmode::engine` category: hot-path
 * functions report them through a status return or an out-parameter and never throw.
 *
 * `need_more` is not a failure: the parser consumed everything it was given and waits for more
 * bytes. Every other value is fatal for the message at hand (`is_fatal`).
 */
enum class errc : int {
  need_more = 1,                  ///< incomplete message, all input consumed; feed more bytes
  bad_status_line,                ///< not `HTTP/1.x NNN reason` (e.g. a TLS alert or garbage)
  bad_header,                     ///< a header line without a colon, a bad name, an obs-fold
  bad_content_length,             ///< non-numeric, overflowing, or conflicting Content-Length
  bad_chunk,                      ///< a malformed chunk size line or chunk terminator
  unsupported_transfer_encoding,  ///< a coding other than `chunked` (posmode asks for none)
  header_limit,                   ///< status line plus headers exceed the configured limit
  body_limit,                     ///< the body exceeds the configured limit
  partial_message,                ///< the peer closed the connection in the middle of a message
  timestamp_out_of_range,         ///< a timestamp that does not fit the 13-digit slot
  signing_failed,                 ///< the signer backend reported a failure
  resolve_failed,                 ///< the host name did not resolve to an address
  connect_failed,                 ///< no TCP connection to any resolved address
  tls_handshake_failed,           ///< the TLS handshake failed (protocol, cipher, alert)
  tls_verify_failed,              ///< the peer's certificate or host name did not verify
  tls_failed,                     ///< a TLS read or write failed after the handshake
  connection_closed,              ///< the peer closed the connection
  not_connected,                  ///< a write on a connection that is not established
  busy,                           ///< a request is already in flight on this connection
  deadline_expired,               ///< no complete answer before the request's deadline
  request_too_large,              ///< a request that does not fit the connection's buffer
  connect_timeout,                ///< resolve, TCP connect and TLS handshake took too long
};

/**
 * A static, human-readable description of `e` (what `make_error_code(e).message()` returns,
 * without allocating): for messages that must be produced on the hot path.
 */
[[nodiscard]] std::string_view describe(errc e) noexcept;

/**
 * The same for any error code, without allocating: `describe(errc)` for posmode's own codes, a
 * fixed text for other categories (Asio's and the system's messages allocate).
 */
[[nodiscard]] std::string_view describe(const std::error_code& ec) noexcept;

/** The category of `errc`; its `name()` is "posmode.engine". Thread-safe, no allocation. */
const std::error_category& engine_category() noexcept;

/** Makes an `errc` usable as `std::error_code` (found by argument-dependent lookup). */
inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), engine_category()};
}

/** True for every engine error except `need_more` (and for any non-engine error). */
[[nodiscard]] inline bool is_fatal(const std::error_code& ec) noexcept {
  return ec && ec != make_error_code(errc::need_more);
}

/**
 * True when trying again on a fresh connection may succeed: a message cut short or a connection
 * lost, a failed connect, an expired deadline. Protocol violations (a malformed status line,
 * oversize headers) and verification failures are not retryable: the same server would answer the
 * same way.
 */
[[nodiscard]] inline bool is_retryable(const std::error_code& ec) noexcept {
  return ec == make_error_code(errc::partial_message) ||
         ec == make_error_code(errc::connection_closed) ||
         ec == make_error_code(errc::connect_failed) ||
         ec == make_error_code(errc::resolve_failed) || ec == make_error_code(errc::tls_failed) ||
         ec == make_error_code(errc::deadline_expired) ||
         ec == make_error_code(errc::connect_timeout);
}

}  // namespace posmode::engine

template <>
struct std::is_error_code_enum<posmode::engine::errc> : std::true_type {};
