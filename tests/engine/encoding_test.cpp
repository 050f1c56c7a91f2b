#include "posmode/engine/encoding.hpp"

#include <doctest/doctest.h>
#include <openssl/evp.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

using posmode::engine::base64_encoded_size;
using posmode::engine::encode_base64;
using posmode::engine::encode_hex_lower;
using posmode::engine::hex_encoded_size;

namespace {

std::span<const std::uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Encodes into a buffer exactly `encoded` long followed by guard bytes that must survive.
template <typename Encode>
std::string encode_guarded(Encode encode, std::span<const std::uint8_t> in, std::size_t encoded) {
  std::string buffer(encoded + 8, '#');
  const std::size_t written = encode(in, std::span<char>(buffer.data(), encoded));
  CHECK(written == encoded);
  CHECK(buffer.substr(encoded) == "########");
  return buffer.substr(0, encoded);
}

}  // namespace

TEST_CASE("base64 matches the RFC 4648 section 10 vectors") {
  const std::pair<const char*, const char*> cases[] = {{"", ""},
                                                       {"f", "Zg=="},
                                                       {"fo", "Zm8="},
                                                       {"foo", "Zm9v"},
                                                       {"foob", "Zm9vYg=="},
                                                       {"fooba", "Zm9vYmE="},
                                                       {"foobar", "Zm9vYmFy"}};
  for (const auto& c : cases) {
    CAPTURE(c.first);
    CHECK(encode_guarded(encode_base64, as_bytes(c.first),
                         base64_encoded_size(std::strlen(c.first))) == c.second);
  }
}

TEST_CASE("hex and base64 agree with reference encoders at every input length from 0 to 200") {
  std::mt19937 rng(4648);
  for (std::size_t n = 0; n <= 200; ++n) {
    CAPTURE(n);
    std::vector<std::uint8_t> in(n);
    for (auto& b : in)
      b = static_cast<std::uint8_t>(rng());

    std::string expected_hex;
    for (const auto b : in) {
      char two[3];
      std::snprintf(two, sizeof two, "%02x", b);
      expected_hex += two;
    }
    CHECK(hex_encoded_size(n) == 2 * n);
    CHECK(encode_guarded(encode_hex_lower, in, hex_encoded_size(n)) == expected_hex);

    std::string expected_b64(4 * ((n + 2) / 3) + 1, '\0');
    const int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(expected_b64.data()),
                                    in.data(), static_cast<int>(n));
    expected_b64.resize(static_cast<std::size_t>(len));
    CHECK(base64_encoded_size(n) == expected_b64.size());
    CHECK(encode_guarded(encode_base64, in, base64_encoded_size(n)) == expected_b64);
  }
}

TEST_CASE("a 32-byte MAC encodes to the 64 hex and 44 base64 characters the venues expect") {
  CHECK(hex_encoded_size(32) == 64);
  CHECK(base64_encoded_size(32) == 44);
}
