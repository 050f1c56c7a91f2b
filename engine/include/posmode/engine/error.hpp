#pragma once

#include <string>
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
};

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
 * True when trying again on a fresh connection may succeed: a message cut short by the peer.
 * Protocol violations (a malformed status line, oversize headers) are not retryable: the same
 * server would answer the same way.
 */
[[nodiscard]] inline bool is_retryable(const std::error_code& ec) noexcept {
  return ec == make_error_code(errc::partial_message);
}

}  // namespace posmode::engine

template <>
struct std::is_error_code_enum<posmode::engine::errc> : std::true_type {};
