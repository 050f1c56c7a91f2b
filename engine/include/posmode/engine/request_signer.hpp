#pragma once

#include <cstdint>
#include <string_view>
#include <system_error>
#include <variant>

#include "posmode/engine/hmac_sha512_signer.hpp"
#include "posmode/engine/hmac_signer.hpp"
#include "posmode/engine/http_request.hpp"

namespace posmode::engine {

/**
 * One account's key schedule for the algorithm its venue signs with: HMAC-SHA256
 * (`hmac_signer`: Binance, Bitget, OKX, Bybit) or HMAC-SHA512 (`hmac_sha512_signer`: Gate), so
 * that code which keeps requests signed (`presigned_request`, the component's account requests)
 * holds one type whatever the venue.
 *
 * **Threads.** One thread at a time (the SHA-256 OpenSSL backend mutates a working context).
 * **Allocation.** In the constructor only; `resign` never allocates (with the SHA-256 `sha_ni`
 * backend, and always with SHA-512), never throws.
 * **Secrets.** The key-equivalent pad states are wiped by the held signer on destruction; keep
 * the object in a `secure_object` to keep them out of core dumps.
 */
class request_signer {
 public:
  /**
   * Schedules `secret` for `algorithm`. Not for the hot path.
   * @param sha256_backend the `hmac_signer` backend; ignored for HMAC-SHA512.
   * @throws std::invalid_argument if `secret` is empty (never naming it), or as `hmac_signer`.
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

  /**
   * `request.resign(<the held signer>, timestamp_ms)`: the timestamp slots written and the
   * signature made. Returns `errc::signing_failed` for a template of another algorithm, else as
   * `request_template::resign`.
   */
  [[nodiscard]] std::error_code resign(request_template& request,
                                       std::int64_t timestamp_ms) noexcept;

 private:
  std::variant<hmac_signer, hmac_sha512_signer> signer_;
  signature_algorithm algorithm_;
};

}  // namespace posmode::engine
