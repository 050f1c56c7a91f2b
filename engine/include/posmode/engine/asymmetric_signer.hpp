#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept out of this header

namespace posmode::engine {

/** The asymmetric signatures Binance takes besides HMAC (docs/venues.md, Binance key types). */
enum class key_algorithm : std::uint8_t {
  ed25519,     ///< pure Ed25519 (RFC 8032): 64-byte signatures, 88 base64 characters
  rsa_sha256,  ///< RSASSA-PKCS1-v1_5 with SHA-256: modulus-size signatures (344 base64 for 2048
               ///< bits)
};

/** A short name: "ed25519", "rsa". */
[[nodiscard]] std::string_view to_string(key_algorithm a) noexcept;

/** A private key that cannot be used, with why (never any of the key's bytes). */
class key_error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/**
 * An Ed25519 or RSA private key, for signing venue requests ahead of time.
 *
 * Signing costs tens of microseconds (Ed25519) to hundreds (RSA), so it belongs off the hot path:
 * callers pre-sign and keep the bytes. Both algorithms are deterministic, so the same message
 * always gives the same signature.
 *
 * **Threads.** `sign_base64` may be called from one thread at a time per signer.
 * **Allocation.** Construction and every signature allocate (OpenSSL's `EVP_DigestSign*`); never
 * on the hot path.
 * **Errors.** Construction throws `key_error` naming the problem; `sign_base64` returns 0 when
 * OpenSSL fails. No message contains key material.
 * **Secrets.** The key lives in OpenSSL's `EVP_PKEY`, freed (and cleansed by OpenSSL) on
 * destruction; the PEM text passed in is not kept.
 */
class asymmetric_signer {
 public:
  /**
   * Reads an unencrypted PEM private key: PKCS#8 (`BEGIN PRIVATE KEY`) for both algorithms, or
   * PKCS#1 (`BEGIN RSA PRIVATE KEY`) for RSA.
   * @throws key_error when the text holds no private key (a public key or a certificate included),
   *         the PEM is encrypted, the key is not of `expected` type, or an RSA key is shorter than
   *         2048 bits.
   */
  asymmetric_signer(std::string_view pem, key_algorithm expected);
  ~asymmetric_signer();

  asymmetric_signer(const asymmetric_signer&) = delete;
  asymmetric_signer& operator=(const asymmetric_signer&) = delete;
  asymmetric_signer(asymmetric_signer&& other) noexcept;
  asymmetric_signer& operator=(asymmetric_signer&& other) noexcept;

  [[nodiscard]] key_algorithm algorithm() const noexcept { return algorithm_; }
  /** Raw signature bytes: 64 for Ed25519, the modulus size for RSA. */
  [[nodiscard]] std::size_t signature_size() const noexcept { return signature_size_; }
  /** Standard base64 characters of one signature, `=` padding included. */
  [[nodiscard]] std::size_t base64_size() const noexcept;
  /** Key size in bits (255 for Ed25519). */
  [[nodiscard]] int bits() const noexcept { return bits_; }

  /**
   * Signs `message` (its exact bytes) and writes the signature as standard base64 with padding.
   * @return the characters written (`base64_size()`), or 0 if `out` is smaller or OpenSSL fails.
   */
  [[nodiscard]] std::size_t sign_base64(std::string_view message,
                                        std::span<char> out) const noexcept;

 private:
  evp_pkey_st* key_ = nullptr;
  key_algorithm algorithm_ = key_algorithm::ed25519;
  std::size_t signature_size_ = 0;
  int bits_ = 0;
};

/**
 * Writes base64 text as a query-string value: `+` → `%2B`, `/` → `%2F`, `=` → `%3D` (Binance signs
 * the bytes before the `signature` parameter and takes the signature percent-encoded, so its width
 * varies with the signature). Noexcept, no allocation.
 * @return the characters written, or 0 if `out` is too small (at most 3 × `base64.size()`).
 */
[[nodiscard]] std::size_t percent_encode_base64(std::string_view base64,
                                                std::span<char> out) noexcept;

}  // namespace posmode::engine
