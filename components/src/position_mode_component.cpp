#include "posmode/components/position_mode_component.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "account_session.hpp"
#include "component_core.hpp"
#include "log_line.hpp"
#include "posmode/engine/prometheus_writer.hpp"

namespace posmode::components {

namespace asio = boost::asio;
using detail::bump;
using detail::trigger;

namespace {

int make_eventfd() {
  const int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
  return fd;
}

}  // namespace

struct position_mode_component::impl {
  impl(asio::io_context& io_, component_config cfg)
      : io(io_),
        config((validate_config(cfg), std::move(cfg))),
        core(config, config.clock),
        requests(std::bit_ceil(config.request_ring_capacity)),
        wake(io_, make_eventfd()),
        flush_timer(io_) {
    sessions.reserve(config.accounts.size());
    for (std::size_t i = 0; i < config.accounts.size(); ++i)
      sessions.push_back(std::make_unique<detail::account_session>(
          io_, core, config.accounts[i], i, tls_context_for(config.accounts[i])));
    core.set_on_ban(
        [](void* self) noexcept {
          for (auto& s : static_cast<impl*>(self)->sessions)
            s->on_ban();
        },
        this);
    core.set_on_warm([](void* self) noexcept { static_cast<impl*>(self)->on_warm(); }, this);
    for (std::size_t i = 0; i < config.accounts.size(); ++i)
      add_to_host(i, api_host(config.accounts[i].account), config.accounts[i].account.port);
    // Each session's signer holds what it needs (pre-keyed states, rendered headers): the raw
    // secrets are not kept for the component's life.
    for (auto& a : config.accounts) {
      a.creds.secret = secret_string();
      a.creds.passphrase = secret_string();
    }
  }

  ~impl() { stop(); }

  // One OpenSSL context per trust configuration: loading the system store takes tens of
  // milliseconds and megabytes per context, and a context is safe to share between connections.
  engine::tls_client_context& tls_context_for(const account_settings& a) {
    for (const auto& t : tls_contexts)
      if (t.ca_file == a.ca_file && t.ca_pem == a.ca_pem) return *t.context;
    tls_contexts.push_back({a.ca_file, a.ca_pem,
                            std::make_unique<engine::tls_client_context>(
                                engine::tls_client_context::options{a.ca_file, a.ca_pem})});
    return *tls_contexts.back().context;
  }

  // The accounts of one API host, for host(): grouped once, at construction.
  struct host_group {
    std::string name;
    std::uint16_t port = 0;
    std::vector<std::size_t> accounts;
  };
  std::vector<host_group> hosts;

  void add_to_host(std::size_t account, std::string_view name, std::uint16_t port) {
    for (host_group& g : hosts) {
      if (g.name == name && g.port == port) {
        g.accounts.push_back(account);
        return;
      }
    }
    hosts.push_back({std::string(name), port, {account}});
  }

  void start() {
    if (stopped)
      throw std::logic_error(
          "position_mode_component: start() after stop(); construct a new component instead");
    if (running) return;
    running = true;
    // The start-up reports are promised before anything else can take the backlog's room.
    std::size_t reports = 0;
    for (const auto& s : sessions)
      reports += s->config().products.size();
    if (!core.reserve(reports)) throw std::logic_error("event backlog too small for start-up");
    for (auto& s : sessions)
      s->start();
    if (config.wakeup == wakeup_mode::eventfd) arm_wake();
  }

  void check(check_handler done) {
    if (stopped)
      throw std::logic_error(
          "position_mode_component: check() after stop(); construct a new component instead");
    if (!done) throw std::invalid_argument("position_mode_component: check() without a handler");
    if (pending_check) throw std::logic_error("position_mode_component: a check() already waits");
    start();
    pending_check = std::move(done);
    if (core.warm_accounts() == sessions.size()) deliver_check();
  }

  void on_warm() noexcept {
    if (pending_check && core.warm_accounts() == sessions.size()) deliver_check();
  }

  // The host's handler is posted, not called: this runs deep inside a session's warm-up (or in
  // check() and stop()), where the handler must not re-enter the component. The posted work holds
  // copies only, so it may run after the component is gone.
  void deliver_check() noexcept {
    try {
      std::vector<account_check> verdicts;
      verdicts.reserve(sessions.size());
      for (const auto& s : sessions)
        verdicts.push_back(s->verdict());
      asio::post(io, [done = pending_check, verdicts = std::move(verdicts)] { done(verdicts); });
      pending_check = nullptr;
    } catch (...) {
      // Out of memory: the check stays pending, and stop() tries again.
    }
  }

  // Ends everything: the requests the sessions hold, then those still in the ring, each with one
  // terminal event. The risk thread is first told to stop (a `request` from then on returns
  // false) and any `request` already past that check is waited for, so that no trigger can land
  // in the ring after it was drained.
  void stop() noexcept {
    if (stopped) return;
    if (pending_check) deliver_check();  // what is known now: not_finished where still warming
    stopped = true;
    running = false;
    accepting.store(false, std::memory_order_seq_cst);
    while (risk_inside.load(std::memory_order_acquire)) {
      // A push in progress on the risk thread: a few instructions, never a wait on I/O.
    }
    boost::system::error_code ignored;
    wake.cancel(ignored);
    for (auto& s : sessions)
      s->stop();
    core.flush_log();
    while (trigger* t = requests.front()) {
      (void)core.reserve(1);  // validate_config sized the backlog for a full ring
      reject(*t, "not sent: the component stopped");
      requests.pop();
    }
    if (core.backlog() > 0) arm_flush();  // the host's loop may still hand them over
  }

  // -- risk thread ---------------------------------------------------------------------------

  bool request(std::size_t account, position_mode mode) noexcept {
    // Pairs with stop(): either stop() sees this thread inside (and waits for the push), or this
    // thread sees `accepting` cleared. A seq_cst store is one locked instruction on x86.
    risk_inside.store(true, std::memory_order_seq_cst);
    if (!accepting.load(std::memory_order_seq_cst)) {
      risk_inside.store(false, std::memory_order_release);
      bump(risk.requests_refused);
      return false;
    }
    const bool accepted = push(account, mode);
    risk_inside.store(false, std::memory_order_release);
    return accepted;
  }

  bool push(std::size_t account, position_mode mode) noexcept {
    const trigger t{risk.next_id + 1, account, mode, core.clock().monotonic_ns()};
    if (!requests.try_push(t)) {
      bump(risk.requests_refused);
      return false;
    }
    ++risk.next_id;
    bump(risk.requests_accepted);
    if (config.wakeup == wakeup_mode::eventfd) {
      // Pairs with the fence in `pump`: either the loop sees this trigger after clearing
      // `wake_pending`, or this thread sees the flag clear and writes the eventfd.
      std::atomic_thread_fence(std::memory_order_seq_cst);
      if (!wake_pending.exchange(true, std::memory_order_acq_rel)) {
        const std::uint64_t one = 1;
        [[maybe_unused]] const auto n = ::write(wake.native_handle(), &one, sizeof one);
      }
    }
    return true;
  }

  // -- loop thread ---------------------------------------------------------------------------

  // The eventfd must be read before the wait is armed again: Asio re-arms a descriptor with
  // epoll_ctl, which reports a still-readable eventfd at once, and the loop would never sleep.
  // This costs a blocked loop one read per wake-up; a spinning host uses busy_poll instead.
  void arm_wake() {
    wake.async_wait(
        asio::posix::stream_descriptor::wait_read, [this](const boost::system::error_code& ec) {
          if (ec || !running) return;
          std::uint64_t count = 0;
          [[maybe_unused]] const auto n = ::read(wake.native_handle(), &count, sizeof count);
          arm_wake();
          pump();
        });
  }

  // A trigger is in the ring. The loop is the ring's consumer: front() reads only the next slot's
  // line, where empty() would also fetch the risk thread's write index.
  bool waiting() noexcept { return requests.front() != nullptr; }

  // Takes triggers while the backlog can hold their events; the rest stay in the ring (which
  // is how a slow order manager pushes back on the risk thread: `request` returns false).
  std::size_t drain() noexcept {
    std::size_t n = 0;
    while (trigger* t = requests.front()) {
      detail::account_session* s =
          t->account < sessions.size() ? sessions[t->account].get() : nullptr;
      const std::size_t need = s != nullptr ? s->events_per_request() : 1;
      if (!core.reserve(need)) break;
      if (s == nullptr || !s->admit(*t)) {
        core.release(need - 1);
        const std::string_view why =
            s == nullptr ? "unknown account index" : "too many pending requests";
        reject(*t, why);
        note_refusal(*t, why);
      }
      requests.pop();
      ++n;
    }
    log_refusals();
    // Come back when events wait or promised room frees up (a request finishing).
    if (core.backlog() > 0 || waiting()) arm_flush();
    return n;
  }

  std::size_t pump() noexcept {
    std::size_t n = 0;
    for (;;) {
      n += drain();
      if (waiting()) return n;  // back-pressure: the flush timer comes back
      wake_pending.store(false, std::memory_order_relaxed);
      std::atomic_thread_fence(std::memory_order_seq_cst);
      if (!waiting()) return n;
      wake_pending.store(true, std::memory_order_relaxed);
    }
  }

  void reject(const trigger& t, std::string_view why) noexcept {
    position_event e;
    e.request_id = t.id;
    e.account = t.account;
    e.requested = t.mode;
    e.status = event_status::rejected;
    e.terminal = true;
    e.message.assign(why);
    e.trigger_ns = t.trigger_ns;
    if (t.account < sessions.size()) {
      e.venue_kind = sessions[t.account]->config().venue_kind;
      e.product_scope = sessions[t.account]->config().products.front();
    }
    core.publish(e);
  }

  // Refusals are logged after the drain, so that the hook never delays the triggers behind them;
  // past the first few, a drain's refusals are counted in one more record.
  void note_refusal(const trigger& t, std::string_view why) noexcept {
    if (!core.logging(log_level::warning)) return;
    if (refusals_noted < refusals.size()) refusals[refusals_noted] = {t.id, t.account, why};
    ++refusals_noted;
  }

  void log_refusals() noexcept {
    if (refusals_noted == 0) return;
    const std::size_t kept = std::min(refusals_noted, refusals.size());
    for (std::size_t i = 0; i < kept; ++i) {
      const refusal& f = refusals[i];
      log_record r;
      r.level = log_level::warning;
      r.event = log_event::request_refused;
      r.account = f.account;
      if (f.account < sessions.size()) {
        r.account_id = config.accounts[f.account].account.id;
        r.host = sessions[f.account]->api_host();
        r.port = sessions[f.account]->api_port();
      }
      detail::log_line line;
      line << "request " << f.id << " rejected, not sent: " << f.why;
      r.message = line.view();
      core.log(r);
    }
    if (refusals_noted > kept) {
      log_record r;
      r.level = log_level::warning;
      r.event = log_event::request_refused;
      detail::log_line line;
      line << (refusals_noted - kept) << " more requests rejected in the same drain";
      r.message = line.view();
      core.log(r);
    }
    refusals_noted = 0;
  }

  // While events wait in the backlog, check every millisecond for room in the ring.
  // After stop() it keeps running while events wait, so that the last ones reach the ring.
  // Real time, not the clock seam: it waits for the order manager to read, not for a moment.
  void arm_flush() noexcept {
    if (flush_armed || (!running && core.backlog() == 0)) return;
    flush_armed = true;
    flush_timer.expires_after(std::chrono::milliseconds(1));
    flush_timer.async_wait([this](const boost::system::error_code& ec) {
      // Cancelled only when the component is destroyed: touch nothing of it then.
      if (ec) return;
      flush_armed = false;
      core.flush();
      if (running) {
        if (config.wakeup == wakeup_mode::eventfd)
          pump();
        else
          drain();
      }
      if (core.backlog() > 0) arm_flush();
    });
  }

  std::size_t poll() noexcept {
    if (core.backlog() > 0) core.flush();
    if (!running || !waiting()) return 0;
    return config.wakeup == wakeup_mode::busy_poll ? drain() : pump();
  }

  asio::io_context& io;
  component_config config;
  detail::component_core core;
  engine::spsc_ring<trigger> requests;
  struct shared_tls {
    std::string ca_file;
    std::string ca_pem;
    std::unique_ptr<engine::tls_client_context> context;
  };
  std::vector<shared_tls> tls_contexts;  // before the sessions, which use them: destroyed after
  std::vector<std::unique_ptr<detail::account_session>> sessions;
  check_handler pending_check;  // check() waits for every account's warm-up
  struct refusal {
    std::uint64_t id = 0;
    std::size_t account = 0;
    std::string_view why;  // a literal
  };
  std::array<refusal, 4> refusals{};  // noted during a drain, logged after it
  std::size_t refusals_noted = 0;
  asio::posix::stream_descriptor wake;
  asio::steady_timer flush_timer;
  bool flush_armed = false;
  bool running = false;
  bool stopped = false;
  // Written by the risk thread only (stats() reads the counters): a cache line of their own, so
  // that the loop's writes above never invalidate it and its writes never invalidate the loop's.
  struct alignas(64) risk_side {
    std::uint64_t next_id = 0;
    std::atomic<std::uint64_t> requests_accepted{0};
    std::atomic<std::uint64_t> requests_refused{0};
  } risk;
  // Touched by both threads, once per request or burst: apart from either side's own fields.
  alignas(64) std::atomic<bool> wake_pending{false};
  std::atomic<bool> accepting{true};     // cleared by stop(): `request` returns false
  std::atomic<bool> risk_inside{false};  // the risk thread is inside `request`
};

position_mode_component::position_mode_component(asio::io_context& io, component_config config)
    : impl_(std::make_unique<impl>(io, std::move(config))) {}

position_mode_component::~position_mode_component() = default;

void position_mode_component::set_log_hook(log_hook hook, log_level floor) {
  impl_->core.set_log_hook(std::move(hook), floor);
}

void position_mode_component::set_log_hook(text_log_hook hook, log_level floor) {
  if (!hook) return impl_->core.set_log_hook(nullptr, floor);
  impl_->core.set_log_hook(
      [text = std::move(hook)](const log_record& r) {
        std::array<char, log_format_capacity> line;
        const std::size_t n = format_text(r, line, {.time = false, .level = false});
        text(r.level, {line.data(), n});
      },
      floor);
}

void position_mode_component::start() {
  impl_->start();
}
void position_mode_component::stop() {
  impl_->stop();
}

void position_mode_component::check(check_handler done) {
  impl_->check(std::move(done));
}

bool position_mode_component::started() const noexcept {
  return impl_->core.warm_accounts() == impl_->sessions.size();
}

bool position_mode_component::request(std::size_t account, position_mode mode) noexcept {
  return impl_->request(account, mode);
}

bool position_mode_component::try_pop(position_event& out) noexcept {
  return impl_->core.events().try_pop(out);
}

std::size_t position_mode_component::poll() noexcept {
  return impl_->poll();
}

std::optional<std::size_t> position_mode_component::find_account(
    std::string_view id) const noexcept {
  for (std::size_t i = 0; i < impl_->config.accounts.size(); ++i)
    if (impl_->config.accounts[i].account.id == id) return i;
  return std::nullopt;
}

std::size_t position_mode_component::account_count() const noexcept {
  return impl_->config.accounts.size();
}

component_stats position_mode_component::stats() const {
  const detail::counters& c = impl_->core.stats();
  const auto load = [](const std::atomic<std::uint64_t>& v) {
    return v.load(std::memory_order_relaxed);
  };
  component_stats s;
  s.requests_accepted = load(impl_->risk.requests_accepted);
  s.requests_refused = load(impl_->risk.requests_refused);
  s.events_published = load(c.events_published);
  s.events_backlogged = load(c.events_backlogged);
  s.backlog_now = load(c.backlog_now);
  s.backlog_high_water = load(c.backlog_high_water);
  s.set_requests_sent = load(c.set_requests_sent);
  s.queries_sent = load(c.queries_sent);
  s.retries = load(c.retries);
  s.inline_signatures = load(c.inline_signatures);
  s.clock_syncs = load(c.clock_syncs);
  s.connections_lost = load(c.connections_lost);
  s.handshakes = load(c.handshakes);
  s.log_hook_failures = load(c.log_hook_failures);
  s.log_records = load(c.log_records);
  s.tls_contexts = impl_->tls_contexts.size();
  s.trigger_to_wire = impl_->core.wire_latency().summary();
  s.trigger_to_event = impl_->core.event_latency().summary();
  return s;
}

std::optional<account_health> position_mode_component::health(std::size_t account) const noexcept {
  if (account >= impl_->sessions.size()) return std::nullopt;
  return impl_->sessions[account]->health();
}

std::size_t position_mode_component::host_count() const noexcept {
  return impl_->hosts.size();
}

std::optional<host_health> position_mode_component::host(std::size_t index) const noexcept {
  if (index >= impl_->hosts.size()) return std::nullopt;
  const impl::host_group& g = impl_->hosts[index];
  host_health out;
  out.host.assign(g.name);
  out.port = g.port;
  for (const std::size_t account : g.accounts) {
    const account_health h = impl_->sessions[account]->health();
    ++out.accounts;
    if (h.state == account_state::ready) ++out.accounts_ready;
    if (h.warm) ++out.accounts_warm;
    out.connections_up += h.connections_up;
    out.connections_total += h.connections_total;
    if (h.state == account_state::banned) {
      out.banned = true;
      out.banned_until_ns = std::max(out.banned_until_ns, h.banned_until_ns);
    }
    out.used_weight = std::max(out.used_weight, h.used_weight);
  }
  return out;
}

std::optional<account_latency> position_mode_component::latency(
    std::size_t account) const noexcept {
  if (account >= impl_->sessions.size()) return std::nullopt;
  const detail::account_session& s = *impl_->sessions[account];
  account_latency l;
  l.trigger_to_wire = s.histogram(latency_kind::trigger_to_wire).summary();
  l.trigger_to_event = s.histogram(latency_kind::trigger_to_event).summary();
  l.answer = s.histogram(latency_kind::answer).summary();
  return l;
}

const engine::latency_histogram* position_mode_component::account_histogram(
    std::size_t account, latency_kind kind) const noexcept {
  if (account >= impl_->sessions.size()) return nullptr;
  return &impl_->sessions[account]->histogram(kind);
}

namespace {

// Every account's health() snapshot, family by family: Prometheus wants a family's samples
// together under one HELP/TYPE. Each family reads a fresh seqlock copy, so two families may be
// a few microseconds apart; within a family every value is one consistent snapshot.
template <typename LabelsFor>
void write_account_health(engine::prometheus_writer& w, const position_mode_component& c,
                          std::size_t accounts, LabelsFor&& labels_for) {
  const auto each = [&](auto&& write_one) {
    for (std::size_t i = 0; i < accounts; ++i)
      if (const auto h = c.health(i)) write_one(i, *h, i == 0);
  };
  static constexpr account_state states[] = {account_state::connecting, account_state::ready,
                                             account_state::degraded, account_state::banned,
                                             account_state::failed};
  each([&](std::size_t i, const account_health& h, bool first) {
    for (const account_state st : states)
      w.gauge("posmode_account_state",
              first && st == states[0] ? "1 for the state the account is in, per account." : "",
              labels_for(i, "state", to_string(st)), std::uint64_t{h.state == st ? 1U : 0U});
  });
  each([&](std::size_t i, const account_health& h, bool first) {
    w.gauge("posmode_account_connections_up", first ? "API connections up, per account." : "",
            labels_for(i, {}, {}), std::uint64_t{h.connections_up});
  });
  each([&](std::size_t i, const account_health& h, bool first) {
    w.gauge("posmode_account_connections", first ? "API connections configured, per account." : "",
            labels_for(i, {}, {}), std::uint64_t{h.connections_total});
  });
  each([&](std::size_t i, const account_health& h, bool first) {
    w.gauge("posmode_account_key_cannot_trade",
            first ? "1 when a read showed the API key cannot trade (OKX perm)." : "",
            labels_for(i, {}, {}), std::uint64_t{h.key_cannot_trade ? 1U : 0U});
  });
  // Gauges a snapshot may not have yet: no sample rather than a made-up value.
  const auto optional_gauge = [&](std::string_view name, std::string_view help, auto&& value_of) {
    bool first = true;
    each([&](std::size_t i, const account_health& h, bool) {
      const std::optional<double> v = value_of(h);
      if (!v) return;
      w.gauge(name, first ? help : "", labels_for(i, {}, {}), *v);
      first = false;
    });
  };
  optional_gauge("posmode_account_clock_offset_seconds",
                 "Venue clock minus local clock, as requests are stamped.",
                 [](const account_health& h) -> std::optional<double> {
                   if (!h.clock_synced) return std::nullopt;
                   return static_cast<double>(h.clock_offset_ms) / 1e3;
                 });
  optional_gauge("posmode_account_signature_age_seconds",
                 "Age of the last set request's signature when it was written.",
                 [](const account_health& h) -> std::optional<double> {
                   if (h.signature_age_ms < 0) return std::nullopt;
                   return static_cast<double>(h.signature_age_ms) / 1e3;
                 });
  optional_gauge("posmode_account_used_weight",
                 "The venue's last reported rate-limit usage (Binance weight).",
                 [](const account_health& h) -> std::optional<double> {
                   if (h.used_weight < 0) return std::nullopt;
                   return static_cast<double>(h.used_weight);
                 });
  struct counter_family {
    std::string_view name;
    std::string_view help;
    std::uint64_t account_health::*field;
  };
  static constexpr counter_family counters[] = {
      {"posmode_account_requests_total", "Requests ended (terminal events), per account.",
       &account_health::requests},
      {"posmode_account_set_requests_total", "Set-mode requests written, per account.",
       &account_health::sets_sent},
      {"posmode_account_queries_total", "Mode queries written (start-up, read-backs, verify).",
       &account_health::queries_sent},
      {"posmode_account_read_backs_total", "Mode queries written for a request, per account.",
       &account_health::read_backs},
      {"posmode_account_retries_total", "Set requests written again for a request, per account.",
       &account_health::retries},
      {"posmode_account_inline_signatures_total", "Set requests signed inline, per account.",
       &account_health::inline_signatures},
  };
  for (const counter_family& f : counters)
    each([&](std::size_t i, const account_health& h, bool first) {
      w.counter(f.name, first ? f.help : "", labels_for(i, {}, {}), h.*f.field);
    });
  each([&](std::size_t i, const account_health& h, bool first) {
    for (std::size_t st = 0; st < event_status_count; ++st)
      w.counter("posmode_account_events_total",
                first && st == 0 ? "Events published, by status, per account." : "",
                labels_for(i, "status", to_string(static_cast<event_status>(st))),
                std::uint64_t{h.outcomes[st]});
  });
}

}  // namespace

std::size_t position_mode_component::write_metrics(std::span<char> out,
                                                   std::string_view labels) const noexcept {
  // From 10 us (a loopback write) to 10 s (past any request deadline).
  static constexpr double bounds[] = {1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3,
                                      1e-2, 2.5e-2, 5e-2, 0.1,  0.25,   0.5,  1.0,  10.0};
  const component_stats s = stats();
  engine::prometheus_writer w(out);
  const auto counter = [&](std::string_view name, std::string_view help, std::uint64_t v) {
    w.counter(name, help, labels, v);
  };
  counter("posmode_requests_accepted_total", "request() calls accepted.", s.requests_accepted);
  counter("posmode_requests_refused_total", "request() calls refused (ring full or stopped).",
          s.requests_refused);
  counter("posmode_events_published_total", "Events handed to the ring or backlog.",
          s.events_published);
  counter("posmode_events_backlogged_total", "Events that waited in the backlog.",
          s.events_backlogged);
  counter("posmode_set_requests_total", "Set-mode requests written.", s.set_requests_sent);
  counter("posmode_queries_total", "Mode queries written.", s.queries_sent);
  counter("posmode_retries_total", "Set requests repeated (clock skew, rate limit).", s.retries);
  counter("posmode_inline_signatures_total",
          "Set requests signed between trigger and write (no fresh pre-signed copy).",
          s.inline_signatures);
  counter("posmode_clock_syncs_total", "Time-endpoint answers used.", s.clock_syncs);
  counter("posmode_connections_lost_total", "Established connections that went down.",
          s.connections_lost);
  counter("posmode_handshakes_total", "TLS handshakes completed.", s.handshakes);
  counter("posmode_log_hook_failures_total", "Log hook calls that threw.", s.log_hook_failures);
  w.gauge("posmode_backlog_events", "Events waiting in the backlog now.", labels, s.backlog_now);
  w.gauge("posmode_backlog_high_water_events", "The most events that ever waited.", labels,
          s.backlog_high_water);
  w.histogram("posmode_trigger_to_wire_seconds", "request() to set bytes in the kernel.", labels,
              impl_->core.wire_latency(), bounds);
  w.histogram("posmode_trigger_to_event_seconds", "request() to terminal event published.", labels,
              impl_->core.event_latency(), bounds);

  // Per account: the caller's labels, the account's id (letters, digits, '.', '_', '-': no
  // escaping needed) and one more label where a family has one, in a buffer of their own.
  static constexpr std::size_t max_labels = 900;
  if (labels.size() > max_labels) return 0;
  std::array<char, max_labels + 120> account_labels{};
  const auto labels_for = [&](std::size_t account, std::string_view key,
                              std::string_view value) -> std::string_view {
    std::size_t n = 0;
    const auto put = [&](std::string_view text) {
      for (const char c : text)
        if (n < account_labels.size()) account_labels[n++] = c;
    };
    put(labels);
    if (!labels.empty()) put(",");
    put("account=\"");
    put(impl_->config.accounts[account].account.id);
    put("\"");
    if (!key.empty()) {
      put(",");
      put(key);
      put("=\"");
      put(value);
      put("\"");
    }
    return {account_labels.data(), n};
  };
  write_account_health(w, *this, impl_->sessions.size(), labels_for);

  static constexpr struct {
    latency_kind kind;
    std::string_view name;
    std::string_view help;
  } families[] = {
      {latency_kind::trigger_to_wire, "posmode_account_trigger_to_wire_seconds",
       "request() to set bytes in the kernel, per account."},
      {latency_kind::trigger_to_event, "posmode_account_trigger_to_event_seconds",
       "request() to terminal event published, per account."},
      {latency_kind::answer, "posmode_account_answer_seconds",
       "API request written to its answer parsed, per account."},
  };
  for (const auto& f : families) {
    for (std::size_t i = 0; i < impl_->sessions.size(); ++i)
      w.histogram(f.name, i == 0 ? f.help : std::string_view{}, labels_for(i, {}, {}),
                  impl_->sessions[i]->histogram(f.kind), bounds);
  }
  return w.size();
}

}  // namespace posmode::components
