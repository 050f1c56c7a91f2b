// libFuzzer target for posmode::components::response_classifier.
//
// Input layout: byte 0 picks the HTTP status from a list of the statuses venues send, byte 1 the
// venue family, the request kind and the requested mode, byte 2 the Content-Type, byte 3 the
// Retry-After form (none, the delta-seconds in bytes 4-11 as a decimal, a run of digits too long
// for int64, an HTTP date, or garbage), bytes 4-11 also the wall clock; the rest is the body. The
// body is wrapped in a well-formed HTTP/1.1 response, parsed, and classified. The classifier
// must never crash, must keep its reply self-consistent, must classify the same bytes the same way
// twice (the reused simdjson parser keeps no state between answers), and must bound every wait
// (issue 11: a Retry-After or ban end beyond three days saturates, and never goes negative).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <system_error>

#include "posmode/components/response_classifier.hpp"

namespace {

using namespace posmode::components;

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "response_classifier_fuzz: invariant violated: %s\n", what);
    std::abort();
  }
}

bool same(const venue_reply& a, const venue_reply& b) {
  return a.result == b.result && a.code == b.code && a.has_code == b.has_code &&
         a.code_text.view() == b.code_text.view() && a.message.view() == b.message.view() &&
         a.verify_by_query == b.verify_by_query && a.has_mode == b.has_mode && a.mode == b.mode &&
         a.retry_after_ms == b.retry_after_ms && a.server_time_ms == b.server_time_ms;
}

std::uint64_t read_u64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v = v << 8 | p[i];
  return v;
}

// The Retry-After header line (with its CRLF) chosen by `form`, or none.
std::string retry_after(std::uint8_t form, std::uint64_t number) {
  switch (form % 6) {
    case 0:
      return {};
    case 1:
      return "Retry-After: " + std::to_string(number) + "\r\n";
    case 2:
      return "Retry-After: " + std::to_string(number % 100'000) + "\r\n";
    case 3:
      return "Retry-After: 99999999999999999999999999999\r\n";
    case 4:
      return "Retry-After: Sun, 06 Nov 2094 08:49:37 GMT\r\n";
    default:
      return "Retry-After: soon\r\n";
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 12) return 0;
  static constexpr int statuses[] = {200, 400, 401, 403, 404, 408, 418, 429, 500, 502, 503, 504};
  static constexpr std::string_view types[] = {"application/json", "text/html", "text/plain",
                                               "application/json; charset=utf-8"};
  const int status = statuses[data[0] % std::size(statuses)];
  // Bit 4 picks OKX, bit 5 Bybit, bit 6 Gate (added after the first seeds, whose byte leaves
  // them clear).
  const venue v = (data[1] & 0x40) != 0   ? venue::gate
                  : (data[1] & 0x20) != 0 ? venue::bybit
                  : (data[1] & 0x10) != 0 ? venue::okx
                  : (data[1] & 1) != 0    ? venue::bitget
                                          : venue::binance_papi;
  const auto kind = static_cast<request_kind>((data[1] >> 1) % 4);
  const position_mode requested =
      (data[1] & 8) != 0 ? position_mode::one_way : position_mode::hedge;
  const std::string_view type = types[data[2] % std::size(types)];
  const std::uint64_t number = read_u64(data + 4);
  // Any wall clock, from before 1970 to far beyond the 13-digit timestamps.
  const auto wall_now_ms = static_cast<std::int64_t>(number >> 1) - (std::int64_t{1} << 40);
  const std::string_view body(reinterpret_cast<const char*>(data + 12), size - 12);

  std::string wire =
      "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: " + std::string(type) +
      "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + retry_after(data[3], number) +
      // Bybit's retry time, any value (the classifier bounds the wait).
      ((data[3] & 0x80) != 0 ? "X-Bapi-Limit-Reset-Timestamp: " + std::to_string(number) + "\r\n"
                             : std::string()) +
      // Gate's, in seconds.
      ((data[3] & 0x40) != 0
           ? "X-Gate-RateLimit-Reset-Timestamp: " + std::to_string(number >> 8) + "\r\n"
           : std::string()) +
      "\r\n";
  wire += body;

  // As the component configures its parsers: the venue's usage headers recorded.
  static posmode::engine::http_response_parser bybit_parser{venue_http_limits(venue::bybit)};
  static posmode::engine::http_response_parser gate_parser{venue_http_limits(venue::gate)};
  static posmode::engine::http_response_parser other_parser{venue_http_limits(venue::binance_papi)};
  posmode::engine::http_response_parser& parser = v == venue::bybit  ? bybit_parser
                                                  : v == venue::gate ? gate_parser
                                                                     : other_parser;
  static response_classifier classifier;
  parser.reset();
  std::error_code ec;
  const std::size_t used = parser.put(std::string_view(wire), ec);
  if (ec) {
    // Only the body limit can refuse a well-formed response.
    require(ec == posmode::engine::errc::body_limit, "unexpected parser error");
    const auto reply = response_classifier::parse_failure(kind, ec, parser);
    require(reply.result == outcome::malformed, "a parse failure must be malformed");
    return 0;
  }
  require(used == wire.size(), "whole response consumed");
  const venue_reply first = classifier.classify(v, kind, requested, parser, wall_now_ms);
  const venue_reply second = classifier.classify(v, kind, requested, parser, wall_now_ms);
  require(first.retry_after_ms >= -1 && first.retry_after_ms <= max_retry_after_ms,
          "a wait is unknown (-1) or within three days");
  require(same(first, second), "classification is deterministic");
  require(first.http_status == status, "status kept");
  require(first.kind == kind, "kind kept");
  require(first.message.size() <= first.message.capacity, "message bounded");
  if (status == 429) require(first.result == outcome::rate_limited, "429 is rate limited");
  // Gate documents no 418 (docs/venues.md §5b.3): there it is an open outcome like any other.
  if (status == 418 && v != venue::bybit && v != venue::gate)
    require(first.result == outcome::ip_banned, "418 is a ban");
  if (status == 403 && v == venue::bybit)
    require(first.result == outcome::ip_banned, "Bybit 403 is a ban");
  if (first.result == outcome::applied || first.result == outcome::already_in_mode)
    require(kind == request_kind::set_mode, "only set requests apply");
  // A reported mode is hedge or one-way, or (Gate's split) a mode the message names.
  if (first.result == outcome::mode_reported)
    require(first.has_mode || (v == venue::gate && !first.message.empty()), "a reported mode");
  // OKX documents no "already in mode" answer: only a read-back may say so (docs/venues.md §4.5).
  if (v == venue::okx) require(first.result != outcome::already_in_mode, "OKX never says already");
  if (kind == request_kind::set_mode &&
      (first.result == outcome::unknown || first.result == outcome::malformed))
    require(first.verify_by_query, "an unknown effect asks for a read-back");
  return 0;
}
