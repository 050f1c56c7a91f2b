// Transport latency harness: posmode's TLS connection against the floor a trading engine could
// reach with OpenSSL by hand, over loopback against the mock exchange, all in the same run.
//
// Variants (one persistent connection each, same request bytes, same TLS settings):
//   (a) the floor: a bare SSL_write on a connection this harness opens itself, and the round trip
//       of a raw client that busy-polls SSL_read on its non-blocking socket;
//   (b) posmode's tls_connection, the host spinning on io_context::poll();
//   (c) posmode's tls_connection, the host blocked in io_context::run(), each request sent from
//       inside on_response of the previous one.
// Write latency is the time spent in the call that hands the request to the kernel (SSL_write or
// tls_connection::send); the round trip runs from just before that call to the moment the whole
// response is parsed and in the host's hands.
//
// Not a Google Benchmark program: it needs per-sample tail percentiles and three variants
// interleaved in one process. Timings are printed, never judged; the exit status is non-zero
// only when a self-check fails (a status other than 200, a failure callback, an error, a stall).
//
// The request is Bitget's public time, GET /api/v2/public/time, which the mock serves at a
// constant cost. Binance's ping (--path /fapi/v1/ping) is weighted: the mock sums the weight of
// every request from 127.0.0.1 in the last minute on each request, so over a run of 60 000
// requests its service time grows from a few microseconds to tens and swamps what is measured.
//
// Reading the numbers: the mock's thread sleeps in epoll between requests, so a write that finds
// it asleep pays for waking it (an IPI; on a VM whose idle vCPU halts, a hypervisor round trip),
// and a write issued while it is still finishing the previous reply does not. The spinning
// clients answer within a microsecond or two, usually before the mock sleeps; under run() the
// client must first be woken itself, by which time the mock is asleep. So run()'s writes and
// round trips carry one or two wake-ups that the spinning variants mostly avoid.
// Usage: posmode_bench_transport [--samples N] [--path /api/v2/public/time] [--csv DIR]
//   --csv DIR also writes each variant's raw samples to DIR/transport_<variant>.csv (ns).

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "bench_support.hpp"
#include "latency_support.hpp"
#include "posmode/engine/clock.hpp"
#include "posmode/engine/http_response.hpp"
#include "posmode/engine/percentiles.hpp"
#include "posmode/engine/tls_connection.hpp"
#include "posmode/mock/exchange.hpp"
#include "posmode/version.hpp"
#include "sample_csv.hpp"

namespace {

using namespace posmode::bench::latency;
namespace asio = boost::asio;
namespace engine = posmode::engine;
using engine::system_clock;

// Interleaving: each variant's samples are taken in this many blocks, rotating the variants, so
// that slow drift on a shared VM (and the mock's own state) hits all three alike.
constexpr std::size_t rounds = 10;
constexpr std::size_t warm_up_requests = 200;  // per connection, before the first block
constexpr std::size_t block_warm_up = 20;      // per block: re-warm caches after the switch
// The request's absolute deadline is the trigger time (already read) plus this.
constexpr std::int64_t request_timeout_ns =
    std::chrono::duration_cast<std::chrono::nanoseconds>(request_timeout).count();

// ---------------------------------------------------------------------------------------------
// (b) and (c): posmode's tls_connection.

// Receives a posmode connection's events. With `chain` on (the run() variant) it records the
// round trip and sends the next request from inside on_response, as a host driven by run() does,
// and stops the loop after the last one.
class posmode_client final : public engine::connection_listener {
 public:
  posmode_client(engine::tls_client_context& tls, std::uint16_t port)
      : conn_(io_, tls, engine::tls_endpoint{host_name, port, false}, *this) {}

  bool connect() {
    conn_.connect();
    const std::int64_t limit = system_clock::monotonic_ns() + stall_limit_ns;
    while (!connected_ && system_clock::monotonic_ns() < limit)
      io_.run_one_for(std::chrono::milliseconds(10));
    if (!connected_ || connect_error_) {
      report_failure("posmode: connect: " + connect_error_.message() + " " +
                     std::string(conn_.last_error_detail()));
      return false;
    }
    return true;
  }

  // (b) `n` requests, one at a time, the host spinning on poll() meanwhile.
  bool poll_block(std::string_view request, std::size_t n, samples* out) {
    io_.restart();  // a context left stopped (by on_failure) would run nothing in poll()
    for (std::size_t i = 0; i < n; ++i) {
      responded_ = false;
      const std::int64_t t0 = system_clock::monotonic_ns();
      const std::error_code ec =
          conn_.send({request.data(), request.size()}, t0 + request_timeout_ns);
      const std::int64_t t1 = system_clock::monotonic_ns();
      if (ec) return fail("posmode poll(): send: " + ec.message());
      std::uint32_t spins = 0;
      while (!responded_ && !failed_) {
        io_.poll();
        // The request's deadline (5 s) ends a stall through on_failure; this is the backstop.
        if ((++spins & 0xfffU) == 0 && system_clock::monotonic_ns() - t0 > 2 * stall_limit_ns)
          return fail("posmode poll(): no response within 10 s");
      }
      if (failed_ || !response_ok_) return false;
      if (out != nullptr) {
        out->write_ns.push_back(t1 - t0);
        out->round_trip_ns.push_back(responded_at_ - t0);
      }
    }
    return true;
  }

  // (c) `n` requests chained from on_response, the host blocked in run().
  bool run_block(std::string_view request, std::size_t n, samples* out) {
    if (n == 0) return true;
    chain_ = true;
    request_ = request;
    remaining_ = n;
    out_ = out;
    io_.restart();
    // The connection's read wait already keeps run() busy; the guard states the intent: only
    // stop() (after the last response, or a failure) ends this block.
    auto guard = asio::make_work_guard(io_);
    send_next();
    if (!failed_) io_.run();
    chain_ = false;
    return !failed_ && response_ok_ && remaining_ == 0;
  }

  void on_connected(std::error_code ec) noexcept override {
    connected_ = true;
    connect_error_ = ec;
  }

  void on_response(const engine::http_response_parser& r) noexcept override {
    // First thing: the moment the host holds the response.
    responded_at_ = system_clock::monotonic_ns();
    responded_ = true;
    response_ok_ = r.status() == 200 && r.keep_alive();
    if (!response_ok_) {
      report_failure("posmode: status " + std::to_string(r.status()) + " or not keep-alive");
      if (chain_) io_.stop();
      return;
    }
    if (!chain_) return;
    if (out_ != nullptr) out_->round_trip_ns.push_back(responded_at_ - sent_at_);
    if (--remaining_ == 0) return io_.stop();
    send_next();
  }

  void on_failure(std::error_code ec, bool in_flight,
                  const engine::http_response_parser&) noexcept override {
    failed_ = true;
    report_failure("posmode: on_failure: " + ec.message() + (in_flight ? " (in flight) " : " ") +
                   std::string(conn_.last_error_detail()));
    io_.stop();
  }

 private:
  void send_next() {
    const std::int64_t t0 = system_clock::monotonic_ns();
    const std::error_code ec =
        conn_.send({request_.data(), request_.size()}, t0 + request_timeout_ns);
    const std::int64_t t1 = system_clock::monotonic_ns();
    if (ec) {
      fail("posmode run(): send: " + ec.message());
      return io_.stop();
    }
    sent_at_ = t0;
    if (out_ != nullptr) out_->write_ns.push_back(t1 - t0);
  }

  bool fail(const std::string& what) {
    failed_ = true;
    report_failure(what);
    return false;
  }

  // Concurrency hint 1: one thread drives each context, as posmode recommends to hosts.
  asio::io_context io_{1};
  engine::tls_connection conn_;
  bool connected_ = false;
  std::error_code connect_error_;
  bool responded_ = false;
  bool response_ok_ = true;
  bool failed_ = false;
  std::int64_t responded_at_ = 0;
  // The run() chain.
  bool chain_ = false;
  std::string_view request_;
  std::size_t remaining_ = 0;
  samples* out_ = nullptr;
  std::int64_t sent_at_ = 0;
};

struct options {
  std::size_t samples = 20'000;
  std::string path = "/api/v2/public/time";
  std::string csv_dir;  // empty: no CSV
};

bool parse_args(int argc, char** argv, options& opts) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--samples" && i + 1 < argc) {
      char* end = nullptr;
      const unsigned long long n = std::strtoull(argv[++i], &end, 10);
      if (end == argv[i] || *end != '\0' || n == 0) return false;
      opts.samples = static_cast<std::size_t>(n);
    } else if (arg == "--path" && i + 1 < argc) {
      opts.path = argv[++i];
      if (!opts.path.starts_with('/')) return false;
    } else if (arg == "--csv" && i + 1 < argc) {
      opts.csv_dir = argv[++i];
      if (opts.csv_dir.empty()) return false;
    } else {
      return false;
    }
  }
  return true;
}

int run(const options& opts) {
  // The mock's thread inherits the affinity of the thread that creates it: it is created while
  // this thread is pinned to CPU 0, and this (client) thread then moves to CPU 1. Unpinned, the
  // scheduler often woke the mock on the client's CPU (seen with ps), where it competes with the
  // spinning client for the same core.
  std::optional<posmode::bench::scoped_cpu_pin> server_pin(std::in_place, 0U);
  // Should --path name a weighted Binance endpoint, the limit is lifted so that no 429 appears.
  // The request log is kept tiny: it is the mock's memory, not something measured.
  posmode::mock::exchange mock({.bind_address = "127.0.0.1",
                                .port = 0,
                                .on_request = {},
                                .log_capacity = 16,
                                .weight_limit = 1'000'000'000,
                                .bitget_rate_limit = 5});
  const bool server_pinned = server_pin->pinned();
  server_pin.reset();
  const posmode::bench::scoped_cpu_pin pin(1);

  const std::string request =
      "GET " + opts.path +
      " HTTP/1.1\r\nHost: localhost\r\nUser-Agent: posmode/" POSMODE_VERSION_STRING "\r\n\r\n";
  engine::tls_client_context tls({.ca_file = {}, .ca_pem = mock.ca_pem()});
  floor_client floor(mock.port(), mock.ca_pem());
  posmode_client polled(tls, mock.port());
  posmode_client blocked(tls, mock.port());
  if (!floor.ready() || !polled.connect() || !blocked.connect()) return 1;

  std::printf("machine: %s, %u CPUs, %s\n", cpu_model().c_str(),
              std::thread::hardware_concurrency(), OpenSSL_version(OPENSSL_VERSION));
  std::printf(
      "mock thread %s, client thread %s; TLS %s; request %zu bytes (GET %s); %zu samples per "
      "variant in %zu interleaved blocks\n\n",
      server_pinned ? "on CPU 0" : "unpinned", pin.pinned() ? "on CPU 1" : "unpinned",
      floor.negotiated().c_str(), request.size(), opts.path.c_str(), opts.samples, rounds);

  std::array<samples, 3> results;
  for (auto& r : results)
    r.reserve(opts.samples);
  // A variant runs `n` requests, recorded into `out` unless it is null (warm-up).
  const auto run_variant = [&](std::size_t v, std::size_t n, samples* out) {
    switch (v) {
      case 0: {
        for (std::size_t i = 0; i < n; ++i)
          if (!floor.round_trip(request, out)) return false;
        return true;
      }
      case 1:
        return polled.poll_block(request, n, out);
      default:
        return blocked.run_block(request, n, out);
    }
  };
  for (std::size_t v = 0; v < 3; ++v)
    if (!run_variant(v, warm_up_requests, nullptr)) return 1;
  for (std::size_t r = 0; r < rounds; ++r) {
    const std::size_t n = opts.samples * (r + 1) / rounds - opts.samples * r / rounds;
    for (std::size_t k = 0; k < 3; ++k) {
      const std::size_t v = (r + k) % 3;  // rotate which variant goes first
      if (!run_variant(v, block_warm_up, nullptr) || !run_variant(v, n, &results[v])) return 1;
    }
  }
  for (const auto& r : results)
    if (r.write_ns.size() != opts.samples || r.round_trip_ns.size() != opts.samples)
      report_failure("a variant recorded the wrong number of samples");

  if (!opts.csv_dir.empty()) {
    const char* const names[3] = {"bare", "poll", "run"};
    for (std::size_t v = 0; v < 3; ++v) {
      for (const std::string& error :
           {posmode::bench::write_samples_csv(
                opts.csv_dir, std::string("transport_write_") + names[v], results[v].write_ns),
            posmode::bench::write_samples_csv(opts.csv_dir,
                                              std::string("transport_round_trip_") + names[v],
                                              results[v].round_trip_ns)})
        if (!error.empty()) report_failure(error);
    }
  }
  std::printf("%-28s %7s %8s %8s %8s %8s %8s %9s   (us)\n", "variant", "count", "min", "p50", "p90",
              "p99", "p99.9", "max");
  print_row("write: bare SSL_write", results[0].write_ns);
  print_row("write: posmode, poll() spin", results[1].write_ns);
  print_row("write: posmode, run()", results[2].write_ns);
  print_row("round trip: raw busy-poll", results[0].round_trip_ns);
  print_row("round trip: posmode, poll()", results[1].round_trip_ns);
  print_row("round trip: posmode, run()", results[2].round_trip_ns);

  std::printf("\nratios of p50 (same run):\n");
  const std::int64_t bare_write = p50_of(results[0].write_ns);
  const std::int64_t raw_trip = p50_of(results[0].round_trip_ns);
  print_ratio("write, posmode poll() / bare SSL_write", p50_of(results[1].write_ns), bare_write,
              1.1);
  print_ratio("write, posmode run() / bare SSL_write", p50_of(results[2].write_ns), bare_write,
              1.1);
  print_ratio("round trip, posmode poll() / raw client", p50_of(results[1].round_trip_ns), raw_trip,
              1.2);
  print_ratio("round trip, posmode run() / raw client", p50_of(results[2].round_trip_ns), raw_trip,
              1.2);
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  options opts;
  if (!parse_args(argc, argv, opts)) {
    std::fprintf(stderr, "usage: %s [--samples N] [--path /api/v2/public/time] [--csv DIR]\n",
                 argv[0]);
    return 2;
  }
  try {
    const int rc = run(opts);
    if (failures != 0) std::fprintf(stderr, "%zu self-check(s) failed\n", failures);
    return rc != 0 || failures != 0 ? 1 : 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "SELF-CHECK FAILED: %s\n", e.what());
    return 1;
  }
}
