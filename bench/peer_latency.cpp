// posmode's side of scripts/bench-peer: the component switching a Binance USDⓈ-M account's
// position mode against a posmode-mock-exchange PROCESS (the one ccxt's script talks to, with the
// same account), hosted by one busy-polling thread. Each sample is what a caller waits for, read
// with the same steady clock around it: from just before `request()` to the terminal event
// popped from the ring. The mode alternates so that every request really changes it.
//
// Timings are printed, never judged; the exit status is non-zero only when a self-check fails
// (a request that does not end `applied`).
// Usage: posmode_bench_peer --port P --ca FILE --key K --secret S [--samples N] [--warm-up W]
//        [--csv FILE]

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "latency_support.hpp"
#include "posmode/components/position_mode_component.hpp"

namespace {

using namespace posmode::bench::latency;
namespace components = posmode::components;
using steady = std::chrono::steady_clock;

struct options {
  std::uint16_t port = 0;
  std::string ca_file;
  std::string key;
  std::string secret;
  std::size_t samples = 2'000;
  std::size_t warm_up = 200;
  std::string csv;
};

bool fail(const std::string& what) {
  report_failure(what);
  return false;
}

// One request to its terminal event; `ns` gets the caller's wait. False on anything but applied.
bool one_request(boost::asio::io_context& io, components::position_mode_component& component,
                 components::position_mode mode, std::int64_t& ns) {
  const auto start = steady::now();
  if (!component.request(0, mode)) return fail("request ring full");
  components::position_event e;
  const auto limit = start + std::chrono::seconds(5);
  std::uint32_t spins = 0;
  for (;;) {
    component.poll();
    io.poll();
    if (component.try_pop(e) && e.terminal) break;
    if ((++spins & 0xfffU) == 0 && steady::now() > limit) return fail("no event within 5 s");
  }
  ns = std::chrono::duration_cast<std::chrono::nanoseconds>(steady::now() - start).count();
  if (e.status != components::event_status::applied)
    return fail("status " + std::string(components::to_string(e.status)) + ": " +
                std::string(e.message.view()));
  return true;
}

int run(const options& o) {
  std::ifstream ca(o.ca_file);
  std::stringstream pem;
  pem << ca.rdbuf();
  if (!ca || pem.str().empty()) {
    std::fprintf(stderr, "posmode_bench_peer: cannot read the CA file %s\n", o.ca_file.c_str());
    return 2;
  }
  components::account_settings a;
  a.account.id = "peer";
  a.account.venue_kind = components::venue::binance_usdm;
  a.account.products = {components::product::usdm};
  a.account.host = host_name;
  a.account.port = o.port;
  a.creds.api_key = o.key;
  a.creds.secret = components::secret_string(o.secret);
  a.ca_pem = pem.str();
  a.connections = 1;
  components::component_config config;
  config.accounts.push_back(std::move(a));
  config.wakeup = components::wakeup_mode::busy_poll;

  boost::asio::io_context io(1);
  components::position_mode_component component(io, std::move(config));
  component.start();
  const auto warm_limit = steady::now() + std::chrono::seconds(5);
  components::position_event e;
  while (!component.started()) {
    io.poll();
    component.poll();
    while (component.try_pop(e)) {
    }
    if (steady::now() > warm_limit) return fail("no warm-up in 5 s"), 1;
  }
  while (component.try_pop(e)) {
  }

  components::position_mode mode = components::position_mode::one_way;
  const auto flip = [&mode] {
    mode = mode == components::position_mode::hedge ? components::position_mode::one_way
                                                    : components::position_mode::hedge;
    return mode;
  };
  std::int64_t ns = 0;
  for (std::size_t i = 0; i < o.warm_up; ++i)
    if (!one_request(io, component, flip(), ns)) return 1;
  std::vector<std::int64_t> out;
  out.reserve(o.samples);
  for (std::size_t i = 0; i < o.samples; ++i) {
    if (!one_request(io, component, flip(), ns)) return 1;
    out.push_back(ns);
  }
  component.stop();

  if (!o.csv.empty()) {
    std::ofstream file(o.csv);
    file << "ns\n";
    for (const std::int64_t v : out)
      file << v << '\n';
    if (!file) return fail("cannot write " + o.csv), 1;
  }
  std::vector<std::int64_t> sorted = out;
  std::printf("%-28s %7s %8s %8s %8s %8s %8s %9s   (us)\n", "stage", "count", "min", "p50", "p90",
              "p99", "p99.9", "max");
  print_row("posmode: request -> event", sorted);
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--port" && has_value) {
      o.port = static_cast<std::uint16_t>(std::strtoul(argv[++i], nullptr, 10));
    } else if (arg == "--ca" && has_value) {
      o.ca_file = argv[++i];
    } else if (arg == "--key" && has_value) {
      o.key = argv[++i];
    } else if (arg == "--secret" && has_value) {
      o.secret = argv[++i];
    } else if (arg == "--samples" && has_value) {
      o.samples = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--warm-up" && has_value) {
      o.warm_up = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--csv" && has_value) {
      o.csv = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: %s --port P --ca FILE --key K --secret S [--samples N] [--warm-up W] "
                   "[--csv FILE]\n",
                   argv[0]);
      return 2;
    }
  }
  if (o.port == 0 || o.ca_file.empty() || o.key.empty() || o.secret.empty() || o.samples == 0) {
    std::fprintf(stderr, "posmode_bench_peer: --port, --ca, --key, --secret and --samples > 0\n");
    return 2;
  }
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "posmode_bench_peer: %s\n", e.what());
    return 1;
  }
}
