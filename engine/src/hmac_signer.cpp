#include "posmode/engine/hmac_signer.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstring>
#include <stdexcept>
#include <utility>

#include "posmode/engine/encoding.hpp"
#include "sha256_x86.hpp"

namespace posmode::engine {
namespace {

constexpr std::size_t block_size = 64;

// RFC 2104: K0 is the key, or SHA-256(key) when longer than a block, zero-padded to a block.
struct padded_key {
  std::uint8_t ipad[block_size];
  std::uint8_t opad[block_size];

  explicit padded_key(std::string_view secret) {
    std::uint8_t k0[block_size] = {};
    if (secret.size() > block_size) {
      unsigned int len = 0;
      if (EVP_Digest(secret.data(), secret.size(), k0, &len, EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("hmac_signer: SHA-256 of the long secret failed");
      }
    } else {
      std::memcpy(k0, secret.data(), secret.size());
    }
    for (std::size_t i = 0; i < block_size; ++i) {
      ipad[i] = static_cast<std::uint8_t>(k0[i] ^ 0x36);
      opad[i] = static_cast<std::uint8_t>(k0[i] ^ 0x5c);
    }
    OPENSSL_cleanse(k0, sizeof k0);
  }
  ~padded_key() { OPENSSL_cleanse(this, sizeof *this); }
  padded_key(const padded_key&) = delete;
  padded_key& operator=(const padded_key&) = delete;
};

EVP_MD_CTX* keyed_context(const std::uint8_t (&pad)[block_size]) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr || EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx, pad, block_size) != 1) {
    EVP_MD_CTX_free(ctx);
    throw std::runtime_error("hmac_signer: OpenSSL could not key a SHA-256 context");
  }
  return ctx;
}

// Appends SHA-256 padding for a message of `total_bytes` whose last `tail_len` bytes are `tail`;
// returns the number of blocks (1 or 2) written to `out`.
std::size_t pad_final_blocks(const std::uint8_t* tail, std::size_t tail_len,
                             std::uint64_t total_bytes,
                             std::uint8_t (&out)[2 * block_size]) noexcept {
  const std::size_t blocks = tail_len + 9 > block_size ? 2 : 1;
  // An empty message may come with a null pointer, and the outer hash pads in place: neither may
  // reach memcpy.
  if (tail_len != 0 && tail != out) std::memcpy(out, tail, tail_len);
  out[tail_len] = 0x80;
  std::memset(out + tail_len + 1, 0, blocks * block_size - tail_len - 1 - 8);
  const std::uint64_t bits = total_bytes * 8;
  std::uint8_t* len = out + blocks * block_size - 8;
  for (int i = 0; i < 8; ++i)
    len[i] = static_cast<std::uint8_t>(bits >> (56 - 8 * i));
  return blocks;
}

}  // namespace

bool hmac_signer::cpu_has_sha_ni() noexcept {
  return detail::sha256_x86_available();
}

hmac_signer::hmac_signer(std::string_view secret, backend which) {
  if (secret.empty()) throw std::invalid_argument("hmac_signer: the secret is empty");
  if (which == backend::automatic) {
    which = cpu_has_sha_ni() ? backend::sha_ni : backend::openssl_evp;
  } else if (which == backend::sha_ni && !cpu_has_sha_ni()) {
    throw std::invalid_argument("hmac_signer: backend sha_ni requested but this CPU lacks SHA-NI");
  }
  backend_ = which;
  const padded_key key(secret);
  if (backend_ == backend::sha_ni) {
    detail::sha256_x86_initial_state(inner_state_.data());
    detail::sha256_x86_compress(inner_state_.data(), key.ipad, 1);
    detail::sha256_x86_initial_state(outer_state_.data());
    detail::sha256_x86_compress(outer_state_.data(), key.opad, 1);
    return;
  }
  try {
    inner_ctx_ = keyed_context(key.ipad);
    outer_ctx_ = keyed_context(key.opad);
    work_ctx_ = EVP_MD_CTX_new();
    if (work_ctx_ == nullptr) throw std::runtime_error("hmac_signer: EVP_MD_CTX_new failed");
  } catch (...) {
    wipe();
    throw;
  }
}

hmac_signer::~hmac_signer() {
  wipe();
}

hmac_signer::hmac_signer(hmac_signer&& other) noexcept
    : inner_state_(other.inner_state_),
      outer_state_(other.outer_state_),
      inner_ctx_(std::exchange(other.inner_ctx_, nullptr)),
      outer_ctx_(std::exchange(other.outer_ctx_, nullptr)),
      work_ctx_(std::exchange(other.work_ctx_, nullptr)),
      backend_(other.backend_) {
  other.wipe();
}

hmac_signer& hmac_signer::operator=(hmac_signer&& other) noexcept {
  if (this != &other) {
    wipe();
    inner_state_ = other.inner_state_;
    outer_state_ = other.outer_state_;
    inner_ctx_ = std::exchange(other.inner_ctx_, nullptr);
    outer_ctx_ = std::exchange(other.outer_ctx_, nullptr);
    work_ctx_ = std::exchange(other.work_ctx_, nullptr);
    backend_ = other.backend_;
    other.wipe();
  }
  return *this;
}

void hmac_signer::wipe() noexcept {
  OPENSSL_cleanse(inner_state_.data(), sizeof inner_state_);
  OPENSSL_cleanse(outer_state_.data(), sizeof outer_state_);
  // EVP_MD_CTX_free cleanses the digest state before freeing it.
  EVP_MD_CTX_free(std::exchange(inner_ctx_, nullptr));
  EVP_MD_CTX_free(std::exchange(outer_ctx_, nullptr));
  EVP_MD_CTX_free(std::exchange(work_ctx_, nullptr));
}

bool hmac_signer::sign(std::string_view message,
                       std::span<std::uint8_t, digest_size> out) noexcept {
  const auto* msg = reinterpret_cast<const std::uint8_t*>(message.data());
  if (backend_ == backend::sha_ni) {
    alignas(16) std::uint32_t state[8];
    std::memcpy(state, inner_state_.data(), sizeof state);
    const std::size_t full = message.size() / block_size;
    detail::sha256_x86_compress(state, msg, full);
    std::uint8_t tail[2 * block_size];
    const std::size_t tail_blocks =
        pad_final_blocks(msg + full * block_size, message.size() % block_size,
                         block_size + std::uint64_t{message.size()}, tail);
    detail::sha256_x86_compress(state, tail, tail_blocks);

    // Outer hash: one block holding the inner digest, fixed padding and length 64 + 32 bytes.
    std::uint8_t outer[2 * block_size];
    detail::sha256_x86_digest(state, outer);
    pad_final_blocks(outer, digest_size, block_size + digest_size, outer);
    std::memcpy(state, outer_state_.data(), sizeof state);
    detail::sha256_x86_compress(state, outer, 1);
    detail::sha256_x86_digest(state, out.data());
    return true;
  }
  unsigned int len = 0;
  return EVP_MD_CTX_copy_ex(work_ctx_, inner_ctx_) == 1 &&
         EVP_DigestUpdate(work_ctx_, msg, message.size()) == 1 &&
         EVP_DigestFinal_ex(work_ctx_, out.data(), &len) == 1 &&
         EVP_MD_CTX_copy_ex(work_ctx_, outer_ctx_) == 1 &&
         EVP_DigestUpdate(work_ctx_, out.data(), digest_size) == 1 &&
         EVP_DigestFinal_ex(work_ctx_, out.data(), &len) == 1;
}

bool hmac_signer::sign_hex(std::string_view message, std::span<char, hex_size> out) noexcept {
  std::uint8_t mac[digest_size];
  if (!sign(message, mac)) return false;
  encode_hex_lower(mac, out);
  return true;
}

bool hmac_signer::sign_base64(std::string_view message, std::span<char, base64_size> out) noexcept {
  std::uint8_t mac[digest_size];
  if (!sign(message, mac)) return false;
  encode_base64(mac, out);
  return true;
}

}  // namespace posmode::engine
