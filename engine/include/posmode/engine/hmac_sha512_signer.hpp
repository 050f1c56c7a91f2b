#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace posmode::engine {

/**
 * HMAC-SHA512 keyed once per secret, for venues that sign with SHA-512 (Gate APIv4).
 *
 * The constructor absorbs key^ipad and key^opad (RFC 2104) into two SHA-512 states and forgets the
 * secret, so a signature costs only the compressions of the message (two blocks for Gate's
 * ~200-byte signing string) and one for the outer hash: against OpenSSL's one-shot `HMAC()`, which
 * also re-derives both pad blocks and sets up EVP contexts on every call, that is the saving
 * `bench/engine_bench.cpp` measures.
 *
 * **Backends** (chosen at construction): `openssl` runs OpenSSL's SHA-512 compression (its
 * CPU-dispatched assembly) on the states held here, through `SHA512_Transform`, deprecated in
 * OpenSSL 3.0 but allocation-free; `portable` is plain C++, about half as fast on x86 (no SHA-512
 * instructions there), and cross-checks the other in the tests.
 *
 * **Threads.** `sign` only reads the object: one signer may serve several threads.
 * **Allocation.** None after construction; `sign` never allocates, never throws.
 * **Secrets.** No member returns or prints key material; the key-equivalent pad states are wiped
 * with `OPENSSL_cleanse` on destruction and when moved from.
 */
class hmac_sha512_signer {
 public:
  static constexpr std::size_t digest_size = 64;  ///< raw HMAC-SHA512 bytes
  static constexpr std::size_t hex_size = 128;    ///< lowercase hex characters

  /** The SHA-512 compression function; see the class comment. */
  enum class backend : std::uint8_t { openssl, portable };

  /**
   * Schedules the key. Not for the hot path.
   * @param secret the HMAC key, any length (longer than 128 bytes is hashed first, per RFC 2104).
   * @throws std::invalid_argument if `secret` is empty (the message never names the secret).
   */
  explicit hmac_sha512_signer(std::string_view secret, backend which = backend::openssl);
  ~hmac_sha512_signer();

  hmac_sha512_signer(const hmac_sha512_signer&) = delete;
  hmac_sha512_signer& operator=(const hmac_sha512_signer&) = delete;
  /** Moves the key schedule; the source is wiped and may only be destroyed or assigned to. */
  hmac_sha512_signer(hmac_sha512_signer&& other) noexcept;
  hmac_sha512_signer& operator=(hmac_sha512_signer&& other) noexcept;

  /** HMAC-SHA512 of `message` into `out`. */
  void sign(std::string_view message, std::span<std::uint8_t, digest_size> out) const noexcept;

  /** As `sign`, written as 128 lowercase hex characters (no terminator). */
  void sign_hex(std::string_view message, std::span<char, hex_size> out) const noexcept;

  /** The backend chosen at construction. */
  [[nodiscard]] backend active_backend() const noexcept { return backend_; }

 private:
  void wipe() noexcept;

  std::array<std::uint64_t, 8> inner_state_{};  // after absorbing key ^ ipad
  std::array<std::uint64_t, 8> outer_state_{};  // after absorbing key ^ opad
  backend backend_ = backend::openssl;
};

/** SHA-512 of `message` as 128 lowercase hex characters (Gate's body hash). No allocation. */
void sha512_hex(std::string_view message,
                std::span<char, hmac_sha512_signer::hex_size> out) noexcept;

}  // namespace posmode::engine
