#pragma once

// SHA-512 (FIPS 180-4) on a caller-held state, for HMAC-SHA512 on pre-keyed pad states: OpenSSL's
// EVP interface cannot copy a digest state without allocating. Two compression functions: OpenSSL's
// own (its assembly, reached through the deprecated but allocation-free `SHA512_Transform`) and a
// portable one, for an OpenSSL without that interface and as a cross-check in the tests.

#include <cstddef>
#include <cstdint>

namespace posmode::engine::detail {

inline constexpr std::size_t sha512_block_size = 128;

/** Writes SHA-512's initial hash value into `state`. */
void sha512_initial_state(std::uint64_t* state) noexcept;

/** A compression function: absorbs `blocks` whole 128-byte blocks from `data`. */
using sha512_compress_fn = void (*)(std::uint64_t* state, const std::uint8_t* data,
                                    std::size_t blocks) noexcept;

/** The portable compression function (plain C++). */
void sha512_compress(std::uint64_t* state, const std::uint8_t* data, std::size_t blocks) noexcept;

/** OpenSSL's compression function (`SHA512_Transform`, CPU-dispatched assembly). */
void sha512_compress_openssl(std::uint64_t* state, const std::uint8_t* data,
                             std::size_t blocks) noexcept;

/** Writes `state` as the 64-byte big-endian digest. */
void sha512_digest(const std::uint64_t* state, std::uint8_t* out) noexcept;

/**
 * Absorbs the last `tail_len` (< 128) bytes of a message of `total_bytes` bytes with its padding
 * (one or two blocks).
 */
void sha512_finish(std::uint64_t* state, const std::uint8_t* tail, std::size_t tail_len,
                   std::uint64_t total_bytes,
                   sha512_compress_fn compress = &sha512_compress) noexcept;

}  // namespace posmode::engine::detail
