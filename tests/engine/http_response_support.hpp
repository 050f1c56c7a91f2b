#pragma once

// Helpers shared by the http_response_parser test files: parse a byte stream in given pieces and
// capture everything a test compares.

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "posmode/engine/error.hpp"
#include "posmode/engine/http_response.hpp"
#include "support/venue_responses.hpp"

#if __has_include(<simdjson.h>)
#include <simdjson.h>
static_assert(posmode::engine::body_padding >= simdjson::SIMDJSON_PADDING,
              "the body must be followed by as many bytes as simdjson may read past it");
#endif

using posmode::engine::content_kind;
using posmode::engine::errc;
using posmode::engine::http_limits;
using posmode::engine::http_response_parser;
using posmode::test::all_venue_responses;
using posmode::test::venue_response;

namespace {

const std::error_code need_more = make_error_code(errc::need_more);

/**
 * Limits that record the usage headers the fixtures carry. The parser names no venue: its owner
 * does (posmode::components fills these from its venue table); these are Binance's and Bybit's.
 */
inline http_limits usage_limits() {
  http_limits limits;
  limits.usage_header_prefixes = {"x-mbx-used-weight-", "x-mbx-order-count-",
                                  "x-bapi-limit-status"};
  limits.used_weight_header = "x-mbx-used-weight-1m";
  return limits;
}

/** Everything a test compares about one parse; `ec` is the final code ({} when complete). */
struct outcome {
  std::error_code ec;
  std::size_t consumed = 0;
  int status = 0;
  std::string body;
  std::int64_t content_length = -1;
  bool keep_alive = false;
  bool chunked = false;
  content_kind type = content_kind::none;
  std::int64_t used_weight = -1;
  std::int64_t retry_after = -1;
  std::int64_t retry_after_epoch = -1;
  std::size_t header_bytes = 0;

  bool operator==(const outcome&) const = default;
};

inline doctest::String describe(const outcome& o) {
  return ("ec=" + o.ec.message() + " consumed=" + std::to_string(o.consumed) +
          " status=" + std::to_string(o.status) + " body=[" + o.body + "]")
      .c_str();
}

inline outcome snapshot(const http_response_parser& p, std::error_code ec, std::size_t consumed) {
  return {ec,
          consumed,
          p.status(),
          std::string(p.body()),
          p.content_length(),
          p.keep_alive(),
          p.chunked(),
          p.content_type(),
          p.used_weight(),
          p.retry_after_seconds(),
          p.retry_after_epoch_seconds(),
          p.header_bytes()};
}

/**
 * Feeds `bytes` cut at `cuts` (ascending offsets), stopping at the first result other than
 * need_more, as a connection would. With `eof`, a parse still wanting bytes gets put_eof().
 */
inline outcome feed(http_response_parser& p, std::string_view bytes,
                    const std::vector<std::size_t>& cuts, bool eof = false) {
  std::error_code ec = need_more;
  std::size_t at = 0;
  for (std::size_t i = 0; i <= cuts.size() && ec == need_more; ++i) {
    const std::size_t to = i < cuts.size() ? cuts[i] : bytes.size();
    const std::size_t n = p.put(bytes.substr(at, to - at), ec);
    if (ec == need_more) REQUIRE(n == to - at);  // need_more means everything was consumed
    at += n;
  }
  if (eof && ec == need_more) p.put_eof(ec);
  return snapshot(p, ec, at);
}

inline outcome parse(std::string_view bytes, bool eof = false,
                     http_limits limits = usage_limits()) {
  http_response_parser p(limits);
  return feed(p, bytes, {}, eof);
}

inline outcome parse_bytewise(std::string_view bytes, bool eof = false,
                              http_limits limits = usage_limits()) {
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < bytes.size(); ++i)
    cuts.push_back(i);
  http_response_parser p(limits);
  return feed(p, bytes, cuts, eof);
}

/** The expected result of a whole fixture parsed with `usage_limits()`, derived from its name and
 *  bytes. */
inline outcome expected(const venue_response& r) {
  const std::string_view name = r.name;
  const bool chunked = name == "bitget_success_chunked";
  const std::size_t header_end = r.bytes.find("\r\n\r\n") + 4;
  outcome o;
  o.consumed = r.bytes.size();
  o.status = r.status;
  o.body = std::string(r.body);
  o.content_length = chunked ? -1 : static_cast<std::int64_t>(r.body.size());
  o.keep_alive = name != "html_200";
  o.chunked = chunked;
  o.type = name.starts_with("html")        ? content_kind::html
           : name == "bybit_ip_banned_403" ? content_kind::text
                                           : content_kind::json;
  o.used_weight = name.starts_with("binance") ? 43 : -1;
  o.retry_after = name == "binance_rate_limited_429" ? 7
                  : name == "binance_ip_banned_418"  ? 120
                                                     : -1;
  // The blank line that ends an (empty) trailer section counts toward the header bytes.
  o.header_bytes = header_end + (chunked ? 2 : 0);
  return o;
}

inline std::string cat(std::string_view a, std::string_view b) {
  return std::string(a) + std::string(b);
}

}  // namespace
