// posmode_bench_construction: what constructing the position-mode component costs, in time and in
// resident memory, for 1, 8 and 64 accounts, against the system trust store and against one CA
// file, with the TLS context shared by accounts of the same trust settings (posmode) and, in the
// same run, with one context per account (the baseline: what posmode did before 0.2.0, emulated
// by giving each account the same trust file under a different spelling of its path:
// "/etc/ssl/certs/./ca-certificates.crt", ...). For the system store that file is OpenSSL's
// default CA file, which is what the system store loads.
//
// Reproduce: cmake --preset release && cmake --build build/release --target
// posmode_bench_construction && build/release/bench/posmode_bench_construction --runs 5
//
// Each measurement runs in a child process of its own (fork), so that memory one measurement
// allocated cannot hide the next one's. Nothing connects: construction loads trust stores, builds
// templates and signs; `start()` is never called. Not a Google Benchmark program: it prints one
// line per case with the median, min and max over --runs runs.
//
//   posmode_bench_construction [--runs N] [--accounts 1,8,64]

#include <openssl/x509.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "posmode/components/position_mode_component.hpp"
#include "posmode/mock/exchange.hpp"

namespace {

namespace pc = posmode::components;

struct sample {
  double construct_ms = 0;
  double rss_mb = 0;  ///< growth of the resident set across construction
  std::uint64_t contexts = 0;
  bool ok = false;
};

enum class trust { system_store, ca_file };
enum class sharing { shared, per_account };

struct trial {
  trust t;
  sharing s;
  std::size_t accounts;
};

std::int64_t rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0;
  long resident = 0;
  statm >> pages >> resident;
  return static_cast<std::int64_t>(resident) * ::sysconf(_SC_PAGESIZE);
}

pc::component_config make_config(const trial& tr, const std::string& ca_file,
                                 const std::string& system_file) {
  pc::component_config config;
  for (std::size_t i = 0; i < tr.accounts; ++i) {
    pc::account_settings a;
    a.account.id = "acct" + std::to_string(i);
    a.account.venue_kind = pc::venue::binance_usdm;
    a.account.products = {pc::product::usdm};
    a.creds.api_key = "key" + std::to_string(i);
    a.creds.secret =
        pc::secret_string("NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j");
    if (tr.t == trust::ca_file) a.ca_file = ca_file;
    // The baseline: the same file under a different path spelling per account forces one
    // context per account, as every account had before.
    if (tr.s == sharing::per_account) {
      const std::string file = tr.t == trust::ca_file ? ca_file : system_file;
      const std::size_t slash = file.rfind('/');
      std::string dots;
      for (std::size_t k = 0; k <= i; ++k)
        dots += "./";
      a.ca_file = file.substr(0, slash + 1) + dots + file.substr(slash + 1);
    }
    config.accounts.push_back(std::move(a));
  }
  return config;
}

// In the child: construct once, report through the pipe.
sample measure(const trial& tr, const std::string& ca_file, const std::string& system_file) {
  sample out;
  pc::component_config config = make_config(tr, ca_file, system_file);
  boost::asio::io_context io{1};
  const std::int64_t rss_before = rss_bytes();
  const auto t0 = std::chrono::steady_clock::now();
  std::optional<pc::position_mode_component> component;
  component.emplace(io, std::move(config));
  const auto t1 = std::chrono::steady_clock::now();
  out.construct_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
  out.rss_mb = static_cast<double>(rss_bytes() - rss_before) / (1024.0 * 1024.0);
  out.contexts = component->stats().tls_contexts;
  out.ok = true;
  return out;
}

sample in_child(const trial& tr, const std::string& ca_file, const std::string& system_file) {
  int fds[2];
  if (::pipe(fds) != 0) return {};
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    sample s;
    try {
      s = measure(tr, ca_file, system_file);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "construction failed: %s\n", e.what());
    }
    const ssize_t n = ::write(fds[1], &s, sizeof s);
    ::_exit(n == static_cast<ssize_t>(sizeof s) ? 0 : 1);
  }
  ::close(fds[1]);
  sample s;
  const ssize_t n = ::read(fds[0], &s, sizeof s);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (n != static_cast<ssize_t>(sizeof s) || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return {};
  return s;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 5;
  std::vector<std::size_t> sizes = {1, 8, 64};
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
      runs = std::max(1, std::atoi(argv[++i]));
    } else if (std::strcmp(argv[i], "--accounts") == 0 && i + 1 < argc) {
      sizes.clear();
      for (const char* p = argv[++i]; *p != '\0';) {
        char* end = nullptr;
        const long n = std::strtol(p, &end, 10);
        if (end == p || n < 1) break;
        sizes.push_back(static_cast<std::size_t>(n));
        p = *end == ',' ? end + 1 : end;
      }
    } else {
      std::fprintf(stderr, "usage: %s [--runs N] [--accounts 1,8,64]\n", argv[0]);
      return 2;
    }
  }

  // One CA file: the mock exchange's CA, written out once (the mock is not used otherwise).
  std::string ca_pem;
  {
    posmode::mock::exchange ex;
    ca_pem = ex.ca_pem();
  }
  char path[] = "/tmp/posmode_bench_ca_XXXXXX";
  const int fd = ::mkstemp(path);
  if (fd < 0 || ::write(fd, ca_pem.data(), ca_pem.size()) != static_cast<ssize_t>(ca_pem.size()))
    return 1;
  ::close(fd);
  const std::string ca_file = path;
  // What OpenSSL's system store reads (Debian: /usr/lib/ssl/cert.pem -> the ca-certificates
  // bundle), followed to the file itself.
  char resolved[PATH_MAX];
  if (::realpath(X509_get_default_cert_file(), resolved) == nullptr) return 1;
  const std::string system_file = resolved;
  std::printf("system store: %s\n", system_file.c_str());

  std::printf("component construction, %d runs each (median [min..max]); RSS growth in MiB\n",
              runs);
  std::printf("%-13s %-12s %8s %9s %28s %24s\n", "trust", "contexts", "accounts", "contexts",
              "construct ms", "RSS MiB");
  int failed = 0;
  for (const trust t : {trust::system_store, trust::ca_file})
    for (const std::size_t n : sizes)
      for (const sharing s : {sharing::shared, sharing::per_account}) {
        std::vector<double> ms;
        std::vector<double> mb;
        std::uint64_t contexts = 0;
        for (int r = 0; r < runs; ++r) {
          const sample x = in_child({t, s, n}, ca_file, system_file);
          if (!x.ok) {
            ++failed;
            continue;
          }
          ms.push_back(x.construct_ms);
          mb.push_back(x.rss_mb);
          contexts = x.contexts;
        }
        if (ms.empty()) continue;
        const auto [ms_min, ms_max] = std::minmax_element(ms.begin(), ms.end());
        const auto [mb_min, mb_max] = std::minmax_element(mb.begin(), mb.end());
        std::printf("%-13s %-12s %8zu %9llu %10.2f [%6.2f..%7.2f] %8.1f [%5.1f..%5.1f]\n",
                    t == trust::system_store ? "system store" : "one CA file",
                    s == sharing::shared ? "shared" : "per account", n,
                    static_cast<unsigned long long>(contexts), median(ms), *ms_min, *ms_max,
                    median(mb), *mb_min, *mb_max);
        // The sharing is the claim: one context for identical trust settings.
        if (s == sharing::shared && contexts != 1) {
          std::fprintf(stderr, "SELF-CHECK FAILED: %zu accounts made %llu contexts\n", n,
                       static_cast<unsigned long long>(contexts));
          ++failed;
        }
      }
  ::unlink(ca_file.c_str());
  return failed == 0 ? 0 : 1;
}
