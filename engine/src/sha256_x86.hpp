#pragma once

#include <cstddef>
#include <cstdint>

// SHA-256 compression on the x86 SHA extensions, for hmac_signer. Private to the engine.
// The state is eight words in the lane order the instructions use: {F, E, B, A, H, G, D, C}.
namespace posmode::engine::detail {

/** True when the CPU has SHA, SSSE3 and SSE4.1 (checked with CPUID). */
bool sha256_x86_available() noexcept;

/** The FIPS 180-4 initial hash value, in the instructions' lane order. */
void sha256_x86_initial_state(std::uint32_t state[8]) noexcept;

/** Absorbs `count` 64-byte blocks. Precondition: `sha256_x86_available()`. */
void sha256_x86_compress(std::uint32_t state[8], const std::uint8_t* blocks,
                         std::size_t count) noexcept;

/** Writes the 32-byte big-endian digest of `state`. */
void sha256_x86_digest(const std::uint32_t state[8], std::uint8_t out[32]) noexcept;

}  // namespace posmode::engine::detail
