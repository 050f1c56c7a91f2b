#include "posmode/engine/hmac_sha512_signer.hpp"

#include <openssl/crypto.h>

#include <cstring>
#include <stdexcept>

#include "posmode/engine/encoding.hpp"
#include "sha512.hpp"

namespace posmode::engine {
namespace {

using detail::sha512_block_size;
detail::sha512_compress_fn compress_of(hmac_sha512_signer::backend b) noexcept {
  return b == hmac_sha512_signer::backend::openssl ? &detail::sha512_compress_openssl
                                                   : &detail::sha512_compress;
}

void absorb(std::array<std::uint64_t, 8>& state, const std::uint8_t* block,
            detail::sha512_compress_fn compress) noexcept {
  detail::sha512_initial_state(state.data());
  compress(state.data(), block, 1);
}

void hash(std::string_view message, std::uint8_t (&out)[64]) noexcept {
  std::uint64_t state[8];
  detail::sha512_initial_state(state);
  const auto* p = reinterpret_cast<const std::uint8_t*>(message.data());
  const std::size_t full = message.size() / sha512_block_size;
  detail::sha512_compress_openssl(state, p, full);
  detail::sha512_finish(state, p + full * sha512_block_size, message.size() % sha512_block_size,
                        message.size(), &detail::sha512_compress_openssl);
  detail::sha512_digest(state, out);
  OPENSSL_cleanse(state, sizeof state);
}

}  // namespace

hmac_sha512_signer::hmac_sha512_signer(std::string_view secret, backend which) : backend_(which) {
  if (secret.empty()) throw std::invalid_argument("hmac_sha512_signer: the secret is empty");
  // RFC 2104: K0 is the key, or SHA-512(key) when longer than a block, zero-padded to a block.
  std::uint8_t k0[sha512_block_size] = {};
  if (secret.size() > sha512_block_size) {
    std::uint8_t digest[64];
    hash(secret, digest);
    std::memcpy(k0, digest, sizeof digest);
    OPENSSL_cleanse(digest, sizeof digest);
  } else {
    std::memcpy(k0, secret.data(), secret.size());
  }
  std::uint8_t pad[sha512_block_size];
  for (std::size_t i = 0; i < sha512_block_size; ++i)
    pad[i] = static_cast<std::uint8_t>(k0[i] ^ 0x36);
  absorb(inner_state_, pad, compress_of(backend_));
  for (std::size_t i = 0; i < sha512_block_size; ++i)
    pad[i] = static_cast<std::uint8_t>(k0[i] ^ 0x5c);
  absorb(outer_state_, pad, compress_of(backend_));
  OPENSSL_cleanse(pad, sizeof pad);
  OPENSSL_cleanse(k0, sizeof k0);
}

hmac_sha512_signer::~hmac_sha512_signer() {
  wipe();
}

hmac_sha512_signer::hmac_sha512_signer(hmac_sha512_signer&& other) noexcept
    : inner_state_(other.inner_state_), outer_state_(other.outer_state_), backend_(other.backend_) {
  other.wipe();
}

hmac_sha512_signer& hmac_sha512_signer::operator=(hmac_sha512_signer&& other) noexcept {
  if (this != &other) {
    inner_state_ = other.inner_state_;
    outer_state_ = other.outer_state_;
    backend_ = other.backend_;
    other.wipe();
  }
  return *this;
}

void hmac_sha512_signer::wipe() noexcept {
  OPENSSL_cleanse(inner_state_.data(), sizeof inner_state_);
  OPENSSL_cleanse(outer_state_.data(), sizeof outer_state_);
}

void hmac_sha512_signer::sign(std::string_view message,
                              std::span<std::uint8_t, digest_size> out) const noexcept {
  std::uint64_t state[8];
  std::memcpy(state, inner_state_.data(), sizeof state);
  const auto* p = reinterpret_cast<const std::uint8_t*>(message.data());
  const std::size_t full = message.size() / sha512_block_size;
  const detail::sha512_compress_fn fn = compress_of(backend_);
  if (full != 0) fn(state, p, full);
  detail::sha512_finish(state, p + full * sha512_block_size, message.size() % sha512_block_size,
                        sha512_block_size + std::uint64_t{message.size()}, fn);
  std::uint8_t inner[digest_size];
  detail::sha512_digest(state, inner);
  // Outer hash: the inner digest after the opad block, 128 + 64 bytes in all.
  std::memcpy(state, outer_state_.data(), sizeof state);
  detail::sha512_finish(state, inner, digest_size, sha512_block_size + digest_size, fn);
  detail::sha512_digest(state, out.data());
}

void hmac_sha512_signer::sign_hex(std::string_view message,
                                  std::span<char, hex_size> out) const noexcept {
  std::uint8_t mac[digest_size];
  sign(message, mac);
  encode_hex_lower(mac, out);
}

void sha512_hex(std::string_view message,
                std::span<char, hmac_sha512_signer::hex_size> out) noexcept {
  std::uint8_t digest[64];
  hash(message, digest);
  encode_hex_lower(digest, out);
}

}  // namespace posmode::engine
