// The parser against Boost.Beast's response_parser: the same verdicts on the fixtures and edge
// inputs, and the documented differences pinned.

#include <doctest/doctest.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "http_response_support.hpp"

namespace {

struct beast_outcome {
  bool accepted = false;
  int status = 0;
  std::string body;
};

// Boost.Beast's parser on the whole input (plus put_eof when it waits for more), for comparison.
beast_outcome parse_with_beast(std::string_view bytes) {
  namespace http = boost::beast::http;
  http::response_parser<http::string_body> p;
  p.eager(true);
  boost::beast::error_code ec;
  std::size_t at = 0;
  while (!p.is_done() && at < bytes.size()) {
    const std::size_t n = p.put(boost::asio::buffer(bytes.data() + at, bytes.size() - at), ec);
    at += n;
    if (ec == http::error::need_more) {
      if (n == 0) break;
    } else if (ec) {
      return {};
    }
  }
  if (!p.is_done()) {
    if (!p.got_some()) return {};
    p.put_eof(ec);
    if (ec) return {};
  }
  return {true, static_cast<int>(p.get().result_int()), p.get().body()};
}

}  // namespace

TEST_CASE("the parser agrees with Beast's response_parser on fixtures and edge inputs") {
  std::vector<std::string> inputs;
  for (const venue_response& r : all_venue_responses)
    inputs.emplace_back(r.bytes);
  const std::string ok = "HTTP/1.1 200 OK\r\n";
  for (const char* tail : {
           "Content-Length: 0\r\n\r\n",
           "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
           "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
           "Content-Length: 5x\r\n\r\nhello",
           "Content-Length: 99999999999999999999999\r\n\r\n",
           "Content-Length:\r\n\r\n",
           "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
           "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
           "Transfer-Encoding: chunked\r\n\r\n5;name=value;x\r\nhello\r\n0\r\n\r\n",
           "Transfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\na\r\nabcdefghij\r\n0\r\n\r\n",
           "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Trailer: 1\r\nY: 2\r\n\r\n",
           "Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
           "Transfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n",
           "Transfer-Encoding: chunked\r\n\r\n3 ;e\r\nabc\r\n0\r\n\r\n",
           "Transfer-Encoding: chunked\r\n\r\n3 \r\nabc\r\n0\r\n\r\n",
           "Transfer-Encoding: chunked\r\n\r\n\r\n",
           "Bad Name: x\r\nContent-Length: 0\r\n\r\n",
           "Bad\tName: x\r\nContent-Length: 0\r\n\r\n",
           ": empty name\r\nContent-Length: 0\r\n\r\n",
           "No-Colon\r\nContent-Length: 0\r\n\r\n",
           "X-Ctl: a\x01z\r\nContent-Length: 0\r\n\r\n",
           "X-Tab:\ta\tb\t\r\nContent-Length: 1\r\n\r\nz",
           "X-Obs-Text: caf\xc3\xa9\r\nContent-Length: 1\r\n\r\nz",
           "Content-Type: text/plain\r\n\r\nclose-delimited body",
       }) {
    inputs.push_back(ok + tail);
  }
  for (const char* whole : {
           "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nabc",
           "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n",
           "HTTP/1.1 304 Not Modified\r\n\r\n",
           "HTTP/1.1 404 \r\nContent-Length: 2\r\n\r\nno",
           "<html><body>502</body></html>\r\n",
           "\x15\x03\x03\x00\x02\x02\x28",
           "HTTP/2 200\r\n\r\n",
           "HTTP/1.1 20 OK\r\n\r\n",
           "HTTP/1.1 2000 OK\r\n\r\n",
           "HTTP/1.1 200 OK\r\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
           "",
       }) {
    inputs.emplace_back(whole);
  }
  for (const std::string& in : inputs) {
    CAPTURE(in);
    const beast_outcome beast = parse_with_beast(in);
    const outcome ours = parse(in, true);
    const bool accepted = ours.ec == std::error_code{};
    CHECK(accepted == beast.accepted);
    if (accepted && beast.accepted) {
      CHECK(ours.status == beast.status);
      CHECK(ours.body == beast.body);
    }
  }
}

TEST_CASE("documented differences from Beast hold: bare LF, obs-fold, 1xx, codings, lists") {
  // Each input is parsed by both; the comment says which side accepts and why.
  // Bare LF line ends: accepted here (RFC 9112 §2.2 MAY), rejected by Beast.
  const std::string bare_lf = "HTTP/1.1 200 OK\nContent-Length: 2\n\nok";
  CHECK(parse(bare_lf).body == "ok");
  CHECK_FALSE(parse_with_beast(bare_lf).accepted);
  // obs-fold: rejected here (RFC 9112 §5.2 allows it), unfolded by Beast.
  const std::string fold = "HTTP/1.1 200 OK\r\nX-A: 1\r\n 2\r\nContent-Length: 0\r\n\r\n";
  CHECK(parse(fold).ec == errc::bad_header);
  CHECK(parse_with_beast(fold).accepted);
  // An interim 100 is skipped here; Beast reports it as the message.
  const std::string interim =
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  CHECK(parse(interim).status == 200);
  CHECK(parse_with_beast(interim).status == 100);
  // A coding other than chunked: rejected here; Beast reads the body to EOF.
  const std::string gzip = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxx";
  CHECK(parse(gzip, true).ec == errc::unsupported_transfer_encoding);
  CHECK(parse_with_beast(gzip).accepted);
  // A Content-Length list: rejected here; Beast accepts equal members.
  const std::string list = "HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok";
  CHECK(parse(list).ec == errc::bad_content_length);
  CHECK(parse_with_beast(list).accepted);
  // A status line without the SP before an empty reason: accepted here, rejected by Beast.
  const std::string no_reason = "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n";
  CHECK(parse(no_reason).status == 200);
  CHECK_FALSE(parse_with_beast(no_reason).accepted);
}
