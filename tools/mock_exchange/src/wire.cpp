#include "wire.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <array>
#include <charconv>
#include <map>
#include <memory>
#include <stdexcept>

#include "state.hpp"

namespace posmode::mock::detail {

namespace {

std::array<unsigned char, 32> hmac_sha256(std::string_view key, std::string_view message) {
  std::array<unsigned char, 32> mac{};
  unsigned int length = 0;
  // One-shot HMAC() on purpose: the mock must not reuse posmode's pre-keyed signer (it checks it).
  const unsigned char* out = HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
                                  reinterpret_cast<const unsigned char*>(message.data()),
                                  message.size(), mac.data(), &length);
  if (out == nullptr || length != mac.size()) throw std::runtime_error("HMAC() failed");
  return mac;
}

std::string to_hex(const unsigned char* bytes, std::size_t size) {
  static constexpr std::string_view digits = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    hex.push_back(digits[bytes[i] >> 4U]);
    hex.push_back(digits[bytes[i] & 0x0FU]);
  }
  return hex;
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string hmac_sha512_hex(std::string_view key, std::string_view message) {
  std::array<unsigned char, 64> mac{};
  unsigned int length = 0;
  // One-shot, as for SHA-256: independent of whatever signer posmode uses for Gate.
  const unsigned char* out = HMAC(EVP_sha512(), key.data(), static_cast<int>(key.size()),
                                  reinterpret_cast<const unsigned char*>(message.data()),
                                  message.size(), mac.data(), &length);
  if (out == nullptr || length != mac.size()) throw std::runtime_error("HMAC() failed");
  return to_hex(mac.data(), mac.size());
}

std::string sha512_hex(std::string_view data) {
  std::array<unsigned char, 64> digest{};
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha512(), nullptr) != 1 ||
      length != digest.size())
    throw std::runtime_error("EVP_Digest() failed");
  return to_hex(digest.data(), digest.size());
}

std::string query_unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
               hex_value(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

namespace {

using pkey_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

pkey_ptr read_public_key(std::string_view pem) {
  const std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  return pkey_ptr(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr,
                  &EVP_PKEY_free);
}

}  // namespace

int public_key_type(std::string_view public_pem, int& bits) {
  const pkey_ptr key = read_public_key(public_pem);
  bits = key ? EVP_PKEY_get_bits(key.get()) : 0;
  return key ? EVP_PKEY_get_base_id(key.get()) : 0;
}

namespace {

// Parsing the PEM costs more than verifying: the keys a server thread has verified with are kept
// (a handful per test; the cache is dropped whole past 64).
EVP_PKEY* cached_public_key(std::string_view pem) {
  thread_local std::map<std::string, pkey_ptr, std::less<>> cache;
  if (const auto it = cache.find(pem); it != cache.end()) return it->second.get();
  pkey_ptr key = read_public_key(pem);
  if (!key) return nullptr;
  if (cache.size() >= 64) cache.clear();
  return cache.emplace(std::string(pem), std::move(key)).first->second.get();
}

}  // namespace

bool verify_base64_signature(std::string_view public_pem, std::string_view message,
                             std::string_view base64) {
  EVP_PKEY* const key = cached_public_key(public_pem);
  if (key == nullptr || base64.empty() || base64.size() % 4 != 0 || base64.size() > 4096)
    return false;
  std::string raw(base64.size(), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(raw.data()),
                                reinterpret_cast<const unsigned char*>(base64.data()),
                                static_cast<int>(base64.size()));
  if (n <= 0) return false;
  // EVP_DecodeBlock counts each '=' of padding as a decoded zero byte.
  std::size_t padding = 0;
  while (padding < 2 && base64[base64.size() - 1 - padding] == '=')
    ++padding;
  raw.resize(static_cast<std::size_t>(n) - padding);
  const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                    &EVP_MD_CTX_free);
  const EVP_MD* md = EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519 ? nullptr : EVP_sha256();
  return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
                          reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  const auto mac = hmac_sha256(key, message);
  return to_hex(mac.data(), mac.size());
}

std::string hmac_sha256_base64(std::string_view key, std::string_view message) {
  const auto mac = hmac_sha256(key, message);
  std::array<unsigned char, 48> text{};  // 4 * ceil(32 / 3) + NUL
  const int length = EVP_EncodeBlock(text.data(), mac.data(), static_cast<int>(mac.size()));
  return {reinterpret_cast<const char*>(text.data()), static_cast<std::size_t>(length)};
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string to_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string_view media_type(std::string_view content_type) noexcept {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && t.front() == ' ')
    t.remove_prefix(1);
  while (!t.empty() && t.back() == ' ')
    t.remove_suffix(1);
  return t;
}

std::optional<std::string_view> find_param(std::string_view params,
                                           std::string_view name) noexcept {
  while (!params.empty()) {
    const std::size_t amp = params.find('&');
    const std::string_view pair = params.substr(0, amp);
    const std::size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      return eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    }
    if (amp == std::string_view::npos) break;
    params.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

std::optional<std::int64_t> parse_int(std::string_view s) noexcept {
  std::int64_t value = 0;
  if (s.empty() || s.front() == '-' || s.front() == '+') return std::nullopt;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return value;
}

std::string_view header(const boost::beast::http::fields& fields, std::string_view name) noexcept {
  const auto it = fields.find(boost::beast::string_view(name.data(), name.size()));
  if (it == fields.end()) return {};
  const auto value = it->value();
  return {value.data(), value.size()};
}

std::string render(const reply& r, bool keep_alive) {
  const auto reason =
      boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(r.status));
  std::string out;
  out.reserve(256 + r.body.size());
  out += "HTTP/1.1 ";
  out += std::to_string(r.status);
  out += ' ';
  out.append(reason.data(), reason.size());
  out += "\r\nContent-Type: ";
  out += r.content_type;
  out += "\r\nContent-Length: ";
  out += std::to_string(r.body.size());
  out += keep_alive ? "\r\nConnection: keep-alive" : "\r\nConnection: close";
  out += "\r\nServer: posmode-mock-exchange";
  for (const auto& [name, value] : r.headers) {
    out += "\r\n";
    out += name;
    out += ": ";
    out += value;
  }
  out += "\r\n\r\n";
  out += r.body;
  return out;
}

}  // namespace posmode::mock::detail
