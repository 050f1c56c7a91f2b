#include "posmode/engine/http_response.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "http_response_support.hpp"
#include "support/allocation_counter.hpp"
#include "support/venue_responses.hpp"

TEST_CASE("every venue fixture parses whole with the expected status, body and headers") {
  for (const venue_response& r : all_venue_responses) {
    CAPTURE(r.name);
    http_response_parser p(usage_limits());
    const outcome got = feed(p, r.bytes, {});
    const outcome want = expected(r);
    CHECK_MESSAGE(got == want, describe(got));
    CHECK(p.done());
    CHECK(p.header_done());
    CHECK(p.version_minor() == 1);
    if (r.name.starts_with("binance")) {
      REQUIRE(p.usage_headers().size() == 1);
      CHECK(p.usage_headers()[0].name() == "x-mbx-used-weight-1m");
      CHECK(p.usage_headers()[0].value == 43);
    } else if (r.name.starts_with("bybit") && r.status == 200) {
      REQUIRE(p.usage_headers().size() == 1);
      CHECK(p.usage_headers()[0].name() == "X-Bapi-Limit-Status");
      CHECK(p.usage_headers()[0].value == 9);
    } else {
      CHECK(p.usage_headers().empty());
    }
  }
}

TEST_CASE("every fixture split at every byte into two puts parses as when whole") {
  for (const venue_response& r : all_venue_responses) {
    CAPTURE(r.name);
    const outcome want = expected(r);
    for (std::size_t cut = 0; cut <= r.bytes.size(); ++cut) {
      CAPTURE(cut);
      http_response_parser p(usage_limits());
      const outcome got = feed(p, r.bytes, {cut});
      CHECK_MESSAGE(got == want, describe(got));
    }
  }
}

TEST_CASE("every fixture fed one byte at a time parses as when whole") {
  for (const venue_response& r : all_venue_responses) {
    CAPTURE(r.name);
    const outcome got = parse_bytewise(r.bytes);
    CHECK_MESSAGE(got == expected(r), describe(got));
  }
}

TEST_CASE("every fixture cut short at every byte and closed reports partial_message") {
  for (const venue_response& r : all_venue_responses) {
    CAPTURE(r.name);
    for (std::size_t cut = 0; cut < r.bytes.size(); ++cut) {
      CAPTURE(cut);
      const outcome got = parse(r.bytes.substr(0, cut), true);
      CHECK(got.ec == errc::partial_message);
      CHECK(posmode::engine::is_retryable(got.ec));
    }
    CHECK(parse(r.bytes, true).ec == std::error_code{});
  }
}

TEST_CASE("a close-delimited body completes at put_eof and turns keep-alive off") {
  const std::string_view header = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n";
  const std::string_view body = R"({"serverTime":1700000000123})";
  const std::string whole = cat(header, body);
  for (std::size_t cut = 0; cut <= whole.size(); ++cut) {
    CAPTURE(cut);
    http_response_parser p;
    const outcome got = feed(p, std::string_view(whole).substr(0, cut), {cut / 2}, true);
    if (cut < header.size()) {
      CHECK(got.ec == errc::partial_message);
    } else {
      CHECK(got.ec == std::error_code{});
      CHECK(got.body == whole.substr(header.size(), cut - header.size()));
      CHECK(got.content_length == -1);
      CHECK_FALSE(got.keep_alive);
      CHECK(p.done());
    }
  }
}

TEST_CASE("chunked bodies decode with extensions, trailers and uppercase hex at every split") {
  const std::string in =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: CHUNKED\r\n\r\n"
      "5;a=b;quoted=\"x;y\"\r\nhello\r\n"
      "1A \t;ext\r\nabcdefghijklmnopqrstuvwxyz\r\n"
      "00000000000000F\r\n0123456789abcde\r\n"
      "0;last\r\nX-Checksum: 1234\r\nX-Other: y\r\n\r\n";
  const std::string body = "helloabcdefghijklmnopqrstuvwxyz0123456789abcde";
  for (std::size_t cut = 0; cut <= in.size(); ++cut) {
    CAPTURE(cut);
    http_response_parser p;
    const outcome got = feed(p, in, {cut});
    CHECK(got.ec == std::error_code{});
    CHECK(got.consumed == in.size());
    CHECK(got.body == body);
    CHECK(got.chunked);
  }
  CHECK(parse_bytewise(in).body == body);
  // Bare LF line ends inside the chunked framing are accepted too.
  CHECK(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nok\n0\n\n").body == "ok");
}

TEST_CASE("malformed chunk framing fails with bad_chunk at every split") {
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (const char* framing : {
           "zz\r\nabc\r\n0\r\n\r\n",                // not hex
           "\r\nabc\r\n0\r\n\r\n",                  // no size
           "3\r\nabcX\r\n0\r\n\r\n",                // data not followed by a line end
           "3\r\nabc\rX0\r\n\r\n",                  // CR not followed by LF
           "3 \r\nabc\r\n0\r\n\r\n",                // whitespace not followed by ';'
           "3\rX\nabc\r\n0\r\n\r\n",                // CR not followed by LF in the size line
           "1000000000000000\r\nabc\r\n0\r\n\r\n",  // 16 hex digits
           "-3\r\nabc\r\n0\r\n\r\n",                // sign
       }) {
    const std::string in = head + framing;
    CAPTURE(in);
    for (std::size_t cut = 0; cut <= in.size(); ++cut) {
      CAPTURE(cut);
      http_response_parser p;
      CHECK(feed(p, in, {cut}).ec == errc::bad_chunk);
      std::error_code again;
      CHECK(p.put(std::string_view("more"), again) == 0);  // failed stays failed
      CHECK(again == errc::bad_chunk);
    }
  }
}

TEST_CASE("keep-alive follows Connection tokens and defaults to close on HTTP/1.0") {
  const auto keep_alive = [](const std::string& status_line, const std::string& connection) {
    std::string in = status_line + "\r\n";
    if (!connection.empty()) in += "Connection: " + connection + "\r\n";
    return parse(in + "Content-Length: 0\r\n\r\n").keep_alive;
  };
  CHECK(keep_alive("HTTP/1.1 200 OK", ""));
  CHECK_FALSE(keep_alive("HTTP/1.1 200 OK", "close"));
  CHECK_FALSE(keep_alive("HTTP/1.1 200 OK", "Keep-Alive, CLOSE"));
  CHECK_FALSE(keep_alive("HTTP/1.0 200 OK", ""));
  CHECK(keep_alive("HTTP/1.0 200 OK", "keep-alive"));
  CHECK(parse("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok").body == "ok");
  CHECK(keep_alive("HTTP/1.0 200 OK", " foo ,\tKeep-Alive "));
  CHECK_FALSE(keep_alive("HTTP/1.0 200 OK", "keep-alive, close"));
  CHECK_FALSE(parse(posmode::test::html_200.bytes).keep_alive);
  CHECK(parse(posmode::test::html_502.bytes).keep_alive);
}

TEST_CASE("Content-Type is classified by media type, case-insensitively, ignoring parameters") {
  const auto kind = [](const std::string& value) {
    return parse("HTTP/1.1 200 OK\r\nContent-Type: " + value + "\r\nContent-Length: 0\r\n\r\n")
        .type;
  };
  CHECK(kind("application/json") == content_kind::json);
  CHECK(kind("Application/JSON; charset=utf-8") == content_kind::json);
  CHECK(kind("application/problem+json") == content_kind::json);
  CHECK(kind("text/html") == content_kind::html);
  CHECK(kind("TEXT/HTML;charset=UTF-8") == content_kind::html);
  CHECK(kind("text/plain") == content_kind::text);
  CHECK(kind("application/xml") == content_kind::other);
  CHECK(kind("text/") == content_kind::other);
  CHECK(kind("") == content_kind::other);
  CHECK(parse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").type == content_kind::none);
  CHECK(parse(posmode::test::html_502.bytes).type == content_kind::html);
  CHECK(parse(posmode::test::html_200.bytes).status == 200);
}

TEST_CASE("a header block over max_header_bytes fails with header_limit at every split") {
  const std::string_view r = posmode::test::binance_success.bytes;
  const std::size_t header_size = r.find("\r\n\r\n") + 4;
  // Exactly at the limit is accepted.
  CHECK(parse(r, false, {header_size, 1024}).ec == std::error_code{});
  for (const std::size_t limit : {std::size_t{1}, std::size_t{10}, std::size_t{17},
                                  std::size_t{100}, header_size - 2, header_size - 1}) {
    CAPTURE(limit);
    // The input ends one byte past the limit, in a vector of its own, so that AddressSanitizer
    // reports any read beyond the byte that decides.
    const std::vector<char> in(r.begin(), r.begin() + static_cast<std::ptrdiff_t>(limit + 1));
    for (std::size_t cut = 0; cut <= in.size(); ++cut) {
      CAPTURE(cut);
      http_response_parser p({limit, 1024});
      std::error_code ec;
      std::size_t n = p.put(std::span<const char>(in.data(), cut), ec);
      if (cut <= limit) {
        REQUIRE(ec == need_more);
        n = p.put(std::span<const char>(in.data() + cut, in.size() - cut), ec);
      }
      CHECK(ec == errc::header_limit);
      CHECK(p.header_bytes() <= limit);
      CHECK(n <= in.size());
    }
  }
  // A line that never ends fails as soon as it passes the limit, too.
  const std::string endless = "HTTP/1.1 200 OK\r\nX-Long: " + std::string(100, 'a');
  CHECK(parse(endless, false, {64, 1024}).ec == errc::header_limit);
  // Trailers count toward the limit.
  const std::string trailers =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: " + std::string(40, 't') +
      "\r\n\r\n";
  CHECK(parse(trailers, false, {60, 1024}).ec == errc::header_limit);
  CHECK(parse(trailers, false, {100, 1024}).ec == std::error_code{});
}

TEST_CASE("a Content-Length over max_body_bytes fails with body_limit before the body arrives") {
  const std::string header = "HTTP/1.1 200 OK\r\nContent-Length: 101\r\nServer: x\r\n";
  CHECK(parse(header, false, {1024, 100}).ec == errc::body_limit);
  CHECK(parse(header, false, {1024, 101}).ec == need_more);
  // No body on a 204, so no limit either.
  CHECK(parse("HTTP/1.1 204 No Content\r\nContent-Length: 101\r\n\r\n", false, {1024, 100}).ec ==
        std::error_code{});
}

TEST_CASE("a chunked body over max_body_bytes fails with body_limit at the chunk size") {
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  CHECK(parse(head + "5\r\nhello\r\n6\r\n", false, {1024, 10}).ec == errc::body_limit);
  CHECK(parse(head + "5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n", false, {1024, 10}).body ==
        "helloworld");
  CHECK(parse(head + "FFFFFFFFFFFFFFF\r\n", false, {1024, 10}).ec == errc::body_limit);
}

TEST_CASE("a close-delimited body over max_body_bytes fails with body_limit") {
  const std::string in = "HTTP/1.1 200 OK\r\n\r\n" + std::string(11, 'x');
  CHECK(parse(in, true, {1024, 10}).ec == errc::body_limit);
  CHECK(parse_bytewise(in, true, {1024, 10}).ec == errc::body_limit);
  CHECK(parse(in, true, {1024, 11}).body == std::string(11, 'x'));
}

TEST_CASE("a body cut short by the peer reports partial_message") {
  const std::string_view r = posmode::test::binance_success.bytes;
  const outcome got = parse(r.substr(0, r.size() - 1), true);
  CHECK(got.ec == errc::partial_message);
  CHECK(got.body == posmode::test::binance_success.body.substr(0, 27));
  CHECK(parse("", true).ec == errc::partial_message);  // closed before any byte
}

TEST_CASE("garbage or a TLS alert at the start fails with bad_status_line on its first bytes") {
  for (const std::string_view in :
       {std::string_view("\x15\x03\x03\x00\x02\x02\x50", 7), std::string_view("<html>"),
        std::string_view("H"), std::string_view("HTTP/2"), std::string_view("HTTP/1.x")}) {
    CAPTURE(in);
    // Only the first seven bytes are checked early; the rest of the line when its end arrives.
    const std::string_view prefix = in.substr(0, 7);
    const bool plausible_prefix = std::string_view("HTTP/1.").starts_with(prefix);
    CHECK(parse(in).ec == (plausible_prefix ? need_more : make_error_code(errc::bad_status_line)));
    CHECK(parse_bytewise(in).ec == parse(in).ec);
  }
  for (const char* line : {"HTTP/1.1 099 Low\r\n", "HTTP/1.1 600 High\r\n", "HTTP/1.1 2x0 OK\r\n",
                           "HTTP/1.1  200 OK\r\n", "HTTP/1.1 200OK\r\n", "HTTP/1.1 200 O\x01K\r\n",
                           "http/1.1 200 OK\r\n", "\r\nHTTP/1.1 200 OK\r\n"}) {
    CAPTURE(line);
    CHECK(parse(line).ec == errc::bad_status_line);
  }
}

TEST_CASE("a pipelined second response is left unconsumed and parses after reset()") {
  const std::string two = cat(posmode::test::binance_success.bytes, posmode::test::html_502.bytes);
  const std::size_t first = posmode::test::binance_success.bytes.size();
  for (std::size_t cut = 0; cut <= two.size(); ++cut) {
    CAPTURE(cut);
    http_response_parser p;
    std::error_code ec;
    std::size_t used = 0;
    std::string_view rest = two;
    if (cut < first) {
      used = p.put(rest.substr(0, cut), ec);
      REQUIRE(ec == need_more);
      rest.remove_prefix(used);
    }
    used = p.put(rest, ec);
    REQUIRE(ec == std::error_code{});
    CHECK(p.body() == posmode::test::binance_success.body);
    rest.remove_prefix(used);
    CHECK(rest == posmode::test::html_502.bytes);
    p.reset();
    CHECK(p.put(rest, ec) == rest.size());
    CHECK(ec == std::error_code{});
    CHECK(p.status() == 502);
    CHECK(p.body() == posmode::test::html_502.body);
  }
}

TEST_CASE("reset() lets one parser read every fixture in turn on the same connection") {
  http_response_parser p(usage_limits());
  for (int round = 0; round < 2; ++round) {
    for (const venue_response& r : all_venue_responses) {
      CAPTURE(r.name);
      p.reset();
      const outcome got = feed(p, r.bytes, {r.bytes.size() / 3});
      CHECK_MESSAGE(got == expected(r), describe(got));
    }
  }
  // After completion put() consumes nothing; reset() also clears a failure.
  std::error_code ec;
  CHECK(p.put(std::string_view("HTTP/1.1"), ec) == 0);
  CHECK(ec == std::error_code{});
  p.reset();
  (void)p.put(std::string_view("garbage"), ec);
  CHECK(ec == errc::bad_status_line);
  p.reset();
  CHECK(feed(p, posmode::test::bitget_success.bytes, {}).status == 200);
}

TEST_CASE("interim 1xx responses are skipped and 101 ends the message without a body") {
  const std::string in =
      "HTTP/1.1 100 Continue\r\n\r\n"
      "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\nRetry-After: 9\r\n\r\n" +
      std::string(posmode::test::bitget_success.bytes);
  for (std::size_t cut = 0; cut <= in.size(); ++cut) {
    CAPTURE(cut);
    http_response_parser p;
    const outcome got = feed(p, in, {cut});
    CHECK(got.status == 200);
    CHECK(got.retry_after == -1);  // the interim response's headers are discarded
    CHECK(got.body == posmode::test::bitget_success.body);
    CHECK(got.consumed == in.size());
  }
  const outcome upgrade = parse("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\nxx");
  CHECK(upgrade.ec == std::error_code{});
  CHECK(upgrade.status == 101);
  CHECK(upgrade.consumed == upgrade.header_bytes);  // the bytes after belong to the new protocol
  CHECK_FALSE(upgrade.keep_alive);
}

TEST_CASE("204 and 304 responses have no body even with a Content-Length") {
  for (const char* in : {"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n",
                         "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n"}) {
    CAPTURE(in);
    const outcome got = parse(cat(in, "HTTP/1.1 200 OK\r\n"));
    CHECK(got.ec == std::error_code{});
    CHECK(got.body.empty());
    CHECK(got.consumed == std::string_view(in).size());
    CHECK(got.keep_alive);
  }
}

TEST_CASE("Retry-After is read as delta-seconds or as the epoch seconds of an IMF-fixdate") {
  struct retry_case {
    const char* value;
    std::int64_t seconds;
    std::int64_t epoch;
  };
  // Epoch values computed independently with Python's calendar.timegm.
  for (const retry_case c : {
           retry_case{"7", 7, -1},
           retry_case{"0", 0, -1},
           retry_case{"120", 120, -1},
           // issue 11: too large for int64 saturates (a very long wait, not none)
           retry_case{"99999999999999999999", std::numeric_limits<std::int64_t>::max(), -1},
           retry_case{"-5", -1, -1},
           retry_case{"1.5", -1, -1},
           retry_case{"Thu, 01 Jan 1970 00:00:00 GMT", -1, 0},
           retry_case{"Tue, 14 Nov 2023 22:13:20 GMT", -1, 1700000000},
           retry_case{"Sun, 06 Nov 1994 08:49:37 GMT", -1, 784111777},
           retry_case{"Tue, 29 Feb 2000 12:00:00 GMT", -1, 951825600},
           retry_case{"Wed, 28 Feb 2024 23:59:59 GMT", -1, 1709164799},
           retry_case{"Thu, 01 Mar 2100 00:00:00 GMT", -1, 4107542400},
           retry_case{"Fri, 31 Dec 9999 23:59:59 GMT", -1, 253402300799},
           retry_case{"Sat, 31 Dec 2016 23:59:60 GMT", -1, 1483228800},  // leap second
           retry_case{"Mon, 29 Feb 2100 00:00:00 GMT", -1, -1},          // 2100 is not leap
           retry_case{"Wed, 31 Dec 1969 23:59:59 GMT", -1, -1},          // before the epoch
           retry_case{"Sun, 06 Nov 1994 24:00:00 GMT", -1, -1},
           retry_case{"sun, 06 nov 1994 08:49:37 GMT", -1, -1},   // names are case-sensitive
           retry_case{"Sunday, 06-Nov-94 08:49:37 GMT", -1, -1},  // RFC 850: obsolete
           retry_case{"Sun Nov  6 08:49:37 1994", -1, -1},        // asctime: obsolete
           retry_case{"Sun, 06 Nov 1994 08:49:37 UTC", -1, -1},
       }) {
    CAPTURE(c.value);
    const outcome got = parse(std::string("HTTP/1.1 429 Too Many\r\nRetry-After: ") + c.value +
                              "\r\nContent-Length: 0\r\n\r\n");
    CHECK(got.ec == std::error_code{});
    CHECK(got.retry_after == c.seconds);
    CHECK(got.retry_after_epoch == c.epoch);
  }
}

TEST_CASE("malformed header lines fail with bad_header") {
  for (const char* line :
       {"Bad Name: x", "Name : x", ": x", "No-Colon", "X-A: a\x01z", "X-A: a\rz", " X-Fold: x",
        "\tX-Fold: x", "X\x7f: y", "X-A: \x7f", "Caf\xc3\xa9: x", "X(y): z", "X-A: 1\r\r"}) {
    const std::string in =
        std::string("HTTP/1.1 200 OK\r\nServer: s\r\n") + line + "\r\nContent-Length: 0\r\n\r\n";
    CAPTURE(in);
    CHECK(parse(in).ec == errc::bad_header);
    CHECK(parse_bytewise(in).ec == errc::bad_header);
  }
  // A trailer line is checked the same way.
  CHECK(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nBad Trailer\r\n\r\n").ec ==
        errc::bad_header);
}

TEST_CASE("Content-Length conflicts and malformed values fail with bad_content_length") {
  for (const char* fields :
       {"Content-Length: 5\r\nContent-Length: 6", "Content-Length: +5", "Content-Length: 5 5",
        "Content-Length: 0x5", "Content-Length:", "Content-Length: 9223372036854775808",
        "Content-Length: 5\r\nTransfer-Encoding: chunked",
        "Transfer-Encoding: chunked\r\nContent-Length: 5"}) {
    const std::string in = std::string("HTTP/1.1 200 OK\r\n") + fields + "\r\n\r\nhello";
    CAPTURE(in);
    CHECK(parse(in, false, {1024, 1U << 20}).ec == errc::bad_content_length);
  }
  CHECK(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\ncontent-length:  5 \r\n\r\nhello").body ==
        "hello");
  // The largest value is parsed, then refused by the body limit.
  CHECK(parse("HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775807\r\n\r\n").ec ==
        errc::body_limit);
}

TEST_CASE("a Transfer-Encoding other than a single chunked fails") {
  for (const char* value : {"gzip", "gzip, chunked", "chunked, gzip", "identity", ""}) {
    const std::string in =
        std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding: ") + value + "\r\n\r\n0\r\n\r\n";
    CAPTURE(in);
    CHECK(parse(in).ec == errc::unsupported_transfer_encoding);
  }
  CHECK(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n")
            .ec == errc::unsupported_transfer_encoding);
}

TEST_CASE("usage headers named by the owner's prefixes are recorded and extra ones counted") {
  const std::string in =
      "HTTP/1.1 200 OK\r\n"
      "X-MBX-USED-WEIGHT-1M: 1200\r\n"
      "X-MBX-USED-WEIGHT-1S: 20\r\n"
      "x-mbx-order-count-10s: 3\r\n"
      "X-MBX-ORDER-COUNT-1D: 77\r\n"
      "X-Bapi-Limit-Status: 99\r\n"
      "X-Bapi-Limit: 100\r\n"
      "X-MBX-USED-WEIGHT: 5\r\n"
      "X-MBX-USED-WEIGHT-1H: abc\r\n"
      "X-MBX-ORDER-COUNT-0123456789ABCDEF: 1\r\n"
      "X-MBX-ORDER-COUNT-1W: 8\r\n"
      "Content-Length: 0\r\n\r\n";
  http_response_parser p(usage_limits());
  REQUIRE(feed(p, in, {}).ec == std::error_code{});
  CHECK(p.used_weight() == 1200);
  const auto usage = p.usage_headers();
  REQUIRE(usage.size() == http_response_parser::max_usage_headers);
  CHECK(usage[0].name() == "X-MBX-USED-WEIGHT-1M");
  CHECK(usage[1].value == 20);
  CHECK(usage[2].name() == "x-mbx-order-count-10s");
  CHECK(usage[3].value == 77);
  CHECK(usage[4].name() == "X-Bapi-Limit-Status");
  CHECK(usage[4].value == 99);
  CHECK(usage[5].name() == "X-MBX-USED-WEIGHT-1H");
  CHECK(usage[5].value == -1);
  CHECK(p.usage_headers_dropped() == 2);  // the over-long name and the seventh
  p.reset();
  CHECK(p.usage_headers().empty());
  CHECK(p.used_weight() == -1);

  // The parser knows no venue: with the default limits nothing is recorded.
  http_response_parser plain;
  REQUIRE(feed(plain, in, {}).ec == std::error_code{});
  CHECK(plain.usage_headers().empty());
  CHECK(plain.usage_headers_dropped() == 0);
  CHECK(plain.used_weight() == -1);
}

TEST_CASE(
    "any owner's prefix is recorded, whatever its length, and only lower-case names are "
    "accepted") {
  // A name as long as one the parser reads itself (content-type, 12) is still looked at.
  http_limits limits;
  limits.usage_header_prefixes = {"x-gate-limit", "x-ratelimit-remaining"};
  limits.used_weight_header = "x-ratelimit-used";
  http_response_parser p(limits);
  const std::string in =
      "HTTP/1.1 200 OK\r\n"
      "X-Gate-Limit: 10\r\n"
      "X-RateLimit-Remaining-Requests: 190\r\n"
      "X-RateLimit-Used: 12\r\n"
      "X-MBX-USED-WEIGHT-1M: 1200\r\n"
      "Content-Length: 0\r\n\r\n";
  REQUIRE(feed(p, in, {}).ec == std::error_code{});
  REQUIRE(p.usage_headers().size() == 2);
  CHECK(p.usage_headers()[0].name() == "X-Gate-Limit");
  CHECK(p.usage_headers()[0].value == 10);
  CHECK(p.usage_headers()[1].name() == "X-RateLimit-Remaining-Requests");
  CHECK(p.usage_headers()[1].value == 190);
  CHECK(p.used_weight() == 12);  // named whole: reported though no prefix records it

  http_limits upper;
  upper.usage_header_prefixes = {"X-MBX-"};
  CHECK_THROWS_AS(http_response_parser{upper}, std::invalid_argument);
  http_limits spaced;
  spaced.used_weight_header = "x weight";
  CHECK_THROWS_AS(http_response_parser{spaced}, std::invalid_argument);
}

TEST_CASE("status line details: reason truncation, bare LF, empty reason, minor version") {
  http_response_parser p;
  const std::string reason(100, 'r');
  (void)feed(p, "HTTP/1.1 200 " + reason + "\r\nContent-Length: 0\r\n\r\n", {});
  CHECK(p.reason() == reason.substr(0, http_response_parser::reason_capacity));
  p.reset();
  (void)feed(p, "HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n", {});
  CHECK(p.status() == 404);
  CHECK(p.reason().empty());
  p.reset();
  (void)feed(p, "HTTP/1.1 418 I'm a teapot\nContent-Length: 0\n\n", {});
  CHECK(p.reason() == "I'm a teapot");
  p.reset();
  (void)feed(p, "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", {});
  CHECK(p.version_minor() == 0);
  p.reset();
  CHECK(feed(p, "HTTP/1.9 200 OK\r\n\r\n", {}, true).ec == std::error_code{});
  CHECK(p.version_minor() == 9);
  CHECK_FALSE(p.keep_alive());  // close-delimited
}

TEST_CASE("the body is followed by body_padding readable bytes even at max_body_bytes") {
  const std::string body(64, 'b');
  http_response_parser p({256, body.size()});
  REQUIRE(feed(p, "HTTP/1.1 200 OK\r\nContent-Length: 64\r\n\r\n" + body, {}).ec ==
          std::error_code{});
  // AddressSanitizer checks these reads stay inside the allocation.
  const char* const after = p.body().data() + p.body().size();
  unsigned sum = 0;
  for (std::size_t i = 0; i < posmode::engine::body_padding; ++i) {
    sum += static_cast<unsigned char>(after[i]);
  }
  CHECK(sum < 256 * posmode::engine::body_padding);
}

TEST_CASE("random splits of concatenated fixtures parse as whole ones (fixed seed)") {
  const std::uint32_t seed = 20231114;
  CAPTURE(seed);
  std::mt19937 rng(seed);
  http_response_parser p(usage_limits());
  for (int round = 0; round < 300; ++round) {
    CAPTURE(round);
    std::vector<const venue_response*> sequence;
    std::string stream;
    const int count = std::uniform_int_distribution<int>(1, 4)(rng);
    for (int i = 0; i < count; ++i) {
      sequence.push_back(&all_venue_responses[std::uniform_int_distribution<std::size_t>(
          0, all_venue_responses.size() - 1)(rng)]);
      stream += sequence.back()->bytes;
    }
    std::string_view rest = stream;
    for (const venue_response* r : sequence) {
      CAPTURE(r->name);
      p.reset();
      std::error_code ec = need_more;
      std::size_t used = 0;
      while (ec == need_more && !rest.empty()) {
        const std::size_t piece = std::uniform_int_distribution<std::size_t>(
            0, std::min<std::size_t>(rest.size(), 64))(rng);
        const std::size_t n = p.put(rest.substr(0, piece), ec);
        used += n;
        rest.remove_prefix(n);
      }
      outcome want = expected(*r);
      CHECK_MESSAGE(snapshot(p, ec, used) == want, describe(snapshot(p, ec, used)));
    }
    CHECK(rest.empty());
  }
}

#if POSMODE_ALLOCATION_COUNTING
TEST_CASE("put, put_eof, reset and the accessors never allocate after construction") {
  http_response_parser p;
  std::size_t allocations = 0;
  std::size_t failures = 0;
  std::size_t checksum = 0;
  const auto use = [&checksum](const http_response_parser& q) {
    checksum += static_cast<std::size_t>(q.status()) + q.body().size() + q.reason().size() +
                q.usage_headers().size() + q.header_bytes() +
                static_cast<std::size_t>(q.content_length() + q.used_weight() +
                                         q.retry_after_seconds() + q.retry_after_epoch_seconds()) +
                (q.keep_alive() ? 1U : 0U) + (q.chunked() ? 1U : 0U) +
                static_cast<std::size_t>(q.content_type()) + (q.done() ? 1U : 0U);
  };
  for (const venue_response& r : all_venue_responses) {
    for (std::size_t cut = 0; cut <= r.bytes.size(); ++cut) {
      posmode::test::allocation_scope scope;
      p.reset();
      std::error_code ec;
      std::size_t n = p.put(r.bytes.substr(0, cut), ec);
      n += p.put(r.bytes.substr(n), ec);
      use(p);
      p.reset();
      (void)p.put(r.bytes.substr(0, cut), ec);  // then the peer closes
      p.put_eof(ec);
      use(p);
      p.reset();
      (void)p.put(std::string_view("\x15\x03\x03"), ec);  // an error path
      p.put_eof(ec);
      use(p);
      allocations += scope.count();
      failures += n == r.bytes.size() ? 0U : 1U;
    }
  }
  CHECK(allocations == 0);
  CHECK(failures == 0);
  CHECK(checksum != 0);
}
#endif

TEST_CASE("the constructor rejects a zero limit and names the field") {
  const auto message = [](http_limits limits) -> std::string {
    try {
      http_response_parser p(limits);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "no exception";
  };
  CHECK(message({0, 1024}).find("max_header_bytes") != std::string::npos);
  CHECK(message({1024, 0}).find("max_body_bytes") != std::string::npos);
  CHECK(message({SIZE_MAX / 2, SIZE_MAX / 2}).find("overflows") != std::string::npos);
  CHECK(message({1, 1}) == "no exception");
}

TEST_CASE("a moved parser keeps its state and buffers") {
  http_response_parser a;
  std::error_code ec;
  const std::string_view r = posmode::test::binance_success.bytes;
  REQUIRE(a.put(r.substr(0, 100), ec) == 100);
  http_response_parser b(std::move(a));
  CHECK(b.put(r.substr(100), ec) == r.size() - 100);
  CHECK(ec == std::error_code{});
  CHECK(b.body() == posmode::test::binance_success.body);
  http_response_parser c({16, 16});
  c = std::move(b);
  CHECK(c.body() == posmode::test::binance_success.body);
  static_assert(!std::is_copy_constructible_v<http_response_parser>);
  static_assert(std::is_nothrow_move_constructible_v<http_response_parser>);
}
