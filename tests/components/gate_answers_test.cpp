// Every documented Gate APIv4 answer through the response classifier (docs/venues.md §5b): the
// account object of a success with its position_mode checked, each error label matched as text
// (never the message), the statuses that leave the outcome open, the retry time from
// X-Gate-RateLimit-Reset-Timestamp, and the split mode reported as itself. (The split-at-every-
// byte and HTML cases for every venue are in response_classifier_test.cpp.)

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "components/classify_support.hpp"
#include "posmode/components/response_classifier.hpp"
#include "support/venue_responses.hpp"

using namespace posmode::components;
namespace test = posmode::test;

namespace {

using test::http;

// A parser configured as the component configures a Gate connection's: X-Gate-RateLimit headers.
struct gate_fixture : test::classify_fixture {
  gate_fixture() : classify_fixture(venue::gate) {}
  venue_reply set(const test::venue_response& r, position_mode m = position_mode::hedge) {
    return run(r.bytes, venue::gate, request_kind::set_mode, m);
  }
  venue_reply query(std::string_view bytes) {
    return run(bytes, venue::gate, request_kind::query_mode);
  }
};

std::string label_body(std::string_view label) {
  return R"({"label":")" + std::string(label) + R"(","message":"m"})";
}

}  // namespace

TEST_CASE("a Gate success is the account object, its position_mode checked against the request") {
  gate_fixture f;
  auto reply = f.set(test::gate_success);  // position_mode "dual"
  CHECK(reply.result == outcome::applied);
  CHECK(reply.has_mode);
  CHECK(reply.mode == position_mode::hedge);
  CHECK_FALSE(reply.has_code);
  CHECK(reply.code_text.empty());
  CHECK_FALSE(reply.verify_by_query);
  CHECK(reply.used_weight_1m == -1);  // the remaining requests are no used weight

  // The same object answering a one-way request names the other mode: read back, never claimed.
  reply = f.set(test::gate_success, position_mode::one_way);
  CHECK(reply.result == outcome::applied);
  CHECK(reply.verify_by_query);
  CHECK(reply.message == "the answer's account names position_mode dual");

  // A 200 without position_mode is not the documented answer: read back.
  reply = f.run(http(200, R"({"user":1,"currency":"USDT"})"), venue::gate, request_kind::set_mode);
  CHECK(reply.result == outcome::malformed);
  CHECK(reply.verify_by_query);
}

TEST_CASE("Gate's mode query reads position_mode, and split is reported as itself, not as a mode") {
  gate_fixture f;
  auto reply = f.query(test::gate_query_single.bytes);
  CHECK(reply.result == outcome::mode_reported);
  CHECK(reply.has_mode);
  CHECK(reply.mode == position_mode::one_way);
  reply = f.query(test::gate_success.bytes);
  CHECK(reply.mode == position_mode::hedge);

  reply = f.query(test::gate_query_split.bytes);
  CHECK(reply.result == outcome::mode_reported);
  CHECK_FALSE(reply.has_mode);
  CHECK(reply.message.view().starts_with("position_mode dual_plus (split)"));
  // The Go SDK's spelling of the same mode (docs/venues.md §5b.1).
  reply = f.query(http(200, R"({"currency":"USDT","position_mode":"split"})"));
  CHECK(reply.result == outcome::mode_reported);
  CHECK_FALSE(reply.has_mode);
  CHECK(reply.message.view() == "position_mode split: neither single nor dual");
  // A value Gate does not document, or the wrong type, is no mode at all.
  CHECK(f.query(http(200, R"({"position_mode":"triple"})")).result == outcome::malformed);
  CHECK(f.query(http(200, R"({"position_mode":true})")).result == outcome::malformed);
  CHECK(f.query(http(200, R"({"in_dual_mode":true})")).result == outcome::malformed);

  // A set answered with the split mode set nothing posmode asked for: read back, message kept.
  reply = f.run(test::gate_query_split.bytes, venue::gate, request_kind::set_mode);
  CHECK(reply.result == outcome::malformed);
  CHECK(reply.verify_by_query);
  CHECK(reply.message.view().starts_with("position_mode dual_plus"));
}

TEST_CASE("every Gate error label maps to its outcome, by label and never by message") {
  gate_fixture f;
  struct row {
    int status;
    std::string_view label;
    outcome expected;
    bool verify;
  };
  const row rows[] = {
      {401, "INVALID_SIGNATURE", outcome::bad_signature, false},
      {401, "REQUEST_EXPIRED", outcome::clock_skew, false},
      {401, "INVALID_KEY", outcome::key_or_permission, false},
      {401, "INVALID_CREDENTIALS", outcome::key_or_permission, false},
      {401, "MISSING_REQUIRED_HEADER", outcome::key_or_permission, false},
      {403, "IP_FORBIDDEN", outcome::key_or_permission, false},
      {403, "READ_ONLY", outcome::key_or_permission, false},
      {403, "FORBIDDEN", outcome::key_or_permission, false},
      {400, "USER_NOT_FOUND", outcome::key_or_permission, false},
      {429, "TOO_MANY_REQUESTS", outcome::rate_limited, false},
      {400, "TOO_MANY_REQUESTS", outcome::rate_limited, false},
      {400, "POSITION_HOLDING", outcome::blocked_positions_or_orders, false},
      {400, "NO_CHANGE", outcome::venue_error, true},
      {400, "INVALID_PARAM_VALUE", outcome::venue_error, true},
      {400, "SOMETHING_NEW", outcome::venue_error, true},
      {500, "SERVER_ERROR", outcome::unknown, true},
      {502, "SOMETHING_NEW", outcome::unknown, true},
  };
  for (const auto& r : rows) {
    CAPTURE(r.status);
    CAPTURE(r.label);
    const auto reply =
        f.run(http(r.status, label_body(r.label)), venue::gate, request_kind::set_mode);
    CHECK(reply.result == r.expected);
    CHECK(reply.verify_by_query == r.verify);
    CHECK(reply.has_code);
    CHECK(reply.code == 0);
    CHECK(reply.code_text == r.label);  // MISSING_REQUIRED_HEADER (23) fits whole
    CHECK_FALSE(reply.code_text.truncated());
    CHECK(reply.message == "m");
  }
  // The label decides, not the text: a known message under an unknown label is still unknown.
  CHECK(f.run(http(401, R"({"label":"X","message":"Signature mismatch"})"), venue::gate,
              request_kind::set_mode)
            .result == outcome::venue_error);
  // POSITION_HOLDING answers a switch only.
  CHECK(f.query(http(400, label_body("POSITION_HOLDING"))).result == outcome::venue_error);
  // A label that is not a string, a JSON body without one under an error status.
  CHECK(f.set({"", http(400, R"({"label":7,"message":"m"})"), 400, ""}).result ==
        outcome::venue_error);
  CHECK(f.set({"", http(404, R"({"message":"not found"})"), 404, ""}).result ==
        outcome::venue_error);
  const auto accepted = f.set({"", http(202, R"({"message":"accepted"})"), 202, ""});
  CHECK(accepted.result == outcome::unknown);
  CHECK(accepted.verify_by_query);
}

TEST_CASE("Gate's documented answers: rate limit with its reset time, expiry, holding, 5xx") {
  gate_fixture f;
  // Reset at 1700000002 s; the host's wall clock reads 1700000000500 ms.
  auto reply = f.run(test::gate_rate_limited.bytes, venue::gate, request_kind::set_mode,
                     position_mode::hedge, 1700000000500);
  CHECK(reply.result == outcome::rate_limited);
  CHECK(reply.retry_after_ms == 1'500);
  CHECK(reply.code_text == "TOO_MANY_REQUESTS");
  // A Retry-After, when sent, wins over the reset header.
  reply = f.run(http(429, label_body("TOO_MANY_REQUESTS"),
                     "Retry-After: 3\r\nX-Gate-RateLimit-Reset-Timestamp: 1700000009\r\n"),
                venue::gate, request_kind::set_mode, position_mode::hedge, 1700000000000);
  CHECK(reply.retry_after_ms == 3'000);
  // A reset time in the past, or absurdly far, is clamped.
  reply = f.run(http(429, label_body("TOO_MANY_REQUESTS"),
                     "X-Gate-RateLimit-Reset-Timestamp: 99999999999999999\r\n"),
                venue::gate, request_kind::set_mode, position_mode::hedge, 1700000000000);
  CHECK(reply.retry_after_ms == max_retry_after_ms);

  CHECK(f.set(test::gate_request_expired).result == outcome::clock_skew);
  CHECK(f.set(test::gate_invalid_key).result == outcome::key_or_permission);
  CHECK(f.set(test::gate_invalid_signature).result == outcome::bad_signature);
  reply = f.set(test::gate_position_holding);
  CHECK(reply.result == outcome::blocked_positions_or_orders);
  CHECK(reply.code_text == "POSITION_HOLDING");
  reply = f.set(test::gate_server_error);
  CHECK(reply.result == outcome::unknown);
  CHECK(reply.verify_by_query);
  CHECK(f.set(test::gate_invalid_param).result == outcome::venue_error);

  reply = f.run(test::gate_server_time.bytes, venue::gate, request_kind::server_time);
  CHECK(reply.result == outcome::ok);
  CHECK(reply.server_time_ms == 1700000000123);
  CHECK(f.run(test::gate_server_time.bytes, venue::gate, request_kind::ping).result == outcome::ok);
  CHECK(f.run(http(200, R"({"server_time":"soon"})"), venue::gate, request_kind::server_time)
            .result == outcome::malformed);
}
