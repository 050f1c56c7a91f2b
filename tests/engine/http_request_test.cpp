#include "posmode/engine/http_request.hpp"

#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>

#include "posmode/engine/encoding.hpp"
#include "posmode/engine/error.hpp"
#include "posmode/engine/presigned_request.hpp"
#include "support/allocation_counter.hpp"

using namespace posmode::engine;

namespace {

constexpr std::string_view binance_secret =
    "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
constexpr std::string_view bitget_secret =
    "bgsecret0123456789abcdef0123456789abcdef0123456789abcdef01234567";

// The signature computed the slow, independent way: OpenSSL's one-shot HMAC().
std::string openssl_hmac(std::string_view secret, std::string_view message,
                         signature_encoding encoding) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &size);
  std::string out(encoding == signature_encoding::hex_lower ? 64 : 44, '?');
  if (encoding == signature_encoding::hex_lower)
    encode_hex_lower({digest, size}, out);
  else
    encode_base64({digest, size}, out);
  return out;
}

// The wire bytes with every slot blanked: what must never change when re-signing.
std::string without_slots(const request_template& t) {
  std::string s(t.view());
  for (std::size_t offset : t.wire_timestamp_offsets())
    s.replace(offset, t.timestamp_size(), t.timestamp_size(), '#');
  s.replace(t.signature_offset(), t.signature_view().size(), t.signature_view().size(), '#');
  return s;
}

request_spec binance_like() {
  request_spec spec;
  spec.method = "POST";
  spec.host = "fapi.binance.com";
  spec.target = request_text("/fapi/v1/positionSide/dual?");
  spec.target.begin_signed()
      .text("dualSidePosition=true&recvWindow=5000&timestamp=")
      .timestamp()
      .end_signed()
      .text("&signature=")
      .signature();
  spec.headers = {{"X-MBX-APIKEY", "key"}};
  return spec;
}

request_spec bitget_like() {
  request_spec spec;
  spec.method = "POST";
  spec.host = "api.bitget.com";
  spec.target = request_text("/api/v2/mix/account/set-position-mode");
  spec.headers = {{"ACCESS-SIGN", request_text().signature()},
                  {"ACCESS-TIMESTAMP", request_text().timestamp()}};
  spec.body = R"({"productType":"USDT-FUTURES","posMode":"hedge_mode"})";
  request_text signed_text;
  signed_text.timestamp().text("POST/api/v2/mix/account/set-position-mode").text(spec.body);
  spec.signed_text = signed_text;
  spec.encoding = signature_encoding::base64;
  return spec;
}

}  // namespace

TEST_CASE("a template renders request line, Host, headers, Content-Length and body in order") {
  request_template t(binance_like());
  hmac_signer signer(binance_secret);
  REQUIRE_FALSE(t.resign(signer, 1700000000000));
  CHECK(t.view() ==
        "POST /fapi/v1/positionSide/dual?dualSidePosition=true&recvWindow=5000&timestamp="
        "1700000000000&signature=d11f2869d49a3801fb5a6bad60898968cc6c370033a79aab2c9c9251e454b3c3"
        " HTTP/1.1\r\nHost: fapi.binance.com\r\nX-MBX-APIKEY: key\r\nContent-Length: 0\r\n\r\n");
  CHECK(t.signed_view() == "dualSidePosition=true&recvWindow=5000&timestamp=1700000000000");
  REQUIRE(t.wire_timestamp_offsets().size() == 1);
  CHECK(t.view().substr(t.wire_timestamp_offsets()[0], 13) == "1700000000000");
  CHECK(t.view().substr(t.signature_offset(), 64) == t.signature_view());
  CHECK(t.timestamp_ms() == 1700000000000);
}

TEST_CASE(
    "a GET without body carries no Content-Length, and a POST with a body carries its length") {
  request_spec get;
  get.method = "GET";
  get.host = "fapi.binance.com";
  get.target = "/fapi/v1/ping";
  request_template ping(get);
  CHECK(ping.view() == "GET /fapi/v1/ping HTTP/1.1\r\nHost: fapi.binance.com\r\n\r\n");
  CHECK(ping.is_signed());
  CHECK_FALSE(ping.needs_signature());

  request_template post(bitget_like());
  CHECK(post.view().find("\r\nContent-Length: 53\r\n\r\n{\"productType\"") != std::string::npos);
}

TEST_CASE("a separately signed string gets the same timestamp as the wire slots") {
  request_template t(bitget_like());
  hmac_signer signer(bitget_secret);
  REQUIRE_FALSE(t.resign(signer, 1700000000000));
  CHECK(
      t.signed_view() ==
      R"(1700000000000POST/api/v2/mix/account/set-position-mode{"productType":"USDT-FUTURES","posMode":"hedge_mode"})");
  CHECK(t.signature_view() == "2Gdz2auu+jzKidxaH31F06Y3yfd6s3i4XPMpMQBosAQ=");
  CHECK(t.view().find("ACCESS-SIGN: 2Gdz2auu+jzKidxaH31F06Y3yfd6s3i4XPMpMQBosAQ=\r\n"
                      "ACCESS-TIMESTAMP: 1700000000000\r\n") != std::string::npos);
  // The signed string is not part of the wire bytes.
  CHECK(t.view().find("1700000000000POST") == std::string::npos);
}

TEST_CASE("re-signing 10^4 times at random timestamps matches OpenSSL's one-shot HMAC") {
  for (const bool base64 : {false, true}) {
    CAPTURE(base64);
    request_template t(base64 ? bitget_like() : binance_like());
    const std::string_view secret = base64 ? bitget_secret : binance_secret;
    hmac_signer signer(secret);
    std::mt19937_64 rng(20261121);
    std::uniform_int_distribution<std::int64_t> ts(min_slot_timestamp_ms, max_slot_timestamp_ms);
    const std::string static_bytes = without_slots(t);
    for (int i = 0; i < 10'000; ++i) {
      const std::int64_t now = ts(rng);
      REQUIRE_FALSE(t.resign(signer, now));
      const std::string stamp = std::to_string(now);
      REQUIRE(t.view().substr(t.wire_timestamp_offsets()[0], 13) == stamp);
      REQUIRE(t.signed_view().find(stamp) != std::string_view::npos);
      REQUIRE(t.signature_view() ==
              openssl_hmac(secret, t.signed_view(),
                           base64 ? signature_encoding::base64 : signature_encoding::hex_lower));
      // Only the slots change.
      REQUIRE(without_slots(t) == static_bytes);
    }
  }
}

TEST_CASE("a timestamp that is not 13 digits is refused and leaves the template unsigned") {
  request_template t(binance_like());
  hmac_signer signer(binance_secret);
  REQUIRE_FALSE(t.resign(signer, 1700000000000));
  CHECK(t.resign(signer, 999'999'999'999) == errc::timestamp_out_of_range);
  CHECK(t.resign(signer, 10'000'000'000'000) == errc::timestamp_out_of_range);
  CHECK(t.resign(signer, -1) == errc::timestamp_out_of_range);
  CHECK(t.is_signed());  // a refused timestamp changes nothing
  CHECK(t.timestamp_ms() == 1700000000000);
  CHECK_FALSE(t.resign(signer, min_slot_timestamp_ms));
  CHECK_FALSE(t.resign(signer, max_slot_timestamp_ms));
  CHECK(t.view().find("timestamp=9999999999999&") != std::string::npos);
}

TEST_CASE("specs that cannot be rendered are refused with the reason") {
  const auto refused = [](request_spec spec, std::string_view reason) {
    CAPTURE(reason);
    try {
      request_template t(spec);
      FAIL("rendered");
    } catch (const std::invalid_argument& e) {
      CHECK(std::string(e.what()).find(reason) != std::string::npos);
    }
  };
  auto spec = binance_like();
  spec.method = "PO ST";
  refused(spec, "not an HTTP token");
  spec = binance_like();
  spec.host = "";
  refused(spec, "host");
  spec = binance_like();
  spec.headers.push_back({"X-Bad", "a\r\nInjected: 1"});
  refused(spec, "CR or LF");
  spec = binance_like();
  spec.target = request_text("relative?").signature();
  refused(spec, "start with '/'");
  spec = binance_like();
  spec.target = request_text("/p?x=1&signature=").signature();
  refused(spec, "needs a signed region");
  spec = binance_like();
  spec.target = request_text("/p?").begin_signed().text("a").signature().end_signed();
  refused(spec, "inside the signed region");
  spec = binance_like();
  spec.target = request_text("/p?").begin_signed().text("a").end_signed();
  refused(spec, "without a signature slot");
  spec = bitget_like();
  spec.target.begin_signed().end_signed();
  refused(spec, "both a signed region and a signed_text");
  spec = binance_like();
  spec.target = request_text("/p a");
  refused(spec, "space");
  spec = binance_like();
  for (int i = 0; i < 5; ++i)
    spec.headers.push_back({"X-T", request_text().timestamp()});
  refused(spec, "too many timestamp slots");
}

TEST_CASE("a template stays valid after being moved") {
  request_template a(binance_like());
  const char* data = a.bytes().data();
  request_template b(std::move(a));
  CHECK(b.bytes().data() == data);
  hmac_signer signer(binance_secret);
  CHECK_FALSE(b.resign(signer, 1700000000000));
}

#if POSMODE_ALLOCATION_COUNTING
TEST_CASE("re-signing allocates nothing") {
  if (!hmac_signer::cpu_has_sha_ni()) return;  // OpenSSL 3's EVP copy allocates; see hmac_signer
  request_template hex(binance_like());
  request_template b64(bitget_like());
  hmac_signer bsigner(binance_secret);
  hmac_signer gsigner(bitget_secret);
  posmode::test::allocation_scope scope;
  for (std::int64_t i = 0; i < 1000; ++i) {
    REQUIRE_FALSE(hex.resign(bsigner, 1700000000000 + i));
    REQUIRE_FALSE(b64.resign(gsigner, 1700000000000 + i));
  }
  CHECK(scope.count() == 0);
}
#endif

TEST_CASE("a pre-signed request is refreshed at half its maximum age and never handed out stale") {
  request_signer signer(signature_algorithm::hmac_sha256, binance_secret);
  presigned_request p(request_template(binance_like()), signer, 1000);
  std::error_code ec;
  CHECK(p.age_ms(1700000000000) == -1);

  REQUIRE_FALSE(p.refresh(1700000000000));
  CHECK(p.request().timestamp_ms() == 1700000000000);
  REQUIRE_FALSE(p.refresh(1700000000500));  // exactly half: still fresh enough
  CHECK(p.request().timestamp_ms() == 1700000000000);
  REQUIRE_FALSE(p.refresh(1700000000501));
  CHECK(p.request().timestamp_ms() == 1700000000501);

  // Within the maximum age: handed out as is.
  auto bytes = p.acquire(1700000001501, ec);
  REQUIRE_FALSE(ec);
  CHECK_FALSE(bytes.empty());
  CHECK(p.request().timestamp_ms() == 1700000000501);
  CHECK(p.inline_resigns() == 0);

  // The timer fell behind: one millisecond past the maximum age is re-signed on the spot.
  bytes = p.acquire(1700000001502, ec);
  REQUIRE_FALSE(ec);
  CHECK(p.request().timestamp_ms() == 1700000001502);
  CHECK(std::string_view(bytes.data(), bytes.size()).find("timestamp=1700000001502&") !=
        std::string_view::npos);
  CHECK(p.inline_resigns() == 1);

  // The clock stepped back: a timestamp ahead of "now" is not handed out either.
  bytes = p.acquire(1700000001000, ec);
  REQUIRE_FALSE(ec);
  CHECK(p.request().timestamp_ms() == 1700000001000);
  CHECK(p.inline_resigns() == 2);

  // A failed re-sign hands out nothing.
  bytes = p.acquire(42, ec);
  CHECK(ec == errc::timestamp_out_of_range);
  CHECK(bytes.empty());

  CHECK_THROWS_AS(presigned_request(request_template(binance_like()), signer, 0),
                  std::invalid_argument);
}
