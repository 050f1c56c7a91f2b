// posmode-demo: a measured tour of the engine until the position-mode component exists.
//   1. events through a spsc_ring from a producer thread to a consumer thread (order, checksum,
//      throughput, per-event latency);
//   2. the two seed venues' sample requests signed with hmac_signer, cross-checked with OpenSSL;
//   3. per-signature latency of hmac_signer against OpenSSL's one-shot HMAC().
// The credentials below are the documented fake test inputs; the demo never prints a secret.

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <atomic>
#include <charconv>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <fstream>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <vector>

#include "posmode/engine/clock.hpp"
#include "posmode/engine/encoding.hpp"
#include "posmode/engine/hmac_signer.hpp"
#include "posmode/engine/percentiles.hpp"
#include "posmode/engine/spsc_ring.hpp"

namespace {

namespace engine = posmode::engine;
using engine::hmac_signer;
using engine::system_clock;

constexpr std::size_t ring_slots = 1024;
constexpr std::size_t sign_samples = 100'000;
constexpr std::size_t sign_warmup = 2'000;

// One record on the ring: a cache line, like a market-data or order event would be.
struct event {
  std::uint64_t sequence;
  std::int64_t sent_ns;
  std::array<std::uint64_t, 6> payload;
};
static_assert(sizeof(event) == engine::cache_line_size && std::is_trivially_copyable_v<event>,
              "the demo event is one trivially copyable 64-byte record");

std::uint64_t payload_word(std::uint64_t sequence, std::uint64_t i) {
  return (sequence + 1) * 0x9e3779b97f4a7c15ULL ^ (i << 56);
}

void print_summary_row(const char* label, const engine::percentile_summary& s) {
  std::printf("    %-28s %8" PRId64 " %8" PRId64 " %8" PRId64 " %8" PRId64 " %10" PRId64 "\n",
              label, s.p50, s.p90, s.p99, s.p999, s.max);
}

void print_summary_header(const char* first_column) {
  std::printf("    %-28s %8s %8s %8s %8s %10s\n", first_column, "p50", "p90", "p99", "p99.9",
              "max");
}

void wait_for(const std::atomic<bool>& flag) {
  while (!flag.load(std::memory_order_acquire)) {
  }
}

// ---------------------------------------------------------------------------------------------
// 1. Ring hand-off.

bool run_ring_tour(std::uint64_t events) {
  engine::spsc_ring<event> ring(ring_slots);
  std::vector<std::int64_t> latencies(events);  // pre-allocated: the consumer never allocates
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::atomic<bool> producer_done{false};
  std::uint64_t sent_sum = 0;      // producer's, read after join()
  std::uint64_t received_sum = 0;  // consumer's, read after join()
  std::uint64_t received = 0;
  std::uint64_t first_out_of_order = events;  // == events: none
  std::int64_t end_ns = 0;

  std::thread producer([&] {
    ready.fetch_add(1, std::memory_order_acq_rel);
    wait_for(go);
    std::uint64_t sum = 0;
    for (std::uint64_t seq = 0; seq < events; ++seq) {
      event e{seq, 0, {}};
      for (std::uint64_t i = 0; i < e.payload.size(); ++i)
        sum += e.payload[i] = payload_word(seq, i);
      // Stamp each attempt, so time spent waiting for a free slot is not counted as latency.
      do {
        e.sent_ns = system_clock::monotonic_ns();
      } while (!ring.try_push(e));
    }
    sent_sum = sum;
    producer_done.store(true, std::memory_order_release);
  });
  std::thread consumer([&] {
    ready.fetch_add(1, std::memory_order_acq_rel);
    wait_for(go);
    std::uint64_t sum = 0;
    std::uint64_t n = 0;
    while (n < events) {
      const event* e = ring.front();
      if (e == nullptr) {
        if (producer_done.load(std::memory_order_acquire) && ring.front() == nullptr) break;
        continue;
      }
      const std::int64_t now = system_clock::monotonic_ns();
      if (e->sequence != n && first_out_of_order == events) first_out_of_order = n;
      for (const std::uint64_t w : e->payload)
        sum += w;
      latencies[n] = now - e->sent_ns;
      ring.pop();
      ++n;
    }
    end_ns = system_clock::monotonic_ns();
    received_sum = sum;
    received = n;
  });
  while (ready.load(std::memory_order_acquire) < 2)
    std::this_thread::yield();
  const std::int64_t start_ns = system_clock::monotonic_ns();
  go.store(true, std::memory_order_release);
  producer.join();
  consumer.join();

  const double seconds = static_cast<double>(end_ns - start_ns) / 1e9;
  const bool all = received == events;
  const bool ordered = first_out_of_order == events;
  const bool sums = all && received_sum == sent_sum;
  std::printf("[1] SPSC ring hand-off: %" PRIu64
              " events of %zu bytes, %zu slots, producer -> consumer\n"
              "    received      : %" PRIu64 " of %" PRIu64
              "%s\n"
              "    order         : %s %" PRIu64
              "\n"
              "    checksum      : %s (0x%016" PRIx64 ")\n",
              events, sizeof(event), ring_slots, received, events, all ? "" : "  <- EVENTS LOST",
              ordered ? "ok, in sequence up to" : "BROKEN at event",
              ordered ? events - 1 : first_out_of_order, sums ? "ok" : "MISMATCH", received_sum);
  std::printf("    throughput    : %.2f M events/s (%.1f ms)\n",
              seconds > 0 ? static_cast<double>(received) / seconds / 1e6 : 0.0, seconds * 1e3);
  std::printf(
      "    latency, receive - send, ns (producer runs flat out: includes queueing behind\n"
      "    up to %zu earlier events)\n",
      ring_slots - 1);
  print_summary_header("");
  print_summary_row("ring hand-off", engine::summarize(std::span(latencies.data(), received)));
  return all && ordered && sums;
}

// ---------------------------------------------------------------------------------------------
// 2. and 3. Signing.

enum class text_encoding { hex, base64 };

struct venue_sample {
  const char* label;
  const char* request_line;
  std::string_view secret;   // documented fake test input, never printed
  std::string_view message;  // the exact string the venue signs
  text_encoding encoding;
  std::string_view expected;  // published expectation, empty when none is documented
};

const venue_sample binance{"Binance Portfolio Margin",
                           "POST /papi/v1/um/positionSide/dual",
                           "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j",
                           "dualSidePosition=true&recvWindow=5000&timestamp=1700000000000",
                           text_encoding::hex,
                           ""};

const venue_sample bitget{"Bitget",
                          "POST /api/v2/mix/account/set-position-mode",
                          "bgsecret0123456789abcdef0123456789abcdef0123456789abcdef01234567",
                          "1700000000000POST/api/v2/mix/account/set-position-mode"
                          R"({"productType":"USDT-FUTURES","posMode":"hedge_mode"})",
                          text_encoding::base64,
                          "2Gdz2auu+jzKidxaH31F06Y3yfd6s3i4XPMpMQBosAQ="};

using text_buffer = std::array<char, hmac_signer::hex_size>;  // large enough for hex and base64

std::string_view sign_posmode(hmac_signer& signer, const venue_sample& v, text_buffer& out) {
  const bool hex = v.encoding == text_encoding::hex;
  const bool ok = hex ? signer.sign_hex(v.message, out)
                      : signer.sign_base64(v.message, std::span(out).first<44>());
  return ok ? std::string_view(out.data(), hex ? hmac_signer::hex_size : hmac_signer::base64_size)
            : std::string_view();
}

std::string_view sign_openssl(const venue_sample& v, text_buffer& out) {
  std::array<std::uint8_t, hmac_signer::digest_size> mac{};
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), v.secret.data(), static_cast<int>(v.secret.size()),
           reinterpret_cast<const unsigned char*>(v.message.data()), v.message.size(), mac.data(),
           &len) == nullptr ||
      len != mac.size()) {
    return {};
  }
  const std::size_t n = v.encoding == text_encoding::hex ? engine::encode_hex_lower(mac, out)
                                                         : engine::encode_base64(mac, out);
  return {out.data(), n};
}

const char* backend_name(const hmac_signer& signer) {
  return signer.active_backend() == hmac_signer::backend::sha_ni ? "sha_ni" : "openssl_evp";
}

bool show_signature(const venue_sample& v) {
  hmac_signer signer(v.secret);
  text_buffer ours{};
  text_buffer theirs{};
  const std::string_view sig = sign_posmode(signer, v, ours);
  const std::string_view reference = sign_openssl(v, theirs);
  const bool matches = !sig.empty() && sig == reference;
  const bool expected_ok = v.expected.empty() || sig == v.expected;
  std::printf("    %s  %s\n", v.label, v.request_line);
  std::printf("      signed string    : %.*s  (%zu bytes)\n", static_cast<int>(v.message.size()),
              v.message.data(), v.message.size());
  std::printf("      signature %-6s : %.*s\n", v.encoding == text_encoding::hex ? "hex" : "base64",
              static_cast<int>(sig.size()), sig.data());
  std::printf("      OpenSSL HMAC()   : %s\n",
              matches ? "matches OpenSSL" : "DOES NOT MATCH OpenSSL");
  if (!v.expected.empty()) {
    std::printf("      documented value : %s\n", expected_ok ? "matches" : "MISMATCH");
  }
  return matches && expected_ok;
}

template <typename SignOnce>
engine::percentile_summary time_signatures(std::vector<std::int64_t>& samples, SignOnce sign_once) {
  for (std::size_t i = 0; i < sign_warmup; ++i)
    (void)sign_once();
  for (auto& sample : samples) {
    const std::int64_t t0 = system_clock::monotonic_ns();
    const bool ok = sign_once();
    sample = system_clock::monotonic_ns() - t0;
    if (!ok) throw std::runtime_error("signing failed during the latency run");
  }
  return engine::summarize(samples);
}

void run_sign_latency(const venue_sample& v, const char* row_prefix,
                      std::vector<std::int64_t>& samples) {
  hmac_signer signer(v.secret);
  text_buffer out{};
  const std::string ours = std::string(row_prefix) + " posmode " + backend_name(signer);
  print_summary_row(ours.c_str(), time_signatures(samples, [&] {
                      return !sign_posmode(signer, v, out).empty();
                    }));
  const std::string theirs = std::string(row_prefix) + " OpenSSL HMAC()";
  print_summary_row(theirs.c_str(),
                    time_signatures(samples, [&] { return !sign_openssl(v, out).empty(); }));
}

std::string cpu_model() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) != 0) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const auto value = line.find_first_not_of(" \t", colon + 1);
    return value == std::string::npos ? std::string() : line.substr(value);
  }
  return "unavailable (/proc/cpuinfo not readable)";
}

int usage(std::FILE* to, int code) {
  std::fprintf(to, "usage: posmode-demo [--events N (default 1000000)] [--help]\n");
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::uint64_t events = 1'000'000;
    for (int i = 1; i < argc; ++i) {
      const std::string_view arg = argv[i];
      if (arg == "--help" || arg == "-h") return usage(stdout, 0);
      if (arg == "--events" && i + 1 < argc) {
        const std::string_view value = argv[++i];
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), events);
        if (ec != std::errc() || end != value.data() + value.size() || events == 0) {
          std::fprintf(stderr, "posmode-demo: --events needs a positive integer, got '%.*s'\n",
                       static_cast<int>(value.size()), value.data());
          return 2;
        }
        continue;
      }
      std::fprintf(stderr, "posmode-demo: unknown or incomplete option '%.*s'\n",
                   static_cast<int>(arg.size()), arg.data());
      return usage(stderr, 2);
    }

    const hmac_signer probe(binance.secret);
    std::printf("posmode demo: a measured tour of the engine\n");
    std::printf("    cpu           : %s (%u hardware threads)\n", cpu_model().c_str(),
                std::thread::hardware_concurrency());
    std::printf("    signer backend: %s (CPU has the x86 SHA extensions: %s)\n\n",
                backend_name(probe), hmac_signer::cpu_has_sha_ni() ? "yes" : "no");

    bool ok = run_ring_tour(events);

    std::printf(
        "\n[2] Request signing with the documented fake test credentials (secrets not "
        "printed)\n");
    ok = show_signature(binance) && ok;
    ok = show_signature(bitget) && ok;

    std::vector<std::int64_t> samples(sign_samples);
    const std::int64_t timer_p50 = time_signatures(samples, [] { return true; }).p50;
    std::printf(
        "\n[3] Per-signature latency, ns: %zu signatures per row after %zu warm-up calls,\n"
        "    signature text included. Each sample is one monotonic_ns() pair, so timer\n"
        "    overhead (~20 ns; %" PRId64 " ns p50 measured here) is included.\n",
        sign_samples, sign_warmup, timer_p50);
    print_summary_header("message / signer");
    run_sign_latency(binance, "binance hex  ", samples);
    run_sign_latency(bitget, "bitget base64", samples);

    std::printf("\n%s\n", ok ? "all checks passed" : "SOME CHECKS FAILED");
    return ok ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "posmode-demo: error: %s\n", e.what());
    return 1;
  } catch (...) {
    std::fprintf(stderr, "posmode-demo: unknown error\n");
    return 1;
  }
}
