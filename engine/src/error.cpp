#include "posmode/engine/error.hpp"

namespace posmode::engine {
namespace {

class engine_error_category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "posmode.engine"; }

  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
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
        return "HTTP header block exceeds the configured limit";
      case errc::body_limit:
        return "HTTP body exceeds the configured limit";
      case errc::partial_message:
        return "connection closed before the HTTP message was complete";
      case errc::timestamp_out_of_range:
        return "timestamp does not fit the 13-digit millisecond slot";
      case errc::signing_failed:
        return "request signing failed";
    }
    return "unknown posmode.engine error";
  }
};

}  // namespace

const std::error_category& engine_category() noexcept {
  // A function-local static: constructed once, thread-safe, never destroyed before use.
  static const engine_error_category category;
  return category;
}

}  // namespace posmode::engine
