#include "posmode/engine/connection_pool.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "posmode/engine/clock_timer.hpp"
#include "posmode/engine/error.hpp"

namespace posmode::engine {

namespace asio = boost::asio;

namespace {

// Keep-alive checks run a few times per interval so that a connection is pinged within a quarter
// interval of going idle for the whole interval, without any timer work on the request path.
std::chrono::milliseconds tick_period(std::chrono::milliseconds keepalive) {
  return std::max(std::chrono::milliseconds(10), keepalive / 4);
}

std::int64_t to_ns(std::chrono::nanoseconds d) {
  return d.count();
}

}  // namespace

struct connection_pool::impl : std::enable_shared_from_this<impl> {
  // One connection and the ledger of what is on it: the pool's record is the only one.
  struct slot final : connection_listener {
    impl* pool = nullptr;
    std::size_t index = 0;
    std::unique_ptr<tls_connection> conn;
    clock_timer retry;
    backoff_policy backoff;
    bool busy = false;  // an exchange is on the wire: `purpose`, `generation`, `sent_ns`
    send_purpose purpose = send_purpose::request;
    std::uint64_t generation = 0;  // of the last exchange sent
    bool up = false;
    bool served = false;  // answered a request since it connected: reconnect without delay
    std::int64_t last_activity_ns = 0;
    std::int64_t sent_ns = 0;
    std::uint64_t handshakes_seen = 0;
    std::uint64_t resumed_seen = 0;

    slot(asio::io_context& io, const pool_options& o, std::uint64_t seed)
        : retry(io, o.connection.clock), backoff(o.backoff, seed) {}

    void on_connected(std::error_code ec) noexcept override { pool->connected(*this, ec); }
    void on_response(const http_response_parser& r) noexcept override { pool->responded(*this, r); }
    void on_failure(std::error_code ec, bool in_flight,
                    const http_response_parser& partial) noexcept override {
      pool->failed(*this, ec, in_flight, partial);
    }
    void on_closed() noexcept override { pool->lost(*this, errc::connection_closed); }

    // The exchange that was on the wire; the slot is idle from here.
    ticket finish() noexcept {
      busy = false;
      return {index, generation, purpose, {}};
    }
  };

  asio::io_context& io;
  pool_listener* listener;  // null once the owner is gone
  pool_options options;
  const clock_ref& clock;
  tls_endpoint endpoint;
  std::vector<std::unique_ptr<slot>> slots;
  clock_timer tick;
  std::span<const char> keepalive_request;
  pool_counters counters;
  bool running = false;

  impl(asio::io_context& io_, tls_client_context& tls, tls_endpoint ep, pool_listener& l,
       pool_options opts)
      : io(io_),
        listener(&l),
        options(opts),
        clock(options.connection.clock),
        endpoint(ep),
        tick(io_, options.connection.clock) {
    const std::uint64_t seed = options.jitter_seed != 0
                                   ? options.jitter_seed
                                   : static_cast<std::uint64_t>(clock.monotonic_ns());
    slots.reserve(options.connections);
    for (std::size_t i = 0; i < options.connections; ++i) {
      auto s = std::make_unique<slot>(io, options, seed + 0x632be59bd9b4e019 * (i + 1));
      s->pool = this;
      s->index = i;
      s->conn = std::make_unique<tls_connection>(io, tls, ep, *s, options.connection);
      slots.push_back(std::move(s));
    }
  }

  void start() {
    running = true;
    for (auto& s : slots)
      if (!s->up) s->conn->connect();
    arm_tick();
  }

  void stop() noexcept {
    running = false;
    (void)tick.cancel();
    for (auto& s : slots) {
      (void)s->retry.cancel();
      s->conn->close();
      s->up = false;
      s->busy = false;
    }
  }

  // The deadline is `deadline_ns`, or with `timeout_ns` > 0 that long after the clock read that
  // precedes the write (the one read of a probe).
  ticket send_on_idle(std::span<const char> request, std::int64_t deadline_ns,
                      std::int64_t timeout_ns, send_purpose purpose,
                      std::int64_t latest_start_ns = 0) noexcept {
    bool any_up = false;
    for (auto& sp : slots) {
      slot& s = *sp;
      if (!s.up) continue;
      any_up = true;
      if (s.busy) continue;
      // Read before the write: on loopback the kernel may run the server inside our write
      // system call, so a time read after it could postdate the server's answer.
      const std::int64_t before_write = clock.monotonic_ns();
      if (latest_start_ns > 0 && before_write >= latest_start_ns)
        return {s.index, 0, purpose, errc::deadline_expired};
      const std::error_code ec =
          s.conn->send(request, timeout_ns > 0 ? before_write + timeout_ns : deadline_ns);
      if (!ec) {
        s.busy = true;
        s.purpose = purpose;
        s.sent_ns = before_write;
        s.last_activity_ns = before_write;
        return {s.index, ++s.generation, purpose, {}};
      }
      if (ec == errc::request_too_large) return {s.index, 0, purpose, ec};
      // The connection turned out to be down (a TLS write error closed it): bypass it.
      if (!s.conn->connected()) lost(s, ec);
    }
    return {0, 0, purpose, any_up ? errc::busy : errc::not_connected};
  }

  // -- connection events ---------------------------------------------------------------------

  void connected(slot& s, std::error_code ec) noexcept {
    if (ec) {
      ++counters.connect_failures;
      if (listener != nullptr)
        listener->on_connection_change(s.index, ec, s.conn->last_error_detail());
      // A certificate or host name that does not verify will not verify a moment later either:
      // wait the longest backoff at once instead of climbing to it through fast retries.
      if (ec == errc::tls_verify_failed) s.backoff.saturate();
      return schedule_reconnect(s, false);
    }
    s.up = true;
    s.served = false;
    s.busy = false;
    s.last_activity_ns = clock.monotonic_ns();
    counters.handshakes += s.conn->handshakes() - s.handshakes_seen;
    counters.resumed_handshakes += s.conn->resumed_handshakes() - s.resumed_seen;
    s.handshakes_seen = s.conn->handshakes();
    s.resumed_seen = s.conn->resumed_handshakes();
    if (listener != nullptr) {
      listener->on_connection_change(s.index, {}, {});
      listener->on_ready(s.index);
    }
  }

  void responded(slot& s, const http_response_parser& r) noexcept {
    const bool was_busy = s.busy;
    const ticket t = s.finish();
    const std::int64_t now = clock.monotonic_ns();
    s.last_activity_ns = now;
    s.served = true;
    s.backoff.reset();
    // A response that closes the connection: no further send may pick this slot.
    if (!s.conn->connected()) {
      s.up = false;
      ++counters.connections_lost;
    }
    if (listener == nullptr) return;
    if (was_busy) listener->on_result(t, {{}, r, {s.sent_ns, now, clock.wall_ms()}});
    if (listener != nullptr && s.up && !s.busy) listener->on_ready(s.index);
  }

  void failed(slot& s, std::error_code ec, bool in_flight,
              const http_response_parser& partial) noexcept {
    const bool was_busy = s.busy;
    const ticket t = s.finish();
    if (listener != nullptr && in_flight && was_busy)
      listener->on_result(t, {ec, partial, {s.sent_ns, clock.monotonic_ns(), clock.wall_ms()}});
    lost(s, ec);
  }

  // An established connection is gone (the tls_connection has already closed it).
  void lost(slot& s, std::error_code ec) noexcept {
    const bool was_up = std::exchange(s.up, false);
    s.busy = false;
    if (was_up) ++counters.connections_lost;
    if (listener != nullptr)
      listener->on_connection_change(s.index, ec, s.conn->last_error_detail());
    schedule_reconnect(s, s.served);
  }

  // A connection that had been serving reconnects at once (the server closed an idle keep-alive,
  // or restarted); one that never served backs off, so a refusing server is not hammered.
  void schedule_reconnect(slot& s, bool immediately) noexcept {
    if (!running) return;
    if (immediately) s.backoff.reset();
    const auto delay = immediately ? std::chrono::milliseconds(0) : s.backoff.next_delay();
    s.served = false;
    (void)s.retry.expires_at(clock.monotonic_ns() + to_ns(delay));
    s.retry.async_wait(std::bind_front(&impl::on_retry, weak_from_this(), s.index));
  }

  static void on_retry(const std::weak_ptr<impl>& self, std::size_t index,
                       const boost::system::error_code& ec) {
    const auto pool = self.lock();
    if (ec || !pool || !pool->running) return;
    slot& target = *pool->slots[index];
    if (!target.up) target.conn->connect();
  }

  // -- keep-alives ---------------------------------------------------------------------------

  void arm_tick() {
    if (options.keepalive_interval.count() <= 0) return;
    (void)tick.expires_at(clock.monotonic_ns() + to_ns(tick_period(options.keepalive_interval)));
    tick.async_wait(std::bind_front(&impl::on_tick, weak_from_this()));
  }

  static void on_tick(const std::weak_ptr<impl>& self, const boost::system::error_code& ec) {
    const auto pool = self.lock();
    if (ec || !pool || !pool->running) return;
    pool->send_keepalives();
    pool->arm_tick();
  }

  void send_keepalives() noexcept {
    if (keepalive_request.empty() || listener == nullptr || !listener->may_send_keepalive()) return;
    const std::int64_t now = clock.monotonic_ns();
    const std::int64_t idle_limit = to_ns(options.keepalive_interval);
    const std::int64_t deadline = now + to_ns(options.probe_timeout);
    for (auto& sp : slots) {
      slot& s = *sp;
      if (!s.up || s.busy || now - s.last_activity_ns < idle_limit) continue;
      const std::error_code ec = s.conn->send(keepalive_request, deadline);
      if (ec) {
        if (!s.conn->connected()) lost(s, ec);
        continue;
      }
      s.busy = true;
      s.purpose = send_purpose::keepalive;
      ++s.generation;
      s.sent_ns = now;
      s.last_activity_ns = now;
      ++counters.keepalives;
    }
  }
};

connection_pool::connection_pool(asio::io_context& io, tls_client_context& tls,
                                 tls_endpoint endpoint, pool_listener& listener,
                                 pool_options options) {
  if (options.connections == 0 || options.connections > max_pool_connections)
    throw std::invalid_argument("connection_pool: connections must be within 1..16");
  if (options.probe_timeout.count() <= 0)
    throw std::invalid_argument("connection_pool: probe_timeout must be positive");
  if (options.keepalive_interval.count() < 0)
    throw std::invalid_argument("connection_pool: keepalive_interval must not be negative");
  (void)backoff_policy(options.backoff);  // validates the backoff options, naming the field
  impl_ = std::make_shared<impl>(io, tls, std::move(endpoint), listener, options);
}

connection_pool::~connection_pool() {
  impl_->listener = nullptr;
  impl_->stop();
}

void connection_pool::start() {
  impl_->start();
}
void connection_pool::stop() noexcept {
  impl_->stop();
}

ticket connection_pool::send(std::span<const char> request, std::int64_t deadline_ns,
                             std::int64_t latest_start_ns) noexcept {
  return impl_->send_on_idle(request, deadline_ns, 0, send_purpose::request, latest_start_ns);
}

ticket connection_pool::probe(std::span<const char> request) noexcept {
  const ticket t =
      impl_->send_on_idle(request, 0, to_ns(impl_->options.probe_timeout), send_purpose::probe);
  if (!t.error) ++impl_->counters.probes;
  return t;
}

void connection_pool::set_keepalive_request(std::span<const char> request) noexcept {
  impl_->keepalive_request = request;
}

std::size_t connection_pool::size() const noexcept {
  return impl_->slots.size();
}

std::size_t connection_pool::ready() const noexcept {
  return static_cast<std::size_t>(std::count_if(impl_->slots.begin(), impl_->slots.end(),
                                                [](const auto& s) { return s->up && !s->busy; }));
}

std::size_t connection_pool::connected() const noexcept {
  return static_cast<std::size_t>(
      std::count_if(impl_->slots.begin(), impl_->slots.end(), [](const auto& s) { return s->up; }));
}

bool connection_pool::up(std::size_t slot) const noexcept {
  return slot < impl_->slots.size() && impl_->slots[slot]->up;
}

pool_counters connection_pool::counters() const noexcept {
  return impl_->counters;
}
const tls_endpoint& connection_pool::endpoint() const noexcept {
  return impl_->endpoint;
}
bool connection_pool::insecure() const noexcept {
  return impl_->endpoint.insecure_loopback;
}

}  // namespace posmode::engine
