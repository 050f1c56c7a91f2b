// Every documented Bybit v5 answer through the response classifier (docs/venues.md §5.3): each
// retCode, the HTTP statuses, the retry time from X-Bapi-Limit-Reset-Timestamp, the 403 ban and
// the mode read from every position-list row. (The split-at-every-byte and HTML cases for every
// venue are in response_classifier_test.cpp.)

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "components/classify_support.hpp"
#include "posmode/components/response_classifier.hpp"
#include "support/venue_responses.hpp"

using namespace posmode::components;
using posmode::engine::http_response_parser;
namespace test = posmode::test;

namespace {

using test::http;

// A parser configured as the component configures a Bybit connection's: X-Bapi-Limit headers.
struct bybit_fixture : test::classify_fixture {
  bybit_fixture() : classify_fixture(venue::bybit) {}
  venue_reply set(const test::venue_response& r) {
    return run(r.bytes, venue::bybit, request_kind::set_mode);
  }
};

std::string bybit_body(std::int64_t code, std::string_view result = "{}") {
  return R"({"retCode":)" + std::to_string(code) + R"(,"retMsg":"m","result":)" +
         std::string(result) + R"(,"retExtInfo":{},"time":1700000000123})";
}

}  // namespace

TEST_CASE("every documented Bybit answer maps to its outcome") {
  bybit_fixture f;
  auto reply = f.set(test::bybit_success);
  CHECK(reply.result == outcome::applied);
  CHECK(reply.has_code);
  CHECK(reply.code == 0);
  CHECK(reply.message == "OK");
  CHECK_FALSE(reply.has_mode);
  CHECK_FALSE(reply.verify_by_query);
  CHECK(reply.used_weight_1m == -1);  // X-Bapi-Limit-Status is what remains, not a weight

  reply = f.set(test::bybit_already);
  CHECK(reply.result == outcome::already_in_mode);
  CHECK(reply.code == 110025);
  CHECK(reply.message == "Position mode has not been modified.");
  CHECK(f.set(test::bybit_positions).result == outcome::blocked_positions);
  CHECK(f.set(test::bybit_orders).result == outcome::blocked_orders);
  reply = f.set(test::bybit_hedge_not_supported);
  CHECK(reply.result == outcome::mode_not_supported);
  CHECK(reply.code == 110029);
  CHECK_FALSE(reply.verify_by_query);
  CHECK(f.set(test::bybit_skew).result == outcome::clock_skew);
  CHECK(f.set(test::bybit_bad_signature).result == outcome::bad_signature);
  CHECK(f.set(test::bybit_bad_key).result == outcome::key_or_permission);

  // 10006 with HTTP 200: the retry time is X-Bapi-Limit-Reset-Timestamp (1700000000500) from the
  // wall clock.
  reply = f.run(test::bybit_rate_limited.bytes, venue::bybit, request_kind::set_mode,
                position_mode::hedge, 1700000000100);
  CHECK(reply.result == outcome::rate_limited);
  CHECK(reply.code == 10006);
  CHECK(reply.retry_after_ms == 400);

  // 403 "access too frequent": a ban of at least ten minutes.
  reply = f.set(test::bybit_ip_banned);
  CHECK(reply.result == outcome::ip_banned);
  CHECK(reply.retry_after_ms == 600'000);
  CHECK(reply.message == "access too frequent");

  reply = f.run(test::bybit_query_hedge.bytes, venue::bybit, request_kind::query_mode);
  CHECK(reply.result == outcome::mode_reported);
  CHECK(reply.has_mode);
  CHECK(reply.mode == position_mode::hedge);
  reply = f.run(test::bybit_query_one_way.bytes, venue::bybit, request_kind::query_mode);
  CHECK(reply.result == outcome::mode_reported);
  CHECK(reply.mode == position_mode::one_way);

  reply = f.run(test::bybit_server_time.bytes, venue::bybit, request_kind::server_time);
  CHECK(reply.result == outcome::ok);
  CHECK(reply.server_time_ms == 1700111073740);
  CHECK(f.run(test::bybit_server_time.bytes, venue::bybit, request_kind::ping).result ==
        outcome::ok);
}

TEST_CASE("every Bybit retCode of docs/venues.md §5.3 maps to its outcome") {
  bybit_fixture f;
  struct row {
    int status;
    std::int64_t code;
    outcome expected;
    bool verify;
  };
  const row rows[] = {
      {200, 0, outcome::applied, false},
      {200, 110025, outcome::already_in_mode, false},
      {200, 110024, outcome::blocked_positions, false},
      {200, 110028, outcome::blocked_orders, false},
      {200, 110029, outcome::mode_not_supported, false},
      {200, 10002, outcome::clock_skew, false},
      {200, -1, outcome::clock_skew, false},
      {200, 10003, outcome::key_or_permission, false},
      {401, 10003, outcome::key_or_permission, false},
      {200, 10004, outcome::bad_signature, false},
      {200, 10005, outcome::key_or_permission, false},
      {200, 10010, outcome::key_or_permission, false},
      {200, 33004, outcome::key_or_permission, false},
      {200, 10006, outcome::rate_limited, false},
      {429, 10006, outcome::rate_limited, false},
      {200, 10016, outcome::unknown, true},
      {200, 10001, outcome::venue_error, false},
      {400, 10001, outcome::venue_error, false},
      {503, 10001, outcome::unknown, true},
      {200, 181001, outcome::venue_error, false},
      {403, 10006, outcome::ip_banned, false},
  };
  for (const auto& r : rows) {
    CAPTURE(r.status);
    CAPTURE(r.code);
    const auto reply =
        f.run(http(r.status, bybit_body(r.code)), venue::bybit, request_kind::set_mode);
    CHECK(reply.result == r.expected);
    CHECK(reply.verify_by_query == r.verify);
    CHECK(reply.code == r.code);
  }
  // The switch codes answer a switch only; a query or the clock answered with one is an error.
  for (const std::int64_t code : {110025, 110024, 110028, 110029}) {
    CAPTURE(code);
    CHECK(f.run(http(200, bybit_body(code)), venue::bybit, request_kind::query_mode).result ==
          outcome::venue_error);
  }
  // A success code with an error status is no success: the mode is read back.
  const auto odd = f.run(http(500, bybit_body(0)), venue::bybit, request_kind::set_mode);
  CHECK(odd.result == outcome::unknown);
  CHECK(odd.verify_by_query);
  // 429 without a reset header and without Retry-After: no retry time; with Retry-After: it.
  CHECK(f.run(http(429, "{}"), venue::bybit, request_kind::set_mode).retry_after_ms == -1);
  CHECK(f.run(http(429, "{}", "Retry-After: 2\r\n"), venue::bybit, request_kind::set_mode)
            .retry_after_ms == 2000);
  CHECK(f.run(http(429, "{}", "X-Bapi-Limit-Reset-Timestamp: 1700000001000\r\n"), venue::bybit,
              request_kind::set_mode)
            .retry_after_ms == 1000);
}

TEST_CASE("the Bybit mode comes from every row's positionIdx, not from the first") {
  bybit_fixture f;
  const auto query = [&](std::string_view list) {
    return f.run(
        http(200, bybit_body(0, R"({"list":)" + std::string(list) + R"(,"category":"linear"})")),
        venue::bybit, request_kind::query_mode);
  };
  // Hedge: the empty side first (pybit issue 367), a live side second.
  auto reply = query(R"([{"positionIdx":1,"size":"0"},{"positionIdx":2,"size":"0.5"}])");
  CHECK(reply.result == outcome::mode_reported);
  CHECK(reply.mode == position_mode::hedge);
  // One side only, as a string.
  reply = query(R"([{"positionIdx":"2","size":"0"}])");
  CHECK(reply.mode == position_mode::hedge);
  reply = query(R"([{"symbol":"BTCUSDT","positionIdx":0,"size":"0"}])");
  CHECK(reply.result == outcome::mode_reported);
  CHECK(reply.mode == position_mode::one_way);
  // No row, rows of both kinds, an unknown index, a row without the key: no mode.
  CHECK(query("[]").result == outcome::malformed);
  CHECK(query(R"([{"positionIdx":0},{"positionIdx":1}])").result == outcome::malformed);
  CHECK(query(R"([{"positionIdx":3}])").result == outcome::malformed);
  CHECK(query(R"([{"positionIdx":-1}])").result == outcome::malformed);
  CHECK(query(R"([{"size":"0"}])").result == outcome::malformed);
  // Wrong types are not an answer.
  CHECK(query(R"([{"positionIdx":true}])").result == outcome::malformed);
  CHECK(query(R"([1,2])").result == outcome::malformed);
  CHECK(query(R"({"positionIdx":1})").result == outcome::malformed);
  CHECK(f.run(http(200, R"({"retCode":0,"retMsg":"OK","result":{}})"), venue::bybit,
              request_kind::query_mode)
            .result == outcome::malformed);
  // A code as a string is not Bybit's shape.
  CHECK(f.run(http(200, R"({"retCode":"0","retMsg":"OK","result":{}})"), venue::bybit,
              request_kind::set_mode)
            .result == outcome::malformed);
  // Truncated, HTML, unknown shapes: malformed, and a set reads the mode back.
  for (const std::string_view body :
       {std::string_view(R"({"retCode":0,"retMsg":"O)"), std::string_view("<html>x</html>"),
        std::string_view(R"({"code":200,"msg":"success"})")}) {
    CAPTURE(body);
    const auto set = f.run(http(200, body), venue::bybit, request_kind::set_mode);
    CHECK(set.result == outcome::malformed);
    CHECK(set.verify_by_query);
  }
}
