#include "account_session.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <string>

#include "posmode/engine/error.hpp"

namespace posmode::components::detail {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

namespace {

// The event status for a venue answer that ends a request as it stands.
constexpr std::string_view ban_reason =
    "not sent: the host banned this IP (HTTP 418) and the ban has not ended";

event_status status_of(outcome o) noexcept {
  switch (o) {
    case outcome::applied:
      return event_status::applied;
    case outcome::already_in_mode:
      return event_status::already_in_mode;
    case outcome::blocked_positions:
      return event_status::blocked_positions;
    case outcome::blocked_orders:
      return event_status::blocked_orders;
    case outcome::blocked_um_cm_mismatch:
      return event_status::blocked_um_cm_mismatch;
    case outcome::blocked_positions_or_orders:
      return event_status::blocked_positions_or_orders;
    case outcome::clock_skew:
      return event_status::clock_skew;
    case outcome::bad_signature:
    case outcome::key_or_permission:
    case outcome::wrong_environment:
      return event_status::auth_failed;
    case outcome::rate_limited:
      return event_status::rate_limited;
    case outcome::ip_banned:
      return event_status::ip_banned;
    case outcome::venue_error:
    case outcome::mode_reported:
    case outcome::ok:
      return event_status::venue_error;
    case outcome::unknown:
    case outcome::malformed:
      return event_status::unknown;
  }
  return event_status::unknown;
}

// A refusal whose meaning is known even though a Bitget query reads the mode back: the query
// cannot turn it into `not_applied`. Any other error (`venue_error`) leaves the effect open.
bool is_recognised_refusal(outcome o) noexcept {
  switch (o) {
    case outcome::blocked_positions:
    case outcome::blocked_orders:
    case outcome::blocked_um_cm_mismatch:
    case outcome::blocked_positions_or_orders:
    case outcome::clock_skew:
    case outcome::bad_signature:
    case outcome::key_or_permission:
    case outcome::wrong_environment:
    case outcome::rate_limited:
    case outcome::ip_banned:
      return true;
    default:
      return false;
  }
}

}  // namespace

// Routes one pool's callbacks to the session, remembering which pool spoke.
class account_session::pool_events final : public engine::pool_listener {
 public:
  pool_events(account_session& s, bool time_pool) : s_(s), time_pool_(time_pool) {}

  void on_response(std::size_t slot, const engine::http_response_parser& r) noexcept override {
    if (!time_pool_) s_.on_owner_response(slot, r);
  }
  void on_failure(std::size_t slot, std::error_code ec,
                  const engine::http_response_parser& partial) noexcept override {
    if (!time_pool_) s_.on_owner_failure(slot, ec, partial);
  }
  void on_probe_response(std::size_t, const engine::http_response_parser& r,
                         const engine::probe_timing& timing, bool) noexcept override {
    if (s_.serves_time(time_pool_))
      s_.on_time_answer(r, timing);
    else
      s_.on_ping_answer(r);
  }
  void on_probe_failure(std::size_t, std::error_code, bool keepalive) noexcept override {
    if (!keepalive && s_.serves_time(time_pool_)) s_.on_time_failure();
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
                                 const account_settings& settings, std::size_t index)
    : core_(core),
      settings_(settings),
      index_(index),
      requests_(settings.account, settings.creds),
      tls_(std::make_unique<engine::tls_client_context>(
          engine::tls_client_context::options{settings.ca_file, settings.ca_pem})),
      deadline_timer_(io),
      step_timer_(io),
      refresh_timer_(io),
      resync_timer_(io),
      warm_timer_(io) {
  const component_config& cfg = core.config();
  engine::pool_options opts;
  opts.connections = settings.connections;
  opts.keepalive_interval = cfg.keepalive_interval;
  opts.probe_timeout = cfg.attempt_timeout;
  opts.backoff = cfg.retry.reconnect;
  opts.clock = core.clock();
  const endpoint& api = requests_.api_endpoint();
  const endpoint& time = requests_.time_endpoint();
  api_events_ = std::make_unique<pool_events>(*this, false);
  api_ = std::make_unique<engine::connection_pool>(
      io, *tls_, engine::tls_endpoint{api.host, api.port, settings.insecure_loopback}, *api_events_,
      opts);
  if (time.host != api.host || time.port != api.port) {
    // PAPI has no time endpoint: its clock comes from fapi's host, over one more connection.
    engine::pool_options time_opts = opts;
    time_opts.connections = 1;
    time_events_ = std::make_unique<pool_events>(*this, true);
    time_ = std::make_unique<engine::connection_pool>(
        io, *tls_, engine::tls_endpoint{time.host, time.port, settings.insecure_loopback},
        *time_events_, time_opts);
    time_->set_keepalive_request(requests_.server_time());
    api_->set_keepalive_request(requests_.ping());
  } else {
    // Keep-alives that read the server's time keep the clock offset fresh for free.
    api_->set_keepalive_request(requests_.server_time());
  }
}

account_session::~account_session() = default;

const account_config& account_session::config() const noexcept {
  return settings_.account;
}

std::size_t account_session::events_per_request() const noexcept {
  return settings_.account.products.size() + (settings_.verify_after_set ? 1 : 0);
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
  if (reply.result == outcome::ip_banned) {
    const std::int64_t wait_ms = reply.retry_after_ms >= 0
                                     ? reply.retry_after_ms
                                     : core_.config().retry.default_retry_after.count();
    core_.bans().ban(from.endpoint().host, core_.clock().monotonic_ns() + wait_ms * 1'000'000);
  }
  return reply;
}

std::int64_t account_session::venue_now_ms() const noexcept {
  return core_.clock().wall_ms() + clock_.offset_ms();
}

product account_session::current_product() const noexcept {
  return settings_.account.products[job_.product_index];
}

// -- lifecycle -----------------------------------------------------------------------------

void account_session::start() {
  running_ = true;
  if (settings_.insecure_loopback)
    core_.log(log_level::warning, "account " + settings_.account.id +
                                      ": TLS certificate verification is OFF (insecure_loopback, "
                                      "127.0.0.1 only); never use this against a venue");
  api_->start();
  if (time_) time_->start();
  warm_timer_.expires_after(core_.config().request_deadline);
  warm_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || warm_) return;
    core_.log(log_level::error, "account " + settings_.account.id +
                                    ": warm-up did not finish within request_deadline; the "
                                    "account stays connecting and requests wait for it");
    finish_warmup();
  });
  arm_refresh();
  arm_resync();
}

void account_session::stop() noexcept {
  if (!running_) return;
  running_ = false;
  for (auto* t : {&deadline_timer_, &step_timer_, &refresh_timer_, &resync_timer_, &warm_timer_})
    t->cancel();
  deadline_timer_at_ = 0;
  api_->stop();
  if (time_) time_->stop();
  slot_use_.fill({});
  while (job_.active)
    finish(event_status::transport_error, nullptr, "the component stopped");
}

void account_session::connection_changed(std::size_t slot, bool time_pool, std::error_code ec,
                                         std::string_view detail) noexcept {
  const std::size_t key = (time_pool ? 16 : 0) + slot;
  if (!ec) {
    slot_up_[key] = true;
    bump(core_.stats().handshakes);
  } else if (std::exchange(slot_up_[key], false)) {
    bump(core_.stats().connections_lost);
  }
  if (!core_.logging()) return;
  const engine::connection_pool& pool = time_pool ? *time_ : *api_;
  const std::string where = "account " + settings_.account.id + ": " + pool.endpoint().host + ":" +
                            std::to_string(pool.endpoint().port) + " connection " +
                            std::to_string(slot);
  if (!ec) return core_.log(log_level::debug, where + " up");
  core_.log(log_level::warning, where + " down: " + ec.message() +
                                    (detail.empty() ? "" : " (" + std::string(detail) + ")"));
}

void account_session::arm_refresh() noexcept {
  const milliseconds period(std::max<std::int64_t>(10, settings_.account.presign_max_age_ms / 4));
  refresh_timer_.expires_after(period);
  refresh_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || !running_) return;
    if (clock_synced_ && requests_.refresh(venue_now_ms()))
      core_.log(log_level::error, "account " + settings_.account.id + ": re-signing failed");
    arm_refresh();
  });
}

void account_session::arm_resync() noexcept {
  const milliseconds period = core_.config().clock_resync_interval;
  if (period.count() <= 0) return;
  resync_timer_.expires_after(period);
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

// -- warm-up -------------------------------------------------------------------------------

void account_session::on_pool_ready(bool time_pool) noexcept {
  if (!running_) return;
  if (!clock_synced_ && serves_time(time_pool)) probe_clock();
  if (time_pool) return;
  if (!warm_) {
    if (clock_synced_) query_next_at_start();
    return;
  }
  if (job_.active && job_.step == phase::waiting) advance();
}

void account_session::on_time_answer(const engine::http_response_parser& r,
                                     const engine::probe_timing& timing) noexcept {
  clock_probe_in_flight_ = false;
  const venue_reply reply = classify(time_pool(), request_kind::server_time, position_mode::hedge,
                                     r, timing.received_wall_ms);
  if (reply.result == outcome::ok &&
      clock_.add({timing.sent_monotonic_ns, timing.received_monotonic_ns, timing.received_wall_ms,
                  reply.server_time_ms}))
    bump(core_.stats().clock_syncs);
  after_clock_probe();
}

void account_session::on_ping_answer(const engine::http_response_parser& r) noexcept {
  // Only a ban matters in a ping's answer; the rest is the keep-alive's business.
  if (r.status() == 418)
    (void)classify(*api_, request_kind::ping, position_mode::hedge, r, core_.clock().wall_ms());
}

void account_session::on_time_failure() noexcept {
  clock_probe_in_flight_ = false;
  after_clock_probe();
}

void account_session::after_clock_probe() noexcept {
  if (job_.active && job_.step == phase::resyncing) {
    (void)requests_.resign_all(venue_now_ms());
    job_.next = action::send_set;
    return advance();
  }
  if (clock_synced_) return;
  if (++clock_probes_ < core_.config().clock_samples_at_start) return probe_clock();
  clock_synced_ = true;
  core_.log(clock_.valid() ? log_level::info : log_level::warning,
            "account " + settings_.account.id +
                (clock_.valid() ? ": server clock offset " + std::to_string(clock_.offset_ms()) +
                                      " ms (round trip " +
                                      std::to_string(clock_.round_trip_ns() / 1000) + " us)"
                                : ": the server's time could not be read; using the local clock"));
  if (requests_.resign_all(venue_now_ms()))
    core_.log(log_level::error, "account " + settings_.account.id + ": signing failed");
  if (api_->ready() > 0) query_next_at_start();
}

void account_session::query_next_at_start() noexcept {
  if (warm_ || busy_warm_) return;
  if (warm_product_ == settings_.account.products.size()) return finish_warmup();
  if (banned(*api_)) return publish_startup(event_status::ip_banned, nullptr, ban_reason);
  std::error_code ec;
  const auto bytes =
      requests_.query_mode(settings_.account.products[warm_product_], venue_now_ms(), ec);
  if (ec) return publish_startup(event_status::rejected, nullptr, engine::describe(ec));
  const auto sent = api_->send(bytes, core_.config().attempt_timeout);
  if (sent.error) return;  // no connection yet: on_pool_ready comes back here
  slot_use_[sent.slot] = {in_flight::warm_query, 0};
  busy_warm_ = true;
  bump(core_.stats().queries_sent);
}

void account_session::publish_startup(event_status status, const venue_reply* reply,
                                      std::string_view reason) noexcept {
  position_event e;
  e.account = static_cast<std::uint16_t>(index_);
  e.venue_kind = settings_.account.venue_kind;
  e.product_scope = settings_.account.products[warm_product_];
  e.status = status;
  if (reply != nullptr && reply->has_mode) {
    e.has_observed_mode = true;
    e.observed_mode = reply->mode;
  }
  fill_reply(e, reply, reason);
  e.response_ns = core_.clock().monotonic_ns();
  core_.publish(e);
  ++warm_product_;
  query_next_at_start();
}

void account_session::on_warm_response(const venue_reply& reply) noexcept {
  busy_warm_ = false;
  if (reply.result == outcome::mode_reported)
    publish_startup(event_status::current_mode, &reply, {});
  else
    publish_startup(status_of(reply.result), &reply, "reading the mode at start-up failed");
}

void account_session::finish_warmup() noexcept {
  if (warm_) return;
  warm_ = true;
  warm_timer_.cancel();
  // Products whose mode could not be read still get their start-up report.
  while (warm_product_ < settings_.account.products.size())
    publish_startup(event_status::transport_error, nullptr,
                    "the mode could not be read at start-up");
  core_.account_warm();
  if (job_.active && job_.step == phase::waiting) advance();
}

// -- requests ------------------------------------------------------------------------------

bool account_session::admit(const trigger& t) noexcept {
  if (!job_.active) {
    begin(t);
    return true;
  }
  if (queue_count_ == std::min(queue_.size(), core_.config().pending_per_account)) return false;
  queue_[(queue_head_ + queue_count_) % queue_.size()] = t;
  ++queue_count_;
  return true;
}

void account_session::begin(const trigger& t) noexcept {
  const std::uint64_t generation = job_.generation + 1;
  job_ = job{};
  job_.active = true;
  job_.generation = generation;
  job_.t = t;
  job_.events_left = events_per_request();
  job_.deadline_ns =
      t.trigger_ns +
      std::chrono::duration_cast<nanoseconds>(core_.config().request_deadline).count();
  advance();
  // Armed after the write: arming may reprogram the reactor's timerfd (a system call).
  if (job_.active && job_.generation == generation) arm_deadline();
}

void account_session::advance() noexcept {
  if (!warm_) {
    job_.step = phase::waiting;
    return;
  }
  if (banned(*api_)) {
    if (job_.next == action::send_verify)
      return publish_verification(event_status::unknown, nullptr, ban_reason);
    return finish(event_status::ip_banned, job_.has_open_reply ? &job_.open_reply : nullptr,
                  ban_reason);
  }
  switch (job_.next) {
    case action::send_set:
      return send_set();
    case action::send_query:
      return send_query(phase::query_sent);
    case action::send_verify:
      return send_query(phase::verify_sent);
  }
}

nanoseconds account_session::attempt_timeout() const noexcept {
  const std::int64_t left = job_.deadline_ns - core_.clock().monotonic_ns();
  const auto attempt = std::chrono::duration_cast<nanoseconds>(core_.config().attempt_timeout);
  return std::clamp(nanoseconds(left), nanoseconds(milliseconds(1)), attempt);
}

void account_session::send_set() noexcept {
  std::error_code ec;
  const auto bytes = requests_.set_mode(current_product(), job_.t.mode, venue_now_ms(), ec);
  if (ec) return finish(event_status::rejected, nullptr, engine::describe(ec));
  const auto sent = api_->send(bytes, attempt_timeout());
  if (sent.error == engine::errc::busy || sent.error == engine::errc::not_connected) {
    job_.step = phase::waiting;
    job_.next = action::send_set;
    return;
  }
  if (sent.error)
    return finish(event_status::transport_error, nullptr, engine::describe(sent.error));
  const std::int64_t now = core_.clock().monotonic_ns();
  slot_use_[sent.slot] = {in_flight::job, job_.generation};
  job_.step = phase::set_sent;
  if (++job_.attempts > 1) bump(core_.stats().retries);
  if (job_.on_wire_ns == 0) {
    job_.on_wire_ns = now;
    core_.wire_latency().add(now - job_.t.trigger_ns);
  }
  bump(core_.stats().set_requests_sent);
}

void account_session::send_query(phase purpose) noexcept {
  std::error_code ec;
  const auto bytes = requests_.query_mode(current_product(), venue_now_ms(), ec);
  if (ec) return finish(event_status::rejected, nullptr, engine::describe(ec));
  const auto sent = api_->send(bytes, attempt_timeout());
  if (sent.error == engine::errc::busy || sent.error == engine::errc::not_connected) {
    job_.step = phase::waiting;
    job_.next = purpose == phase::verify_sent ? action::send_verify : action::send_query;
    return;
  }
  if (sent.error)
    return finish(event_status::transport_error, nullptr, engine::describe(sent.error));
  slot_use_[sent.slot] = {in_flight::job, job_.generation};
  job_.step = purpose;
  bump(core_.stats().queries_sent);
}

void account_session::on_owner_response(std::size_t slot,
                                        const engine::http_response_parser& r) noexcept {
  const slot_use use = std::exchange(slot_use_[slot], slot_use{});
  const std::int64_t wall = core_.clock().wall_ms();
  if (use.kind == in_flight::warm_query) {
    return on_warm_response(
        classify(*api_, request_kind::query_mode, position_mode::hedge, r, wall));
  }
  if (use.kind != in_flight::job || !job_.active || use.generation != job_.generation) return;
  job_.response_ns = core_.clock().monotonic_ns();
  const request_kind kind =
      job_.step == phase::set_sent ? request_kind::set_mode : request_kind::query_mode;
  on_job_reply(classify(*api_, kind, job_.t.mode, r, wall));
}

void account_session::on_owner_failure(std::size_t slot, std::error_code ec,
                                       const engine::http_response_parser& partial) noexcept {
  const slot_use use = std::exchange(slot_use_[slot], slot_use{});
  if (use.kind == in_flight::warm_query) {
    busy_warm_ = false;
    const venue_reply reply =
        response_classifier::parse_failure(request_kind::query_mode, ec, partial);
    return publish_startup(event_status::transport_error, &reply,
                           "reading the mode at start-up failed");
  }
  if (use.kind != in_flight::job || !job_.active || use.generation != job_.generation) return;
  job_.response_ns = core_.clock().monotonic_ns();
  const request_kind kind =
      job_.step == phase::set_sent ? request_kind::set_mode : request_kind::query_mode;
  on_job_reply(response_classifier::parse_failure(kind, ec, partial));
}

void account_session::on_job_reply(const venue_reply& reply) noexcept {
  switch (job_.step) {
    case phase::set_sent:
      return on_set_reply(reply);
    case phase::query_sent:
      return on_query_reply(reply);
    case phase::verify_sent:
      return on_verify_reply(reply);
    default:
      return;
  }
}

void account_session::on_set_reply(const venue_reply& reply) noexcept {
  const retry_policy& retry = core_.config().retry;
  switch (reply.result) {
    case outcome::applied:
      return product_succeeded(event_status::applied, &reply);
    case outcome::already_in_mode:
      return product_succeeded(event_status::already_in_mode, &reply);
    case outcome::blocked_positions:
    case outcome::blocked_orders:
    case outcome::blocked_um_cm_mismatch:
      return finish(status_of(reply.result), &reply, {});
    case outcome::clock_skew:
      if (retry.resync_on_clock_skew && !job_.clock_retry_used) {
        job_.clock_retry_used = true;
        job_.step = phase::resyncing;
        // The venue says our clock is off: earlier samples (however tight) no longer describe
        // it, and the estimator would keep preferring them.
        clock_.reset();
        probe_clock();
        if (!clock_probe_in_flight_) after_clock_probe();  // no connection for a probe
        return;
      }
      return finish(event_status::clock_skew, &reply, {});
    case outcome::rate_limited:
    case outcome::ip_banned: {
      const std::int64_t wait_ms =
          reply.retry_after_ms >= 0 ? reply.retry_after_ms : retry.default_retry_after.count();
      const std::int64_t resume_ns = core_.clock().monotonic_ns() + wait_ms * 1'000'000;
      if (reply.result == outcome::rate_limited && retry.wait_on_rate_limit &&
          job_.rate_retries < retry.max_rate_limit_retries && resume_ns < job_.deadline_ns) {
        ++job_.rate_retries;
        return wait_then(milliseconds(wait_ms));
      }
      return finish(status_of(reply.result), &reply, {});
    }
    default:
      break;
  }
  // Open outcomes, and every Bitget answer but "00000", are settled by reading the mode back.
  if (reply.verify_by_query || settings_.account.venue_kind == venue::bitget) {
    job_.open_reply = reply;
    job_.has_open_reply = true;
    job_.next = action::send_query;
    return advance();
  }
  finish(status_of(reply.result), &reply, {});
}

void account_session::on_query_reply(const venue_reply& reply) noexcept {
  const venue_reply& open = job_.open_reply;
  const bool refusal = is_recognised_refusal(open.result);
  if (reply.result != outcome::mode_reported) {
    // Both causes reach the order manager: the answer that left the outcome open keeps its code
    // and message, and the query's own failure (a ban, a refusal, a dropped connection) follows,
    // its outcome first so that truncation keeps at least that.
    venue_reply both = open;
    both.message.append(both.message.empty() ? "mode query: " : "; mode query: ");
    both.message.append(to_string(reply.result));
    if (!reply.message.empty()) {
      both.message.append(" (");
      both.message.append(reply.message.view());
      both.message.append(")");
    }
    return finish(refusal ? status_of(open.result) : event_status::unknown, &both, {});
  }
  job_.has_observed = true;
  job_.observed = reply.mode;
  if (reply.mode == job_.t.mode) return product_succeeded(event_status::confirmed, &open);
  finish(refusal ? status_of(open.result) : event_status::not_applied, &open, {});
}

void account_session::on_verify_reply(const venue_reply& reply) noexcept {
  if (reply.result != outcome::mode_reported)
    return publish_verification(event_status::unknown, &reply, "the verification query failed");
  if (reply.mode != job_.t.mode && !job_.verify_mismatch) {
    job_.verify_mismatch = true;
    job_.mismatch_product = job_.product_index;
    job_.observed = reply.mode;
  }
  if (job_.product_index + 1 < settings_.account.products.size()) {
    ++job_.product_index;
    return send_query(phase::verify_sent);
  }
  if (job_.verify_mismatch) {
    job_.product_index = job_.mismatch_product;
    job_.has_observed = true;
    return publish_verification(event_status::verify_mismatch, &reply, {});
  }
  job_.has_observed = true;
  job_.observed = reply.mode;
  publish_verification(event_status::verified, &reply, {});
}

void account_session::product_succeeded(event_status status, const venue_reply* reply) noexcept {
  if (job_.product_index + 1 < settings_.account.products.size()) {
    // PAPI UM then CM: UM's outcome is published, not terminal, and CM follows at once.
    position_event e = make_event(status, reply, {});
    core_.publish(e);
    --job_.events_left;
    ++job_.product_index;
    job_.attempts = 0;
    job_.rate_retries = 0;
    job_.clock_retry_used = false;
    job_.has_open_reply = false;
    job_.has_observed = false;
    job_.next = action::send_set;
    return advance();
  }
  if (!settings_.verify_after_set) return finish(status, reply, {});
  publish_terminal(status, reply, {});
  job_.product_index = 0;
  job_.has_observed = false;
  job_.next = action::send_verify;
  advance();
}

void account_session::fill_reply(position_event& e, const venue_reply* reply,
                                 std::string_view reason) const noexcept {
  if (reply != nullptr) {
    e.http_status = reply->http_status;
    e.has_code = reply->has_code;
    e.code = reply->code;
    e.code_text = reply->code_text;
    e.message.assign(reply->message.view());
  }
  if (e.message.size() == 0) e.message.assign(reason);
}

position_event account_session::make_event(event_status status, const venue_reply* reply,
                                           std::string_view reason) const noexcept {
  position_event e;
  e.request_id = job_.t.id;
  e.account = static_cast<std::uint16_t>(index_);
  e.venue_kind = settings_.account.venue_kind;
  e.product_scope = current_product();
  e.requested = job_.t.mode;
  e.status = status;
  e.has_observed_mode = job_.has_observed;
  e.observed_mode = job_.observed;
  e.attempts = job_.attempts;
  fill_reply(e, reply, reason);
  e.trigger_ns = job_.t.trigger_ns;
  e.on_wire_ns = job_.on_wire_ns;
  e.response_ns = job_.response_ns;
  return e;
}

void account_session::publish_terminal(event_status status, const venue_reply* reply,
                                       std::string_view reason) noexcept {
  position_event e = make_event(status, reply, reason);
  e.terminal = true;
  core_.publish(e);
  --job_.events_left;
  core_.event_latency().add(e.published_ns - e.trigger_ns);
}

void account_session::finish(event_status status, const venue_reply* reply,
                             std::string_view reason) noexcept {
  publish_terminal(status, reply, reason);
  finish_job();
}

void account_session::publish_verification(event_status status, const venue_reply* reply,
                                           std::string_view reason) noexcept {
  position_event e = make_event(status, reply, reason);
  e.verification = true;
  core_.publish(e);
  --job_.events_left;
  finish_job();
}

void account_session::finish_job() noexcept {
  core_.release(job_.events_left);
  job_.active = false;
  if (job_.rate_retries > 0) step_timer_.cancel();  // only a Retry-After wait arms it
  if (queue_count_ == 0) return;
  const trigger next = queue_[queue_head_];
  queue_head_ = (queue_head_ + 1) % queue_.size();
  --queue_count_;
  begin(next);
}

// As in tls_connection: a pending wait that expires no later than this request's deadline is
// kept (it re-arms itself when it fires), so steady traffic costs no timer system calls.
void account_session::arm_deadline() noexcept {
  if (deadline_timer_at_ != 0 && deadline_timer_at_ <= job_.deadline_ns) return;
  start_deadline_wait(job_.deadline_ns);
}

// The wait re-arms itself for the request then running or, idle, one request deadline ahead:
// a request after a quiet spell then finds a wait pending that expires no later than its own
// deadline, and reprograms nothing (one wake-up per deadline period while idle).
void account_session::start_deadline_wait(std::int64_t at_ns) noexcept {
  deadline_timer_at_ = at_ns;
  deadline_timer_.expires_at(asio::steady_timer::time_point(std::chrono::nanoseconds(at_ns)));
  // The session's own memory: a busy-poll host arms this outside `io_context::poll()`, where
  // Asio's per-thread recycling does not reach.
  deadline_timer_.async_wait(
      engine::bind_shared_memory(deadline_memory_, [this](const boost::system::error_code& ec) {
        if (ec) return;
        deadline_timer_at_ = 0;
        if (!running_) return;
        const std::int64_t now = core_.clock().monotonic_ns();
        if (!job_.active)
          return start_deadline_wait(
              now +
              std::chrono::duration_cast<nanoseconds>(core_.config().request_deadline).count());
        if (now >= job_.deadline_ns) return on_deadline();
        start_deadline_wait(job_.deadline_ns);
      }));
}

void account_session::on_deadline() noexcept {
  if (job_.step == phase::verify_sent ||
      (job_.step == phase::waiting && job_.next == action::send_verify))
    return publish_verification(event_status::timeout, nullptr,
                                "the deadline passed before the verification query answered");
  const venue_reply* open = job_.has_open_reply ? &job_.open_reply : nullptr;
  finish(event_status::timeout, open,
         job_.on_wire_ns != 0 ? "deadline passed: the set request was sent, its outcome unknown"
                              : "deadline passed before the set request could be sent");
}

void account_session::wait_then(milliseconds delay) noexcept {
  job_.step = phase::rate_waiting;
  step_timer_.expires_after(delay);
  step_timer_.async_wait([this, generation = job_.generation](const boost::system::error_code& ec) {
    if (ec || !job_.active || job_.generation != generation) return;
    job_.next = action::send_set;
    advance();
  });
}

}  // namespace posmode::components::detail
