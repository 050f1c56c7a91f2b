#pragma once

#include <cstdint>
#include <string_view>
#include <system_error>
#include <variant>

#include "posmode/engine/asymmetric_signer.hpp"
#include "posmode/engine/hmac_sha512_signer.hpp"
#include "posmode/engine/hmac_signer.hpp"
#include "posmode/engine/http_request.hpp"

namespace posmode::engine {

/**
 * One account's key schedule for the algorithm it signs with: HMAC-SHA256 (`hmac_signer`:
 * Binance, Bitget, OKX, Bybit), HMAC-SHA512 (`hmac_sha512_signer`: Gate), or an Ed25519 or RSA
 * private key (`asymmetric_signer`: Binance's other key types), so that code which keeps requests
 * signed (`presigned_request`, the component's account requests) holds one type whatever the
 * venue and key.
 *
 * **Threads.** One thread at a time (the SHA-256 OpenSSL backend mutates a working context).
 * **Allocation.** In the constructor; HMAC `resign` never allocates (with the SHA-256 `sha_ni`
 * backend, and always with SHA-512); an asymmetric `resign` allocates inside OpenSSL and costs
 * tens to hundreds of microseconds (`is_expensive()`): pre-sign. Never throws.
 * **Secrets.** The key-equivalent pad states are wiped by the held signer on destruction; keep
 * the object in a `secure_object` to keep them out of core dumps. A private key lives in
 * OpenSSL's `EVP_PKEY` (freed and cleansed by OpenSSL); the PEM text is not kept.
 */
class request_signer {
 public:
  /**
   * Schedules `secret` for `algorithm`: the HMAC key, or for `ed25519` and `rsa_sha256` the
   * private key's PEM text. Not for the hot path.
   * @param sha256_backend the `hmac_signer` backend; ignored for the other algorithms.
   * @throws std::invalid_argument if `secret` is empty (never naming it), or as `hmac_signer`;
   *         `key_error` (an `invalid_argument`) as `asymmetric_signer`, and for an RSA key over
   *         `max_rsa_key_bits`.
   * @throws std::runtime_error as `hmac_signer`.
   */
  request_signer(signature_algorithm algorithm, std::string_view secret,
                 hmac_signer::backend sha256_backend = hmac_signer::backend::automatic);

  request_signer(const request_signer&) = delete;
  request_signer& operator=(const request_signer&) = delete;
  request_signer(request_signer&&) noexcept = default;
  request_signer& operator=(request_signer&&) noexcept = default;
  ~request_signer() = default;

  /** The algorithm this signer signs with. */
  [[nodiscard]] signature_algorithm algorithm() const noexcept { return algorithm_; }
  /** True when a signature costs tens of microseconds or more (an asymmetric key). */
  [[nodiscard]] bool is_expensive() const noexcept { return is_asymmetric(algorithm_); }

  /**
   * `request.resign(<the held signer>, timestamp_ms)`: the timestamp slots written and the
   * signature made. Returns `errc::signing_failed` for a template of another algorithm, else as
   * `request_template::resign`.
   */
  [[nodiscard]] std::error_code resign(request_template& request,
                                       std::int64_t timestamp_ms) noexcept;

 private:
  std::variant<hmac_signer, hmac_sha512_signer, asymmetric_signer> signer_;
  signature_algorithm algorithm_;
};

}  // namespace posmode::engine
