// SHA512_Transform is deprecated in OpenSSL 3.0 with the rest of the low-level digest interface;
// it is the one way to OpenSSL's SHA-512 assembly that neither allocates nor re-derives a state.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "sha512.hpp"

#include <openssl/sha.h>

#include <cstring>

namespace posmode::engine::detail {
namespace {

constexpr std::uint64_t k[80] = {
    0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc,
    0x3956c25bf348b538, 0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118,
    0xd807aa98a3030242, 0x12835b0145706fbe, 0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2,
    0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235, 0xc19bf174cf692694,
    0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
    0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5,
    0x983e5152ee66dfab, 0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4,
    0xc6e00bf33da88fc2, 0xd5a79147930aa725, 0x06ca6351e003826f, 0x142929670a0e6e70,
    0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed, 0x53380d139d95b3df,
    0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
    0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30,
    0xd192e819d6ef5218, 0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8,
    0x19a4c116b8d2d0c8, 0x1e376c085141ab53, 0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8,
    0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373, 0x682e6ff3d6b2b8a3,
    0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
    0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b,
    0xca273eceea26619c, 0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178,
    0x06f067aa72176fba, 0x0a637dc5a2c898a6, 0x113f9804bef90dae, 0x1b710b35131c471b,
    0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc, 0x431d67c49c100d4c,
    0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817};

constexpr std::uint64_t rotr(std::uint64_t x, int n) noexcept {
  return (x >> n) | (x << (64 - n));
}

std::uint64_t load_be(const std::uint8_t* p) noexcept {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v = (v << 8) | p[i];
  return v;
}

void store_be(std::uint64_t v, std::uint8_t* p) noexcept {
  for (int i = 7; i >= 0; --i) {
    p[i] = static_cast<std::uint8_t>(v);
    v >>= 8;
  }
}

}  // namespace

void sha512_initial_state(std::uint64_t* state) noexcept {
  constexpr std::uint64_t h0[8] = {0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b,
                                   0xa54ff53a5f1d36f1, 0x510e527fade682d1, 0x9b05688c2b3e6c1f,
                                   0x1f83d9abfb41bd6b, 0x5be0cd19137e2179};
  std::memcpy(state, h0, sizeof h0);
}

// The message schedule is kept as a 16-word ring rather than 80 words: it stays in registers
// and L1 either way, and the ring halves the stores.
void sha512_compress(std::uint64_t* state, const std::uint8_t* data, std::size_t blocks) noexcept {
  for (; blocks != 0; --blocks, data += sha512_block_size) {
    std::uint64_t w[16];
    for (int i = 0; i < 16; ++i)
      w[i] = load_be(data + 8 * i);
    std::uint64_t a = state[0], b = state[1], c = state[2], d = state[3];
    std::uint64_t e = state[4], f = state[5], g = state[6], h = state[7];
    for (int t = 0; t < 80; ++t) {
      if (t >= 16) {
        const std::uint64_t w15 = w[(t - 15) & 15];
        const std::uint64_t w2 = w[(t - 2) & 15];
        const std::uint64_t s0 = rotr(w15, 1) ^ rotr(w15, 8) ^ (w15 >> 7);
        const std::uint64_t s1 = rotr(w2, 19) ^ rotr(w2, 61) ^ (w2 >> 6);
        w[t & 15] += s0 + w[(t - 7) & 15] + s1;
      }
      const std::uint64_t t1 =
          h + (rotr(e, 14) ^ rotr(e, 18) ^ rotr(e, 41)) + ((e & f) ^ (~e & g)) + k[t] + w[t & 15];
      const std::uint64_t t2 =
          (rotr(a, 28) ^ rotr(a, 34) ^ rotr(a, 39)) + ((a & b) ^ (a & c) ^ (b & c));
      h = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
  }
}

void sha512_digest(const std::uint64_t* state, std::uint8_t* out) noexcept {
  for (int i = 0; i < 8; ++i)
    store_be(state[i], out + 8 * i);
}

void sha512_compress_openssl(std::uint64_t* state, const std::uint8_t* data,
                             std::size_t blocks) noexcept {
  static_assert(sizeof(SHA512_CTX::h) == 8 * sizeof(std::uint64_t));
  if (blocks == 0) return;
  // Only `h` is used, and it leaves holding a state after at least one compression, from which
  // the pre-keyed state it started from cannot be recovered: nothing to wipe.
  SHA512_CTX ctx;
  std::memcpy(ctx.h, state, sizeof ctx.h);
  for (; blocks != 0; --blocks, data += sha512_block_size)
    SHA512_Transform(&ctx, data);
  std::memcpy(state, ctx.h, sizeof ctx.h);
}

void sha512_finish(std::uint64_t* state, const std::uint8_t* tail, std::size_t tail_len,
                   std::uint64_t total_bytes, sha512_compress_fn compress) noexcept {
  // A 128-bit length field; messages here are far below 2^61 bytes, so its upper half is zero.
  std::uint8_t last[2 * sha512_block_size] = {};
  const std::size_t blocks = tail_len + 17 > sha512_block_size ? 2 : 1;
  if (tail_len != 0) std::memcpy(last, tail, tail_len);
  last[tail_len] = 0x80;
  store_be(total_bytes * 8, last + blocks * sha512_block_size - 8);
  compress(state, last, blocks);
}

}  // namespace posmode::engine::detail
