#pragma once

// What posmode's latency harnesses share: the floor client (OpenSSL by hand, nothing between
// the caller and SSL_write / SSL_read), sample storage, self-check reporting and the percentile
// table. Benchmark-only code; nothing here is part of the library.

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
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "posmode/engine/clock.hpp"
#include "posmode/engine/http_response.hpp"
#include "posmode/engine/percentiles.hpp"

namespace posmode::bench::latency {

namespace engine = posmode::engine;
using engine::system_clock;

// The certificate of the mock names `localhost` and 127.0.0.1; both clients verify `localhost`,
// with SNI, as tests/engine/tls_connection_test.cpp does.
constexpr const char* host_name = "localhost";
constexpr std::int64_t stall_limit_ns = 5'000'000'000;
constexpr std::chrono::seconds request_timeout{5};
inline std::size_t failures = 0;

inline void report_failure(const std::string& what) {
  ++failures;
  std::fprintf(stderr, "SELF-CHECK FAILED: %s\n", what.c_str());
}

inline std::string openssl_reason() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "no OpenSSL error queued";
  std::array<char, 256> text{};
  ERR_error_string_n(e, text.data(), text.size());
  return text.data();
}

// The samples of one variant, reserved up front so that recording never allocates mid-run.
struct samples {
  std::vector<std::int64_t> write_ns;
  std::vector<std::int64_t> round_trip_ns;
  void reserve(std::size_t n) {
    write_ns.reserve(n);
    round_trip_ns.reserve(n);
  }
};

// ---------------------------------------------------------------------------------------------
// (a) The floor: OpenSSL by hand, nothing between the caller and SSL_write / SSL_read.

// The same client settings as engine::tls_client_context (engine/src/tls_connection.cpp), built
// here independently so the floor owes nothing to posmode: TLS 1.2-1.3, AES-GCM first, peer
// verification against the mock's CA, read-ahead, partial writes.
inline SSL_CTX* make_floor_context(const std::string& ca_pem) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return nullptr;
  bool ok =
      SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) == 1 &&
      SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) == 1 &&
      SSL_CTX_set_ciphersuites(ctx,
                               "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:"
                               "TLS_CHACHA20_POLY1305_SHA256") == 1 &&
      SSL_CTX_set_cipher_list(ctx,
                              "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                              "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                              "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305") == 1;
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  BIO* bio = BIO_new_mem_buf(ca_pem.data(), static_cast<int>(ca_pem.size()));
  int added = 0;
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    added += X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), cert);
    X509_free(cert);
  }
  BIO_free(bio);
  ERR_clear_error();  // the PEM loop ends on "no start line" by design
  SSL_CTX_set_read_ahead(ctx, 1);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (!ok || added == 0) {
    SSL_CTX_free(ctx);
    return nullptr;
  }
  return ctx;
}

class floor_client {
 public:
  floor_client(std::uint16_t port, const std::string& ca_pem) : ctx_(make_floor_context(ca_pem)) {
    if (ctx_ == nullptr) {
      report_failure("floor: SSL_CTX setup: " + openssl_reason());
      return;
    }
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    // The handshake is done blocking (it is not measured), bounded so a dead server cannot hang.
    const timeval bound{5, 0};
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0 ||
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound) != 0 ||
        ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &bound, sizeof bound) != 0 ||
        ::connect(fd_, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0) {
      report_failure("floor: TCP connect: " + std::string(std::strerror(errno)));
      return;
    }
    ssl_ = SSL_new(ctx_);
    if (ssl_ == nullptr || SSL_set_fd(ssl_, fd_) != 1) {
      report_failure("floor: SSL_new: " + openssl_reason());
      return;
    }
    // SNI and host-name verification, as posmode does; SSL_set_tlsext_host_name() is a macro with
    // a C cast, so this is its expansion.
    SSL_ctrl(ssl_, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(host_name));
    SSL_set_hostflags(ssl_, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    SSL_set1_host(ssl_, host_name);
    if (SSL_connect(ssl_) != 1 || SSL_get_verify_result(ssl_) != X509_V_OK) {
      report_failure("floor: TLS handshake: " + openssl_reason());
      return;
    }
    const int flags = ::fcntl(fd_, F_GETFL);
    if (flags < 0 || ::fcntl(fd_, F_SETFL, flags | O_NONBLOCK) != 0) {
      report_failure("floor: O_NONBLOCK: " + std::string(std::strerror(errno)));
      return;
    }
    ready_ = true;
  }
  ~floor_client() {
    if (ssl_ != nullptr) {
      (void)SSL_shutdown(ssl_);
      SSL_free(ssl_);
    }
    if (fd_ >= 0) ::close(fd_);
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
  }
  floor_client(const floor_client&) = delete;
  floor_client& operator=(const floor_client&) = delete;

  [[nodiscard]] bool ready() const noexcept { return ready_; }
  [[nodiscard]] std::string negotiated() const {
    return ssl_ == nullptr ? "-" : std::string(SSL_get_version(ssl_)) + " " + SSL_get_cipher(ssl_);
  }

  // One request and its response; records the samples when `out` is not null.
  bool round_trip(std::string_view request, samples* out) {
    parser_.reset();
    const std::int64_t t0 = system_clock::monotonic_ns();
    // 80-odd bytes always fit an idle loopback socket: one SSL_write, as posmode's send() does.
    const int w = SSL_write(ssl_, request.data(), static_cast<int>(request.size()));
    const std::int64_t t1 = system_clock::monotonic_ns();
    if (w != static_cast<int>(request.size())) return fail("floor: SSL_write incomplete");
    std::uint32_t spins = 0;
    for (;;) {
      const int n = SSL_read(ssl_, rx_.data(), static_cast<int>(rx_.size()));
      if (n > 0) {
        std::error_code ec;
        const std::size_t used = parser_.put({rx_.data(), static_cast<std::size_t>(n)}, ec);
        if (ec == engine::errc::need_more) continue;
        if (ec) return fail("floor: bad response: " + ec.message());
        if (used != static_cast<std::size_t>(n)) return fail("floor: bytes after the response");
        break;
      }
      if (SSL_get_error(ssl_, n) != SSL_ERROR_WANT_READ) return fail("floor: SSL_read failed");
      // The clock is read once per 4096 empty polls: the stall check stays off the fast path.
      if ((++spins & 0xfffU) == 0 && system_clock::monotonic_ns() - t0 > stall_limit_ns)
        return fail("floor: no response within 5 s");
    }
    const std::int64_t t2 = system_clock::monotonic_ns();
    if (parser_.status() != 200 || !parser_.keep_alive())
      return fail("floor: status " + std::to_string(parser_.status()) + " or not keep-alive");
    if (out != nullptr) {
      out->write_ns.push_back(t1 - t0);
      out->round_trip_ns.push_back(t2 - t0);
    }
    return true;
  }

 private:
  bool fail(const std::string& what) {
    report_failure(what);
    return false;
  }

  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  int fd_ = -1;
  bool ready_ = false;
  engine::http_response_parser parser_;  // the framing posmode uses, so both pay the same parse
  std::array<char, 16 * 1024> rx_{};     // the size of posmode's read buffer
};

// ---------------------------------------------------------------------------------------------
// Reporting.

inline std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("model name")) {
      const std::size_t colon = line.find(':');
      if (colon != std::string::npos) return line.substr(colon + 2);
    }
  }
  return "unknown CPU";
}

inline void print_row(const char* name, std::vector<std::int64_t>& ns) {
  const engine::percentile_summary s = engine::summarize(ns);
  const auto us = [](std::int64_t v) { return static_cast<double>(v) / 1000.0; };
  std::printf("%-28s %7zu %8.2f %8.2f %8.2f %8.2f %8.2f %9.2f\n", name, s.count, us(s.min),
              us(s.p50), us(s.p90), us(s.p99), us(s.p999), us(s.max));
}

// `sorted`: a sample vector that print_row() has already sorted (summarize() sorts in place).
inline std::int64_t p50_of(const std::vector<std::int64_t>& sorted) {
  return sorted.empty() ? 0 : engine::quantile_of_sorted(sorted, 0.5);
}

inline void print_ratio(const char* what, std::int64_t value, std::int64_t floor, double target) {
  const double ratio = floor > 0 ? static_cast<double>(value) / static_cast<double>(floor) : 0.0;
  std::printf("  %-44s %5.2fx  (target <= %.2fx: %s)\n", what, ratio, target,
              ratio <= target ? "met" : "MISSED");
}

}  // namespace posmode::bench::latency
