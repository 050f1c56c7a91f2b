#pragma once

#include <string>
#include <string_view>

namespace posmode::components {

/**
 * A secret (API secret, passphrase) that never prints: there is no stream operator, no
 * conversion to string, and the storage is wiped (`OPENSSL_cleanse`) when destroyed, moved from
 * or reassigned. `reveal()` is the single, greppable way to read it.
 *
 * Not for the hot path: construction and assignment allocate. Not synchronised.
 */
class secret_string {
 public:
  secret_string() = default;
  explicit secret_string(std::string_view value) : value_(value) {}
  secret_string(const secret_string&) = default;
  secret_string& operator=(const secret_string& other);
  secret_string(secret_string&& other) noexcept;
  secret_string& operator=(secret_string&& other) noexcept;
  ~secret_string();

  /** The secret itself, for the signer and the request renderer only. */
  [[nodiscard]] std::string_view reveal() const noexcept { return value_; }
  [[nodiscard]] bool empty() const noexcept { return value_.empty(); }

 private:
  void wipe() noexcept;
  std::string value_;
};

/**
 * One account's API credentials. The key is not secret (it is sent in a header) but is shown
 * masked by `masked_key()`; the secret and passphrase are `secret_string`s.
 */
struct credentials {
  std::string api_key;
  secret_string secret;
  secret_string passphrase;  ///< Bitget only; empty for Binance

  /** The key with all but its first 4 and last 4 characters replaced by '*'. Allocates. */
  [[nodiscard]] std::string masked_key() const;
};

}  // namespace posmode::components
