#include "posmode/engine/error.hpp"

namespace posmode::engine {

std::string_view describe(errc e) noexcept {
  switch (e) {
    case errc::need_more:
      return "incomplete message: more input needed";
    case errc::bad_status_line:
      return "malformed HTTP status line";
    case errc::bad_header:
      return "malformed HTTP header line";
    case errc::bad_content_length:
      return "malformed or conflicting Content-Length";
    case errc::bad_chunk:
      return "malformed chunked transfer coding";
    case errc::unsupported_transfer_encoding:
      return "unsupported Transfer-Encoding (only chunked is accepted)";
    case errc::header_limit:
      return "response headers exceed the configured limit";
    case errc::body_limit:
      return "response body exceeds the configured limit";
    case errc::partial_message:
      return "connection closed before the response was complete";
    case errc::timestamp_out_of_range:
      return "timestamp does not fit the 13-digit millisecond slot";
    case errc::signing_failed:
      return "request signing failed";
    case errc::resolve_failed:
      return "host name did not resolve";
    case errc::connect_failed:
      return "TCP connect failed";
    case errc::tls_handshake_failed:
      return "TLS handshake failed";
    case errc::tls_verify_failed:
      return "TLS peer certificate or host name verification failed";
    case errc::tls_failed:
      return "TLS read or write failed";
    case errc::connection_closed:
      return "connection closed by the peer";
    case errc::not_connected:
      return "connection is not established";
    case errc::busy:
      return "a request is already in flight on this connection";
    case errc::deadline_expired:
      return "no complete response before the deadline";
    case errc::request_too_large:
      return "request larger than the connection's write buffer";
    case errc::connect_timeout:
      return "no TLS connection within the connect timeout";
  }
  return "unknown posmode.engine error";
}

namespace {

class engine_error_category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "posmode.engine"; }
  std::string message(int value) const override {
    return std::string(describe(static_cast<errc>(value)));
  }
};

}  // namespace

std::string_view describe(const std::error_code& ec) noexcept {
  if (!ec) return "no error";
  if (ec.category() == engine_category()) return describe(static_cast<errc>(ec.value()));
  return "system or TLS error";
}

const std::error_category& engine_category() noexcept {
  // A function-local static: constructed once, thread-safe, never destroyed before use.
  static const engine_error_category category;
  return category;
}

}  // namespace posmode::engine
