// The mock exchange's Gate APIv4 checks of who may call (docs/venues.md §5b.2, §5b.3): the mock's
// own signer against the vectors G1–G7 of §5b.5, the auth refusals, the Timestamp window and the
// per-endpoint rate limit with its headers, over real TLS (gate_test_support.hpp).

#include <doctest/doctest.h>

#include <array>
#include <chrono>
#include <string>
#include <utility>

#include "tools/gate_test_support.hpp"
#include "wire.hpp"  // the mock's private signer (tools/mock_exchange/src)

namespace {

using namespace posmode;
using namespace posmode::test::gate;
using mock::gate_mode;
using mock::position_mode;

}  // namespace

TEST_CASE("the mock's Gate signer reproduces the vectors G1-G7 of docs/venues.md §5b.5") {
  using posmode::mock::detail::hmac_sha512_hex;
  using posmode::mock::detail::sha512_hex;
  CHECK(sha512_hex("") == empty_hash);
  const std::string json_hash = sha512_hex(R"({"position_mode":"dual"})");
  CHECK(json_hash ==
        "a7a5202b3536482df9bdb1f1f478b2eb745e42fd8edabe467751cf1009e47ab797910e62a5bf5c2df68f60a3"
        "0050f9d081e3fde37e3937768cee7ab3130ea77b");
  const std::string tail = "\n" + std::string(empty_hash) + "\n1700000000";
  const std::string futures = "/api/v4/futures/usdt/";
  const std::array<std::pair<std::string, std::string_view>, 7> vectors{{
      {"POST\n" + futures + "dual_mode\ndual_mode=true" + tail,
       "f92e1e0e34234b093ebf2c5f67af2545f43d0cb5ede070f81cfc28c34c9cc2ceaa0533e52b1eaaf18e423e7eaf7"
       "0"
       "76ee85893a1bde6abf1458fe0bc58046ac30"},
      {"POST\n" + futures + "dual_mode\ndual_mode=false" + tail,
       "0a68a057147e5a7bf7c051c3e3502b4b615fc98c285b812077133e9487af7be4f942d910f67042adf77d381ee97"
       "d"
       "5abb753a5b4fc30bd9ff76d8019d8fd0f399"},
      {"POST\n" + futures + "set_position_mode\nposition_mode=single" + tail,
       "e84ae8b01c6367a4f9bb340640577087fb7de4937c90d2c31fb85095ede440cfcaf3f1f848ea8d01c00ac70cdba"
       "4"
       "099476d4212c6fd6af9e6c26234708307c38"},
      {"POST\n" + futures + "set_position_mode\nposition_mode=dual" + tail,
       "b3580438412d68e259b897e5b2f6728f3d5f4f9283d9b6f2d210fad4d88918a40962cd8b844ea25ebddcb53c01e"
       "0"
       "45045c439b9c0243ca695170f7214b618125"},
      {"POST\n" + futures + "set_position_mode\nposition_mode=dual_plus" + tail,
       "e9b3971a531208c355091893a67cee35bf5ec7bbffd558c96f06acb51be93cdac105cf86ab921a930d6165cb204"
       "0"
       "e2d3bc2d7b60ff33eda2d8ca8d325b98211f"},
      {"GET\n" + futures + "accounts\n" + tail,
       "394a0e61636fdd539c408affb234965147e950121c0aebc08780407d0cf3edc15e4dfd7213ed1e4bde380a307f3"
       "2"
       "eb19e022fd838e74a3619d1b745dfaa88a83"},
      {"POST\n" + futures + "set_position_mode\n\n" + json_hash + "\n1700000000",
       "2cde8f3d6a648bc2ed2cfec6e930b5b0fa3961d2f92d49958a914f323debddc5abc0b55780b9e56c5585383152a"
       "e"
       "a34f02f45bcf814e797478c60e2175ff9b3b"},
  }};
  for (const auto& vector : vectors) {
    CAPTURE(vector.first);
    CHECK(hmac_sha512_hex(secret, vector.first) == vector.second);
    CHECK(test_sign(secret, vector.first) == vector.second);  // the test's own signer agrees
  }
  // The query is signed unescaped, as Go's url.QueryUnescape reads it.
  CHECK(posmode::mock::detail::query_unescape("a=b%5Fc+d%2") == "a=b_c d%2");
}

TEST_CASE_FIXTURE(gate_fixture, "the mock accepts the Gate requests of the vectors G1-G7") {
  ex.set_clock_skew(std::chrono::milliseconds(1'700'000'000'500 - now_ms()));
  const auto signed_call = [&](gate_call c, std::string_view sign) {
    c.timestamp = "1700000000";
    c.signature = std::string(sign);
    return call(c);
  };
  const auto g1 = signed_call({.path = dual_path, .query = "dual_mode=true"},
                              "f92e1e0e34234b093ebf2c5f67af2545f43d0cb5ede070f81cfc28c34c9cc2ceaa05"
                              "33e52b1eaaf18e423e7eaf7076ee85893a1bde6abf1458fe0bc58046ac30");
  CHECK(reads_mode(g1, "dual"));
  CHECK(ex.gate_mode_of(key, "usdt") == gate_mode::dual);
  const auto g2 = signed_call({.path = dual_path, .query = "dual_mode=false"},
                              "0a68a057147e5a7bf7c051c3e3502b4b615fc98c285b812077133e9487af7be4f942"
                              "d910f67042adf77d381ee97d5abb753a5b4fc30bd9ff76d8019d8fd0f399");
  CHECK(reads_mode(g2, "single"));
  CHECK(
      reads_mode(signed_call({.query = "position_mode=dual"},
                             "b3580438412d68e259b897e5b2f6728f3d5f4f9283d9b6f2d210fad4d88918a40962"
                             "cd8b844ea25ebddcb53c01e045045c439b9c0243ca695170f7214b618125"),
                 "dual"));
  CHECK(
      reads_mode(signed_call({.query = "position_mode=dual_plus"},
                             "e9b3971a531208c355091893a67cee35bf5ec7bbffd558c96f06acb51be93cdac105"
                             "cf86ab921a930d6165cb2040e2d3bc2d7b60ff33eda2d8ca8d325b98211f"),
                 "dual_plus"));
  CHECK(
      reads_mode(signed_call({.query = "position_mode=single"},
                             "e84ae8b01c6367a4f9bb340640577087fb7de4937c90d2c31fb85095ede440cfcaf3"
                             "f1f848ea8d01c00ac70cdba4099476d4212c6fd6af9e6c26234708307c38"),
                 "single"));
  CHECK(
      reads_mode(signed_call({.method = "GET", .path = accounts_path},
                             "394a0e61636fdd539c408affb234965147e950121c0aebc08780407d0cf3edc15e4d"
                             "fd7213ed1e4bde380a307f32eb19e022fd838e74a3619d1b745dfaa88a83"),
                 "single"));
  // G7, ccxt's implicit JSON body: the signature passes, the placement does not.
  const auto g7 = signed_call({.body = R"({"position_mode":"dual"})"},
                              "2cde8f3d6a648bc2ed2cfec6e930b5b0fa3961d2f92d49958a914f323debddc5abc0"
                              "b55780b9e56c5585383152aea34f02f45bcf814e797478c60e2175ff9b3b");
  CHECK(g7.status() == 400);
  CHECK(has_label(g7, "INVALID_PARAM_VALUE"));
  CHECK(ex.gate_mode_of(key, "usdt") == gate_mode::single);
}

TEST_CASE_FIXTURE(gate_fixture, "Gate refuses missing headers, unknown keys and bad signatures") {
  const auto refused = [](const test::read_result& r, std::string_view label) {
    return r.status() == 401 && has_label(r, label);
  };
  CHECK(refused(call({.query = "position_mode=dual", .api_key = ""}), "MISSING_REQUIRED_HEADER"));
  const auto no_ts = call({.query = "position_mode=dual", .send_timestamp = false});
  CHECK(refused(no_ts, "MISSING_REQUIRED_HEADER"));
  CHECK(has_text(no_ts, "Timestamp"));
  const auto no_sign = call({.query = "position_mode=dual", .send_sign = false});
  CHECK(refused(no_sign, "MISSING_REQUIRED_HEADER"));
  CHECK(has_text(no_sign, "SIGN"));
  CHECK(refused(call({.query = "position_mode=dual", .api_key = "nobody"}), "INVALID_KEY"));
  // Over other bytes: another query, another secret, upper-case hex, the body's hash left out.
  CHECK(refused(call({.query = "position_mode=dual", .signed_query = "position_mode=single"}),
                "INVALID_SIGNATURE"));
  const std::string ts = seconds_now();
  const std::string message = "POST\n" + std::string(set_path) + "\nposition_mode=dual\n" +
                              std::string(empty_hash) + "\n" + ts;
  CHECK(refused(call({.query = "position_mode=dual",
                      .timestamp = ts,
                      .signature = test_sign("other-secret", message)}),
                "INVALID_SIGNATURE"));
  std::string upper = test_sign(secret, message);
  for (char& c : upper)
    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
  CHECK(refused(call({.query = "position_mode=dual", .timestamp = ts, .signature = upper}),
                "INVALID_SIGNATURE"));
  CHECK(refused(call({.query = "position_mode=dual",
                      .timestamp = ts,
                      .signature = test_sign(secret, "POST\n" + std::string(set_path) +
                                                         "\nposition_mode=dual\n\n" + ts)}),
                "INVALID_SIGNATURE"));
  // The same request, signed right, passes.
  CHECK(reads_mode(call({.query = "position_mode=dual",
                         .timestamp = ts,
                         .signature = test_sign(secret, message)}),
                   "dual"));
  CHECK(ex.request_log().size() == 9);
  CHECK(ex.request_log()[3].outcome == "INVALID_KEY");
}

TEST_CASE_FIXTURE(gate_fixture, "Gate's Timestamp: seconds within 60 s of the server clock") {
  const auto expired = [](const test::read_result& r) {
    return r.status() == 401 && has_label(r, "REQUEST_EXPIRED");
  };
  const std::int64_t now_s = now_ms() / 1'000;
  CHECK(expired(call({.query = "position_mode=dual", .timestamp = std::to_string(now_s - 75)})));
  CHECK(expired(call({.query = "position_mode=dual", .timestamp = std::to_string(now_s + 75)})));
  // Milliseconds are read as seconds far in the future; malformed text is refused too.
  CHECK(expired(call({.query = "position_mode=dual", .timestamp = std::to_string(now_ms())})));
  for (const char* bad : {"-1700000000", "1.7e9", "1700000000.", "abc", "17000000 00"}) {
    CAPTURE(bad);
    CHECK(expired(call({.query = "position_mode=dual", .timestamp = bad})));
  }
  CHECK(ex.gate_mode_of(key, "usdt") == gate_mode::single);
  // Inside the window either way, and the Python SDK's fractional seconds.
  CHECK(reads_mode(call({.query = "position_mode=dual", .timestamp = std::to_string(now_s - 45)}),
                   "dual"));
  CHECK(reads_mode(
      call({.query = "position_mode=single", .timestamp = std::to_string(now_s + 45) + ".123456"}),
      "single"));
  // The server clock moves with the skew: a client on the host clock is then 90 s off.
  ex.set_clock_skew(std::chrono::milliseconds(90'000));
  CHECK(expired(set("dual")));
  CHECK(expired(accounts()));
  CHECK(reads_mode(call({.query = "position_mode=dual", .timestamp = std::to_string(now_s + 90)}),
                   "dual"));
}

TEST_CASE("Gate allows gate_rate_limit calls per 10 s per endpoint and key, then 429") {
  mock::exchange_options options;
  options.gate_rate_limit = 3;
  gate_fixture f(options);
  mock::gate_account other;
  other.api_key = "gate-other-key";
  other.secret = std::string(secret);
  f.ex.add_gate_account(other);
  const std::int64_t before_s = now_ms() / 1'000;
  const auto first = f.set("dual");
  CHECK(first.status() == 200);
  CHECK(first.header("X-Gate-RateLimit-Limit") == "3");
  CHECK(first.header("X-Gate-RateLimit-Requests-Remain") == "2");
  // Not exceeded: the current time, in seconds (rounded up).
  const auto first_reset = std::stoll(first.header("X-Gate-RateLimit-Reset-Timestamp"));
  CHECK(first_reset >= before_s);
  CHECK(first_reset <= now_ms() / 1'000 + 1);
  CHECK(f.set("single").header("X-Gate-RateLimit-Requests-Remain") == "1");
  // A refused signature does not count, and still carries the headers.
  const auto bad = f.call({.query = "position_mode=dual", .signed_query = "x"});
  CHECK(has_label(bad, "INVALID_SIGNATURE"));
  CHECK(bad.header("X-Gate-RateLimit-Requests-Remain") == "1");
  CHECK(f.set("dual").header("X-Gate-RateLimit-Requests-Remain") == "0");
  const auto limited = f.set("single");
  const std::int64_t after_s = now_ms() / 1'000;
  CHECK(limited.status() == 429);
  CHECK(has_label(limited, "TOO_MANY_REQUESTS"));
  CHECK(limited.header("X-Gate-RateLimit-Requests-Remain") == "0");
  // Exceeded: when the oldest call leaves the 10 s window, bracketed by the test's own readings.
  const auto reset = std::stoll(limited.header("X-Gate-RateLimit-Reset-Timestamp"));
  CHECK(reset >= before_s + 10);
  CHECK(reset <= after_s + 11);
  CHECK(f.ex.gate_mode_of(key, "usdt") == gate_mode::dual);
  CHECK(f.ex.request_log().back().outcome == "TOO_MANY_REQUESTS");
  // Per endpoint (accounts, the legacy set) and per key; the btc settle is the same endpoint.
  CHECK(f.accounts().status() == 200);
  CHECK(f.legacy(true).status() == 200);
  CHECK(f.set("dual", "/api/v4/futures/btc/set_position_mode").status() == 429);
  CHECK(f.call({.query = "position_mode=dual", .api_key = "gate-other-key"}).status() == 200);
  // Ten seconds later on the mock's window clock (no sleep) the key may call again.
  f.ex.advance_time(std::chrono::milliseconds(10'001));
  const auto again = f.set("single");
  CHECK(again.status() == 200);
  CHECK(again.header("X-Gate-RateLimit-Requests-Remain") == "2");
}
