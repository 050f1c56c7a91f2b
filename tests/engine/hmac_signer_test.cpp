#include "posmode/engine/hmac_signer.hpp"

#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "posmode/engine/encoding.hpp"
#include "support/allocation_counter.hpp"

using posmode::engine::hmac_signer;

namespace {

std::vector<hmac_signer::backend> available_backends() {
  std::vector<hmac_signer::backend> b{hmac_signer::backend::openssl_evp};
  if (hmac_signer::cpu_has_sha_ni()) b.push_back(hmac_signer::backend::sha_ni);
  return b;
}

const char* name_of(hmac_signer::backend b) {
  return b == hmac_signer::backend::sha_ni ? "sha_ni" : "openssl_evp";
}

std::string hex(hmac_signer& s, std::string_view message) {
  std::string out(hmac_signer::hex_size, '?');
  REQUIRE(s.sign_hex(message, std::span<char, hmac_signer::hex_size>(out.data(), out.size())));
  return out;
}

std::string base64(hmac_signer& s, std::string_view message) {
  std::string out(hmac_signer::base64_size, '?');
  REQUIRE(
      s.sign_base64(message, std::span<char, hmac_signer::base64_size>(out.data(), out.size())));
  return out;
}

std::string bytes(std::size_t n, char c) {
  return std::string(n, c);
}

std::string openssl_hmac_hex(std::string_view key, std::string_view message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len);
  std::string out(2 * len, '?');
  posmode::engine::encode_hex_lower(std::span<const std::uint8_t>(mac, len), out);
  return out;
}

struct vector_case {
  const char* name;
  std::string key;
  std::string message;
  const char* hex;
};

}  // namespace

TEST_CASE("signatures match the RFC 4231 HMAC-SHA256 test cases on every backend") {
  std::string key4;
  for (char c = 1; c <= 25; ++c)
    key4.push_back(c);
  const std::vector<vector_case> cases = {
      {"1", bytes(20, '\x0b'), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"2", "Jefe", "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {"3", bytes(20, '\xaa'), bytes(50, '\xdd'),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {"4", key4, bytes(50, '\xcd'),
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {"5 (truncated to 128 bits)", bytes(20, '\x0c'), "Test With Truncation",
       "a3b6167473100ee06e0c796c2955552b"},
      {"6", bytes(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {"7", bytes(131, '\xaa'),
       "This is a test using a larger than block-size key and a larger than block-size data. The "
       "key needs to be hashed before being used by the HMAC algorithm.",
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
  for (const auto backend : available_backends()) {
    CAPTURE(name_of(backend));
    for (const auto& c : cases) {
      CAPTURE(c.name);
      hmac_signer signer(c.key, backend);
      const std::string expected = c.hex;
      CHECK(hex(signer, c.message).substr(0, expected.size()) == expected);
    }
  }
}

TEST_CASE("signatures match the Binance documentation vectors B1, B3 and B4") {
  const std::string b1_secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
  const std::string b3_secret = "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9";
  const std::vector<vector_case> cases = {
      {"B1", b1_secret,
       "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&"
       "timestamp=1499827319559",
       "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"},
      {"B3", b3_secret,
       "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000&"
       "timestamp=1591702613943",
       "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9"},
      {"B4 (with the documented stray space)", b3_secret,
       "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTCquantity=1&price=9000&recvWindow=5000&"
       "timestamp= 1591702613943",
       "f9d0ae5e813ef6ccf15c2b5a434047a0181cb5a342b903b367ca6d27a66e36f2"},
  };
  for (const auto backend : available_backends()) {
    CAPTURE(name_of(backend));
    for (const auto& c : cases) {
      CAPTURE(c.name);
      hmac_signer signer(c.key, backend);
      CHECK(hex(signer, c.message) == c.hex);
    }
  }
}

TEST_CASE("signatures match the captured Binance request vectors (hex)") {
  const std::string secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"timestamp=1700000000000&dualSidePosition=true&recvWindow=10000",
       "f454bbabe14ab4eaaed8289a2dc702b5ee6d632f3cc5f8b475a5b1e3489d7c90"},
      {"timestamp=1700000000000&dualSidePosition=false&recvWindow=10000",
       "213f5b83ecb53c6ad7847ac8ee8489a0f873d2f65e12e02ff3d4a4f298b06ad6"},
      {"timestamp=1700000000000&recvWindow=10000",
       "b4069c8a49b1ce04606701ff7d300a7db2344d4f355056e70bb4e48d247b0a28"},
      {"dualSidePosition=true&timestamp=1700000000000",
       "cb6b612f248c74276e300efcba8f71430c445f88841b39b31ce310fe518f9a19"},
      {"dualSidePosition=false&recvWindow=5000&timestamp=1700000000000",
       "a32912a3e10cf6eedb7c887756f4b5eb7878077e1f50d1fcac3681b75a0ad171"},
      {"timestamp=1700000000000",
       "11ce6b18ed8a095f39e30a856dfee442c52b2a29d2b28dd45ef0efd52e7b383a"},
      {"dualSidePosition=true&timestamp=1700000000000&recvWindow=5000",
       "5b3bc63932c66238bad8a7ff513570399ff5e9f567ec74f8ae6f994241531b14"},
  };
  for (const auto backend : available_backends()) {
    CAPTURE(name_of(backend));
    hmac_signer signer(secret, backend);
    for (const auto& c : cases) {
      CAPTURE(c.first);
      CHECK(hex(signer, c.first) == c.second);
    }
  }
}

TEST_CASE("signatures match the captured Bitget request vectors (base64)") {
  const std::string secret = "bgsecret0123456789abcdef0123456789abcdef0123456789abcdef01234567";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"(1700000000000POST/api/v2/mix/account/set-position-mode{"posMode":"hedge_mode","productType":"USDT-FUTURES"})",
       "KOUv+7MHyvbtZLehWB7Smntu0p6H+a9DN/hv6JpRi3I="},
      {R"(1700000000000POST/api/v2/mix/account/set-position-mode{"productType":"USDT-FUTURES","posMode":"hedge_mode"})",
       "2Gdz2auu+jzKidxaH31F06Y3yfd6s3i4XPMpMQBosAQ="},
      {"1700000000000GET/api/v2/mix/account/"
       "account?marginCoin=USDT&productType=USDT-FUTURES&symbol=BTCUSDT",
       "bF06fQ8DvqlgrxjnOGkZ3eGJETknMtxKmK3sF+h1AyE="},
  };
  for (const auto backend : available_backends()) {
    CAPTURE(name_of(backend));
    hmac_signer signer(secret, backend);
    for (const auto& c : cases) {
      CAPTURE(c.first);
      CHECK(base64(signer, c.first) == c.second);
    }
  }
}

TEST_CASE("every message length from 0 to 300 and key length from 1 to 200 agrees with OpenSSL") {
  const std::uint32_t seed = 4231;
  INFO("seed = " << seed);
  std::mt19937 rng(seed);
  auto random_string = [&](std::size_t n) {
    std::string s(n, '\0');
    for (auto& c : s)
      c = static_cast<char>(rng());
    return s;
  };
  for (const auto backend : available_backends()) {
    CAPTURE(name_of(backend));
    for (std::size_t key_len : {1U, 31U, 32U, 63U, 64U, 65U, 128U, 200U}) {
      const std::string key = random_string(key_len);
      hmac_signer signer(key, backend);
      for (std::size_t len = 0; len <= 300; ++len) {
        CAPTURE(key_len);
        CAPTURE(len);
        const std::string message = random_string(len);
        REQUIRE(hex(signer, message) == openssl_hmac_hex(key, message));
      }
    }
  }
}

TEST_CASE("an empty message given as a default string_view signs like an empty string") {
  for (const auto backend : available_backends()) {
    CAPTURE(name_of(backend));
    hmac_signer signer("key", backend);
    CHECK(hex(signer, std::string_view{}) == openssl_hmac_hex("key", ""));
  }
}

TEST_CASE("an empty secret is refused without echoing anything secret") {
  CHECK_THROWS_WITH_AS(hmac_signer(""), "hmac_signer: the secret is empty", std::invalid_argument);
}

TEST_CASE("automatic picks SHA-NI exactly when the CPU has it, and SHA-NI is refused without it") {
  hmac_signer automatic("key");
  if (hmac_signer::cpu_has_sha_ni()) {
    CHECK(automatic.active_backend() == hmac_signer::backend::sha_ni);
  } else {
    CHECK(automatic.active_backend() == hmac_signer::backend::openssl_evp);
    CHECK_THROWS_AS(hmac_signer("key", hmac_signer::backend::sha_ni), std::invalid_argument);
  }
  hmac_signer evp("key", hmac_signer::backend::openssl_evp);
  CHECK(evp.active_backend() == hmac_signer::backend::openssl_evp);
}

// A short secret too: a `std::string` member would hold it inline (small-string storage), where
// this test can see it; a long one would only leave a pointer behind.
TEST_CASE("the signer keeps no copy of the secret in its own storage") {
  for (const std::string& secret :
       {std::string("Kx7pQ2mZ9wLc"),
        std::string("NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j")}) {
    for (const auto backend : available_backends()) {
      CAPTURE(name_of(backend));
      CAPTURE(secret.size());
      const hmac_signer signer(secret, backend);
      const auto* raw = reinterpret_cast<const char*>(&signer);
      const std::string_view storage(raw, sizeof signer);
      CHECK(storage.find(secret.substr(0, 8)) == std::string_view::npos);
      CHECK(storage.find(secret.substr(secret.size() - 8)) == std::string_view::npos);
    }
  }
}

TEST_CASE("a moved signer signs as the original did, and the moved-from one is wiped") {
  for (const auto backend : available_backends()) {
    CAPTURE(name_of(backend));
    hmac_signer original("Jefe", backend);
    const std::string expected = hex(original, "what do ya want for nothing?");
    hmac_signer moved(std::move(original));
    CHECK(hex(moved, "what do ya want for nothing?") == expected);
    hmac_signer assigned("other", backend);
    assigned = std::move(moved);
    CHECK(hex(assigned, "what do ya want for nothing?") == expected);
  }
}

#if POSMODE_ALLOCATION_COUNTING
TEST_CASE("signing with the SHA-NI backend makes no allocation") {
  if (!hmac_signer::cpu_has_sha_ni()) {
    // The OpenSSL fallback allocates inside EVP_MD_CTX_copy_ex (documented); nothing to prove.
    CHECK_THROWS_AS(hmac_signer("key", hmac_signer::backend::sha_ni), std::invalid_argument);
    return;
  }
  hmac_signer signer("NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j",
                     hmac_signer::backend::sha_ni);
  char hex_out[hmac_signer::hex_size];
  char b64_out[hmac_signer::base64_size];
  posmode::test::allocation_scope scope;
  for (int i = 0; i < 1000; ++i) {
    REQUIRE(
        signer.sign_hex("dualSidePosition=true&recvWindow=5000&timestamp=1700000000000", hex_out));
    REQUIRE(signer.sign_base64("1700000000000GET/api/v2/public/time", b64_out));
  }
  CHECK(scope.count() == 0);
}
#endif
