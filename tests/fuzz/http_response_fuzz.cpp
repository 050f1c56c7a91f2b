// libFuzzer target for posmode::engine::http_response_parser.
//
// Input layout: byte 0 picks max_header_bytes, byte 1 max_body_bytes (small, so the limits are
// reached), bytes 2..5 seed the split generator, and the rest is the byte stream of a connection
// (zero or more pipelined responses). The stream is parsed three ways: whole, in random splits,
// and one byte at a time. Every way must reach the same results, response by response, and each
// put()/put_eof() must keep the parser's contract. Any violation aborts with a message.
//
// Build: clang++-14 -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Iengine/include \
//          engine/src/error.cpp engine/src/http_response.cpp tests/fuzz/http_response_fuzz.cpp

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "posmode/engine/http_response.hpp"

namespace {

using posmode::engine::errc;
using posmode::engine::http_limits;
using posmode::engine::http_response_parser;

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "http_response_fuzz: invariant violated: %s\n", what);
    std::abort();
  }
}

/** What one response (or the failure that ended the stream) looked like. */
struct response_record {
  std::error_code ec;
  std::size_t consumed = 0;  // only meaningful when ec is clear
  int status = 0;
  int version_minor = 0;
  std::string reason;
  std::string body;
  std::int64_t content_length = 0;
  bool keep_alive = false;
  bool chunked = false;
  int content_type = 0;
  std::int64_t retry_after = 0;
  std::int64_t retry_after_epoch = 0;
  std::int64_t used_weight = 0;
  std::string usage;
  std::size_t usage_dropped = 0;
  std::size_t header_bytes = 0;

  bool operator==(const response_record&) const = default;
};

response_record record(const http_response_parser& p, std::error_code ec, std::size_t consumed) {
  response_record r;
  r.ec = ec;
  if (ec) return r;  // after a failure only the code is comparable across splits
  r.consumed = consumed;
  r.status = p.status();
  r.version_minor = p.version_minor();
  r.reason = p.reason();
  r.body = p.body();
  r.content_length = p.content_length();
  r.keep_alive = p.keep_alive();
  r.chunked = p.chunked();
  r.content_type = static_cast<int>(p.content_type());
  r.retry_after = p.retry_after_seconds();
  r.retry_after_epoch = p.retry_after_epoch_seconds();
  r.used_weight = p.used_weight();
  for (const auto& h : p.usage_headers()) {
    r.usage += std::string(h.name()) + '=' + std::to_string(h.value) + ';';
  }
  r.usage_dropped = p.usage_headers_dropped();
  r.header_bytes = p.header_bytes();
  return r;
}

/** Splits into pieces of random sizes (0 included: an empty put must be harmless). */
class splitter {
 public:
  enum class mode { whole, random, bytewise };
  splitter(mode m, std::uint32_t seed) : mode_(m), state_(seed | 1U) {}

  std::size_t next(std::size_t left) {
    if (mode_ == mode::whole) return left;
    if (mode_ == mode::bytewise) return left < 1 ? left : 1;
    state_ ^= state_ << 13;  // xorshift32
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    const std::size_t cap = (state_ & 7U) == 0 ? left : (state_ >> 8) % 24;
    return cap < left ? cap : left;
  }

 private:
  mode mode_;
  std::uint32_t state_;
};

void check_invariants(const http_response_parser& p, const http_limits& limits) {
  require(p.header_bytes() <= limits.max_header_bytes, "header_bytes() within max_header_bytes");
  require(p.body().size() <= limits.max_body_bytes, "body() within max_body_bytes");
  require(p.usage_headers().size() <= http_response_parser::max_usage_headers,
          "usage_headers() within capacity");
  require(p.reason().size() <= http_response_parser::reason_capacity, "reason() truncated");
  // The padding after the body must be readable (AddressSanitizer checks the access).
  volatile char last = p.body().data()[p.body().size() + posmode::engine::body_padding - 1];
  (void)last;
}

std::vector<response_record> parse_stream(std::string_view stream, const http_limits& limits,
                                          splitter split) {
  std::vector<response_record> out;
  http_response_parser p(limits);
  while (true) {
    std::error_code ec = make_error_code(errc::need_more);
    std::size_t consumed = 0;
    while (ec == errc::need_more && !stream.empty()) {
      const std::size_t piece = split.next(stream.size());
      const std::size_t n = p.put(stream.substr(0, piece), ec);
      require(n <= piece, "put() consumes at most what it is given");
      if (ec == errc::need_more) require(n == piece, "need_more means all bytes were consumed");
      if (!ec) require(p.done() && p.header_done(), "success means done()");
      check_invariants(p, limits);
      consumed += n;
      stream.remove_prefix(n);
    }
    if (ec == errc::need_more) {
      if (consumed == 0 && out.size() > 0) return out;  // the stream ended between responses
      p.put_eof(ec);
      require(!ec || ec == errc::partial_message, "put_eof() completes or reports partial_message");
      if (!ec) require(p.done(), "put_eof() success means done()");
    }
    if (ec) {
      // A failed parser stays failed until reset().
      std::error_code again;
      require(p.put(std::string_view("HTTP/1.1 200 OK\r\n"), again) == 0 && again == ec,
              "a failed parser consumes nothing and repeats its error");
      p.put_eof(again);
      require(again == ec, "put_eof() repeats the error");
      require(posmode::engine::is_fatal(ec), "a fatal error is fatal");
    } else {
      std::error_code again;
      require(p.put(std::string_view("x"), again) == 0 && !again,
              "a complete parser consumes nothing");
      if (p.content_length() >= 0 && !p.chunked() && p.status() >= 200 && p.status() != 204 &&
          p.status() != 304) {
        require(p.body().size() == static_cast<std::size_t>(p.content_length()),
                "the body has exactly Content-Length bytes");
      }
    }
    out.push_back(record(p, ec, consumed));
    if (ec || stream.empty() || consumed == 0) return out;
    p.reset();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 6) return 0;
  // The usage prefixes a Binance owner names, so that recording them is fuzzed too.
  const http_limits limits{16 + std::size_t{data[0]} * 4,
                           1 + std::size_t{data[1]} * 2,
                           {"x-mbx-used-weight-", "x-mbx-order-count-"},
                           "x-mbx-used-weight-1m"};
  const std::uint32_t seed = std::uint32_t{data[2]} | std::uint32_t{data[3]} << 8 |
                             std::uint32_t{data[4]} << 16 | std::uint32_t{data[5]} << 24;
  const std::string_view stream(reinterpret_cast<const char*>(data) + 6, size - 6);

  const auto whole = parse_stream(stream, limits, splitter(splitter::mode::whole, seed));
  const auto random = parse_stream(stream, limits, splitter(splitter::mode::random, seed));
  require(whole == random, "random splits give the same results as the whole stream");
  const auto bytewise = parse_stream(stream, limits, splitter(splitter::mode::bytewise, seed));
  require(whole == bytewise, "one byte at a time gives the same results as the whole stream");
  return 0;
}
