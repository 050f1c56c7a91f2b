#pragma once

// Shared by the Gate tests of the mock exchange (gate_test.cpp, gate_auth_test.cpp): the documented
// fake inputs, the test's own Gate signer (OpenSSL one-shot SHA-512 and HMAC-SHA512, independent
// of the mock's wire.cpp), a request builder and a fixture with one account.

#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <string>
#include <string_view>
#include <utility>

#include "posmode/mock/exchange.hpp"
#include "tools/mock_client.hpp"

namespace posmode::test::gate {

using test::mock_client;
using test::now_ms;

// The documented fake inputs (docs/venues.md, top table).
constexpr std::string_view key = "gatekey0123456789abcdef0123456789";
constexpr std::string_view secret =
    "gatesecret0123456789abcdef0123456789abcdef0123456789abcdef0123";
constexpr std::string_view empty_hash =
    "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877e"
    "ec2f63b931bd47417a81a538327af927da3e";
constexpr std::string_view set_path = "/api/v4/futures/usdt/set_position_mode";
constexpr std::string_view dual_path = "/api/v4/futures/usdt/dual_mode";
constexpr std::string_view accounts_path = "/api/v4/futures/usdt/accounts";

inline std::string hex(const unsigned char* bytes, std::size_t size) {
  static constexpr std::string_view digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < size; ++i) {
    out += digits[bytes[i] >> 4U];
    out += digits[bytes[i] & 0x0FU];
  }
  return out;
}

// The test's own SHA-512 and HMAC-SHA512, independent of the mock's wire.cpp.
inline std::string test_sha512(std::string_view data) {
  std::array<unsigned char, 64> digest{};
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha512(), nullptr);
  return hex(digest.data(), length);
}

inline std::string test_sign(std::string_view secret_key, std::string_view message) {
  std::array<unsigned char, 64> mac{};
  unsigned int length = 0;
  HMAC(EVP_sha512(), secret_key.data(), static_cast<int>(secret_key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac.data(), &length);
  return hex(mac.data(), length);
}

inline std::string seconds_now() {
  return std::to_string(now_ms() / 1'000);
}

struct gate_call {
  std::string_view method = "POST";
  std::string_view path = set_path;
  std::string query{};
  std::string body{};
  std::string timestamp{};  ///< empty: now, whole seconds
  std::string api_key = std::string(key);
  std::string signature{};  ///< empty: computed over `signed_query` (else `query`)
  std::string signed_query{};
  bool send_timestamp = true;
  bool send_sign = true;
};

// KEY, Timestamp, SIGN = hex(HMAC-SHA512(secret, METHOD\npath\nquery\nhex(SHA-512(body))\nts)).
inline std::string gate_request(const gate_call& c) {
  const std::string ts = c.timestamp.empty() ? seconds_now() : c.timestamp;
  const std::string payload = std::string(c.method) + "\n" + std::string(c.path) + "\n" +
                              (c.signed_query.empty() ? c.query : c.signed_query) + "\n" +
                              test_sha512(c.body) + "\n" + ts;
  const std::string sign = c.signature.empty() ? test_sign(secret, payload) : c.signature;
  std::string out = std::string(c.method) + " " + std::string(c.path) +
                    (c.query.empty() ? "" : "?" + c.query) + " HTTP/1.1\r\nHost: localhost\r\n";
  if (!c.api_key.empty()) out += "KEY: " + c.api_key + "\r\n";
  if (c.send_timestamp) out += "Timestamp: " + ts + "\r\n";
  if (c.send_sign) out += "SIGN: " + sign + "\r\n";
  out += "Accept: application/json\r\nContent-Type: application/json\r\n";
  if (c.method == "POST" || !c.body.empty())
    out += "Content-Length: " + std::to_string(c.body.size()) + "\r\n";
  return out + "\r\n" + c.body;
}

inline mock::exchange_options unlimited() {
  mock::exchange_options options;
  options.gate_rate_limit = 1'000;  // the limit has its own test
  return options;
}

struct gate_fixture {
  mock::exchange ex;
  mock_client client{ex.port(), ex.ca_pem()};

  explicit gate_fixture(mock::exchange_options options = unlimited()) : ex(std::move(options)) {
    mock::gate_account account;
    account.api_key = std::string(key);
    account.secret = std::string(secret);
    ex.add_gate_account(account);
    REQUIRE(!client.connect());
  }

  test::read_result call(const gate_call& c) { return client.request(gate_request(c)); }
  test::read_result set(std::string_view mode, std::string_view path = set_path) {
    return call({.path = path, .query = "position_mode=" + std::string(mode)});
  }
  test::read_result legacy(bool dual) {
    return call({.path = dual_path, .query = dual ? "dual_mode=true" : "dual_mode=false"});
  }
  test::read_result accounts(std::string_view path = accounts_path) {
    return call({.method = "GET", .path = path});
  }
};

inline bool has_label(const test::read_result& r, std::string_view label) {
  return r.response.body().starts_with(R"({"label":")" + std::string(label) + '"');
}

inline bool reads_mode(const test::read_result& r, std::string_view mode) {
  return r.status() == 200 && r.response.body().find(R"("position_mode":")" + std::string(mode) +
                                                     "\"}") != std::string::npos;
}

inline bool has_text(const test::read_result& r, std::string_view text) {
  return r.response.body().find(text) != std::string::npos;
}

}  // namespace posmode::test::gate
