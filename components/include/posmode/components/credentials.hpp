#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "posmode/engine/secure_buffer.hpp"

namespace posmode::components {

/**
 * A secret (API secret, passphrase) that never prints: there is no stream operator, no
 * conversion to string, and the bytes live in a `engine::secure_buffer` (pages of their own,
 * excluded from core dumps, wiped when destroyed, reassigned or moved from). `reveal()` is the
 * single, greppable way to read it.
 *
 * Not for the hot path: construction and copies map memory (`std::bad_alloc` on failure). Not
 * synchronised.
 */
class secret_string {
 public:
  secret_string() = default;
  explicit secret_string(std::string_view value);
  secret_string(const secret_string& other) : secret_string(other.reveal()) {}
  secret_string& operator=(const secret_string& other);
  secret_string(secret_string&& other) noexcept
      : memory_(std::move(other.memory_)), size_(std::exchange(other.size_, 0)) {}
  secret_string& operator=(secret_string&& other) noexcept {
    memory_ = std::move(other.memory_);
    size_ = std::exchange(other.size_, 0);
    return *this;
  }
  ~secret_string() = default;

  /** The secret itself, for the signer and the request renderer only. */
  [[nodiscard]] std::string_view reveal() const noexcept { return {memory_.data(), size_}; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  /** True when the bytes are kept out of core dumps (`MADV_DONTDUMP` accepted). */
  [[nodiscard]] bool dump_excluded() const noexcept { return memory_.dump_excluded(); }

 private:
  engine::secure_buffer memory_;
  std::size_t size_ = 0;
};

/**
 * One account's API credentials. The key is not secret (it is sent in a header) but is shown
 * masked by `masked_key()`; the secret, passphrase and private key are `secret_string`s.
 * An account signs with `secret` (`api_key_type::hmac`) or with `private_key` (Ed25519 or RSA);
 * never both.
 */
struct credentials {
  std::string api_key;
  secret_string secret;
  secret_string passphrase;  ///< Bitget, OKX only; empty for Binance
  /** The PEM text of an Ed25519 or RSA private key (`account_config::key_type`); parsed into
   *  OpenSSL's key once, when the account's requests are built. */
  secret_string private_key;

  /** The key with all but its first 4 and last 4 characters replaced by '*'. Allocates. */
  [[nodiscard]] std::string masked_key() const;
};

}  // namespace posmode::components
