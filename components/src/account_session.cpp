#include "account_session.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <limits>

#include "log_line.hpp"
#include "posmode/components/venue_facts.hpp"
#include "posmode/engine/error.hpp"

namespace posmode::components::detail {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

// Routes one pool's callbacks to the session, remembering which pool spoke.
class account_session::pool_events final : public engine::pool_listener {
 public:
  pool_events(account_session& s, bool time_pool) : s_(s), time_pool_(time_pool) {}

  void on_result(const engine::ticket& t, const engine::exchange_result& r) noexcept override {
    if (t.purpose == engine::send_purpose::request) {
      if (!time_pool_) s_.on_api_result(t, r);
      return;
    }
    if (r.error) {
      if (t.purpose == engine::send_purpose::probe && s_.serves_time(time_pool_))
        s_.on_time_failure();
      return;
    }
    if (s_.serves_time(time_pool_))
      s_.on_time_answer(r.response, r.timing, t.purpose == engine::send_purpose::probe);
    else
      s_.on_ping_answer(r.response);
  }
  void on_ready(std::size_t) noexcept override { s_.on_pool_ready(time_pool_); }
  bool may_send_keepalive() noexcept override { return !s_.banned(s_.pool(time_pool_)); }
  void on_connection_change(std::size_t slot, std::error_code ec,
                            std::string_view detail) noexcept override {
    s_.connection_changed(slot, time_pool_, ec, detail);
  }

 private:
  account_session& s_;
  bool time_pool_;
};

account_session::account_session(asio::io_context& io, component_core& core,
                                 const account_settings& settings, std::size_t index,
                                 engine::tls_client_context& tls)
    : core_(core),
      settings_(settings),
      index_(index),
      requests_(settings.account, settings.creds),
      deadline_timer_(io, core.clock()),
      step_timer_(io, core.clock()),
      refresh_timer_(io, core.clock()),
      resync_timer_(io, core.clock()),
      warm_timer_(io, core.clock()),
      machine_(policy_, facts_) {
  const component_config& cfg = core.config();
  record_latency_ = cfg.record_latency;
  policy_.account = index;
  policy_.venue_kind = settings.account.venue_kind;
  policy_.products = settings.account.products;
  policy_.verify_after_set = settings.verify_after_set;
  policy_.read_back_on_error = facts_of(settings.account.venue_kind).read_back_on_error;
  policy_.resync_on_clock_skew = cfg.retry.resync_on_clock_skew;
  policy_.wait_on_rate_limit = cfg.retry.wait_on_rate_limit;
  policy_.max_rate_limit_retries = cfg.retry.max_rate_limit_retries;
  policy_.default_retry_after_ms = cfg.retry.default_retry_after.count();
  policy_.request_deadline_ns = std::chrono::nanoseconds(cfg.request_deadline).count();
  policy_.attempt_timeout_ns = std::chrono::nanoseconds(cfg.attempt_timeout).count();
  set_coupling(policy_, settings.account);
  engine::pool_options opts;
  opts.connections = settings.connections;
  opts.keepalive_interval = cfg.keepalive_interval;
  opts.probe_timeout = cfg.attempt_timeout;
  opts.backoff = cfg.retry.reconnect;
  opts.connection.clock = core.clock();
  opts.connection.connect_timeout = cfg.connect_timeout;
  // The parser records the rate-limit headers the venue's row names (the engine names none).
  opts.connection.limits = venue_http_limits(settings.account.venue_kind, opts.connection.limits);
  const endpoint& api = requests_.api_endpoint();
  const endpoint& time = requests_.time_endpoint();
  api_events_ = std::make_unique<pool_events>(*this, false);
  api_ = std::make_unique<engine::connection_pool>(
      io, tls, engine::tls_endpoint{api.host, api.port, settings.insecure_loopback}, *api_events_,
      opts);
  if (time.host != api.host || time.port != api.port) {
    // PAPI has no time endpoint: its clock comes from fapi's host, over one more connection.
    engine::pool_options time_opts = opts;
    time_opts.connections = 1;
    time_events_ = std::make_unique<pool_events>(*this, true);
    time_ = std::make_unique<engine::connection_pool>(
        io, tls, engine::tls_endpoint{time.host, time.port, settings.insecure_loopback},
        *time_events_, time_opts);
    time_->set_keepalive_request(requests_.server_time());
    api_->set_keepalive_request(requests_.ping());
  } else {
    // Keep-alives that read the server's time keep the clock offset fresh for free.
    api_->set_keepalive_request(requests_.server_time());
  }
  init_health();
}

account_session::~account_session() = default;

const account_config& account_session::config() const noexcept {
  return settings_.account;
}

std::size_t account_session::events_per_request() const noexcept {
  return machine_.events_per_request();
}

bool account_session::serves_time(bool time_pool) const noexcept {
  return time_pool || time_ == nullptr;
}

engine::connection_pool& account_session::time_pool() noexcept {
  return time_ ? *time_ : *api_;
}

engine::connection_pool& account_session::pool(bool time_pool) noexcept {
  return time_pool ? *time_ : *api_;
}

bool account_session::banned(const engine::connection_pool& pool) const noexcept {
  if (core_.bans().empty()) return false;
  return core_.bans().banned(pool.endpoint().host, core_.clock().monotonic_ns());
}

// Every venue answer is classified here, so a ban (HTTP 418) is recorded whichever request drew
// it, before anything else can be sent to that host.
venue_reply account_session::classify(engine::connection_pool& from, request_kind kind,
                                      position_mode requested,
                                      const engine::http_response_parser& r,
                                      std::int64_t wall_ms) noexcept {
  venue_reply reply =
      core_.classifier().classify(settings_.account.venue_kind, kind, requested, r, wall_ms);
  if (reply.used_weight_1m >= 0) draft_.used_weight = reply.used_weight_1m;
  if (reply.result == outcome::ip_banned) {
    // Both terms are bounded (Retry-After saturates at three days, the default at one hour).
    const std::int64_t wait_ms = reply.retry_after_ms >= 0
                                     ? reply.retry_after_ms
                                     : core_.config().retry.default_retry_after.count();
    core_.ban(from.endpoint().host, core_.clock().monotonic_ns() + wait_ms * 1'000'000);
  }
  return reply;
}

// Carried along the monotonic clock once the venue's time was read: a stepped wall clock moves
// no stamp. Before that, the local wall clock is all there is.
std::int64_t account_session::venue_now_ms() const noexcept {
  return venue_now_ms(core_.clock().monotonic_ns());
}

std::int64_t account_session::venue_now_ms(std::int64_t now_ns) const noexcept {
  return clock_.valid() ? clock_.venue_ms(now_ns) : core_.clock().wall_ms();
}

std::int64_t account_session::execution_cutoff_ns(std::int64_t stamp_ms,
                                                  std::int64_t now_ns) const noexcept {
  const std::int64_t window_ms = execution_window_ms(settings_.account);
  const std::int64_t venue_now = venue_now_ms();
  // The estimate is never ahead of the venue's clock, so the venue reaches `stamp + window` no
  // sooner than this many milliseconds from now; the error terms only ever push it later.
  const std::int64_t left_ms = std::max<std::int64_t>(0, stamp_ms + window_ms - venue_now);
  std::int64_t bound_ns = std::chrono::nanoseconds(core_.config().settle_margin).count();
  if (clock_.valid())
    bound_ns += clock_.drift_bound_ns(now_ns + window_ms * 1'000'000);
  else
    bound_ns += ahead_tolerance_ms(settings_.account.venue_kind) * 1'000'000;
  return now_ns + left_ms * 1'000'000 + bound_ns;
}

// -- lifecycle -----------------------------------------------------------------------------

void account_session::start() {
  running_ = true;
  if (settings_.insecure_loopback && core_.logging(log_level::warning)) {
    log_record r = record(log_level::warning, log_event::insecure_endpoint);
    r.message =
        "TLS certificate verification is OFF (insecure_loopback, 127.0.0.1 only); never use "
        "this against a venue";
    core_.log(r);
  }
  api_->start();
  if (time_) time_->start();
  warm_timer_.expires_at(core_.clock().monotonic_ns() +
                         nanoseconds(core_.config().request_deadline).count());
  warm_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || facts_.warm) return;
    if (core_.logging(log_level::error)) {
      log_record r = record(log_level::error, log_event::warm_up);
      r.message =
          "warm-up did not finish within request_deadline; the account stays connecting and "
          "requests wait for it";
      core_.log(r);
    }
    finish_warmup();
  });
  arm_refresh();
  arm_resync();
}

void account_session::stop() noexcept {
  if (stopped_) return;
  running_ = false;
  stopped_ = true;
  for (auto* t : {&deadline_timer_, &step_timer_, &refresh_timer_, &resync_timer_, &warm_timer_})
    t->cancel();
  deadline_timer_at_ = 0;
  step_armed_ = false;
  api_->stop();
  if (time_) time_->stop();
  warm_ticket_ = request_ticket_ = {};
  end_on_stop();
}

void account_session::connection_changed(std::size_t slot, bool time_pool, std::error_code ec,
                                         std::string_view detail) noexcept {
  count_connections();
  const engine::connection_pool& pool = time_pool ? *time_ : *api_;
  // The cause, kept for the events that will need it: where, what, and the system's or
  // OpenSSL's own words (e.g. "Connection refused", "self-signed certificate in certificate
  // chain").
  log_line cause;
  if (ec) {
    cause << pool.endpoint().host << ":" << pool.endpoint().port << ": ";
    // OpenSSL's own words first, so that the reason survives a 96-byte event message.
    if (ec == engine::errc::tls_verify_failed && !detail.empty())
      cause << "certificate verify failed: " << detail;
    else if (!detail.empty())
      cause << engine::describe(ec) << " (" << detail << ")";
    else
      cause << engine::describe(ec);
  }
  if (!time_pool) {
    if (!ec) {
      verify_failed_ = false;
    } else {
      last_connection_error_.assign(cause.view());
      verify_failed_ = ec == engine::errc::tls_verify_failed;
    }
  }
  log_connection(slot, time_pool, ec, cause.view());
  publish_health();  // connections and, on a failure, its cause
  if (!verify_failed_ || !running_ || api_->connected() > 0) return;
  // Retrying cannot fix a certificate: report it now rather than at the deadline.
  if (!facts_.warm) return finish_warmup();
  resume_waiting();
}

void account_session::arm_refresh(bool now) noexcept {
  const milliseconds period(
      std::max<std::int64_t>(10, effective_presign_max_age_ms(settings_.account) / 4));
  refresh_timer_.expires_at(core_.clock().monotonic_ns() + (now ? 0 : nanoseconds(period).count()));
  refresh_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || !running_) return;
    // With an Ed25519 or RSA key, one signature per turn of the loop: a trigger that lands
    // meanwhile waits for at most one signature, never for all of the account's.
    bool more = false;
    if (clock_synced_ && requests_.refresh_slice(venue_now_ms(), more) &&
        core_.logging(log_level::error)) {
      log_record r = record(log_level::error, log_event::signing_failed);
      r.message = "re-signing failed";
      core_.log(r);
    }
    arm_refresh(more);
  });
}

void account_session::kick_refresh() noexcept {
  // Re-arming cancels the pending wait (its handler sees operation_aborted and stops there).
  if (running_ && requests_.expensive_signatures()) arm_refresh(true);
}

void account_session::arm_resync() noexcept {
  const milliseconds period = core_.config().clock_resync_interval;
  if (period.count() <= 0) return;
  resync_timer_.expires_at(core_.clock().monotonic_ns() + nanoseconds(period).count());
  resync_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || !running_) return;
    probe_clock();
    arm_resync();
  });
}

void account_session::probe_clock() noexcept {
  if (clock_probe_in_flight_ || banned(time_pool())) return;
  if (!time_pool().probe(requests_.server_time()).error) clock_probe_in_flight_ = true;
}

// The pools count handshakes and lost connections; the component's counters (read by any
// thread) follow them at every connection change.
void account_session::count_connections() noexcept {
  std::uint64_t handshakes = 0;
  std::uint64_t lost = 0;
  for (const engine::connection_pool* p : {api_.get(), time_.get()}) {
    if (p == nullptr) continue;
    const engine::pool_counters c = p->counters();
    handshakes += c.handshakes;
    lost += c.connections_lost;
  }
  add(core_.stats().handshakes, handshakes - std::exchange(handshakes_seen_, handshakes));
  add(core_.stats().connections_lost, lost - std::exchange(lost_seen_, lost));
}

// -- warm-up -------------------------------------------------------------------------------

void account_session::on_pool_ready(bool time_pool) noexcept {
  if (!running_) return;
  if (!clock_synced_ && serves_time(time_pool)) probe_clock();
  if (time_pool) return;
  if (!facts_.warm) {
    if (clock_synced_) query_next_at_start();
    return;
  }
  resume_waiting();
}

void account_session::on_time_answer(const engine::http_response_parser& r,
                                     const engine::exchange_timing& timing, bool probe) noexcept {
  clock_probe_in_flight_ = false;
  const venue_reply reply = classify(time_pool(), request_kind::server_time, position_mode::hedge,
                                     r, timing.received_wall_ms);
  bool used = false;
  if (reply.result == outcome::ok &&
      clock_.add({timing.sent_monotonic_ns, timing.received_monotonic_ns, timing.received_wall_ms,
                  reply.server_time_ms})) {
    used = true;
    bump(core_.stats().clock_syncs);
    draft_.clock_synced_ns = timing.received_monotonic_ns;
    publish_health();
  }
  // A resync after start (periodic, or for a refused timestamp) is logged once the retry it
  // allows has gone out; the start's own reading is logged by after_clock_probe.
  const bool resync = probe && used && clock_synced_;
  const bool after_skew = machine_.current_state() == request_machine::state::resyncing;
  after_clock_probe();
  if (resync) log_clock(false, after_skew);
  if (reply.result == outcome::ip_banned || reply.result == outcome::rate_limited)
    log_reply(reply, time_pool(), false);
}

void account_session::on_ping_answer(const engine::http_response_parser& r) noexcept {
  // Only a ban matters in a ping's answer; the rest is the keep-alive's business.
  if (r.status() != 418) return;
  const venue_reply reply =
      classify(*api_, request_kind::ping, position_mode::hedge, r, core_.clock().wall_ms());
  log_reply(reply, *api_, false);
}

void account_session::on_time_failure() noexcept {
  clock_probe_in_flight_ = false;
  after_clock_probe();
}

void account_session::after_clock_probe() noexcept {
  if (machine_.current_state() == request_machine::state::resyncing) {
    // An asymmetric key's requests are only marked stale: the retry signs its own (inline,
    // flagged), the refresh the others, one per turn of the loop.
    (void)requests_.clock_moved(venue_now_ms());
    kick_refresh();
    return run(&machine_.on_clock_synced(input_time()));
  }
  if (clock_synced_) return;
  if (++clock_probes_ < core_.config().clock_samples_at_start) return probe_clock();
  clock_synced_ = true;
  log_clock(true, false);
  if (requests_.clock_moved(venue_now_ms()) && core_.logging(log_level::error)) {
    log_record r = record(log_level::error, log_event::signing_failed);
    r.message = "signing failed";
    core_.log(r);
  }
  kick_refresh();
  if (api_->ready() > 0) query_next_at_start();
}

void account_session::query_next_at_start() noexcept {
  if (facts_.warm || busy_warm_) return;
  if (warm_product_ == settings_.account.products.size()) return finish_warmup();
  if (banned(*api_)) return publish_startup(event_status::ip_banned, nullptr, ban_reason);
  std::error_code ec;
  const auto bytes =
      requests_.query_mode(settings_.account.products[warm_product_], venue_now_ms(), ec);
  if (ec) return publish_startup(event_status::rejected, nullptr, engine::describe(ec));
  const auto sent = api_->send(
      bytes, core_.clock().monotonic_ns() + nanoseconds(core_.config().attempt_timeout).count());
  if (sent.error) return;  // no connection yet: on_pool_ready comes back here
  warm_ticket_ = sent;
  busy_warm_ = true;
  bump(core_.stats().queries_sent);
  ++draft_.queries_sent;
}

void account_session::publish_startup(event_status status, const venue_reply* reply,
                                      std::string_view reason) noexcept {
  position_event e;
  e.account = index_;
  e.venue_kind = settings_.account.venue_kind;
  e.product_scope = settings_.account.products[warm_product_];
  e.status = status;
  if (reply != nullptr && reply->has_mode) {
    e.has_observed_mode = true;
    e.observed_mode = reply->mode;
    // What the book was in before any request: how a twin's set is seen to move it.
    facts_.known[warm_product_] = {true, reply->mode};
  }
  e.coupled = policy_.unified;
  fill_reply(e, reply, reason);
  e.response_ns = core_.clock().monotonic_ns();
  core_.publish(e);
  if (warm_product_ < startup_.size()) startup_[warm_product_] = e;
  if (status == event_status::current_mode) ++modes_read_at_start_;
  note_event(e);
  ++warm_product_;
  query_next_at_start();
}

void account_session::on_warm_response(const venue_reply& reply) noexcept {
  busy_warm_ = false;
  if (reply.key_cannot_trade && !key_cannot_trade_) {  // the verdict is in account_check.cpp
    key_cannot_trade_ = true;
    key_permissions_ = reply.key_permissions;
    draft_.key_cannot_trade = true;
    if (core_.logging(log_level::warning)) {
      log_line line;
      line << "API key has no trade permission (perm: " << key_permissions_.view()
           << "): every set will be refused";
      log_record r = record(log_level::warning, log_event::key_cannot_trade);
      r.message = line.view();
      core_.log(r);
    }
  }
  if (reply.result == outcome::mode_reported)
    publish_startup(event_status::current_mode, &reply, {});
  else
    publish_startup(status_of(reply.result), &reply, "reading the mode at start-up failed");
}

void account_session::finish_warmup() noexcept {
  if (facts_.warm) return;
  facts_.warm = true;
  warm_timer_.cancel();
  // Products whose mode could not be read still get their start-up report, with the cause (for
  // a certificate, the cause alone: the status says the rest).
  engine::fixed_string<96> why;
  // A ban that came during the warm-up (a 418 to the time request) stopped the reads: say so.
  const bool banned_now = !verify_failed_ && banned(*api_);
  if (verify_failed_) {
    why.assign(last_connection_error_.view());
  } else if (banned_now) {
    why.assign(ban_reason);
  } else if (api_->connected() == 0 && !last_connection_error_.empty()) {
    why.assign("no connection: ");
    why.append(last_connection_error_.view());
  } else {
    why.assign("the mode could not be read at start-up");
  }
  const event_status status = verify_failed_ ? event_status::tls_verification_failed
                              : banned_now   ? event_status::ip_banned
                                             : event_status::transport_error;
  while (warm_product_ < settings_.account.products.size())
    publish_startup(status, nullptr, why.view());
  draft_.warm_up_succeeded = modes_read_at_start_ == settings_.account.products.size();
  warn_if_not_coupled();
  // Before the account counts as started, every pre-signed request is fresh, whatever the key:
  // the first trigger never signs (requests that arrived during the warm-up wait anyway).
  if (clock_synced_) (void)requests_.refresh(venue_now_ms());
  publish_health();
  core_.account_warm();
  resume_waiting();
  log_warm_up(draft_.warm_up_succeeded ? std::string_view{} : why.view());
}

// A migrated account keeps its coupled books in one mode; a unified account whose books read
// differently at start-up is probably not migrated, and its followers' events rest on the setting.
void account_session::warn_if_not_coupled() noexcept {
  if (!policy_.unified || !core_.logging(log_level::warning)) return;
  for (std::size_t i = 0; i < settings_.account.products.size(); ++i) {
    const std::uint8_t j = policy_.twin[i];
    if (j == no_twin || j < i || !facts_.known[i].known || !facts_.known[j].known ||
        facts_.known[i].mode == facts_.known[j].mode)
      continue;
    log_line line;
    line << "unified_position_mode is set, but " << to_string(settings_.account.products[i])
         << " reads " << to_string(facts_.known[i].mode) << " and "
         << to_string(settings_.account.products[j]) << " " << to_string(facts_.known[j].mode)
         << " at start-up: a migrated account keeps them equal; check the setting (its "
            "events say one set moves both)";
    log_record r = record(log_level::warning, log_event::coupled_books);
    r.message = line.view();
    core_.log(r);
  }
}

// One ledger: the pool's ticket names each exchange, and the session keeps the tickets of the two
// it waits for (the warm-up query, the running request's); any other answer is stale.
void account_session::on_api_result(const engine::ticket& t,
                                    const engine::exchange_result& result) noexcept {
  const engine::http_response_parser& r = result.response;
  if (!result.error) {
    draft_.last_round_trip_ns =
        result.timing.received_monotonic_ns - result.timing.sent_monotonic_ns;
    if (record_latency_) record_latency(latency_kind::answer, draft_.last_round_trip_ns);
  }
  if (warm_ticket_.same_exchange(t)) {
    warm_ticket_ = {};
    busy_warm_ = false;
    if (!result.error) {
      const venue_reply reply = classify(*api_, request_kind::query_mode, position_mode::hedge, r,
                                         result.timing.received_wall_ms);
      on_warm_response(reply);
      return log_reply(reply, *api_, false);
    }
    const venue_reply reply =
        response_classifier::parse_failure(request_kind::query_mode, result.error, r);
    return publish_startup(event_status::transport_error, &reply,
                           "reading the mode at start-up failed");
  }
  if (!request_ticket_.same_exchange(t) || !machine_.active()) return;
  request_ticket_ = {};
  const std::int64_t now = result.timing.received_monotonic_ns;
  const venue_reply reply =
      result.error ? response_classifier::parse_failure(machine_.awaited(), result.error, r)
                   : classify(*api_, machine_.awaited(), machine_.current().mode, r,
                              result.timing.received_wall_ms);
  now_ = now;
  sync_facts(now);  // after classify: a 418 just recorded bans the host for what follows
  note_reply(reply, false);
  run(&machine_.on_answer(reply, now));
}

}  // namespace posmode::components::detail
