#include "posmode/engine/tls_connection.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "posmode/engine/clock_timer.hpp"
#include "posmode/engine/error.hpp"
#include "posmode/engine/fixed_string.hpp"
#include "posmode/engine/handler_memory.hpp"
#include "posmode/engine/host_name.hpp"
#include "socket_bio.hpp"

namespace posmode::engine {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// The latest resumable session of one connection. OpenSSL hands sessions to the context's
// new-session callback (for TLS 1.3 after the handshake, in NewSessionTicket messages), which
// finds this slot through the SSL object's app data.
struct session_slot {
  SSL_SESSION* session = nullptr;
  void replace(SSL_SESSION* s) noexcept {
    if (session != nullptr) SSL_SESSION_free(session);
    session = s;
  }
};

int on_new_session(SSL* ssl, SSL_SESSION* session) {
  auto* slot = static_cast<session_slot*>(SSL_get_app_data(ssl));
  if (slot == nullptr) return 0;
  slot->replace(session);
  return 1;  // we keep the reference
}

std::string openssl_reason() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  std::array<char, 256> text{};
  ERR_error_string_n(e, text.data(), text.size());
  return text.data();
}

// Why an SSL I/O call failed. With SSL_ERROR_SYSCALL and an empty queue the cause is the
// socket's errno (ECONNRESET, EPIPE ...), which the caller read right after the call.
std::string io_failure_reason(int ssl_error, int sys_errno) {
  if (ssl_error == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)
    return sys_errno != 0 ? std::system_category().message(sys_errno)
                          : "the connection ended without a TLS close";
  return openssl_reason();
}

// OpenSSL reads the thread's error queue to classify a failed I/O call, so it must be empty
// before the call (SSL_get_error(3)); peeking first keeps the usual case to one load.
void clear_stale_errors() noexcept {
  if (ERR_peek_error() != 0) ERR_clear_error();
}

bool is_loopback_literal(const std::string& host) {
  return host == "127.0.0.1" || host == "::1";
}

// A CA file that is missing, a directory or not PEM is a configuration mistake, reported as such
// (std::invalid_argument) with the path and the reason, before OpenSSL's vaguer error.
void check_ca_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw std::invalid_argument("ca_file '" + path + "': " + std::system_category().message(errno));
  if (!S_ISREG(st.st_mode))
    throw std::invalid_argument("ca_file '" + path + "': not a regular file");
}

// TCP keep-alive and a user timeout: a peer that vanished is found even on an idle connection
// (probes) and while our bytes wait unacknowledged (TCP_USER_TIMEOUT, RFC 5482).
bool set_tcp_liveness(int fd, const connection_options& o) noexcept {
  const auto set = [fd](int level, int name, int value) noexcept {
    return ::setsockopt(fd, level, name, &value, sizeof value) == 0;
  };
  return set(SOL_SOCKET, SO_KEEPALIVE, 1) &&
         set(IPPROTO_TCP, TCP_KEEPIDLE, static_cast<int>(o.keepalive_idle.count())) &&
         set(IPPROTO_TCP, TCP_KEEPINTVL, static_cast<int>(o.keepalive_probe_interval.count())) &&
         set(IPPROTO_TCP, TCP_KEEPCNT, o.keepalive_probes) &&
         set(IPPROTO_TCP, TCP_USER_TIMEOUT, static_cast<int>(o.user_timeout.count()));
}

void check_options(const connection_options& o) {
  const auto in = [](auto v, long long low, long long high) { return v >= low && v <= high; };
  // Bounds keep the socket options within what Linux takes (int seconds, TCP_KEEPCNT <= 127).
  if (!in(o.connect_timeout.count(), 1, 3'600'000))
    throw std::invalid_argument("tls_connection: connect_timeout must be within 1 ms..1 h");
  if (!in(o.keepalive_idle.count(), 1, 32'767) ||
      !in(o.keepalive_probe_interval.count(), 1, 32'767) || !in(o.keepalive_probes, 1, 127))
    throw std::invalid_argument(
        "tls_connection: TCP keep-alive idle and interval must be within 1..32767 s, probes "
        "within 1..127");
  if (!in(o.user_timeout.count(), 1, 3'600'000))
    throw std::invalid_argument("tls_connection: user_timeout must be within 1 ms..1 h");
}

}  // namespace

tls_client_context::tls_client_context(const options& opts) {
  if (!opts.ca_file.empty()) check_ca_file(opts.ca_file);
  ctx_ = SSL_CTX_new(TLS_client_method());
  if (ctx_ == nullptr) throw std::runtime_error("TLS context: " + openssl_reason());
  const auto fail = [this](const std::string& what) {
    const std::string reason = openssl_reason();
    SSL_CTX_free(ctx_);
    ctx_ = nullptr;
    throw std::runtime_error("TLS context: " + what + ": " + reason);
  };
  if (SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx_, TLS1_3_VERSION) != 1)
    fail("cannot restrict to TLS 1.2-1.3");
  // AES-GCM first: the venues' CDNs offer it and x86 does it in hardware.
  if (SSL_CTX_set_ciphersuites(ctx_,
                               "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:"
                               "TLS_CHACHA20_POLY1305_SHA256") != 1 ||
      SSL_CTX_set_cipher_list(ctx_,
                              "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                              "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                              "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305") != 1)
    fail("cannot set the cipher suites");
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
  if (opts.ca_file.empty() && opts.ca_pem.empty()) {
    if (SSL_CTX_set_default_verify_paths(ctx_) != 1) fail("cannot load the system trust store");
  }
  const auto refuse = [this](const std::string& what) {
    const std::string reason = openssl_reason();
    SSL_CTX_free(ctx_);
    ctx_ = nullptr;
    throw std::invalid_argument(what + ": " + reason);
  };
  if (!opts.ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx_, opts.ca_file.c_str(), nullptr) != 1)
      refuse("ca_file '" + opts.ca_file + "': no PEM certificate could be loaded");
  }
  if (!opts.ca_pem.empty()) {
    BIO* bio = BIO_new_mem_buf(opts.ca_pem.data(), static_cast<int>(opts.ca_pem.size()));
    if (bio == nullptr) fail("cannot read the CA PEM text");
    X509_STORE* store = SSL_CTX_get_cert_store(ctx_);
    int added = 0;
    while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
      added += X509_STORE_add_cert(store, cert);
      X509_free(cert);
    }
    BIO_free(bio);
    ERR_clear_error();  // the loop ends on a "no start line" error by design
    if (added == 0) refuse("ca_pem: no certificate in the CA PEM text");
  }
  // A close without close_notify reads as a clean close (SSL_ERROR_ZERO_RETURN): many servers
  // skip it, and the HTTP framing decides whether a response is complete.
  SSL_CTX_set_options(ctx_, SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_read_ahead(ctx_, 1);
  SSL_CTX_set_mode(ctx_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_session_cache_mode(ctx_, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(ctx_, on_new_session);
}

tls_client_context::~tls_client_context() {
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
}

struct tls_connection::impl : std::enable_shared_from_this<impl> {
  // `closing`: a response that ends the connection is being delivered; nothing may be sent.
  enum class state : std::uint8_t { idle, resolving, connecting, handshaking, ready, closing };
  static constexpr std::size_t write_capacity = 8192;

  impl(asio::io_context& io, tls_client_context& context, tls_endpoint where,
       connection_listener& l, const connection_options& opts)
      : tls(context),
        ep(std::move(where)),
        options(opts),
        listener(&l),
        parser(opts.limits),
        resolver(io),
        socket(io),
        deadline(io, opts.clock),
        connect_timer(io, opts.clock),
        pending(std::make_unique<char[]>(write_capacity)) {}

  ~impl() {
    teardown();
    slot.replace(nullptr);
  }

  tls_client_context& tls;
  tls_endpoint ep;
  connection_options options;
  connection_listener* listener;  // null once the owner is gone: no more callbacks
  http_response_parser parser;
  tcp::resolver resolver;
  tcp::socket socket;
  clock_timer deadline;
  clock_timer connect_timer;
  std::int64_t deadline_at = 0;     // the deadline of the request in flight
  std::int64_t timer_at = 0;        // the expiry of the pending deadline wait, 0 when none
  std::int64_t idle_period_ns = 0;  // how far ahead the idle deadline wait re-arms itself
  tcp::resolver::results_type addresses;
  bool resolved = false;       // `addresses` holds a resolution
  bool resolve_again = false;  // the last attempt failed or the connection was lost
  SSL* ssl = nullptr;
  session_slot slot;
  state st = state::idle;
  bool in_flight = false;
  bool read_armed = false;
  bool write_armed = false;
  std::unique_ptr<char[]> pending;  // the unwritten rest of a request, when the kernel was full
  std::size_t pending_begin = 0;
  std::size_t pending_end = 0;
  std::uint64_t generation = 0;  // bumped on every teardown: older completions are ignored
  std::uint64_t handshakes = 0;
  std::uint64_t resumed = 0;
  std::uint64_t resolutions = 0;
  fixed_string<200> detail;
  handler_memory read_memory;
  handler_memory write_memory;
  handler_memory deadline_memory;
  std::array<char, 16 * 1024> rx{};

  // Beast's async shape: one named member per completion, bound with the generation it was
  // armed in, so that a completion from before a teardown is recognised and ignored.
  template <typename Member>
  auto step(Member member) {
    return std::bind_front(member, shared_from_this(), generation);
  }

  // -- connect -------------------------------------------------------------------------------
  // The whole attempt (resolve, TCP connect, TLS handshake) runs under one timer.

  void start() {
    teardown();
    connect_timer.expires_at(
        options.clock.monotonic_ns() +
        std::chrono::duration_cast<std::chrono::nanoseconds>(options.connect_timeout).count());
    connect_timer.async_wait(step(&impl::on_connect_timeout));
    if (resolved && !resolve_again) return connect_tcp();
    st = state::resolving;
    ++resolutions;
    resolver.async_resolve(ep.host, std::to_string(ep.port), step(&impl::on_resolve));
  }

  void on_resolve(std::uint64_t gen, const boost::system::error_code& ec,
                  const tcp::resolver::results_type& r) {
    if (gen != generation) return;
    if (ec) {
      // The name server is down or the name went away: the last known addresses may still work.
      if (resolved) return connect_tcp();
      detail.assign(ec.message());
      return connect_failed(errc::resolve_failed);
    }
    addresses = r;
    resolved = true;
    resolve_again = false;
    connect_tcp();
  }

  // The detail is the phase alone: errc::connect_timeout's own text says the rest. An expiry
  // already queued when the handshake completed (and cancelled the wait) is not a timeout.
  void on_connect_timeout(std::uint64_t gen, const boost::system::error_code& ec) {
    if (ec || gen != generation || st == state::ready || st == state::closing) return;
    detail.assign(st == state::resolving    ? "resolving the host name"
                  : st == state::connecting ? "TCP connect"
                                            : "TLS handshake");
    connect_failed(errc::connect_timeout);
  }

  void connect_tcp() {
    st = state::connecting;
    asio::async_connect(socket, addresses, step(&impl::on_connect));
  }

  void on_connect(std::uint64_t gen, const boost::system::error_code& ec, const tcp::endpoint&) {
    if (gen != generation) return;
    if (ec) {
      detail.assign(ec.message());
      return connect_failed(errc::connect_failed);
    }
    begin_tls();
  }

  // Every OpenSSL setter is checked: a certificate check that silently did not take is a
  // connection to whoever answers.
  [[nodiscard]] bool configure_identity() {
    if (SSL_set_app_data(ssl, &slot) != 1) return false;
    if (ep.insecure_loopback) {
      SSL_set_verify(ssl, SSL_VERIFY_NONE, nullptr);
      return true;
    }
    if (is_ip_literal(ep.host))
      return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), ep.host.c_str()) == 1;
    // SNI, and the certificate must name this host (no partial wildcards).
    // SSL_set_tlsext_host_name() is a macro with a C cast; this is its expansion.
    if (SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(ep.host.c_str())) != 1)
      return false;
    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    return SSL_set1_host(ssl, ep.host.c_str()) == 1;
  }

  void begin_tls() {
    boost::system::error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    if (!ec) socket.non_blocking(true, ec);
    if (ec) {
      detail.assign(ec.message());
      return connect_failed(errc::connect_failed);
    }
    if (!set_tcp_liveness(socket.native_handle(), options)) {
      detail.assign(std::system_category().message(errno));
      return connect_failed(errc::connect_failed);
    }
    ERR_clear_error();
    ssl = SSL_new(tls.native());
    BIO* bio = ssl == nullptr ? nullptr : engine::detail::make_socket_bio(socket.native_handle());
    if (bio == nullptr || !configure_identity()) {
      if (bio != nullptr) SSL_set_bio(ssl, bio, bio);  // freed with the SSL in teardown
      detail.assign(openssl_reason());
      return connect_failed(errc::tls_handshake_failed);
    }
    SSL_set_bio(ssl, bio, bio);  // one reference, owned by the SSL from here
    // A session that cannot be offered only costs a full handshake.
    if (slot.session != nullptr && SSL_set_session(ssl, slot.session) != 1) {
      slot.replace(nullptr);
      ERR_clear_error();
    }
    SSL_set_connect_state(ssl);
    st = state::handshaking;
    handshake();
  }

  void handshake() {
    ERR_clear_error();
    const int r = SSL_connect(ssl);
    if (r == 1) return on_handshake();
    const int err = SSL_get_error(ssl, r);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      socket.async_wait(
          err == SSL_ERROR_WANT_READ ? tcp::socket::wait_read : tcp::socket::wait_write,
          step(&impl::on_handshake_io));
      return;
    }
    const long verify = SSL_get_verify_result(ssl);
    if (!ep.insecure_loopback && verify != X509_V_OK) {
      detail.assign(X509_verify_cert_error_string(verify));
      return connect_failed(errc::tls_verify_failed);
    }
    detail.assign(openssl_reason());
    connect_failed(errc::tls_handshake_failed);
  }

  // The socket is ready for the handshake's next read or write.
  void on_handshake_io(std::uint64_t gen, const boost::system::error_code& ec) {
    if (gen != generation) return;
    if (ec) {
      detail.assign(ec.message());
      return connect_failed(errc::tls_handshake_failed);
    }
    handshake();
  }

  void on_handshake() {
    if (!ep.insecure_loopback && SSL_get_verify_result(ssl) != X509_V_OK) {
      detail.assign(X509_verify_cert_error_string(SSL_get_verify_result(ssl)));
      return connect_failed(errc::tls_verify_failed);
    }
    (void)connect_timer.cancel();
    ++handshakes;
    if (SSL_session_reused(ssl) == 1) ++resumed;
    st = state::ready;
    arm_read();
    if (listener != nullptr) listener->on_connected({});
  }

  void connect_failed(errc e) {
    teardown(false);
    resolve_again = true;
    if (listener != nullptr) listener->on_connected(e);
  }

  // -- write ---------------------------------------------------------------------------------

  std::error_code send(std::span<const char> request, std::int64_t deadline_ns) noexcept {
    if (st != state::ready) return errc::not_connected;
    if (in_flight) return errc::busy;
    if (request.size() > write_capacity) return errc::request_too_large;
    parser.reset();
    in_flight = true;
    std::size_t written = 0;
    while (written < request.size()) {
      clear_stale_errors();
      const int r =
          SSL_write(ssl, request.data() + written, static_cast<int>(request.size() - written));
      if (r > 0) {
        written += static_cast<std::size_t>(r);
        continue;
      }
      const int sys = errno;
      const int err = SSL_get_error(ssl, r);
      if (err != SSL_ERROR_WANT_WRITE && err != SSL_ERROR_WANT_READ) {
        detail.assign(io_failure_reason(err, sys));
        teardown(false);
        return errc::tls_failed;
      }
      // The kernel's buffer is full: keep the rest and finish when the socket is writable.
      pending_begin = 0;
      pending_end = request.size() - written;
      std::memcpy(pending.get(), request.data() + written, pending_end);
      arm_write();
      break;
    }
    arm_deadline(deadline_ns);
    return {};
  }

  void arm_write() {
    if (write_armed) return;
    write_armed = true;
    socket.async_wait(tcp::socket::wait_write, bind_memory(write_memory, step(&impl::on_write)));
  }

  // The socket is writable again: finish the request the kernel could not take at once.
  void on_write(std::uint64_t gen, const boost::system::error_code& ec) {
    if (gen != generation) return;
    write_armed = false;
    if (ec) return fail(errc::tls_failed);
    flush_pending();
  }

  void flush_pending() {
    while (pending_begin < pending_end) {
      clear_stale_errors();
      const int r = SSL_write(ssl, pending.get() + pending_begin,
                              static_cast<int>(pending_end - pending_begin));
      if (r > 0) {
        pending_begin += static_cast<std::size_t>(r);
        continue;
      }
      const int sys = errno;
      const int err = SSL_get_error(ssl, r);
      if (err == SSL_ERROR_WANT_WRITE) return arm_write();
      if (err == SSL_ERROR_WANT_READ) return;  // retried after the next read
      detail.assign(io_failure_reason(err, sys));
      return fail(errc::tls_failed);
    }
  }

  // The deadline timer is not reprogrammed per request: that would cost a timerfd_settime (and
  // a cancel) on every send. A wait already pending that expires no later than the new deadline
  // is left alone; when it fires it re-arms itself for the deadline of the request then in
  // flight or, idle, one request timeout ahead, so that a send after a quiet spell finds a wait
  // pending too (costing an idle connection one wake-up per timeout). The timeout is measured on
  // every send (one vDSO read, after the bytes are in the kernel, as before deadlines became
  // absolute): measured only when the wait is reprogrammed, one short timeout (a retry near its
  // request's deadline) would leave an idle connection waking up every millisecond for good.
  void arm_deadline(std::int64_t at) {
    deadline_at = at;
    idle_period_ns = std::max<std::int64_t>(at - options.clock.monotonic_ns(), min_idle_period_ns);
    if (timer_at != 0 && timer_at <= at) return;
    start_timer(at);
  }

  // An idle wait re-arming itself at least this far ahead, however short the last timeout was.
  static constexpr std::int64_t min_idle_period_ns = 1'000'000;

  void start_timer(std::int64_t at) {
    timer_at = at;
    (void)deadline.expires_at(at);
    deadline.async_wait(bind_memory(deadline_memory, step(&impl::on_deadline)));
  }

  void on_deadline(std::uint64_t gen, const boost::system::error_code& ec) {
    if (ec || gen != generation) return;
    timer_at = 0;
    const std::int64_t now = options.clock.monotonic_ns();
    if (!in_flight) {
      if (st == state::ready) start_timer(now + idle_period_ns);
      return;
    }
    if (now >= deadline_at) return fail(errc::deadline_expired);
    start_timer(deadline_at);
  }

  // -- read ----------------------------------------------------------------------------------

  void arm_read() {
    if (read_armed) return;
    read_armed = true;
    socket.async_wait(tcp::socket::wait_read, bind_memory(read_memory, step(&impl::on_read)));
  }

  // The socket is readable: decrypt and parse all there is, then wait again.
  void on_read(std::uint64_t gen, const boost::system::error_code& ec) {
    if (gen != generation) return;
    read_armed = false;
    if (ec) return fail(errc::tls_failed);
    for (;;) {
      ERR_clear_error();
      const int n = SSL_read(ssl, rx.data(), static_cast<int>(rx.size()));
      const int sys = n > 0 ? 0 : errno;
      if (n > 0) {
        consume(static_cast<std::size_t>(n));
        if (gen != generation) return;  // closed while consuming
        continue;
      }
      const int err = SSL_get_error(ssl, n);
      if (err == SSL_ERROR_WANT_READ) break;
      if (err == SSL_ERROR_WANT_WRITE) {
        arm_write();
        break;
      }
      // close_notify, or the TCP stream ended without one: many servers skip close_notify,
      // so a bare EOF is a close, not an attack (the HTTP framing decides completeness). A
      // socket error (a reset) is a failure with its errno, never a close: a body delimited by
      // the close must not pass as complete when the connection was cut.
      const bool eof = err == SSL_ERROR_ZERO_RETURN ||
                       (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 && sys == 0) ||
                       (err == SSL_ERROR_SSL &&
                        ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING);
      if (!eof) detail.assign(io_failure_reason(err, sys));
      return eof ? peer_closed() : fail(errc::tls_failed);
    }
    if (pending_begin < pending_end) flush_pending();
    if (gen == generation) arm_read();
  }

  void consume(std::size_t n) {
    std::span<const char> bytes(rx.data(), n);
    if (!in_flight) {
      detail.assign("bytes received with no request in flight");
      return fail(errc::bad_status_line, false);
    }
    std::error_code ec;
    const std::size_t used = parser.put(bytes, ec);
    if (ec == errc::need_more) return;
    if (ec) return fail(ec);
    complete(used < bytes.size());
  }

  void complete(bool trailing_bytes) {
    // The response goes out first: cancelling the timer may reprogram the reactor's timerfd (a
    // system call), which has no place between received bytes and the published event. The
    // deadline handler ignores a request that is no longer in flight.
    in_flight = false;
    const bool keep = parser.keep_alive() && !trailing_bytes;
    const std::uint64_t gen = generation;
    if (!keep) st = state::closing;
    if (listener != nullptr) listener->on_response(parser);
    if (gen != generation) return;  // the listener closed or reconnected
    if (!keep) {
      teardown();
      if (listener != nullptr) listener->on_closed();
    }
    // A pending deadline wait is left to lapse (see arm_deadline): no timer system call here.
  }

  void peer_closed() {
    if (!in_flight) return fail(errc::connection_closed, false);
    std::error_code ec;
    parser.put_eof(ec);
    if (!ec) {
      complete(true);  // a close-delimited body: the connection is finished either way
      return;
    }
    fail(parser.header_bytes() == 0 ? std::error_code(errc::connection_closed) : ec);
  }

  // -- teardown ------------------------------------------------------------------------------

  void fail(std::error_code ec, bool request = true) {
    const bool was_in_flight = in_flight && request;
    teardown(false);
    resolve_again = true;
    if (listener != nullptr) listener->on_failure(ec, was_in_flight, parser);
  }

  // `orderly`: a close we chose or the peer announced. Only then is close_notify sent; OpenSSL
  // marks the session unresumable when an SSL is freed without it, which is what it should do
  // after a failure, and must not do after a clean close.
  void teardown(bool orderly = true) noexcept {
    ++generation;
    in_flight = false;
    read_armed = false;
    write_armed = false;
    pending_begin = pending_end = 0;
    boost::system::error_code ignored;
    (void)deadline.cancel();
    (void)connect_timer.cancel();
    timer_at = 0;
    resolver.cancel();
    if (ssl != nullptr) {
      if (orderly && (st == state::ready || st == state::closing)) {
        ERR_clear_error();
        (void)SSL_shutdown(ssl);  // one non-blocking attempt; the reply is not awaited
        ERR_clear_error();
      }
      SSL_set_app_data(ssl, nullptr);
      SSL_free(ssl);
      ssl = nullptr;
    }
    socket.close(ignored);
    st = state::idle;
  }
};

tls_connection::tls_connection(asio::io_context& io, tls_client_context& tls, tls_endpoint endpoint,
                               connection_listener& listener, connection_options options) {
  if (const std::string_view why = host_problem(endpoint.host); !why.empty())
    throw std::invalid_argument("tls_connection: host " + std::string(why));
  if (endpoint.insecure_loopback && !is_loopback_literal(endpoint.host))
    throw std::invalid_argument("tls_connection: insecure_loopback refused for host '" +
                                endpoint.host + "': only 127.0.0.1 and ::1 may skip verification");
  check_options(options);
  impl_ = std::make_shared<impl>(io, tls, std::move(endpoint), listener, options);
}

tls_connection::~tls_connection() {
  impl_->listener = nullptr;
  impl_->teardown();
}

void tls_connection::connect() {
  impl_->start();
}

std::error_code tls_connection::send(std::span<const char> request,
                                     std::int64_t deadline_ns) noexcept {
  return impl_->send(request, deadline_ns);
}

void tls_connection::close() noexcept {
  impl_->teardown();
}
bool tls_connection::connected() const noexcept {
  return impl_->st == impl::state::ready;
}
bool tls_connection::request_in_flight() const noexcept {
  return impl_->in_flight;
}
bool tls_connection::insecure() const noexcept {
  return impl_->ep.insecure_loopback;
}
std::uint64_t tls_connection::handshakes() const noexcept {
  return impl_->handshakes;
}
std::uint64_t tls_connection::resumed_handshakes() const noexcept {
  return impl_->resumed;
}
std::uint64_t tls_connection::resolutions() const noexcept {
  return impl_->resolutions;
}
std::string_view tls_connection::last_error_detail() const noexcept {
  return impl_->detail.view();
}
const tls_endpoint& tls_connection::endpoint() const noexcept {
  return impl_->ep;
}

}  // namespace posmode::engine
