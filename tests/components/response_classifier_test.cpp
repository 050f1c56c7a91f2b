#include "posmode/components/response_classifier.hpp"

#include <doctest/doctest.h>

#include <limits>
#include <string>
#include <string_view>

#include "components/classify_support.hpp"
#include "posmode/engine/error.hpp"
#include "support/allocation_counter.hpp"
#include "support/venue_responses.hpp"

using namespace posmode::components;
using posmode::engine::http_response_parser;
namespace test = posmode::test;

namespace {

using test::classify_fixture;
using test::http;

// The venue a fixture of venue_responses.hpp answers for, by its name.
venue venue_of_fixture(std::string_view name) {
  if (name.starts_with("binance")) return venue::binance_papi;
  if (name.starts_with("okx")) return venue::okx;
  if (name.starts_with("bybit")) return venue::bybit;
  return venue::bitget;
}

}  // namespace

TEST_CASE("every documented Binance answer maps to its outcome") {
  classify_fixture f;
  const auto set = [&](const test::venue_response& r) {
    return f.run(r.bytes, venue::binance_papi, request_kind::set_mode);
  };
  auto reply = set(test::binance_success);
  CHECK(reply.result == outcome::applied);
  CHECK(reply.code == 200);
  CHECK(reply.message == "success");
  CHECK(reply.used_weight_1m == 43);
  CHECK_FALSE(reply.verify_by_query);

  reply = set(test::binance_already);
  CHECK(reply.result == outcome::already_in_mode);
  CHECK(reply.code == -4059);
  CHECK(reply.http_status == 400);
  CHECK(reply.message == "No need to change position side.");
  CHECK(is_success(reply.result));

  CHECK(set(test::binance_positions).result == outcome::blocked_positions);
  CHECK(set(test::binance_orders).result == outcome::blocked_orders);
  CHECK(set(test::binance_um_cm).result == outcome::blocked_um_cm_mismatch);
  CHECK(is_blocked(set(test::binance_um_cm).result));
  CHECK(set(test::binance_skew).result == outcome::clock_skew);
  CHECK(set(test::binance_bad_signature).result == outcome::bad_signature);
  CHECK(set(test::binance_bad_key).result == outcome::key_or_permission);

  reply = set(test::binance_rate_limited);
  CHECK(reply.result == outcome::rate_limited);
  CHECK(reply.retry_after_ms == 7000);
  CHECK(reply.code == -1003);

  reply = set(test::binance_ip_banned);
  CHECK(reply.result == outcome::ip_banned);
  CHECK(reply.retry_after_ms == 120000);

  reply = set(test::binance_unknown_503);
  CHECK(reply.result == outcome::unknown);
  CHECK(reply.verify_by_query);
  reply = set(test::binance_timeout_1007);
  CHECK(reply.result == outcome::unknown);
  CHECK(reply.verify_by_query);

  reply = f.run(test::binance_query_hedge.bytes, venue::binance_usdm, request_kind::query_mode);
  CHECK(reply.result == outcome::mode_reported);
  CHECK(reply.has_mode);
  CHECK(reply.mode == position_mode::hedge);

  reply = f.run(test::binance_server_time.bytes, venue::binance_usdm, request_kind::server_time);
  CHECK(reply.result == outcome::ok);
  CHECK(reply.server_time_ms == 1700000000123);
}

TEST_CASE("every Binance code in the issue maps to its outcome, whatever the status") {
  classify_fixture f;
  struct row {
    int status;
    int code;
    outcome expected;
  };
  const row rows[] = {
      {200, 200, outcome::applied},
      {400, -4059, outcome::already_in_mode},
      {400, -4068, outcome::blocked_positions},
      {400, -4067, outcome::blocked_orders},
      {400, -4220, outcome::blocked_um_cm_mismatch},
      {400, -1021, outcome::clock_skew},
      {400, -1022, outcome::bad_signature},
      {400, -2014, outcome::key_or_permission},
      {401, -2015, outcome::key_or_permission},
      {401, -1002, outcome::key_or_permission},
      {429, -1003, outcome::rate_limited},
      {400, -1003, outcome::rate_limited},
      {418, -1003, outcome::ip_banned},
      {500, -1006, outcome::unknown},
      {500, -1007, outcome::unknown},
      {400, -1102, outcome::venue_error},
      {400, -4531, outcome::venue_error},
      {500, -1001, outcome::venue_error},
      {400, 200, outcome::venue_error},  // a success code needs a success status
  };
  for (const auto& r : rows) {
    CAPTURE(r.code);
    CAPTURE(r.status);
    const std::string body = R"({"code":)" + std::to_string(r.code) + R"(,"msg":"text"})";
    const auto reply = f.run(http(r.status, body), venue::binance_usdm, request_kind::set_mode);
    CHECK(reply.result == r.expected);
    CHECK(reply.has_code);
    CHECK(reply.code == r.code);
    CHECK(reply.message == "text");
    CHECK(reply.http_status == r.status);
  }
}

TEST_CASE("Binance 503 variants: only Unknown error leaves the outcome unknown") {
  classify_fixture f;
  auto reply = f.run(
      http(
          503,
          R"({"code":-1000,"msg":"Unknown error, please check your request or try again later."})"),
      venue::binance_papi, request_kind::set_mode);
  CHECK(reply.result == outcome::unknown);
  reply = f.run(http(503, R"({"msg":"Service Unavailable."})"), venue::binance_papi,
                request_kind::set_mode);
  CHECK(reply.result == outcome::venue_error);
  CHECK(reply.verify_by_query);  // a 5xx on a set: read the mode back rather than guess
  reply = f.run(http(408, ""), venue::binance_papi, request_kind::set_mode);
  CHECK(reply.result == outcome::unknown);
}

TEST_CASE("an IP ban without Retry-After takes its end from the message") {
  classify_fixture f;
  const auto reply = f.run(
      http(
          418,
          R"({"code":-1003,"msg":"Way too many requests; IP banned until 1700000090000. Please use the websocket."})"),
      venue::binance_usdm, request_kind::set_mode, position_mode::hedge, 1700000000000);
  CHECK(reply.result == outcome::ip_banned);
  CHECK(reply.retry_after_ms == 90000);
}

TEST_CASE("an HTTP 418 is a ban whatever code its body carries") {
  // Found by the classifier fuzzer: a Bitget 418 whose body said "429" was classified as a
  // plain rate limit, which would retry into a ban instead of stopping traffic.
  classify_fixture f;
  for (venue v : {venue::bitget, venue::binance_papi}) {
    CAPTURE(static_cast<int>(v));
    for (std::string_view body : {R"({"code":"429"})", R"({"code":-1003,"msg":"banned"})", ""}) {
      CAPTURE(body);
      const auto reply = f.run(http(418, std::string(body)), v, request_kind::set_mode);
      CHECK(reply.result == outcome::ip_banned);
      CHECK(reply.http_status == 418);
    }
  }
}

TEST_CASE("Retry-After as an HTTP date becomes a delay from the wall clock") {
  classify_fixture f;
  const auto reply =
      f.run(http(429, R"({"code":"429","msg":"Too many requests"})",
                 "Retry-After: Tue, 14 Nov 2023 22:13:25 GMT\r\n"),
            venue::bitget, request_kind::set_mode, position_mode::hedge, 1700000000000);
  CHECK(reply.result == outcome::rate_limited);
  CHECK(reply.retry_after_ms == 5000);
}

TEST_CASE("every documented Bitget answer maps to its outcome") {
  classify_fixture f;
  auto reply = f.run(test::bitget_success.bytes, venue::bitget, request_kind::set_mode,
                     position_mode::hedge);
  CHECK(reply.result == outcome::applied);
  CHECK(reply.code_text == "00000");
  CHECK(reply.has_mode);
  CHECK(reply.mode == position_mode::hedge);
  CHECK_FALSE(reply.verify_by_query);

  // The same answer to a one-way request contradicts it: settle by reading the mode.
  reply = f.run(test::bitget_success.bytes, venue::bitget, request_kind::set_mode,
                position_mode::one_way);
  CHECK(reply.result == outcome::applied);
  CHECK(reply.verify_by_query);

  reply = f.run(test::bitget_success_chunked.bytes, venue::bitget, request_kind::set_mode);
  CHECK(reply.result == outcome::applied);

  reply = f.run(test::bitget_skew.bytes, venue::bitget, request_kind::set_mode);
  CHECK(reply.result == outcome::clock_skew);
  CHECK(reply.code == 40008);
  CHECK(reply.code_text == "40008");
  CHECK(reply.message == "Request timestamp expired");
  CHECK(f.run(test::bitget_bad_signature.bytes, venue::bitget, request_kind::set_mode).result ==
        outcome::bad_signature);
  CHECK(f.run(test::bitget_wrong_environment.bytes, venue::bitget, request_kind::set_mode).result ==
        outcome::wrong_environment);
  CHECK(f.run(test::bitget_rate_limited.bytes, venue::bitget, request_kind::set_mode).result ==
        outcome::rate_limited);

  reply = f.run(test::bitget_query_one_way.bytes, venue::bitget, request_kind::query_mode);
  CHECK(reply.result == outcome::mode_reported);
  CHECK(reply.mode == position_mode::one_way);

  reply = f.run(test::bitget_server_time.bytes, venue::bitget, request_kind::server_time);
  CHECK(reply.result == outcome::ok);
  CHECK(reply.server_time_ms == 1700111073740);
}

// issue 11: a Bitget server error leaves the outcome open (the request may still be executed),
// unlike an answered error code, which shows the request was processed and refused.
TEST_CASE(
    "a Bitget 5xx with a JSON body is unknown, and the same code with a 4xx is a venue error") {
  classify_fixture f;
  const std::string body =
      R"({"code":"40010","msg":"Request timed out","requestTime":1,"data":null})";
  for (const int status : {500, 502, 503, 504}) {
    CAPTURE(status);
    const auto reply = f.run(http(status, body), venue::bitget, request_kind::set_mode);
    CHECK(reply.result == outcome::unknown);
    CHECK(reply.verify_by_query);
    CHECK(reply.code_text == "40010");
    CHECK(reply.message == "Request timed out");
  }
  const auto answered = f.run(http(400, body), venue::bitget, request_kind::set_mode);
  CHECK(answered.result == outcome::venue_error);
  CHECK(answered.verify_by_query);
  // A 5xx that still carries a success code is a success.
  const std::string ok =
      R"({"code":"00000","msg":"success","requestTime":1,"data":{"posMode":"hedge_mode"}})";
  CHECK(f.run(http(503, ok), venue::bitget, request_kind::set_mode).result == outcome::applied);
}

TEST_CASE("every Bitget code in the issue maps to its outcome, and the rest re-read the mode") {
  classify_fixture f;
  struct row {
    std::string_view code;
    outcome expected;
    bool verify;
  };
  const row rows[] = {
      {"40005", outcome::clock_skew, false},
      {"40008", outcome::clock_skew, false},
      {"40009", outcome::bad_signature, false},
      {"40006", outcome::key_or_permission, false},
      {"40012", outcome::key_or_permission, false},
      {"40014", outcome::key_or_permission, false},
      {"40018", outcome::key_or_permission, false},
      {"40037", outcome::key_or_permission, false},
      {"40099", outcome::wrong_environment, false},
      {"429", outcome::rate_limited, false},
      {"45117", outcome::blocked_positions_or_orders, true},
      {"40017", outcome::venue_error, true},
      {"40774", outcome::venue_error, true},
  };
  for (const auto& r : rows) {
    CAPTURE(r.code);
    const std::string body = R"({"code":")" + std::string(r.code) +
                             R"(","msg":"m","requestTime":1700000000123,"data":null})";
    const auto reply = f.run(http(400, body), venue::bitget, request_kind::set_mode);
    CHECK(reply.result == r.expected);
    CHECK(reply.verify_by_query == r.verify);
    CHECK(reply.code_text == r.code);
  }
}

TEST_CASE("HTML pages and non-JSON bodies are malformed, with the page title kept") {
  classify_fixture f;
  for (venue v : {venue::binance_papi, venue::bitget, venue::bybit}) {
    auto reply = f.run(test::html_502.bytes, v, request_kind::set_mode);
    CHECK(reply.result == outcome::malformed);
    CHECK(reply.http_status == 502);
    CHECK(reply.message == "502 Bad Gateway");
    CHECK(reply.verify_by_query);
    reply = f.run(test::html_200.bytes, v, request_kind::query_mode);
    CHECK(reply.result == outcome::malformed);
    CHECK(reply.http_status == 200);
    CHECK(reply.message == "Maintenance");
    reply = f.run(http(200, "not json at all", {}, "text/plain"), v, request_kind::set_mode);
    CHECK(reply.result == outcome::malformed);
    CHECK(reply.message == "not json at all");
    // JSON that is cut short, or followed by garbage, is not an answer either.
    CHECK(f.run(http(200, R"({"code":200,"msg":"succ)"), v, request_kind::set_mode).result ==
          outcome::malformed);
    CHECK(f.run(http(200, R"({"code":200,"msg":"success"} trailing)"), v, request_kind::set_mode)
              .result == outcome::malformed);
    CHECK(f.run(http(200, R"({"code":200,"msg":"success")"), v, request_kind::set_mode).result ==
          outcome::malformed);
    CHECK(f.run(http(200, "[1,2]"), v, request_kind::set_mode).result == outcome::malformed);
    CHECK(f.run(http(200, R"({"code":{"x":1}})"), v, request_kind::set_mode).result ==
          outcome::malformed);
  }
  // A 200 that lacks the field the request is about.
  CHECK(f.run(http(200, "{}"), venue::binance_usdm, request_kind::query_mode).result ==
        outcome::malformed);
  CHECK(f.run(http(200, "{}"), venue::binance_usdm, request_kind::set_mode).result ==
        outcome::malformed);
  CHECK(f.run(http(200, "{}"), venue::binance_usdm, request_kind::ping).result == outcome::ok);
  CHECK(f.run(http(200, R"({"code":"00000","data":{}})"), venue::bitget, request_kind::query_mode)
            .result == outcome::malformed);
}

TEST_CASE("a long venue message is truncated into the fixed field and flagged") {
  classify_fixture f;
  const std::string msg(300, 'x');
  const auto reply = f.run(http(400, R"({"code":-1130,"msg":")" + msg + R"("})"),
                           venue::binance_usdm, request_kind::set_mode);
  CHECK(reply.result == outcome::venue_error);
  CHECK(reply.message.size() == reply.message.capacity);
  CHECK(reply.message.truncated());
}

TEST_CASE("answers the HTTP parser rejects become malformed replies that ask for a read-back") {
  http_response_parser parser(posmode::engine::http_limits{512, 256});
  std::error_code ec;
  const std::string_view cut = test::binance_success.bytes.substr(0, 300);
  (void)parser.put(cut, ec);
  REQUIRE(ec == posmode::engine::errc::need_more);
  parser.put_eof(ec);
  REQUIRE(ec == posmode::engine::errc::partial_message);
  auto reply = response_classifier::parse_failure(request_kind::set_mode, ec, parser);
  CHECK(reply.result == outcome::malformed);
  CHECK(reply.verify_by_query);
  CHECK(reply.http_status == 200);
  CHECK(reply.parse_error == static_cast<int>(posmode::engine::errc::partial_message));
  CHECK(reply.message == "connection closed before the response was complete");

  parser.reset();
  const std::string big = http(200, std::string(1000, ' '));
  (void)parser.put(std::string_view(big), ec);
  REQUIRE(ec == posmode::engine::errc::body_limit);
  reply = response_classifier::parse_failure(request_kind::query_mode, ec, parser);
  CHECK(reply.result == outcome::malformed);
  CHECK_FALSE(reply.verify_by_query);
  CHECK(reply.message == "response body exceeds the configured limit");
}

TEST_CASE("the OKX config read notes the key's perm and whether trade is in it (§10 A-O1)") {
  test::classify_fixture f(venue::okx);
  const auto query = [&](std::string_view data) {
    return f.run(http(200, R"({"code":"0","data":[{"acctLv":"2",)" + std::string(data) +
                               R"(,"posMode":"net_mode"}],"msg":""})"),
                 venue::okx, request_kind::query_mode);
  };
  auto reply = query(R"("perm":"read_only,trade")");
  CHECK(reply.result == outcome::mode_reported);
  CHECK(reply.key_permissions == "read_only,trade");
  CHECK_FALSE(reply.key_cannot_trade);
  reply = query(R"("perm":"read_only")");
  CHECK(reply.result == outcome::mode_reported);
  CHECK(reply.mode == position_mode::one_way);
  CHECK(reply.key_permissions == "read_only");
  CHECK(reply.key_cannot_trade);
  reply = query(R"("perm":"read_only,withdraw")");
  CHECK(reply.key_cannot_trade);
  CHECK_FALSE(query(R"("perm":"trade,withdraw")").key_cannot_trade);
  CHECK_FALSE(query(R"("perm":"read_only, trade")").key_cannot_trade);
  // A word that only contains "trade" is not it.
  CHECK(query(R"("perm":"read_only,trades,untrade")").key_cannot_trade);
  CHECK(query(R"("perm":"")").key_cannot_trade);
  // Absent, or not a string: nothing is concluded, and the mode is read all the same.
  reply = query(R"("uid":"1")");
  CHECK(reply.result == outcome::mode_reported);
  CHECK(reply.key_permissions.empty());
  CHECK_FALSE(reply.key_cannot_trade);
  reply = query(R"("perm":["read_only"])");
  CHECK(reply.result == outcome::mode_reported);
  CHECK_FALSE(reply.key_cannot_trade);
  // Only the mode read says it: the other venues' rows read no permission key.
  reply = f.run(http(200, R"({"code":"00000","data":{"posMode":"one_way_mode","perm":"read_only"},)"
                          R"("msg":"success","requestTime":1})"),
                venue::bitget, request_kind::query_mode);
  CHECK(reply.key_permissions.empty());
  CHECK_FALSE(reply.key_cannot_trade);
}

TEST_CASE("every documented OKX answer maps to its outcome") {
  classify_fixture f;
  const auto set = [&](std::string_view bytes, position_mode requested = position_mode::hedge) {
    return f.run(bytes, venue::okx, request_kind::set_mode, requested);
  };
  // 0: applied, the echo checked against the request.
  auto reply = set(test::okx_success.bytes);
  CHECK(reply.result == outcome::applied);
  CHECK(reply.has_code);
  CHECK(reply.code == 0);
  CHECK(reply.code_text == "0");
  CHECK(reply.has_mode);
  CHECK(reply.mode == position_mode::hedge);
  CHECK_FALSE(reply.verify_by_query);
  reply = set(test::okx_success.bytes, position_mode::one_way);
  CHECK(reply.result == outcome::applied);
  CHECK(reply.verify_by_query);  // the echo names the other mode: the read-back decides
  reply = set(http(200, R"({"code":"0","msg":"","data":[]})"));
  CHECK(reply.result == outcome::applied);
  CHECK_FALSE(reply.has_mode);

  // 59000 and 59002: blocked by positions, orders or trading bots, said in the message.
  reply = set(test::okx_blocked.bytes);
  CHECK(reply.result == outcome::blocked_positions_or_orders);
  CHECK(reply.code == 59000);
  CHECK(reply.message.view().starts_with("positions, orders or trading bots: Setting failed."));
  CHECK_FALSE(reply.verify_by_query);
  reply = set(http(200, R"({"code":"59002","msg":"Sub-account settings failed.","data":[]})"));
  CHECK(reply.result == outcome::blocked_positions_or_orders);
  CHECK(reply.code == 59002);
  // 59001: borrowings; a venue error the read-back settles, named in the message.
  reply = set(test::okx_borrowings.bytes);
  CHECK(reply.result == outcome::venue_error);
  CHECK(reply.code == 59001);
  CHECK(reply.message.view().starts_with("borrowings block the switch: Switching unavailable"));
  CHECK(reply.verify_by_query);  // read_back_on_error

  // Clock, environment, key/signature/passphrase/IP.
  reply = set(test::okx_skew.bytes);
  CHECK(reply.result == outcome::clock_skew);
  CHECK(reply.code == 50102);
  CHECK(reply.http_status == 401);
  CHECK(set(http(401, R"({"msg":"Invalid OK-ACCESS-TIMESTAMP","code":"50112"})")).result ==
        outcome::clock_skew);
  CHECK(set(test::okx_wrong_environment.bytes).result == outcome::wrong_environment);
  CHECK(set(test::okx_bad_signature.bytes).result == outcome::bad_signature);
  for (const int code : {50103, 50104, 50105, 50106, 50107, 50108, 50109, 50110, 50111, 50114}) {
    CAPTURE(code);
    reply = set(http(401, R"({"msg":"refused","code":")" + std::to_string(code) + "\"}"));
    CHECK(reply.result == outcome::key_or_permission);
    CHECK(reply.code == code);
  }

  // Rate limits: 50011 under 200 or 429, 50013 under 429, and a bare 429.
  reply = set(test::okx_rate_limited.bytes);
  CHECK(reply.result == outcome::rate_limited);
  CHECK(reply.code == 50011);
  CHECK(set(http(200, R"({"code":"50011","msg":"Rate limit reached.","data":[]})")).result ==
        outcome::rate_limited);
  CHECK(set(http(429, R"({"code":"50013","msg":"Systems are busy.","data":[]})")).result ==
        outcome::rate_limited);
  reply = set(http(429, "", "Retry-After: 2\r\n"));
  CHECK(reply.result == outcome::rate_limited);
  CHECK(reply.retry_after_ms == 2'000);

  // Open outcomes: 50001, 50004, 50026, any 5xx: read back.
  reply = set(test::okx_timeout.bytes);
  CHECK(reply.result == outcome::unknown);
  CHECK(reply.code == 50004);
  CHECK(reply.verify_by_query);
  reply = set(test::okx_unavailable.bytes);
  CHECK(reply.result == outcome::unknown);
  CHECK(reply.verify_by_query);
  CHECK(set(http(500, R"({"code":"50026","msg":"System error. Try again later"})")).result ==
        outcome::unknown);
  CHECK(set(http(502, R"({"code":"1","msg":"Operation failed."})")).result == outcome::unknown);
  CHECK(set(http(200, R"({"code":"50026","msg":"System error."})")).result == outcome::unknown);
  CHECK(set(test::html_502.bytes).result == outcome::unknown);
  reply = set(test::html_200.bytes);
  CHECK(reply.result == outcome::malformed);
  CHECK(reply.verify_by_query);

  // No "already in that mode" code: an unrecognised refusal is a venue error the read-back
  // settles (already_in_mode is never claimed from a set answer).
  reply = set(http(200, R"({"code":"1","msg":"Operation failed.","data":[]})"));
  CHECK(reply.result == outcome::venue_error);
  CHECK(reply.code == 1);
  CHECK(reply.verify_by_query);
  // A hedge request refused with 51000: the portfolio-margin case, said in the message.
  reply = set(http(200, R"({"code":"51000","msg":"Parameter posMode error","data":[]})"));
  CHECK(reply.result == outcome::venue_error);
  CHECK(reply.code == 51000);
  CHECK(reply.message.view().starts_with(
      "hedge refused; a portfolio-margin account supports only net_mode: Parameter posMode"));
  reply = set(http(200, R"({"code":"51000","msg":"Parameter posMode error","data":[]})"),
              position_mode::one_way);
  CHECK(reply.message == "Parameter posMode error");
  // A numeric code is not OKX's.
  CHECK(set(http(200, R"({"code":0,"msg":"","data":[]})")).result == outcome::malformed);

  // Queries: data[0].posMode; the blocked codes mean nothing there.
  reply = f.run(test::okx_query_net.bytes, venue::okx, request_kind::query_mode);
  CHECK(reply.result == outcome::mode_reported);
  CHECK(reply.has_mode);
  CHECK(reply.mode == position_mode::one_way);
  reply = f.run(http(200, R"({"code":"0","data":[{"posMode":"long_short_mode"}],"msg":""})"),
                venue::okx, request_kind::query_mode);
  CHECK(reply.mode == position_mode::hedge);
  CHECK(f.run(http(200, R"({"code":"0","data":[{"posMode":"split"}],"msg":""})"), venue::okx,
              request_kind::query_mode)
            .result == outcome::malformed);
  CHECK(f.run(http(200, R"({"code":"0","data":[],"msg":""})"), venue::okx, request_kind::query_mode)
            .result == outcome::malformed);
  CHECK(f.run(test::okx_blocked.bytes, venue::okx, request_kind::query_mode).result ==
        outcome::venue_error);
  CHECK(f.run(test::okx_skew.bytes, venue::okx, request_kind::query_mode).result ==
        outcome::clock_skew);

  // Server time: data[0].ts, a string of digits.
  reply = f.run(test::okx_server_time.bytes, venue::okx, request_kind::server_time);
  CHECK(reply.result == outcome::ok);
  CHECK(reply.server_time_ms == 1700000000123);
  CHECK(f.run(http(200, R"({"code":"0","data":[{}],"msg":""})"), venue::okx,
              request_kind::server_time)
            .result == outcome::malformed);
  CHECK(f.run(test::okx_server_time.bytes, venue::okx, request_kind::ping).result == outcome::ok);
}

TEST_CASE("every documented response split at every byte classifies the same") {
  http_response_parser parser;
  response_classifier classifier;
  for (const auto& r : test::all_venue_responses) {
    CAPTURE(r.name);
    const venue v = venue_of_fixture(r.name);
    parser.reset();
    std::error_code ec;
    (void)parser.put(r.bytes, ec);
    REQUIRE_FALSE(ec);
    const venue_reply whole =
        classifier.classify(v, request_kind::set_mode, position_mode::hedge, parser, 1700000000000);
    for (std::size_t split = 1; split < r.bytes.size(); ++split) {
      parser.reset();
      const std::size_t first = parser.put(r.bytes.substr(0, split), ec);
      REQUIRE(first == split);
      REQUIRE(ec == posmode::engine::errc::need_more);
      (void)parser.put(r.bytes.substr(split), ec);
      REQUIRE_FALSE(ec);
      const venue_reply part = classifier.classify(v, request_kind::set_mode, position_mode::hedge,
                                                   parser, 1700000000000);
      REQUIRE(part.result == whole.result);
      REQUIRE(part.code == whole.code);
      REQUIRE(part.http_status == whole.http_status);
      REQUIRE(part.message.view() == whole.message.view());
      REQUIRE(part.retry_after_ms == whole.retry_after_ms);
    }
  }
}

#if POSMODE_ALLOCATION_COUNTING
TEST_CASE("parse and classify allocate nothing after warm-up") {
  http_response_parser parser;
  response_classifier classifier;
  const auto run_all = [&] {
    for (const auto& r : test::all_venue_responses) {
      const venue v = venue_of_fixture(r.name);
      for (auto kind : {request_kind::set_mode, request_kind::query_mode}) {
        parser.reset();
        std::error_code ec;
        (void)parser.put(r.bytes, ec);
        REQUIRE_FALSE(ec);
        const auto reply =
            classifier.classify(v, kind, position_mode::hedge, parser, 1700000000000);
        REQUIRE(reply.http_status == r.status);
      }
    }
  };
  run_all();  // warm-up
  test::allocation_scope scope;
  run_all();
  CHECK(scope.count() == 0);
}
#endif

// issue 11: a wait taken from the venue is bounded, so a ban's end never overflows into the past.
TEST_CASE("Retry-After and a ban's end saturate at three days") {
  classify_fixture f;
  const std::string banned =
      "{\"code\":-1003,\"msg\":\"Way too many requests; IP banned until "
      "99999999999999999999999999.\"}";
  auto reply = f.run(http(418, banned), venue::binance_usdm, request_kind::set_mode);
  CHECK(reply.result == outcome::ip_banned);
  CHECK(reply.retry_after_ms == max_retry_after_ms);
  const std::string huge =
      "HTTP/1.1 418 I'm a teapot\r\nRetry-After: 99999999999999999999999\r\n"
      "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
  reply = f.run(huge, venue::binance_usdm, request_kind::set_mode);
  CHECK(reply.result == outcome::ip_banned);
  CHECK(reply.retry_after_ms == max_retry_after_ms);
  const std::string week =
      "HTTP/1.1 429 Too Many\r\nRetry-After: 604800\r\n"
      "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
  reply = f.run(week, venue::bitget, request_kind::set_mode);
  CHECK(reply.result == outcome::rate_limited);
  CHECK(reply.retry_after_ms == max_retry_after_ms);
}

// Found by the classifier fuzzer in CI (corpus/response_classifier/ban_until_with_negative_clock):
// a saturated "banned until" time minus a negative wall clock overflowed.
TEST_CASE("a wait is bounded without overflow whatever the clock and the end") {
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  constexpr auto min = std::numeric_limits<std::int64_t>::min();
  CHECK(bounded_wait_ms(max, -756'316'730'393) == max_retry_after_ms);
  CHECK(bounded_wait_ms(max, min) == max_retry_after_ms);
  CHECK(bounded_wait_ms(min, max) == 0);
  CHECK(bounded_wait_ms(1'700'000'001'000, 1'700'000'000'000) == 1'000);
  CHECK(bounded_wait_ms(1'700'000'000'000, 1'700'000'000'000) == 0);
  CHECK(bounded_wait_ms(5, -5) == 10);
  static_assert(bounded_wait_ms(max, 0) == max_retry_after_ms);
}
