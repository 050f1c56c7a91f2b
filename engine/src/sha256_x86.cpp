#include "sha256_x86.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define POSMODE_HAVE_X86_SHA 1
#endif

namespace posmode::engine::detail {
namespace {

// Scalar word order a..h <-> lane order {F, E, B, A, H, G, D, C}.
constexpr int lane_of[8] = {3, 2, 7, 6, 1, 0, 5, 4};

constexpr std::uint32_t initial_hash[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                           0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

}  // namespace

void sha256_x86_initial_state(std::uint32_t state[8]) noexcept {
  for (int i = 0; i < 8; ++i)
    state[lane_of[i]] = initial_hash[i];
}

void sha256_x86_digest(const std::uint32_t state[8], std::uint8_t out[32]) noexcept {
  for (int i = 0; i < 8; ++i) {
    const std::uint32_t w = state[lane_of[i]];
    out[4 * i] = static_cast<std::uint8_t>(w >> 24);
    out[4 * i + 1] = static_cast<std::uint8_t>(w >> 16);
    out[4 * i + 2] = static_cast<std::uint8_t>(w >> 8);
    out[4 * i + 3] = static_cast<std::uint8_t>(w);
  }
}

#ifdef POSMODE_HAVE_X86_SHA

bool sha256_x86_available() noexcept {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) == 0) return false;
  const bool ssse3 = (ecx & bit_SSSE3) != 0;
  const bool sse41 = (ecx & bit_SSE4_1) != 0;
  if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) == 0) return false;
  const bool sha = (ebx & bit_SHA) != 0;
  return ssse3 && sse41 && sha;
}

namespace {

alignas(16) constexpr std::uint32_t round_constants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

}  // namespace

// The target attribute confines the SHA/SSE4.1 instructions to this function, so the library
// needs no -msha and still runs (via the OpenSSL backend) on CPUs without the extensions.
__attribute__((target("sha,sse4.1,ssse3"))) void sha256_x86_compress(std::uint32_t state[8],
                                                                     const std::uint8_t* blocks,
                                                                     std::size_t count) noexcept {
  // Message words are big-endian: swap the bytes within each 32-bit lane.
  const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
  __m128i abef = _mm_loadu_si128(reinterpret_cast<const __m128i*>(state));
  __m128i cdgh = _mm_loadu_si128(reinterpret_cast<const __m128i*>(state + 4));

  for (; count != 0; --count, blocks += 64) {
    const __m128i abef_in = abef;
    const __m128i cdgh_in = cdgh;
    __m128i w[4];  // a rolling window over the 16 groups of four schedule words
#pragma GCC unroll 16
    for (int g = 0; g < 16; ++g) {
      __m128i m;
      if (g < 4) {
        m = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(blocks + 16 * g)),
                             byte_swap);
      } else {
        // W[t..t+3] from groups g-4 .. g-1 (FIPS 180-4 §6.2.2 step 1).
        const __m128i w_minus_7 = _mm_alignr_epi8(w[(g + 3) & 3], w[(g + 2) & 3], 4);
        m = _mm_sha256msg1_epu32(w[g & 3], w[(g + 1) & 3]);
        m = _mm_sha256msg2_epu32(_mm_add_epi32(m, w_minus_7), w[(g + 3) & 3]);
      }
      w[g & 3] = m;
      const __m128i wk = _mm_add_epi32(
          m, _mm_load_si128(reinterpret_cast<const __m128i*>(round_constants + 4 * g)));
      cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
      abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0e));
    }
    abef = _mm_add_epi32(abef, abef_in);
    cdgh = _mm_add_epi32(cdgh, cdgh_in);
  }

  _mm_storeu_si128(reinterpret_cast<__m128i*>(state), abef);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state + 4), cdgh);
}

#else

bool sha256_x86_available() noexcept {
  return false;
}

void sha256_x86_compress(std::uint32_t*, const std::uint8_t*, std::size_t) noexcept {}

#endif

}  // namespace posmode::engine::detail
