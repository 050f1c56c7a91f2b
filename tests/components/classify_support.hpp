#pragma once

// What the classifier tests share: a whole HTTP/1.1 response built from a status and a body, and
// a parser + classifier pair configured as the component configures a venue's connections.

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "posmode/components/response_classifier.hpp"

namespace posmode::test {

inline std::string http(int status, std::string_view body, std::string_view extra_headers = {},
                        std::string_view content_type = "application/json") {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: " + std::string(content_type) +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         std::string(extra_headers) + "\r\n" + std::string(body);
}

/**
 * The parser records the usage headers `limits_of`'s row names (the engine records none unless
 * told which), as the component's connections to that venue do.
 */
struct classify_fixture {
  explicit classify_fixture(components::venue limits_of = components::venue::binance_papi)
      : parser(components::venue_http_limits(limits_of)) {}

  engine::http_response_parser parser;
  components::response_classifier classifier;

  components::venue_reply run(
      std::string_view bytes, components::venue v, components::request_kind kind,
      components::position_mode requested = components::position_mode::hedge,
      std::int64_t wall_ms = 1700000000000) {
    parser.reset();
    std::error_code ec;
    const std::size_t used = parser.put(bytes, ec);
    REQUIRE_FALSE(ec);
    REQUIRE(used == bytes.size());
    return classifier.classify(v, kind, requested, parser, wall_ms);
  }
};

}  // namespace posmode::test
