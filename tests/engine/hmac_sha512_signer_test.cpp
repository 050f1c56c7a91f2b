// hmac_sha512_signer against Gate's published vectors (docs/venues.md §Gate) and, for every length
// around the block boundaries, against OpenSSL's one-shot HMAC() and EVP SHA-512.

#include "posmode/engine/hmac_sha512_signer.hpp"

#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>
#include <string>
#include <utility>

#include "posmode/engine/encoding.hpp"
#include "support/allocation_counter.hpp"

using posmode::engine::hmac_sha512_signer;

namespace {

constexpr std::string_view gate_secret =
    "gatesecret0123456789abcdef0123456789abcdef0123456789abcdef0123";
constexpr std::string_view empty_body_hash =
    "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec"
    "2f"
    "63b931bd47417a81a538327af927da3e";

std::string hex(const hmac_sha512_signer& s, std::string_view message) {
  std::string out(hmac_sha512_signer::hex_size, '?');
  s.sign_hex(message, std::span<char, hmac_sha512_signer::hex_size>(out.data(), out.size()));
  return out;
}

std::string openssl_hmac_hex(std::string_view key, std::string_view message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  REQUIRE(HMAC(EVP_sha512(), key.data(), static_cast<int>(key.size()),
               reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac,
               &len) != nullptr);
  REQUIRE(len == 64);
  std::string out(128, '?');
  posmode::engine::encode_hex_lower({mac, len}, out);
  return out;
}

std::string sha512_hex_of(std::string_view message) {
  std::string out(hmac_sha512_signer::hex_size, '?');
  posmode::engine::sha512_hex(
      message, std::span<char, hmac_sha512_signer::hex_size>(out.data(), out.size()));
  return out;
}

std::string gate_string(std::string_view method, std::string_view path, std::string_view query) {
  return std::string(method) + "\n" + std::string(path) + "\n" + std::string(query) + "\n" +
         std::string(empty_body_hash) + "\n1700000000";
}

}  // namespace

constexpr hmac_sha512_signer::backend backends[] = {hmac_sha512_signer::backend::openssl,
                                                    hmac_sha512_signer::backend::portable};

TEST_CASE("HMAC-SHA512 matches Gate's published signatures (G1-G6)") {
  hmac_sha512_signer::backend which = hmac_sha512_signer::backend::openssl;
  SUBCASE("openssl") {}
  SUBCASE("portable") {
    which = hmac_sha512_signer::backend::portable;
  }
  const hmac_sha512_signer s(gate_secret, which);
  CHECK(s.active_backend() == which);
  CHECK(hex(s, gate_string("POST", "/api/v4/futures/usdt/dual_mode", "dual_mode=true")) ==
        "f92e1e0e34234b093ebf2c5f67af2545f43d0cb5ede070f81cfc28c34c9cc2ceaa0533e52b1eaaf18e423e7eaf"
        "7076ee85893a1bde6abf1458fe0bc58046ac30");
  CHECK(hex(s, gate_string("POST", "/api/v4/futures/usdt/dual_mode", "dual_mode=false")) ==
        "0a68a057147e5a7bf7c051c3e3502b4b615fc98c285b812077133e9487af7be4f942d910f67042adf77d381ee9"
        "7d5abb753a5b4fc30bd9ff76d8019d8fd0f399");
  CHECK(hex(s, gate_string("POST", "/api/v4/futures/usdt/set_position_mode",
                           "position_mode=single")) ==
        "e84ae8b01c6367a4f9bb340640577087fb7de4937c90d2c31fb85095ede440cfcaf3f1f848ea8d01c00ac70cdb"
        "a4099476d4212c6fd6af9e6c26234708307c38");
  CHECK(
      hex(s, gate_string("POST", "/api/v4/futures/usdt/set_position_mode", "position_mode=dual")) ==
      "b3580438412d68e259b897e5b2f6728f3d5f4f9283d9b6f2d210fad4d88918a40962cd8b844ea25ebddcb53c01"
      "e045045c439b9c0243ca695170f7214b618125");
  CHECK(hex(s, gate_string("POST", "/api/v4/futures/usdt/set_position_mode",
                           "position_mode=dual_plus")) ==
        "e9b3971a531208c355091893a67cee35bf5ec7bbffd558c96f06acb51be93cdac105cf86ab921a930d6165cb20"
        "40e2d3bc2d7b60ff33eda2d8ca8d325b98211f");
  CHECK(hex(s, gate_string("GET", "/api/v4/futures/usdt/accounts", "")) ==
        "394a0e61636fdd539c408affb234965147e950121c0aebc08780407d0cf3edc15e4dfd7213ed1e4bde380a307f"
        "32eb19e022fd838e74a3619d1b745dfaa88a83");
}

TEST_CASE("SHA-512 of Gate's bodies: the empty one and G7's JSON") {
  CHECK(sha512_hex_of("") == empty_body_hash);
  CHECK(sha512_hex_of(R"({"position_mode":"dual"})") ==
        "a7a5202b3536482df9bdb1f1f478b2eb745e42fd8edabe467751cf1009e47ab797910e62a5bf5c2df68f60a3"
        "0050f9d081e3fde37e3937768cee7ab3130ea77b");
}

TEST_CASE("HMAC-SHA512 equals OpenSSL's HMAC() for every length around the block boundaries") {
  // Keys below, at and above the 128-byte block (hashed first); messages crossing the one- and
  // two-block padding boundaries (111/112 and 239/240 bytes).
  std::string message;
  for (int i = 0; i < 300; ++i)
    message.push_back(static_cast<char>('a' + (i * 7) % 26));
  for (const std::size_t key_len : {1u, 20u, 64u, 127u, 128u, 129u, 200u}) {
    const std::string key(key_len, static_cast<char>(0x0b + key_len % 5));
    for (const auto which : backends) {
      const hmac_sha512_signer s(key, which);
      for (std::size_t len = 0; len <= message.size(); ++len) {
        const std::string_view m(message.data(), len);
        CAPTURE(key_len);
        CAPTURE(len);
        CAPTURE(static_cast<int>(which));
        REQUIRE(hex(s, m) == openssl_hmac_hex(key, m));
      }
    }
  }
}

TEST_CASE("SHA-512 equals OpenSSL's EVP digest for every length up to three blocks") {
  std::string message;
  for (int i = 0; i < 384; ++i)
    message.push_back(static_cast<char>(i * 31));
  for (std::size_t len = 0; len <= message.size(); ++len) {
    unsigned char md[64];
    unsigned int md_len = 0;
    REQUIRE(EVP_Digest(message.data(), len, md, &md_len, EVP_sha512(), nullptr) == 1);
    std::string expected(128, '?');
    posmode::engine::encode_hex_lower({md, md_len}, expected);
    CAPTURE(len);
    REQUIRE(sha512_hex_of({message.data(), len}) == expected);
  }
}

TEST_CASE("an HMAC-SHA512 signer refuses an empty secret, moves, and signs without allocating") {
  CHECK_THROWS_AS(hmac_sha512_signer(""), std::invalid_argument);
  hmac_sha512_signer::backend which = hmac_sha512_signer::backend::openssl;
  SUBCASE("openssl") {}
  SUBCASE("portable") {
    which = hmac_sha512_signer::backend::portable;
  }
  hmac_sha512_signer a(gate_secret, which);
  const std::string m = gate_string("GET", "/api/v4/futures/usdt/accounts", "");
  const std::string before = hex(a, m);
  hmac_sha512_signer b(std::move(a));
  CHECK(hex(b, m) == before);
  hmac_sha512_signer c("other");
  c = std::move(b);
  CHECK(hex(c, m) == before);
#if POSMODE_ALLOCATION_COUNTING
  std::string out(hmac_sha512_signer::hex_size, '?');
  const std::span<char, hmac_sha512_signer::hex_size> span(out.data(), out.size());
  posmode::test::allocation_scope scope;
  for (int i = 0; i < 100; ++i)
    c.sign_hex(m, span);
  CHECK(scope.count() == 0);
#endif
}
