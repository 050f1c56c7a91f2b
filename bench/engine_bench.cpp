// Google Benchmark microbenchmarks of posmode's engine against the baselines a trading engine would
// otherwise reach for. Every comparison is measured in the same run, on the same machine:
//
// - SPSC ring: posmode::engine::spsc_ring vs boost::lockfree::spsc_queue and a minimal
//   cached-index ring (the reference, bench/ring_support.hpp), for two-thread throughput and for a
//   ping-pong round trip, with a raw cache-line ping-pong as the floor. Their repetitions run
//   interleaved (posmode, Boost, reference, posmode, ...), and a summary of medians follows.
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

#include "bench_support.hpp"
#include "posmode/engine/asymmetric_signer.hpp"
#include "posmode/engine/encoding.hpp"
#include "posmode/engine/hmac_sha512_signer.hpp"
#include "posmode/engine/hmac_signer.hpp"
#include "posmode/engine/latency_histogram.hpp"
#include "ring_support.hpp"

namespace {

using posmode::bench::scoped_cpu_pin;
using posmode::bench::spin_until;
namespace engine = posmode::engine;

using posmode::bench::boost_queue;
using posmode::bench::posmode_queue;
using posmode::bench::reference_queue;

const char* pin_label(bool pinned) {
  return pinned ? "pinned cpu0/cpu1" : "unpinned";
}

// Spins (yielding) until the helper thread has started, so thread creation is never timed.
void wait_until_set(const std::atomic<bool>& flag) {
  while (!flag.load(std::memory_order_acquire))
    std::this_thread::yield();
}

// Producer = the benchmark thread, one push per iteration; consumer = a thread that pops and checks
// that values arrive as 0, 1, 2, ... Up to one ring of items may still be in flight when the timer
// stops, which is negligible against the millions of iterations of a run.
template <typename Queue>
void ring_throughput(benchmark::State& state) {
  const auto queue = std::make_unique<Queue>();
  const auto total = static_cast<std::uint64_t>(state.max_iterations);
  std::atomic<bool> consumer_ready{false};
  std::atomic<bool> stop{false};
  // Written by the consumer, read after join().
  bool consumer_stalled = false;
  std::optional<std::uint64_t> first_bad_index;
  std::uint64_t first_bad_value = 0;

  const scoped_cpu_pin producer_pin(0);
  std::thread consumer([&] {
    const scoped_cpu_pin consumer_pin(1);
    consumer_ready.store(true, std::memory_order_release);
    for (std::uint64_t expected = 0; expected < total; ++expected) {
      std::uint64_t value = 0;
      if (!spin_until([&] { return queue->pop(value); }, stop)) {
        consumer_stalled = true;
        stop.store(true, std::memory_order_release);
        return;
      }
      if (value != expected && !first_bad_index) {
        first_bad_index = expected;
        first_bad_value = value;
      }
    }
  });
  wait_until_set(consumer_ready);

  bool producer_stalled = false;
  std::uint64_t next = 0;
  for (auto _ : state) {
    if (!spin_until([&] { return queue->push(next); }, stop)) {
      producer_stalled = true;
      break;
    }
    ++next;
  }
  if (producer_stalled) stop.store(true, std::memory_order_release);
  consumer.join();

  if (first_bad_index) {
    const std::string msg = "order broken: item " + std::to_string(*first_bad_index) + " was " +
                            std::to_string(first_bad_value);
    state.SkipWithError(msg.c_str());
  } else if (consumer_stalled || producer_stalled) {
    state.SkipWithError("a side stalled for 5 s: item lost or peer dead");
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(pin_label(producer_pin.pinned()));
}

// One iteration = main pushes i into `ping`, the echo thread pops it and pushes it into `pong`,
// main pops it back. Both sides check the sequence.
template <typename Queue>
void ring_round_trip(benchmark::State& state) {
  const auto ping = std::make_unique<Queue>();
  const auto pong = std::make_unique<Queue>();
  const auto total = static_cast<std::uint64_t>(state.max_iterations);
  std::atomic<bool> echo_ready{false};
  std::atomic<bool> stop{false};
  const char* echo_error = nullptr;  // written by the echo thread, read after join()

  const scoped_cpu_pin main_pin(0);
  std::thread echo([&] {
    const scoped_cpu_pin echo_pin(1);
    echo_ready.store(true, std::memory_order_release);
    for (std::uint64_t expected = 0; expected < total; ++expected) {
      std::uint64_t value = 0;
      if (!spin_until([&] { return ping->pop(value); }, stop)) {
        echo_error = "echo thread waited 5 s for a ping";
      } else if (value != expected) {
        echo_error = "echo thread saw pings out of order";
      } else if (!spin_until([&] { return pong->push(value); }, stop)) {
        echo_error = "echo thread could not push its reply for 5 s";
      }
      if (echo_error != nullptr) {
        stop.store(true, std::memory_order_release);
        return;
      }
    }
  });
  wait_until_set(echo_ready);

  const char* error = nullptr;
  std::uint64_t sent = 0;
  for (auto _ : state) {
    std::uint64_t back = 0;
    if (!spin_until([&] { return ping->push(sent); }, stop) ||
        !spin_until([&] { return pong->pop(back); }, stop)) {
      error = "no reply for 5 s (reply lost or echo thread gone)";
      break;
    }
    if (back != sent) {
      error = "reply out of order";
      break;
    }
    ++sent;
  }
  if (error != nullptr) stop.store(true, std::memory_order_release);
  echo.join();

  // The echo thread's reason is the root cause when both sides failed.
  if (echo_error != nullptr || error != nullptr) {
    state.SkipWithError(echo_error != nullptr ? echo_error : error);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(pin_label(main_pin.pinned()));
}

// The floor for any round trip between two cores: one store and one cache-line transfer each way.
void BM_cache_line_ping_pong(benchmark::State& state) {
  struct lines {
    alignas(engine::false_sharing_range) std::atomic<std::uint64_t> ping{0};
    alignas(engine::false_sharing_range) std::atomic<std::uint64_t> pong{0};
  };
  static_assert(sizeof(lines) == 2 * engine::false_sharing_range,
                "ping and pong must sit on separate 128-byte groups");
  const auto shared = std::make_unique<lines>();
  const auto total = static_cast<std::uint64_t>(state.max_iterations);
  std::atomic<bool> echo_ready{false};
  std::atomic<bool> stop{false};
  bool echo_failed = false;

  const scoped_cpu_pin main_pin(0);
  std::thread echo([&] {
    const scoped_cpu_pin echo_pin(1);
    echo_ready.store(true, std::memory_order_release);
    for (std::uint64_t i = 1; i <= total; ++i) {
      if (!spin_until([&] { return shared->ping.load(std::memory_order_acquire) == i; }, stop)) {
        echo_failed = true;
        stop.store(true, std::memory_order_release);
        return;
      }
      shared->pong.store(i, std::memory_order_release);
    }
  });
  wait_until_set(echo_ready);

  bool stalled = false;
  std::uint64_t i = 0;
  for (auto _ : state) {
    ++i;
    shared->ping.store(i, std::memory_order_release);
    if (!spin_until([&] { return shared->pong.load(std::memory_order_acquire) == i; }, stop)) {
      stalled = true;
      break;
    }
  }
  if (stalled) stop.store(true, std::memory_order_release);
  echo.join();

  if (stalled || echo_failed) state.SkipWithError("ping-pong stalled for 5 s");
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(pin_label(main_pin.pinned()));
}

// Registered by register_ring_benchmarks(), interleaved.

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

constexpr std::string_view ed25519_pem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIIJEYWtGBrhACmb9Dvy+qa8WEf0lQOl1s4CLIAB9m89u\n"
    "-----END PRIVATE KEY-----\n";
constexpr std::string_view binance_e4_message =
    "dualSidePosition=true&recvWindow=5000&timestamp=1700000000000";

std::string rsa_2048_pem() {
  const std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048)), &EVP_PKEY_free);
  const std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (!key || !bio ||
      PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return {};
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

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

// ---------------------------------------------------------------------------------------------
// Ring benchmarks, interleaved: with --benchmark_repetitions=N each of them is registered N times
// with one repetition each, in the order posmode, Boost, reference (then the ping-pong floor for
// the round trip), so that a drift of the machine during the run touches every ring alike instead
// of the one whose repetitions happened to run then. ring_summary then prints the medians.

constexpr const char* throughput_prefix = "BM_ring_throughput/";
constexpr const char* round_trip_prefix = "BM_ring_round_trip/";
constexpr const char* ping_pong_name = "BM_cache_line_ping_pong";

int repetitions_asked(int argc, char** argv) {
  constexpr std::string_view flag = "--benchmark_repetitions=";
  int n = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with(flag)) n = std::max(1, std::atoi(argv[i] + flag.size()));
  }
  return n;
}

void register_ring_benchmarks(int rounds) {
  for (int r = 0; r < rounds; ++r) {
    benchmark::RegisterBenchmark((std::string(throughput_prefix) + "posmode").c_str(),
                                 ring_throughput<posmode_queue>)
        ->Repetitions(1)
        ->UseRealTime();
    benchmark::RegisterBenchmark((std::string(throughput_prefix) + "boost_spsc").c_str(),
                                 ring_throughput<boost_queue>)
        ->Repetitions(1)
        ->UseRealTime();
    benchmark::RegisterBenchmark((std::string(throughput_prefix) + "reference").c_str(),
                                 ring_throughput<reference_queue>)
        ->Repetitions(1)
        ->UseRealTime();
  }
  for (int r = 0; r < rounds; ++r) {
    benchmark::RegisterBenchmark((std::string(round_trip_prefix) + "posmode").c_str(),
                                 ring_round_trip<posmode_queue>)
        ->Repetitions(1)
        ->UseRealTime();
    benchmark::RegisterBenchmark((std::string(round_trip_prefix) + "boost_spsc").c_str(),
                                 ring_round_trip<boost_queue>)
        ->Repetitions(1)
        ->UseRealTime();
    benchmark::RegisterBenchmark((std::string(round_trip_prefix) + "reference").c_str(),
                                 ring_round_trip<reference_queue>)
        ->Repetitions(1)
        ->UseRealTime();
    benchmark::RegisterBenchmark(ping_pong_name, BM_cache_line_ping_pong)
        ->Repetitions(1)
        ->UseRealTime();
  }
}

double median_of(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

// The console output as usual, plus the ring rows collected for a summary printed at the end:
// median and spread of each ring, and of the per-round ratios (same round, adjacent in time).
class ring_summary final : public benchmark::ConsoleReporter {
 public:
  ring_summary() : benchmark::ConsoleReporter(OO_None) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      const std::string name = run.benchmark_name();
      const bool ring = name.starts_with(throughput_prefix) ||
                        name.starts_with(round_trip_prefix) || name.starts_with(ping_pong_name);
      if (ring && run.run_type == Run::RT_Iteration && !run.error_occurred)
        ns_[name.substr(0, std::min(name.find("/repeats:"), name.find("/real_time")))].push_back(
            run.GetAdjustedRealTime());
    }
    ConsoleReporter::ReportRuns(runs);
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    if (ns_.empty()) return;
    std::FILE* out = stdout;
    std::fprintf(out, "\nring summary (interleaved repetitions; median, min-max; ns)\n");
    for (const auto& [name, values] : ns_) {
      const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
      std::fprintf(out, "  %-44s %8.2f  (%.2f-%.2f, %zu runs)\n", name.c_str(), median_of(values),
                   *lo, *hi, values.size());
    }
    const std::string tp = throughput_prefix;
    const std::string rt = round_trip_prefix;
    // Rates: the other ring's time per item over posmode's (>= 1: posmode moves items as fast).
    ratio(out, "throughput: posmode's rate / Boost's", tp + "boost_spsc", tp + "posmode", ">= 1");
    ratio(out, "throughput: posmode's rate / reference's", tp + "reference", tp + "posmode",
          ">= 1");
    ratio(out, "round trip: posmode / cache-line ping-pong", rt + "posmode", ping_pong_name,
          "<= 1.20");
    ratio(out, "round trip: Boost / cache-line ping-pong", rt + "boost_spsc", ping_pong_name, "");
    ratio(out, "round trip: reference / cache-line ping-pong", rt + "reference", ping_pong_name,
          "");
  }

 private:
  // numerator / denominator round by round; their median and spread, and the ratio of medians.
  void ratio(std::FILE* out, const char* what, const std::string& numerator,
             const std::string& denominator, const char* target) const {
    const auto n = ns_.find(numerator);
    const auto d = ns_.find(denominator);
    if (n == ns_.end() || d == ns_.end()) return;
    std::vector<double> per_round;
    for (std::size_t i = 0; i < n->second.size() && i < d->second.size(); ++i)
      if (d->second[i] > 0) per_round.push_back(n->second[i] / d->second[i]);
    if (per_round.empty()) return;
    const auto [lo, hi] = std::minmax_element(per_round.begin(), per_round.end());
    const double of_medians = median_of(n->second) / median_of(d->second);
    std::fprintf(out, "  %-44s %5.2fx (per round: median %.2fx, %.2f-%.2fx)%s%s\n", what,
                 of_medians, median_of(per_round), *lo, *hi, *target != 0 ? "  target " : "",
                 target);
  }

  std::map<std::string, std::vector<double>> ns_;
};

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
  const int ring_rounds = repetitions_asked(argc, argv);  // before Initialize() consumes the flag
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  register_signing_benchmarks();
  register_ring_benchmarks(ring_rounds);
  benchmark::AddCustomContext("posmode_cpu_model", cpu_model());
  benchmark::AddCustomContext("posmode_cpu_has_sha_ni",
                              engine::hmac_signer::cpu_has_sha_ni() ? "yes" : "no");
  benchmark::AddCustomContext("posmode_two_thread_pinning",
                              posmode::bench::can_pin_two_threads()
                                  ? "producer/main on cpu0, consumer/echo on cpu1"
                                  : "unpinned (fewer than 2 CPUs)");
  ring_summary display;
  benchmark::RunSpecifiedBenchmarks(&display);
  benchmark::Shutdown();
  return 0;
}
