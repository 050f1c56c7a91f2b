// request_template with Ed25519 and RSA keys: the variable-width percent-encoded signature slot
// (the tail re-rendered after it in the buffer allocated at construction), Binance's E vectors
// byte for byte, RSA signatures checked by OpenSSL's own verification, the algorithm guards,
// and what allocates: a fresh pre-signed request nothing, a signature (inside OpenSSL) something.

#include <doctest/doctest.h>

#include <string>

#include "posmode/engine/error.hpp"
#include "posmode/engine/presigned_request.hpp"
#include "posmode/engine/request_signer.hpp"
#include "support/allocation_counter.hpp"
#include "support/test_keys.hpp"

using namespace posmode::engine;
using posmode::test::e_key_pem;

namespace {

constexpr std::int64_t vector_time_ms = 1'700'000'000'000;

// Binance's set request with the E2 layout (no recvWindow), or E4's with it.
request_spec binance_set(signature_algorithm algorithm, bool recv_window) {
  request_spec spec;
  spec.method = "POST";
  spec.host = "papi.binance.com";
  request_text target("/papi/v1/um/positionSide/dual?");
  target.begin_signed().text("dualSidePosition=true");
  if (recv_window) target.text("&recvWindow=5000");
  target.text("&timestamp=").timestamp().end_signed().text("&signature=").signature();
  spec.target = std::move(target);
  spec.headers = {{"User-Agent", "posmode-test"}, {"X-MBX-APIKEY", "key"}};
  spec.algorithm = algorithm;
  spec.encoding = signature_encoding::base64_percent;
  return spec;
}

std::string expected_wire(std::string_view query, std::string_view encoded_signature) {
  return "POST /papi/v1/um/positionSide/dual?" + std::string(query) +
         "&signature=" + std::string(encoded_signature) +
         " HTTP/1.1\r\nHost: papi.binance.com\r\nUser-Agent: posmode-test\r\nX-MBX-APIKEY: "
         "key\r\nContent-Length: 0\r\n\r\n";
}

}  // namespace

TEST_CASE("an Ed25519 template carries vectors E2 and E4 percent-encoded, byte for byte") {
  request_signer signer(signature_algorithm::ed25519, e_key_pem);
  CHECK(signer.is_expensive());
  request_template e2(binance_set(signature_algorithm::ed25519, false));
  CHECK(e2.signature_capacity() == 264);
  REQUIRE_FALSE(signer.resign(e2, vector_time_ms));
  CHECK(e2.is_signed());
  // The official connector's capture (docs/venues.md §1.6.3).
  CHECK(e2.view() ==
        expected_wire("dualSidePosition=true&timestamp=1700000000000",
                      "lfIyFGJAAJOTO90bhSAuGIF2KKwe0%2FdszjX%2Fl3M8n0NtYLUu%2B0LDyFR%2FoifZVWQ0e7ii"
                      "%2FHsauoaX7JJp%2FHdmAg%3D%3D"));
  request_template e4(binance_set(signature_algorithm::ed25519, true));
  REQUIRE_FALSE(signer.resign(e4, vector_time_ms));
  CHECK(e4.signed_view() == "dualSidePosition=true&recvWindow=5000&timestamp=1700000000000");
  CHECK(e4.view() ==
        expected_wire("dualSidePosition=true&recvWindow=5000&timestamp=1700000000000",
                      "drjAMt1cuw%2B3ajUlXuTdYtou5UEbId%2Fef7KcIKu7fe3Xuo7l%2FLAWdYSPKW3jE%2F%2Fbe"
                      "EQ8q1ZwLYlBEhpxw1m4AQ%3D%3D"));
}

TEST_CASE("re-signing at other times moves the tail with the signature's width, never stale") {
  request_signer signer(signature_algorithm::ed25519, e_key_pem);
  request_template t(binance_set(signature_algorithm::ed25519, true));
  const auto public_key = posmode::test::read_key(posmode::test::e_public_pem);
  REQUIRE(public_key);
  std::size_t narrowest = 1000;
  std::size_t widest = 0;
  for (std::int64_t i = 0; i < 64; ++i) {
    REQUIRE_FALSE(signer.resign(t, vector_time_ms + i));
    const std::string_view wire = t.view();
    CAPTURE(wire);
    // The bytes after the signature are the constant tail, right after it.
    const std::string_view tail = wire.substr(t.signature_offset() + t.signature_view().size());
    CHECK(tail.starts_with(" HTTP/1.1\r\nHost: papi.binance.com\r\n"));
    CHECK(tail.ends_with("Content-Length: 0\r\n\r\n"));
    const std::string base64 = posmode::test::percent_decoded(t.signature_view());
    CHECK(base64.size() == 88);
    CHECK(posmode::test::verifies(public_key.get(), t.signed_view(), base64));
    CHECK(t.signed_view().ends_with("timestamp=" + std::to_string(vector_time_ms + i)));
    narrowest = std::min(narrowest, t.signature_view().size());
    widest = std::max(widest, t.signature_view().size());
  }
  CHECK(narrowest < widest);  // the width did vary, so the tail did move
}

TEST_CASE("RSA-2048 and RSA-4096 templates verify with OpenSSL, from PKCS#8 and PKCS#1 keys") {
  for (const unsigned bits : {2048U, 4096U}) {
    const auto key = posmode::test::rsa_key(bits);
    for (const auto form : {posmode::test::pem_form::pkcs8, posmode::test::pem_form::pkcs1}) {
      CAPTURE(bits);
      request_signer signer(signature_algorithm::rsa_sha256,
                            posmode::test::pem_of(key.get(), form));
      request_template t(binance_set(signature_algorithm::rsa_sha256, true));
      CHECK(t.signature_capacity() == 3 * 684);
      REQUIRE_FALSE(signer.resign(t, vector_time_ms));
      const std::string base64 = posmode::test::percent_decoded(t.signature_view());
      CHECK(base64.size() == (bits == 2048 ? 344U : 684U));
      CHECK(posmode::test::verifies(key.get(), t.signed_view(), base64));
      CHECK_FALSE(posmode::test::verifies(key.get(), "dualSidePosition=false", base64));
      CHECK(
          t.view().ends_with(" HTTP/1.1\r\nHost: papi.binance.com\r\nUser-Agent: "
                             "posmode-test\r\nX-MBX-APIKEY: key\r\nContent-Length: 0\r\n\r\n"));
    }
  }
}

TEST_CASE("asymmetric templates refuse the wrong encoding, key or a later timestamp slot") {
  request_spec hex = binance_set(signature_algorithm::ed25519, false);
  hex.encoding = signature_encoding::hex_lower;
  CHECK_THROWS_AS(request_template{hex}, std::invalid_argument);
  request_spec hmac_percent = binance_set(signature_algorithm::hmac_sha256, false);
  CHECK_THROWS_AS(request_template{hmac_percent}, std::invalid_argument);
  request_spec late = binance_set(signature_algorithm::ed25519, false);
  late.headers.push_back({"X-Time", request_text().timestamp()});
  CHECK_THROWS_WITH_AS(request_template{late},
                       "request template: a timestamp slot after a variable-width signature slot",
                       std::invalid_argument);

  // An Ed25519 key given an RSA template (and the reverse, and HMAC) signs nothing.
  request_signer ed(signature_algorithm::ed25519, e_key_pem);
  request_template rsa_t(binance_set(signature_algorithm::rsa_sha256, false));
  CHECK(ed.resign(rsa_t, vector_time_ms) == errc::signing_failed);
  CHECK_FALSE(rsa_t.is_signed());
  request_signer hmac(signature_algorithm::hmac_sha256, "secret");
  request_template ed_t(binance_set(signature_algorithm::ed25519, false));
  CHECK(hmac.resign(ed_t, vector_time_ms) == errc::signing_failed);
  CHECK(ed.resign(ed_t, vector_time_ms) == std::error_code{});
  ed_t.invalidate();
  CHECK_FALSE(ed_t.is_signed());
}

TEST_CASE("RSA keys over 4096 bits and empty keys are refused by the request signer") {
  const auto big = posmode::test::rsa_key(4160);
  CHECK_THROWS_WITH_AS(
      request_signer(signature_algorithm::rsa_sha256,
                     posmode::test::pem_of(big.get(), posmode::test::pem_form::pkcs8)),
      "private key: an RSA key of 4160 bits; Binance takes 2048 or 4096", key_error);
  CHECK_THROWS_AS(request_signer(signature_algorithm::ed25519, ""), key_error);
}

#if POSMODE_ALLOCATION_COUNTING
TEST_CASE(
    "a fresh pre-signed Ed25519 request is handed out without allocating, and a stale one "
    "signs inline and allocates inside OpenSSL") {
  request_signer signer(signature_algorithm::ed25519, e_key_pem);
  presigned_request p(request_template(binance_set(signature_algorithm::ed25519, true)), signer,
                      500);
  REQUIRE_FALSE(p.refresh(vector_time_ms));
  std::error_code ec;
  bool signed_inline = true;
  {
    posmode::test::allocation_scope scope;
    const auto bytes = p.acquire(vector_time_ms + 100, ec, signed_inline);
    CHECK(scope.count() == 0);
    CHECK(scope.c_count() == 0);
    CHECK_FALSE(bytes.empty());
  }
  CHECK_FALSE(ec);
  CHECK_FALSE(signed_inline);
  CHECK(p.inline_resigns() == 0);
  // Past the maximum age: signed on the spot, and flagged. OpenSSL allocates its digest context
  // (and more) per signature: counted here, not hidden; this is why triggers never sign.
  std::size_t c_allocations = 0;
  {
    posmode::test::allocation_scope scope;
    (void)p.acquire(vector_time_ms + 600, ec, signed_inline);
    c_allocations = scope.c_count();
  }
  CHECK_FALSE(ec);
  CHECK(signed_inline);
  CHECK(p.inline_resigns() == 1);
  CHECK(c_allocations > 0);
  MESSAGE("allocations by one inline Ed25519 signature (C level, OpenSSL): " << c_allocations);
  p.invalidate();
  CHECK(p.needs_refresh(vector_time_ms + 600));
}
#endif
