// asymmetric_signer against Binance's Ed25519 vectors (docs/venues.md §1.6.5) byte for byte, RSA
// signatures checked by OpenSSL's own verification, and every kind of unusable key refused with a
// message that names the problem and none of the key.

#include "posmode/engine/asymmetric_signer.hpp"

#include <doctest/doctest.h>

#include <string>
#include <utility>

#include "support/test_keys.hpp"

using posmode::engine::asymmetric_signer;
using posmode::engine::key_algorithm;
using posmode::engine::key_error;
using posmode::test::e_key_pem;
using posmode::test::pem_form;
using posmode::test::pem_of;
using posmode::test::pkey_ptr;
using posmode::test::rsa_key;
using posmode::test::verifies;

namespace {

std::string sign(const asymmetric_signer& s, std::string_view message) {
  std::string out(s.base64_size(), '?');
  const std::size_t n = s.sign_base64(message, out);
  REQUIRE(n == out.size());
  return out;
}

std::string refusal(std::string_view pem, key_algorithm expected) {
  try {
    asymmetric_signer s(pem, expected);
  } catch (const key_error& e) {
    return e.what();
  }
  return "accepted";
}

}  // namespace

TEST_CASE("Ed25519 signatures equal Binance's vectors E1-E8 byte for byte") {
  const asymmetric_signer s(e_key_pem, key_algorithm::ed25519);
  CHECK(s.algorithm() == key_algorithm::ed25519);
  CHECK(s.signature_size() == 64);
  CHECK(s.base64_size() == 88);
  const std::string fix =
      std::string("A\x01") + "EXAMPLE\x01SPOT\x01" + "1\x01" + "20240627-11:17:25.223";
  CHECK(sign(s, fix) ==
        "4MHXelVVcpkdwuLbl6n73HQUXUf1dse2PCgT1DYqW9w8AVZ1RACFGM+5UdlGPrQHrgtS3CvsRURC1oj73j8gCA==");
  CHECK(sign(s, "dualSidePosition=true&timestamp=1700000000000") ==
        "lfIyFGJAAJOTO90bhSAuGIF2KKwe0/dszjX/l3M8n0NtYLUu+0LDyFR/oifZVWQ0e7ii/HsauoaX7JJp/HdmAg==");
  CHECK(sign(s, "dualSidePosition=false&timestamp=1700000000000") ==
        "YCJwuuQL2ugWaAnRI1SfKbt2QsUGAWSAqzU2+hUi8nXhWhVeo3baqlQfSSQEJZaTgzaReukL+F+1e30cB1FNCw==");
  CHECK(sign(s, "dualSidePosition=true&recvWindow=5000&timestamp=1700000000000") ==
        "drjAMt1cuw+3ajUlXuTdYtou5UEbId/ef7KcIKu7fe3Xuo7l/LAWdYSPKW3jE//beEQ8q1ZwLYlBEhpxw1m4AQ==");
  CHECK(sign(s, "timestamp=1700000000000") ==
        "nBZLVsCuY5VULMmkX0jKkZY1nWvGDyt/rb9KcsZZiwL3ZEnE38o3J6J60s/C/88abwIRGoCV2l6taxIINfYFCQ==");
  CHECK(sign(s, "timestamp=1700000000000&dualSidePosition=true&recvWindow=10000") ==
        "vy1RL6EPKFHPQcxOvHCqiPhTuGUHz0OCD7/B0Ee4ZFnGG67fvEqesn8QucoXgjRsXmFNL2+EJyZ0pbgCBucwDA==");
  CHECK(sign(s, "dualSidePosition=true&timestamp=1700000000000&recvWindow=5000") ==
        "edQAx4KL//iE2GJnTA218px5ggiae4s0nBAz+4q5zpuZrWwMz++poR1zwgFOLeKsYw5R9Ls/1ehQmsHw4H9iAQ==");
  CHECK(sign(s, "dualSidePosition=false&recvWindow=5000&timestamp=1700000000000") ==
        "0E8Byrvk7UsTKQi66LnFuCPC73tOjfbxVyC957co5/IwM/207Bs8CoayBqJazg/QBR0oG6vLb97dKeyEzwlrCQ==");
}

TEST_CASE("percent-encoding a signature gives the official connector's captured query value") {
  const asymmetric_signer s(e_key_pem, key_algorithm::ed25519);
  const std::string b64 = sign(s, "dualSidePosition=true&timestamp=1700000000000");
  std::string out(3 * b64.size(), '?');
  const std::size_t n = posmode::engine::percent_encode_base64(b64, out);
  CHECK(out.substr(0, n) ==
        "lfIyFGJAAJOTO90bhSAuGIF2KKwe0%2FdszjX%2Fl3M8n0NtYLUu%2B0LDyFR%2FoifZVWQ0e7ii%2FHsauoaX7JJp"
        "%2FHdmAg%3D%3D");
  std::string small(n - 1, '?');
  CHECK(posmode::engine::percent_encode_base64(b64, small) == 0);  // never a partial value
}

TEST_CASE("RSA-2048 signatures from PKCS#8 and PKCS#1 keys verify with OpenSSL") {
  const pkey_ptr key = rsa_key(2048);
  const std::string message = "dualSidePosition=true&recvWindow=5000&timestamp=1700000000000";
  for (const pem_form form : {pem_form::pkcs8, pem_form::pkcs1}) {
    const asymmetric_signer s(pem_of(key.get(), form), key_algorithm::rsa_sha256);
    CHECK(s.bits() == 2048);
    CHECK(s.signature_size() == 256);
    CHECK(s.base64_size() == 344);
    const std::string sig = sign(s, message);
    CHECK(verifies(key.get(), message, sig));
    CHECK_FALSE(verifies(key.get(), message + "0", sig));
    CHECK(sign(s, message) == sig);  // PKCS#1 v1.5 is deterministic
  }
}

TEST_CASE("unusable keys are refused, naming the problem and none of the key") {
  const pkey_ptr rsa = rsa_key(2048);
  const pkey_ptr short_rsa = rsa_key(1024);
  const std::string encrypted = pem_of(rsa.get(), pem_form::pkcs8_encrypted);
  CHECK(refusal(encrypted, key_algorithm::rsa_sha256).find("encrypted") != std::string::npos);
  CHECK(refusal(pem_of(rsa.get(), pem_form::public_key), key_algorithm::rsa_sha256)
            .find("public key") != std::string::npos);
  CHECK(refusal("not a pem at all", key_algorithm::ed25519).find("no PEM private key") !=
        std::string::npos);
  CHECK(refusal(e_key_pem, key_algorithm::rsa_sha256) ==
        "private key: the key is ed25519, key_type says rsa");
  CHECK(refusal(pem_of(rsa.get(), pem_form::pkcs8), key_algorithm::ed25519) ==
        "private key: the key is rsa, key_type says ed25519");
  CHECK(refusal(pem_of(short_rsa.get(), pem_form::pkcs8), key_algorithm::rsa_sha256) ==
        "private key: an RSA key of 1024 bits; Binance takes 2048 or 4096");
  // No refusal quotes the key: the base64 body of the PEM appears in none of them.
  CHECK(refusal(e_key_pem, key_algorithm::rsa_sha256).find("MC4CAQAw") == std::string::npos);
}

TEST_CASE("a moved signer keeps the key, and a small output buffer gets nothing") {
  asymmetric_signer a(e_key_pem, key_algorithm::ed25519);
  const std::string before = sign(a, "timestamp=1700000000000");
  asymmetric_signer b(std::move(a));
  CHECK(sign(b, "timestamp=1700000000000") == before);
  std::string small(87, '?');
  CHECK(b.sign_base64("timestamp=1700000000000", small) == 0);
  CHECK(small == std::string(87, '?'));
}
