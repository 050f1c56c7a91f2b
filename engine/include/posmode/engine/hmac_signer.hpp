#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX, kept out of this header

namespace posmode::engine {

/**
 * HMAC-SHA256 keyed once per secret, for signing venue requests.
 *
 * The constructor derives the HMAC inner and outer pad states (RFC 2104) from the secret, then
 * forgets the secret: a signature costs only the compression of the message blocks (two for the
 * 61-byte Binance string) plus one block for the outer hash. Output goes straight into a
 * caller-provided buffer as raw bytes, lowercase hex (64 chars) or base64 (44 chars).
 *
 * **Backends** (chosen at construction, measured in `bench/engine_bench.cpp`):
 * - `sha_ni`: the x86 SHA extensions on the pre-keyed states held in this object. No allocation,
 *   no library call per signature. Used when the CPU has them.
 * - `openssl_evp`: pre-keyed OpenSSL digest contexts copied per message with `EVP_MD_CTX_copy_ex`.
 *   Portable, but OpenSSL 3.0 allocates inside each copy (provider `dupctx`), so it is the
 *   fallback only.
 * The deprecated `SHA256_*` API is not used.
 *
 * **Threads.** One thread at a time per signer (the OpenSSL backend mutates a working context).
 * Distinct signers are independent.
 *
 * **Secrets.** No member returns or prints key material; the key-equivalent pad states are wiped
 * with `OPENSSL_cleanse` on destruction and when moved from.
 */
class hmac_signer {
 public:
  static constexpr std::size_t digest_size = 32;  ///< raw HMAC-SHA256 bytes
  static constexpr std::size_t hex_size = 64;     ///< lowercase hex characters
  static constexpr std::size_t base64_size = 44;  ///< base64 characters, padding included

  /** Implementation of the compression function; see the class comment. */
  enum class backend : std::uint8_t { automatic, sha_ni, openssl_evp };

  /**
   * Schedules the key. Not for the hot path: it allocates (OpenSSL contexts) and may throw.
   *
   * @param secret the HMAC key, any length (longer than 64 bytes is hashed first, per RFC 2104).
   * @param which `automatic` picks `sha_ni` when the CPU supports it, else `openssl_evp`.
   * @throws std::invalid_argument if `secret` is empty, or `sha_ni` is requested on a CPU without
   *         the SHA extensions (the message names the problem, never the secret).
   * @throws std::runtime_error if OpenSSL fails to set up a digest context.
   */
  explicit hmac_signer(std::string_view secret, backend which = backend::automatic);
  ~hmac_signer();

  hmac_signer(const hmac_signer&) = delete;
  hmac_signer& operator=(const hmac_signer&) = delete;
  /** Moves the key schedule; the source is wiped and may only be destroyed or assigned to. */
  hmac_signer(hmac_signer&& other) noexcept;
  hmac_signer& operator=(hmac_signer&& other) noexcept;

  /**
   * HMAC-SHA256 of `message` into `out`. Never allocates with the `sha_ni` backend, never throws.
   * @return false only if OpenSSL reports a failure (`openssl_evp` backend); `out` is then
   *         unspecified.
   */
  [[nodiscard]] bool sign(std::string_view message,
                          std::span<std::uint8_t, digest_size> out) noexcept;

  /** As `sign`, written as 64 lowercase hex characters (no terminator). */
  [[nodiscard]] bool sign_hex(std::string_view message, std::span<char, hex_size> out) noexcept;

  /** As `sign`, written as 44 base64 characters with padding (no terminator). */
  [[nodiscard]] bool sign_base64(std::string_view message,
                                 std::span<char, base64_size> out) noexcept;

  /** The backend chosen at construction (never `automatic`). */
  [[nodiscard]] backend active_backend() const noexcept { return backend_; }

  /** True when this CPU has the x86 SHA extensions the `sha_ni` backend needs. */
  [[nodiscard]] static bool cpu_has_sha_ni() noexcept;

 private:
  void wipe() noexcept;

  // sha_ni backend: SHA-256 states after absorbing key^ipad and key^opad, in the lane order the
  // SHA instructions use (ABEF, CDGH).
  alignas(16) std::array<std::uint32_t, 8> inner_state_{};
  alignas(16) std::array<std::uint32_t, 8> outer_state_{};
  // openssl_evp backend: pre-keyed contexts and the one copied into per message.
  evp_md_ctx_st* inner_ctx_ = nullptr;
  evp_md_ctx_st* outer_ctx_ = nullptr;
  evp_md_ctx_st* work_ctx_ = nullptr;
  backend backend_ = backend::openssl_evp;
};

}  // namespace posmode::engine
