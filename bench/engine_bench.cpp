// Google Benchmark microbenchmarks of posmode's engine against the baselines a trading engine would
// otherwise reach for. Every comparison is measured in the same run, on the same machine:
//
// - SPSC ring: posmode::engine::spsc_ring vs boost::lockfree::spsc_queue and a minimal
//   cached-index ring, in ring_bench.cpp.
// - HMAC-SHA256 request signing: posmode's two backends vs OpenSSL's one-shot HMAC() and a reused,
//   re-keyed EVP_MAC context, for the Binance (hex) and Bitget (base64) sample requests.
// - HMAC-SHA512 (Gate): posmode's pre-keyed signer vs the same two OpenSSL baselines.
// - Ed25519 and RSA-2048 pre-signatures (Binance asymmetric keys) vs OpenSSL's one-shot calls.
// - Latency recording: the all-time histogram vs the window of the last 4,096 samples.
//
// The credentials are the documented fake test inputs; they sign nothing real.

#include <benchmark/benchmark.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/pem.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "bench_keys.hpp"
#include "bench_support.hpp"
#include "posmode/engine/asymmetric_signer.hpp"
#include "posmode/engine/encoding.hpp"
#include "posmode/engine/hmac_sha512_signer.hpp"
#include "posmode/engine/hmac_signer.hpp"
#include "posmode/engine/latency_histogram.hpp"
#include "ring_bench.hpp"

namespace {

using posmode::bench::ed25519_pem;
using posmode::bench::rsa_2048_pem;
using posmode::bench::scoped_cpu_pin;
using posmode::bench::spin_until;
namespace engine = posmode::engine;

// ---------------------------------------------------------------------------------------------
// Request signing.

enum class text_encoding : std::uint8_t { hex, base64 };

struct sign_sample {
  std::string_view name;  // benchmark name fragment
  std::string_view secret;
  std::string_view message;
  text_encoding encoding;
};

// Binance: the query string of POST /papi/v1/um/positionSide/dual, signed to lowercase hex.
constexpr sign_sample binance_sample{
    "binance_hex", "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j",
    "dualSidePosition=true&recvWindow=5000&timestamp=1700000000000", text_encoding::hex};

// Bitget: timestamp + method + path + body of POST /api/v2/mix/account/set-position-mode, base64.
constexpr sign_sample bitget_sample{
    "bitget_base64", "bgsecret0123456789abcdef0123456789abcdef0123456789abcdef01234567",
    "1700000000000POST/api/v2/mix/account/set-position-mode"
    R"({"productType":"USDT-FUTURES","posMode":"hedge_mode"})",
    text_encoding::base64};

static_assert(binance_sample.message.size() == 61, "the Binance sample is the 61-byte string");

using text_buffer = std::span<char, engine::hmac_signer::hex_size>;  // large enough for both

std::size_t encode_mac(text_encoding encoding,
                       std::span<const std::uint8_t, engine::hmac_signer::digest_size> mac,
                       text_buffer out) noexcept {
  return encoding == text_encoding::hex ? engine::encode_hex_lower(mac, out)
                                        : engine::encode_base64(mac, out);
}

const unsigned char* bytes_of(std::string_view s) noexcept {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// OpenSSL's one-shot HMAC(): the reference every variant is checked against. 0 on failure.
std::size_t sign_with_hmac_oneshot(const sign_sample& s, text_buffer out) noexcept {
  std::uint8_t mac[engine::hmac_signer::digest_size];
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), s.secret.data(), static_cast<int>(s.secret.size()), bytes_of(s.message),
           s.message.size(), mac, &len) == nullptr ||
      len != sizeof mac) {
    return 0;
  }
  return encode_mac(s.encoding, mac, out);
}

// Checks once that `sign_once` agrees with the one-shot HMAC(), then times it.
template <typename SignOnce>
void run_sign_benchmark(benchmark::State& state, const sign_sample& s, SignOnce sign_once) {
  std::array<char, engine::hmac_signer::hex_size> reference{};
  const std::size_t reference_len = sign_with_hmac_oneshot(s, reference);
  std::array<char, engine::hmac_signer::hex_size> out{};
  const std::size_t first_len = sign_once(text_buffer(out));
  if (reference_len == 0 || std::string_view(out.data(), first_len) !=
                                std::string_view(reference.data(), reference_len)) {
    state.SkipWithError("signature differs from OpenSSL's one-shot HMAC()");
    return;
  }
  for (auto _ : state) {
    const std::size_t written = sign_once(text_buffer(out));
    benchmark::DoNotOptimize(written);
    benchmark::DoNotOptimize(out);
    benchmark::ClobberMemory();
    if (written == 0) {
      state.SkipWithError("signing failed inside the loop");
      break;
    }
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(s.message.size()));
}

void bm_sign_posmode(benchmark::State& state, const sign_sample& s,
                     engine::hmac_signer::backend which) {
  if (which == engine::hmac_signer::backend::sha_ni && !engine::hmac_signer::cpu_has_sha_ni()) {
    state.SkipWithError("this CPU lacks the x86 SHA extensions");
    return;
  }
  std::optional<engine::hmac_signer> signer;
  try {
    signer.emplace(s.secret, which);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  run_sign_benchmark(state, s, [&](text_buffer out) -> std::size_t {
    if (s.encoding == text_encoding::hex) return signer->sign_hex(s.message, out) ? 64 : 0;
    return signer->sign_base64(s.message, out.first<engine::hmac_signer::base64_size>()) ? 44 : 0;
  });
}

void bm_sign_openssl_hmac_oneshot(benchmark::State& state, const sign_sample& s) {
  run_sign_benchmark(state, s, [&](text_buffer out) { return sign_with_hmac_oneshot(s, out); });
}

// The best the OpenSSL 3 MAC API offers without a custom provider: one HMAC context, re-keyed
// per message.
class evp_hmac_rekeyed {
 public:
  explicit evp_hmac_rekeyed(std::string digest)
      : digest_(std::move(digest)),
        mac_(EVP_MAC_fetch(nullptr, "HMAC", nullptr), &EVP_MAC_free),
        ctx_(mac_ ? EVP_MAC_CTX_new(mac_.get()) : nullptr, &EVP_MAC_CTX_free) {}

  [[nodiscard]] bool ready() const noexcept { return ctx_ != nullptr; }

  // The MAC of `message` into `out`; false unless exactly out.size() bytes came out.
  bool sign(std::string_view key, std::string_view message, std::span<std::uint8_t> out) {
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_.data(), 0),
        OSSL_PARAM_construct_end()};
    std::size_t len = 0;
    return EVP_MAC_init(ctx_.get(), bytes_of(key), key.size(), params) == 1 &&
           EVP_MAC_update(ctx_.get(), bytes_of(message), message.size()) == 1 &&
           EVP_MAC_final(ctx_.get(), out.data(), &len, out.size()) == 1 && len == out.size();
  }

 private:
  std::string digest_;
  std::unique_ptr<EVP_MAC, decltype(&EVP_MAC_free)> mac_;
  std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> ctx_;
};

void bm_sign_evp_mac_rekeyed(benchmark::State& state, const sign_sample& s) {
  evp_hmac_rekeyed mac("SHA256");
  if (!mac.ready()) {
    state.SkipWithError("EVP_MAC_fetch(\"HMAC\") or EVP_MAC_CTX_new failed");
    return;
  }
  run_sign_benchmark(state, s, [&](text_buffer out) -> std::size_t {
    std::uint8_t raw[engine::hmac_signer::digest_size];
    return mac.sign(s.secret, s.message, raw) ? encode_mac(s.encoding, raw, out) : 0;
  });
}

void register_signing_benchmarks() {
  using backend = engine::hmac_signer::backend;
  for (const sign_sample* s : {&binance_sample, &bitget_sample}) {
    const std::string prefix = "BM_sign_" + std::string(s->name);
    benchmark::RegisterBenchmark((prefix + "_posmode_sha_ni").c_str(), [s](benchmark::State& st) {
      bm_sign_posmode(st, *s, backend::sha_ni);
    });
    benchmark::RegisterBenchmark(
        (prefix + "_posmode_openssl_evp").c_str(),
        [s](benchmark::State& st) { bm_sign_posmode(st, *s, backend::openssl_evp); });
    benchmark::RegisterBenchmark(
        (prefix + "_openssl_hmac_oneshot").c_str(),
        [s](benchmark::State& st) { bm_sign_openssl_hmac_oneshot(st, *s); });
    benchmark::RegisterBenchmark((prefix + "_evp_mac_rekeyed").c_str(),
                                 [s](benchmark::State& st) { bm_sign_evp_mac_rekeyed(st, *s); });
  }
}

// ---------------------------------------------------------------------------------------------
// Gate: HMAC-SHA512 of the set-position-mode signing string (docs/venues.md, Gate vector G4), to
// 128 lowercase hex characters. The body hash in it is the empty body's, which posmode computes
// once per template, so it is not part of a signature.

constexpr std::string_view gate_secret =
    "gatesecret0123456789abcdef0123456789abcdef0123456789abcdef0123";
constexpr std::string_view gate_message =
    "POST\n/api/v4/futures/usdt/set_position_mode\nposition_mode=dual\n"
    "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec"
    "2f"
    "63b931bd47417a81a538327af927da3e\n1700000000";
constexpr std::string_view gate_signature =
    "b3580438412d68e259b897e5b2f6728f3d5f4f9283d9b6f2d210fad4d88918a40962cd8b844ea25ebddcb53c01e045"
    "045c439b9c0243ca695170f7214b618125";

using gate_buffer = std::span<char, engine::hmac_sha512_signer::hex_size>;

// Checks once that `sign_once` writes G4's published signature, then times it.
template <typename SignOnce>
void run_gate_benchmark(benchmark::State& state, SignOnce sign_once) {
  std::array<char, engine::hmac_sha512_signer::hex_size> out{};
  if (!sign_once(gate_buffer(out)) || std::string_view(out.data(), out.size()) != gate_signature) {
    state.SkipWithError("signature differs from Gate's published vector G4");
    return;
  }
  for (auto _ : state) {
    const bool ok = sign_once(gate_buffer(out));
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(out);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(gate_message.size()));
}

void bm_sign_gate_sha512_posmode(benchmark::State& state,
                                 engine::hmac_sha512_signer::backend which) {
  const engine::hmac_sha512_signer signer(gate_secret, which);
  run_gate_benchmark(state, [&](gate_buffer out) {
    signer.sign_hex(gate_message, out);
    return true;
  });
}
void BM_sign_gate_sha512_hex_posmode_openssl(benchmark::State& state) {
  bm_sign_gate_sha512_posmode(state, engine::hmac_sha512_signer::backend::openssl);
}
void BM_sign_gate_sha512_hex_posmode_portable(benchmark::State& state) {
  bm_sign_gate_sha512_posmode(state, engine::hmac_sha512_signer::backend::portable);
}

void BM_sign_gate_sha512_hex_openssl_hmac_oneshot(benchmark::State& state) {
  run_gate_benchmark(state, [](gate_buffer out) {
    std::uint8_t mac[engine::hmac_sha512_signer::digest_size];
    unsigned int len = 0;
    if (HMAC(EVP_sha512(), gate_secret.data(), static_cast<int>(gate_secret.size()),
             bytes_of(gate_message), gate_message.size(), mac, &len) == nullptr ||
        len != sizeof mac) {
      return false;
    }
    engine::encode_hex_lower(mac, out);
    return true;
  });
}

void BM_sign_gate_sha512_hex_evp_mac_rekeyed(benchmark::State& state) {
  evp_hmac_rekeyed mac("SHA512");
  if (!mac.ready()) {
    state.SkipWithError("EVP_MAC_fetch(\"HMAC\") or EVP_MAC_CTX_new failed");
    return;
  }
  run_gate_benchmark(state, [&](gate_buffer out) {
    std::uint8_t raw[engine::hmac_sha512_signer::digest_size];
    if (!mac.sign(gate_secret, gate_message, raw)) return false;
    engine::encode_hex_lower(raw, out);
    return true;
  });
}

BENCHMARK(BM_sign_gate_sha512_hex_posmode_openssl);
BENCHMARK(BM_sign_gate_sha512_hex_posmode_portable);
BENCHMARK(BM_sign_gate_sha512_hex_openssl_hmac_oneshot);
BENCHMARK(BM_sign_gate_sha512_hex_evp_mac_rekeyed);

// ---------------------------------------------------------------------------------------------
// Binance asymmetric keys: what one pre-signature costs (never on the hot path), beside OpenSSL's
// one-shot calls on a key parsed once (EVP_DigestSignInit + EVP_DigestSign on a new context, as
// `openssl pkeyutl` and the connectors do) and beside the HMAC a trigger would otherwise pay.

constexpr std::string_view binance_e4_message =
    "dualSidePosition=true&recvWindow=5000&timestamp=1700000000000";

void bm_sign_asymmetric_posmode(benchmark::State& state, std::string pem,
                                engine::key_algorithm which) {
  std::optional<engine::asymmetric_signer> signer;
  try {
    signer.emplace(pem, which);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  std::array<char, 700> out{};
  for (auto _ : state) {
    const std::size_t n = signer->sign_base64(binance_e4_message, out);
    benchmark::DoNotOptimize(n);
    benchmark::DoNotOptimize(out);
    if (n == 0) {
      state.SkipWithError("signing failed");
      break;
    }
  }
}

void BM_sign_binance_ed25519_posmode(benchmark::State& state) {
  bm_sign_asymmetric_posmode(state, std::string(ed25519_pem), engine::key_algorithm::ed25519);
}
void BM_sign_binance_rsa2048_posmode(benchmark::State& state) {
  bm_sign_asymmetric_posmode(state, rsa_2048_pem(), engine::key_algorithm::rsa_sha256);
}

// The baseline: OpenSSL's own one-shot signature on a key read once, raw bytes out (no base64).
void BM_sign_binance_ed25519_openssl_oneshot(benchmark::State& state) {
  const std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(ed25519_pem.data(), static_cast<int>(ed25519_pem.size())), &BIO_free);
  const std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  if (!key) {
    state.SkipWithError("PEM_read_bio_PrivateKey failed");
    return;
  }
  std::array<unsigned char, 64> sig{};
  for (auto _ : state) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    std::size_t len = sig.size();
    const bool ok = ctx != nullptr &&
                    EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key.get()) == 1 &&
                    EVP_DigestSign(ctx, sig.data(), &len, bytes_of(binance_e4_message),
                                   binance_e4_message.size()) == 1;
    EVP_MD_CTX_free(ctx);
    benchmark::DoNotOptimize(sig);
    if (!ok) {
      state.SkipWithError("EVP_DigestSign failed");
      break;
    }
  }
}

BENCHMARK(BM_sign_binance_ed25519_posmode);
BENCHMARK(BM_sign_binance_ed25519_openssl_oneshot);
BENCHMARK(BM_sign_binance_rsa2048_posmode);

// ---------------------------------------------------------------------------------------------
// Latency recording: one sample into the all-time histogram, against the component's present
// window of the last 4,096 samples (one relaxed store and a counter; stats() sorts it later).

// Latency-like values (40..90 us with a tail), precomputed so that no generator is timed.
std::array<std::int64_t, 1024> latency_samples() {
  std::array<std::int64_t, 1024> v{};
  std::uint64_t x = 88172645463325252ULL;
  for (auto& s : v) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    s = 40'000 + static_cast<std::int64_t>(x % 50'000) + ((x & 1023) == 0 ? 5'000'000 : 0);
  }
  return v;
}

void BM_latency_record_histogram(benchmark::State& state) {
  const auto values = latency_samples();
  const auto h = std::make_unique<engine::latency_histogram>();
  std::size_t i = 0;
  for (auto _ : state) {
    h->record(values[i++ & 1023]);
    benchmark::ClobberMemory();
  }
  benchmark::DoNotOptimize(h->count());
}

void BM_latency_record_window_4096(benchmark::State& state) {
  const auto values = latency_samples();
  const auto samples = std::make_unique<std::array<std::atomic<std::int64_t>, 4096>>();
  std::atomic<std::uint64_t> count{0};
  std::size_t i = 0;
  for (auto _ : state) {
    const std::uint64_t n = count.load(std::memory_order_relaxed);
    (*samples)[n % 4096].store(values[i++ & 1023], std::memory_order_relaxed);
    count.store(n + 1, std::memory_order_release);
    benchmark::ClobberMemory();
  }
  benchmark::DoNotOptimize(count.load());
}

BENCHMARK(BM_latency_record_histogram);
BENCHMARK(BM_latency_record_window_4096);

// ---------------------------------------------------------------------------------------------
// Encoders alone, for the share of a signature they cost.

constexpr std::array<std::uint8_t, 32> sample_digest = {
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
    0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78, 0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0};

void BM_encode_hex_32(benchmark::State& state) {
  std::array<std::uint8_t, 32> in = sample_digest;
  std::array<char, 64> out{};
  for (auto _ : state) {
    benchmark::DoNotOptimize(in);  // the compiler must assume a new digest every iteration
    benchmark::DoNotOptimize(engine::encode_hex_lower(in, out));
    benchmark::DoNotOptimize(out);  // the output must escape, or its stores are dead
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * 32);
}

void BM_encode_base64_32(benchmark::State& state) {
  std::array<std::uint8_t, 32> in = sample_digest;
  std::array<char, 44> out{};
  for (auto _ : state) {
    benchmark::DoNotOptimize(in);
    benchmark::DoNotOptimize(engine::encode_base64(in, out));
    benchmark::DoNotOptimize(out);  // the output must escape, or its stores are dead
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * 32);
}

BENCHMARK(BM_encode_hex_32);
BENCHMARK(BM_encode_base64_32);

std::string cpu_model() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      const auto value = line.find_first_not_of(" \t", colon + 1);
      return value == std::string::npos ? std::string() : line.substr(value);
    }
  }
  return "unknown";
}

}  // namespace

int main(int argc, char** argv) {
  // Before Initialize() consumes the flag.
  const int ring_rounds = posmode::bench::ring_rounds_asked(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  register_signing_benchmarks();
  posmode::bench::register_ring_benchmarks(ring_rounds);
  benchmark::AddCustomContext("posmode_cpu_model", cpu_model());
  benchmark::AddCustomContext("posmode_cpu_has_sha_ni",
                              engine::hmac_signer::cpu_has_sha_ni() ? "yes" : "no");
  benchmark::AddCustomContext("posmode_two_thread_pinning",
                              posmode::bench::can_pin_two_threads()
                                  ? "producer/main on cpu0, consumer/echo on cpu1"
                                  : "unpinned (fewer than 2 CPUs)");
  const auto display = posmode::bench::make_ring_summary();
  benchmark::RunSpecifiedBenchmarks(display.get());
  benchmark::Shutdown();
  return 0;
}
