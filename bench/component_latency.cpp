// Component latency harness: the position-mode component from trigger to bytes in the kernel and
// from trigger to published event, against the floor measured in the same run over the same
// loopback connection setup to the mock exchange:
//   - bare SSL_write of the same set-mode request bytes, on a connection opened by hand;
//   - the round trip of a raw client busy-polling SSL_read on its non-blocking socket.
// The request is Bitget USDT-FUTURES set-position-mode, alternating hedge and one-way so that
// every request really changes the mode (the mock's Bitget rate limit is lifted). The component
// runs as a busy-polling host would run it: one thread is risk module, loop and order manager,
// calling request(), then component.poll() + io.poll() + try_pop() until the terminal event. The
// component's poll comes first, so that a trigger is taken at once: with io.poll() first (before
// 2026-11-30), every trigger -> kernel sample also carried the host's own epoll_wait, a system
// call the bare SSL_write floor does not make (docs/performance.md compares the two orders). Its
// stages are the event's own timestamps (trigger, on-wire, published), read from the same clock.
//
// Binance key types (issue 15): the same trigger -> kernel and trigger -> event for a Binance
// USD-M account signing with HMAC and one signing with an Ed25519 key, each in a component of
// its own, interleaved with the others. The Ed25519 signature (~40 us) is made ahead of time by
// the refresh timer, so the two should match; a trigger that lands while a refresh slice signs
// waits for it (visible in p99 / p99.9). Both must report zero inline signatures.
//
// Another variant is the same component with `component_config::record_latency` off (no latency
// histograms, no health update per event), on an account of its own, interleaved with the others:
// the difference of the two components' medians is what recording costs (issue 17: <= 20 ns).
//
// Timings are printed, never judged; the exit status is non-zero only when a self-check fails.
// Usage: posmode_bench_component [--samples N] [--csv DIR]
//   --csv DIR also writes each variant's raw samples to DIR/component_<variant>.csv (ns).

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "bench_keys.hpp"
#include "bench_support.hpp"
#include "latency_support.hpp"
#include "posmode/components/account_requests.hpp"
#include "posmode/components/position_mode_component.hpp"
#include "posmode/mock/exchange.hpp"
#include "sample_csv.hpp"

using posmode::bench::ed25519_pem;
using posmode::bench::ed25519_public_pem;

namespace {

using namespace posmode::bench::latency;
namespace components = posmode::components;

constexpr std::size_t rounds = 10;         // interleaved blocks per variant
constexpr std::size_t warm_up = 200;       // per variant, before the first block
constexpr std::size_t block_warm_up = 20;  // per block, after switching variants

components::account_settings bitget_account(const posmode::mock::exchange& mock,
                                            const std::string& suffix = {}) {
  components::account_settings a;
  a.account.id = "bg-bench" + suffix;
  a.account.venue_kind = components::venue::bitget;
  a.account.products = {components::product::usdt_futures};
  a.account.host = host_name;
  a.account.port = mock.port();
  a.creds.api_key = "bg_bench_0123456789abcdef" + suffix;
  a.creds.secret = components::secret_string("bench-secret-0123456789");
  a.creds.passphrase = components::secret_string("bench-pass");
  a.ca_pem = mock.ca_pem();
  a.connections = 1;
  return a;
}

// A Binance USD-M account on the mock, signing with HMAC or with the Ed25519 key above; the mock
// verifies either.
components::account_settings binance_account(posmode::mock::exchange& mock, bool ed25519) {
  components::account_settings a;
  a.account.id = ed25519 ? "usdm-ed25519" : "usdm-hmac";
  a.account.venue_kind = components::venue::binance_usdm;
  a.account.products = {components::product::usdm};
  a.account.host = host_name;
  a.account.port = mock.port();
  a.creds.api_key = ed25519 ? "bench-binance-ed25519-key" : "bench-binance-hmac-key";
  posmode::mock::binance_account registered;
  registered.api_key = a.creds.api_key;
  if (ed25519) {
    a.account.key_type = components::api_key_type::ed25519;
    a.creds.private_key = components::secret_string(ed25519_pem);
    registered.key_type = posmode::mock::binance_key_type::ed25519;
    registered.public_key_pem = std::string(ed25519_public_pem);
  } else {
    a.creds.secret = components::secret_string("bench-binance-secret-0123456789");
    registered.secret = std::string(a.creds.secret.reveal());
  }
  mock.add_binance_account(registered);
  a.ca_pem = mock.ca_pem();
  a.connections = 1;
  return a;
}

components::position_mode flip(components::position_mode m) {
  return m == components::position_mode::hedge ? components::position_mode::one_way
                                               : components::position_mode::hedge;
}

// The floor: the same signed bytes the component would send, through OpenSSL by hand.
class floor_variant {
 public:
  floor_variant(const posmode::mock::exchange& mock, const components::account_settings& a)
      : client_(mock.port(), mock.ca_pem()), requests_(a.account, a.creds) {}

  [[nodiscard]] bool ready() const { return client_.ready(); }

  bool run(std::size_t n, samples* out) {
    for (std::size_t i = 0; i < n; ++i) {
      mode_ = flip(mode_);
      std::error_code ec;
      const auto bytes =
          requests_.set_mode(components::product::usdt_futures, mode_, system_clock::wall_ms(), ec);
      if (ec) return false;
      if (!client_.round_trip({bytes.data(), bytes.size()}, out)) return false;
    }
    return true;
  }

 private:
  floor_client client_;
  components::account_requests requests_;
  components::position_mode mode_ = components::position_mode::one_way;
};

// The component, hosted by this one spinning thread.
class component_variant {
 public:
  component_variant(boost::asio::io_context& io, components::component_config config)
      : io_(io), component_(io, std::move(config)) {}

  bool start() {
    component_.start();
    const std::int64_t limit = system_clock::monotonic_ns() + stall_limit_ns;
    components::position_event e;
    while (!component_.started()) {
      io_.poll();
      component_.poll();
      while (component_.try_pop(e)) {
      }
      if (system_clock::monotonic_ns() > limit) return fail("component: no warm-up in 5 s");
    }
    while (component_.try_pop(e)) {
    }
    return true;
  }

  /** Set requests that found no fresh pre-signed copy (the stats' counter). */
  [[nodiscard]] std::uint64_t inline_signatures() const {
    return component_.stats().inline_signatures;
  }

  bool run(std::size_t n, samples* out) {
    for (std::size_t i = 0; i < n; ++i) {
      mode_ = flip(mode_);
      if (!component_.request(0, mode_)) return fail("component: request ring full");
      components::position_event e;
      const std::int64_t limit = system_clock::monotonic_ns() + stall_limit_ns;
      std::uint32_t spins = 0;
      for (;;) {
        component_.poll();
        io_.poll();
        if (component_.try_pop(e) && e.terminal) break;
        if ((++spins & 0xfffU) == 0 && system_clock::monotonic_ns() > limit)
          return fail("component: no event within 5 s");
      }
      if (e.status != components::event_status::applied)
        return fail("component: status " + std::string(components::to_string(e.status)) + " " +
                    std::string(e.message.view()));
      if (out != nullptr) {
        out->write_ns.push_back(e.on_wire_ns - e.trigger_ns);
        out->round_trip_ns.push_back(e.published_ns - e.trigger_ns);
      }
    }
    return true;
  }

 private:
  bool fail(const std::string& what) {
    report_failure(what);
    return false;
  }

  boost::asio::io_context& io_;
  components::position_mode_component component_;
  components::position_mode mode_ = components::position_mode::one_way;
};

int run(std::size_t sample_count, const std::string& csv_dir) {
  // The mock's thread inherits this thread's CPU 0 pinning; the host then moves to CPU 1.
  std::optional<posmode::bench::scoped_cpu_pin> server_pin(std::in_place, 0U);
  posmode::mock::exchange mock({.bind_address = "127.0.0.1",
                                .port = 0,
                                .on_request = {},
                                .log_capacity = 16,
                                // Binance weight: tens of thousands of sets in well under a
                                // minute; the limit is not what is measured.
                                .weight_limit = 1'000'000'000,
                                .bitget_rate_limit = 1'000'000'000});
  server_pin.reset();
  const posmode::bench::scoped_cpu_pin pin(1);

  const components::account_settings account = bitget_account(mock);
  const components::account_settings account_off = bitget_account(mock, "-off");
  for (const auto* a : {&account, &account_off}) {
    posmode::mock::bitget_account registered;
    registered.api_key = a->creds.api_key;
    registered.secret = std::string(a->creds.secret.reveal());
    registered.passphrase = std::string(a->creds.passphrase.reveal());
    mock.add_bitget_account(registered);
  }

  components::component_config config;
  config.accounts.push_back(account);
  config.wakeup = components::wakeup_mode::busy_poll;
  components::component_config config_off = config;
  config_off.accounts[0] = account_off;
  config_off.record_latency = false;
  boost::asio::io_context io(1);
  boost::asio::io_context io_off(1);
  floor_variant floor(mock, account);
  component_variant component(io, config);
  component_variant component_off(io_off, config_off);
  if (!floor.ready() || !component.start() || !component_off.start()) return 1;

  // One component per Binance key type, each with its own loop, hosted by this same thread.
  const auto binance_config = [&](bool ed25519) {
    components::component_config c;
    c.accounts.push_back(binance_account(mock, ed25519));
    c.wakeup = components::wakeup_mode::busy_poll;
    return c;
  };
  boost::asio::io_context hmac_io(1);
  boost::asio::io_context ed25519_io(1);
  component_variant hmac(hmac_io, binance_config(false));
  component_variant ed25519(ed25519_io, binance_config(true));
  if (!hmac.start() || !ed25519.start()) return 1;

  std::printf("machine: %s, %u CPUs, %s\n", cpu_model().c_str(),
              std::thread::hardware_concurrency(), OpenSSL_version(OPENSSL_VERSION));
  std::printf(
      "mock on CPU 0, host thread %s; Bitget USDT-FUTURES set-position-mode, alternating modes; "
      "%zu samples per variant in %zu interleaved blocks\n\n",
      pin.pinned() ? "on CPU 1" : "unpinned", sample_count, rounds);

  samples floor_samples;
  samples component_samples;
  samples off_samples;
  samples hmac_samples;
  samples ed25519_samples;
  for (samples* s :
       {&floor_samples, &component_samples, &off_samples, &hmac_samples, &ed25519_samples})
    s->reserve(sample_count);
  if (!floor.run(warm_up, nullptr) || !component.run(warm_up, nullptr) ||
      !component_off.run(warm_up, nullptr) || !hmac.run(warm_up, nullptr) ||
      !ed25519.run(warm_up, nullptr))
    return 1;
  // Counted over the measured runs only: between its blocks this harness does not drive a
  // component's loop at all (a host would), so its refresh timer is late and the first trigger
  // of a block's warm-up may find its pre-signed request too old and sign inline.
  std::uint64_t inline_signed = 0;
  std::uint64_t inline_in_warm_up = 0;
  const auto measured = [&](component_variant& v, std::size_t n, samples* out) {
    const std::uint64_t before_warm_up = v.inline_signatures();
    if (!v.run(block_warm_up, nullptr)) return false;
    const std::uint64_t before = v.inline_signatures();
    inline_in_warm_up += before - before_warm_up;
    const bool ok = v.run(n, out);
    inline_signed += v.inline_signatures() - before;
    return ok;
  };
  for (std::size_t r = 0; r < rounds; ++r) {
    const std::size_t n = sample_count * (r + 1) / rounds - sample_count * r / rounds;
    // Each block order in turn, so that no variant always follows the same one.
    for (std::size_t k = 0; k < 5; ++k) {
      bool ok = true;
      switch ((r + k) % 5) {
        case 0:
          ok = floor.run(block_warm_up, nullptr) && floor.run(n, &floor_samples);
          break;
        case 1:
          ok = component.run(block_warm_up, nullptr) && component.run(n, &component_samples);
          break;
        case 2:
          ok = component_off.run(block_warm_up, nullptr) && component_off.run(n, &off_samples);
          break;
        case 3:
          ok = measured(hmac, n, &hmac_samples);
          break;
        default:
          ok = measured(ed25519, n, &ed25519_samples);
          break;
      }
      if (!ok) return 1;
    }
  }

  if (!csv_dir.empty()) {
    for (const auto& [stem, values] :
         {std::pair{"component_floor_ssl_write", &floor_samples.write_ns},
          std::pair{"component_trigger_to_kernel", &component_samples.write_ns},
          std::pair{"component_floor_round_trip", &floor_samples.round_trip_ns},
          std::pair{"component_trigger_to_event", &component_samples.round_trip_ns},
          std::pair{"component_off_trigger_to_kernel", &off_samples.write_ns},
          std::pair{"component_off_trigger_to_event", &off_samples.round_trip_ns},
          std::pair{"component_binance_hmac_trigger_to_kernel", &hmac_samples.write_ns},
          std::pair{"component_binance_ed25519_trigger_to_kernel", &ed25519_samples.write_ns}}) {
      const std::string error = posmode::bench::write_samples_csv(csv_dir, stem, *values);
      if (!error.empty()) report_failure(error);
    }
  }
  std::printf("%-28s %7s %8s %8s %8s %8s %8s %9s   (us)\n", "stage", "count", "min", "p50", "p90",
              "p99", "p99.9", "max");
  print_row("floor: bare SSL_write", floor_samples.write_ns);
  print_row("posmode: trigger -> kernel", component_samples.write_ns);
  print_row("floor: raw busy-poll trip", floor_samples.round_trip_ns);
  print_row("posmode: trigger -> event", component_samples.round_trip_ns);
  print_row("recording off: -> kernel", off_samples.write_ns);
  print_row("recording off: -> event", off_samples.round_trip_ns);
  std::printf("\nratios of p50 (same run):\n");
  print_ratio("trigger -> kernel / bare SSL_write", p50_of(component_samples.write_ns),
              p50_of(floor_samples.write_ns), 1.10);
  print_ratio("trigger -> event / raw round trip", p50_of(component_samples.round_trip_ns),
              p50_of(floor_samples.round_trip_ns), 1.15);
  std::printf("\nrecording (histograms, health) on minus off, p50 (same run; target <= 20 ns):\n");
  std::printf(
      "  %-44s %+6lld ns\n", "trigger -> kernel",
      static_cast<long long>(p50_of(component_samples.write_ns) - p50_of(off_samples.write_ns)));
  std::printf("  %-44s %+6lld ns\n", "trigger -> event",
              static_cast<long long>(p50_of(component_samples.round_trip_ns) -
                                     p50_of(off_samples.round_trip_ns)));

  std::printf("\nBinance USD-M set, HMAC key vs Ed25519 key (pre-signed), same run:\n");
  std::printf("%-28s %7s %8s %8s %8s %8s %8s %9s   (us)\n", "stage", "count", "min", "p50", "p90",
              "p99", "p99.9", "max");
  print_row("hmac: trigger -> kernel", hmac_samples.write_ns);
  print_row("ed25519: trigger -> kernel", ed25519_samples.write_ns);
  print_row("hmac: trigger -> event", hmac_samples.round_trip_ns);
  print_row("ed25519: trigger -> event", ed25519_samples.round_trip_ns);
  std::printf("\nratios (same run):\n");
  print_ratio("ed25519 / hmac trigger -> kernel, p50", p50_of(ed25519_samples.write_ns),
              p50_of(hmac_samples.write_ns), 1.10);
  const auto p99_of = [](const std::vector<std::int64_t>& sorted) {
    return sorted.empty() ? std::int64_t{0} : posmode::engine::quantile_of_sorted(sorted, 0.99);
  };
  std::printf("  %-44s %5.2fx  (refresh slices that met a trigger show here)\n",
              "ed25519 / hmac trigger -> kernel, p99",
              static_cast<double>(p99_of(ed25519_samples.write_ns)) /
                  static_cast<double>(std::max<std::int64_t>(1, p99_of(hmac_samples.write_ns))));
  std::printf(
      "  inline signatures during the measured blocks: %llu (must be 0); in the blocks' "
      "warm-ups, after the harness left the loop unpolled: %llu\n",
      static_cast<unsigned long long>(inline_signed),
      static_cast<unsigned long long>(inline_in_warm_up));
  if (inline_signed != 0) report_failure("a trigger found no fresh pre-signed request");
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t sample_count = 20'000;
  std::string csv_dir;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--samples" && i + 1 < argc) {
      sample_count = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--csv" && i + 1 < argc && argv[i + 1][0] != '\0') {
      csv_dir = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--samples N] [--csv DIR]\n", argv[0]);
      return 2;
    }
  }
  if (sample_count < rounds) {
    std::fprintf(stderr, "--samples must be at least %zu\n", rounds);
    return 2;
  }
  try {
    const int rc = run(sample_count, csv_dir);
    return rc != 0 || failures != 0 ? 1 : 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "SELF-CHECK FAILED: %s\n", e.what());
    return 1;
  }
}
