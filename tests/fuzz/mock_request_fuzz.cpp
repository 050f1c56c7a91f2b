// libFuzzer target for the mock exchange's request handling (tools/mock_exchange/src): the bytes
// a client sends, parsed by Beast as the mock's sessions do, then answered by the Binance,
// Bitget, OKX or Bybit handler against accounts whose keys the input may or may not hit.
//
// The mock is a test instrument, and tests and the soak trust its answers: it must never crash,
// must answer every request it parsed with a status and a body, and must change a mode only when
// it answers with success. Input: the request bytes (a ':'-prefixed input uses the known keys
// with a fuzzed signature and query, a ';'-prefixed one OKX's known key with a fuzzed timestamp
// and body, to reach past the key check).

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "state.hpp"
#include "wire.hpp"

namespace {

namespace http = boost::beast::http;
using namespace posmode::mock;

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "mock_request_fuzz: invariant violated: %s\n", what);
    std::abort();
  }
}

detail::state fresh_state() {
  detail::state st;
  binance_account b;
  b.api_key = "binancekey";
  b.secret = "binancesecret";
  st.binance.emplace(b.api_key, b);
  bitget_account g;
  g.api_key = "bitgetkey";
  g.secret = "bitgetsecret";
  g.passphrase = "pass";
  st.bitget.emplace(g.api_key, g);
  okx_account o;
  o.api_key = "okxkey";
  o.secret = "okxsecret";
  o.passphrase = "pass";
  st.okx.emplace(o.api_key, o);
  bybit_account y;
  y.api_key = "bybitkey";
  y.secret = "bybitsecret";
  st.bybit.emplace(y.api_key, y);
  gate_account t;
  t.api_key = "gatekey";
  t.secret = "gatesecret";
  st.gate.emplace(t.api_key, t);
  return st;
}

// A request whose head names the mock's accounts, so the fuzzer reaches the signature, window
// and mode logic; the fuzzed rest is the query (Binance) or body (Bitget).
std::string with_known_keys(std::string_view rest) {
  const bool bitget = !rest.empty() && (rest.front() & 1) != 0;
  // Bybit's switch, signed right (the mock's own HMAC), so the fuzzed body reaches its parameter
  // and mode checks.
  if (!rest.empty() && (rest.front() & 3) == 2) {
    const std::string body(rest.substr(1));
    const std::string sign =
        detail::hmac_sha256_hex("bybitsecret", "1700000000000bybitkey5000" + body);
    return "POST /v5/position/switch-mode HTTP/1.1\r\nHost: x\r\nX-BAPI-API-KEY: bybitkey\r\n"
           "X-BAPI-TIMESTAMP: 1700000000000\r\nX-BAPI-RECV-WINDOW: 5000\r\nX-BAPI-SIGN: " +
           sign +
           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n" + body;
  }
  if (bitget)
    return "POST /api/v2/mix/account/set-position-mode HTTP/1.1\r\nHost: x\r\n"
           "ACCESS-KEY: bitgetkey\r\nACCESS-PASSPHRASE: pass\r\nACCESS-TIMESTAMP: 1700000000000\r\n"
           "ACCESS-SIGN: x\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(rest.size()) + "\r\n\r\n" + std::string(rest);
  std::string target;
  for (const char c : rest)
    if (c > 0x20 && c < 0x7f) target += c;
  return "POST /fapi/v1/positionSide/dual?" + target +
         " HTTP/1.1\r\nHost: x\r\nX-MBX-APIKEY: binancekey\r\nContent-Length: 0\r\n\r\n";
}

// The same for OKX (a ';'-prefixed input): the fuzzed rest is the body, under a fuzzed
// ISO-8601 timestamp taken from its first 24 bytes when there are that many.
std::string with_okx_key(std::string_view rest) {
  std::string timestamp = "2023-11-14T22:13:20.000Z";
  if (rest.size() >= 24) {
    timestamp.clear();
    for (const char c : rest.substr(0, 24))
      timestamp += c > 0x20 && c < 0x7f ? c : '0';
    rest.remove_prefix(24);
  }
  return "POST /api/v5/account/set-position-mode HTTP/1.1\r\nHost: x\r\n"
         "OK-ACCESS-KEY: okxkey\r\nOK-ACCESS-PASSPHRASE: pass\r\nOK-ACCESS-TIMESTAMP: " +
         timestamp + "\r\nOK-ACCESS-SIGN: x\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(rest.size()) + "\r\n\r\n" + std::string(rest);
}

// The same for Gate (a '!'-prefixed input): the fuzzed rest is the query string of a set, signed
// right with the mock's own HMAC-SHA512 over the query as received and the empty body's hash, so
// the fuzzed parameters reach the placement and mode checks.
std::string with_gate_key(std::string_view rest) {
  std::string query;
  for (const char c : rest)
    if (c > 0x20 && c < 0x7f && c != '#') query += c;
  const std::string path = "/api/v4/futures/usdt/set_position_mode";
  const std::string sign =
      detail::hmac_sha512_hex("gatesecret", "POST\n" + path + "\n" + detail::query_unescape(query) +
                                                "\n" + detail::sha512_hex({}) + "\n1700000000");
  return "POST " + path + (query.empty() ? "" : "?" + query) +
         " HTTP/1.1\r\nHost: x\r\nKEY: gatekey\r\nTimestamp: 1700000000\r\nSIGN: " + sign +
         "\r\nContent-Length: 0\r\n\r\n";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string bytes;
  if (!input.empty() && input.front() == ':')
    bytes = with_known_keys(input.substr(1));
  else if (!input.empty() && input.front() == ';')
    bytes = with_okx_key(input.substr(1));
  else if (!input.empty() && input.front() == '!')
    bytes = with_gate_key(input.substr(1));
  else
    bytes = std::string(input);

  http::request_parser<http::string_body> parser;
  parser.body_limit(64 * 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(bytes), ec);
  if (ec || !parser.is_done()) return 0;
  const auto& request = parser.get();

  detail::state st = fresh_state();
  const std::string_view target(request.target().data(), request.target().size());
  const std::size_t question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
  const detail::incoming in{
      request, path, query, "127.0.0.1", 1'700'000'000'000, std::chrono::steady_clock::now()};
  const detail::venue_route* venue = detail::route_of(path);
  const detail::reply r = venue != nullptr ? venue->handle(st, in) : detail::no_route_reply(path);
  require(r.status >= 200 && r.status < 600, "a status");
  require(!r.body.empty(), "a body");
  require(!r.outcome.empty(), "an outcome for the log");
  // A mode changes only with a success answer (Binance 200, Bitget 00000, OKX and Bybit 0, Gate's
  // account object, logged "ok").
  const bool success =
      r.outcome == "200" || r.outcome == "00000" || r.outcome == "0" || r.outcome == "ok";
  if (!st.history.empty()) require(success, "a mode changed without a success answer");
  return 0;
}
