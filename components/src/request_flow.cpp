// The per-request state machine of account_session: send the pre-signed set, read the mode back
// when the answer leaves the outcome open, wait out a set that may still be executed, verify;
// deadlines, waits and the one terminal event. docs/design.md, "State machine", is the same table.

#include <algorithm>
#include <boost/asio/io_context.hpp>

#include "account_session.hpp"
#include "event_mapping.hpp"
#include "posmode/engine/error.hpp"

namespace posmode::components::detail {

using std::chrono::nanoseconds;

namespace {

// Every reason is a static text: no formatting between an answer and its event. Each fits the
// event's 96-byte message.
constexpr std::string_view not_sent_deadline =
    "not sent: the deadline passed before the set request could be sent";
constexpr std::string_view open_at_deadline =
    "deadline passed: the set was sent and may still be executed; outcome unknown";
constexpr std::string_view settles_after_deadline =
    "read back the other mode; the set may still be executed after the deadline";
constexpr std::string_view earlier_set_may_land =
    "not sent: an earlier set for the other mode may still be executed past this deadline";
constexpr std::string_view stopped_not_sent = "not sent: the component stopped";
constexpr std::string_view stopped_open =
    "the component stopped: the set was sent and its outcome is unknown";
constexpr std::string_view stopped = "the component stopped";
constexpr std::string_view deadline_unfinished = "the deadline passed before the request finished";

// The answer that left the outcome open keeps its code; the reason comes first (the event's
// message may cut the end) and that answer's message follows in parentheses.
venue_reply with_reason(const venue_reply& reply, std::string_view reason) noexcept {
  venue_reply out = reply;
  out.message.assign(reason);
  if (!reply.message.empty()) {
    out.message.append(" (");
    out.message.append(reply.message.view());
    out.message.append(")");
  }
  return out;
}

}  // namespace

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
  // Nothing goes on the wire once the deadline has passed: a request the venue executes after
  // its event said "timeout" would be a false claim.
  const std::int64_t now = core_.clock().monotonic_ns();
  if (now >= job_.deadline_ns) return on_deadline();
  if (banned(*api_)) {
    if (job_.next == action::send_verify)
      return publish_verification(event_status::unknown, nullptr, ban_reason);
    return finish(event_status::ip_banned, job_.has_open_reply ? &job_.open_reply : nullptr,
                  ban_reason);
  }
  if (verify_failed_ && job_.next == action::send_set && job_.attempts == 0 &&
      api_->connected() == 0) {
    // Nothing of this request went out (the status says so), and no connection will verify:
    // say so now, with the whole cause.
    return finish(event_status::tls_verification_failed, nullptr, last_connection_error_.view());
  }
  switch (job_.next) {
    case action::send_set:
      return send_set(now);
    case action::send_query:
      return send_query(phase::query_sent, now);
    case action::send_verify:
      return send_query(phase::verify_sent, now);
  }
}

nanoseconds account_session::attempt_timeout(std::int64_t now_ns) const noexcept {
  const auto attempt = std::chrono::duration_cast<nanoseconds>(core_.config().attempt_timeout);
  return std::clamp(nanoseconds(job_.deadline_ns - now_ns), nanoseconds(1'000'000), attempt);
}

void account_session::send_set(std::int64_t now) noexcept {
  // An earlier request's set for the other mode may still be executed: sending now would race
  // it, and whichever landed last would decide the mode behind both events' backs.
  landing& earlier = landing_[job_.product_index];
  if (earlier.active && earlier.until_ns <= now) earlier.active = false;
  if (earlier.active && (earlier.mixed || earlier.mode != job_.t.mode)) {
    if (earlier.until_ns >= job_.deadline_ns)
      return finish(event_status::unknown, nullptr, earlier_set_may_land);
    return wait_until(earlier.until_ns, phase::landing_wait, action::send_set);
  }
  std::error_code ec;
  const auto bytes = requests_.set_mode(current_product(), job_.t.mode, venue_now_ms(), ec);
  if (ec) return finish(event_status::rejected, nullptr, engine::describe(ec));
  const auto sent = api_->send(bytes, now + attempt_timeout(now).count());
  if (sent.error == engine::errc::busy || sent.error == engine::errc::not_connected) {
    job_.step = phase::waiting;
    job_.next = action::send_set;
    return;
  }
  if (sent.error)
    return finish(event_status::transport_error, nullptr, engine::describe(sent.error));
  const std::int64_t after = core_.clock().monotonic_ns();
  slot_use_[sent.slot] = {in_flight::job, job_.generation};
  job_.step = phase::set_sent;
  if (++job_.attempts > 1) bump(core_.stats().retries);
  if (job_.on_wire_ns == 0) {
    job_.on_wire_ns = after;
    core_.wire_latency().add(after - job_.t.trigger_ns);
  }
  bump(core_.stats().set_requests_sent);
  // From here until an answer shows the venue processed it, this set may be executed.
  const engine::presigned_request* signed_set = requests_.presigned(current_product(), job_.t.mode);
  job_.sent_cutoff_ns = execution_cutoff_ns(signed_set->request().timestamp_ms(), after);
}

bool account_session::set_may_land() const noexcept {
  return job_.step == phase::set_sent || job_.open_until_ns != 0;
}

void account_session::send_query(phase purpose, std::int64_t now) noexcept {
  std::error_code ec;
  const auto bytes = requests_.query_mode(current_product(), venue_now_ms(), ec);
  if (ec) return finish(event_status::rejected, nullptr, engine::describe(ec));
  const auto sent = api_->send(bytes, now + attempt_timeout(now).count());
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
  if (may_still_execute(reply.result))
    job_.open_until_ns = std::max(job_.open_until_ns, job_.sent_cutoff_ns);
  job_.step = phase::idle;  // this set is answered (settled, or counted in open_until_ns)
  const retry_policy& retry = core_.config().retry;
  switch (reply.result) {
    case outcome::applied:
      // A success whose echo names the other mode (Bitget's data.posMode) proves nothing: the
      // read-back below decides.
      if (reply.verify_by_query) break;
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
      // Bounded: Retry-After saturates at three days, the default is at most an hour.
      const std::int64_t wait_ms =
          reply.retry_after_ms >= 0 ? reply.retry_after_ms : retry.default_retry_after.count();
      const std::int64_t resume_ns = core_.clock().monotonic_ns() + wait_ms * 1'000'000;
      if (reply.result == outcome::rate_limited && retry.wait_on_rate_limit &&
          job_.rate_retries < retry.max_rate_limit_retries && resume_ns < job_.deadline_ns) {
        ++job_.rate_retries;
        return wait_until(resume_ns, phase::rate_waiting, action::send_set);
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
    job_.query_retry_used = false;
    job_.next = action::send_query;
    return advance();
  }
  finish(status_of(reply.result), &reply, {});
}

void account_session::on_query_reply(const venue_reply& reply) noexcept {
  const venue_reply& open = job_.open_reply;
  const bool refusal = is_recognised_refusal(open.result);
  if (reply.result == outcome::malformed && !job_.query_retry_used) {
    // No answer (a connection the venue had just closed, a deadline): a read can be repeated.
    job_.query_retry_used = true;
    job_.next = action::send_query;
    return advance();
  }
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
  // The requested mode read back is true whatever happens to the set later: if it lands, it
  // sets the same mode.
  if (reply.mode == job_.t.mode) return product_succeeded(event_status::confirmed, &open);
  if (refusal) return finish(status_of(open.result), &open, {});
  // The other mode read back proves nothing while the set can still be executed: read again
  // once it no longer can; if that is past the deadline, send the same set again and take its
  // answer (should the first land as well, it sets the same mode); failing both, "unknown".
  const std::int64_t now = core_.clock().monotonic_ns();
  if (job_.open_until_ns == 0 || now >= job_.open_until_ns)
    return finish(event_status::not_applied, &open, {});
  if (job_.open_until_ns < job_.deadline_ns) {
    job_.query_retry_used = false;
    return wait_until(job_.open_until_ns, phase::settling, action::send_query);
  }
  if (!job_.resent) {
    job_.resent = true;
    job_.has_open_reply = false;
    job_.next = action::send_set;
    return advance();
  }
  const venue_reply explained = with_reason(open, settles_after_deadline);
  finish(event_status::unknown, &explained, {});
}

void account_session::on_verify_reply(const venue_reply& reply) noexcept {
  if (reply.result == outcome::malformed && !job_.query_retry_used) {
    job_.query_retry_used = true;
    job_.next = action::send_verify;
    return advance();
  }
  if (reply.result != outcome::mode_reported)
    return publish_verification(event_status::unknown, &reply, "the verification query failed");
  if (reply.mode != job_.t.mode && !job_.verify_mismatch) {
    job_.verify_mismatch = true;
    job_.mismatch_product = job_.product_index;
    job_.observed = reply.mode;
  }
  if (job_.product_index + 1 < settings_.account.products.size()) {
    ++job_.product_index;
    job_.query_retry_used = false;
    job_.next = action::send_verify;
    return advance();
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
  close_open_set();
  if (job_.product_index + 1 < settings_.account.products.size()) {
    // PAPI UM then CM: UM's outcome is published, not terminal, and CM follows at once.
    position_event e = make_event(status, reply, {});
    core_.publish(e);
    --job_.events_left;
    ++job_.product_index;
    job_.attempts = 0;
    job_.rate_retries = 0;
    job_.clock_retry_used = false;
    job_.resent = false;
    job_.has_open_reply = false;
    job_.has_observed = false;
    job_.next = action::send_set;
    return advance();
  }
  if (!settings_.verify_after_set) return finish(status, reply, {});
  publish_terminal(status, reply, {});
  job_.product_index = 0;
  job_.has_observed = false;
  job_.query_retry_used = false;
  job_.next = action::send_verify;
  advance();
}

// The current product's set may still be executed after this request is done with it: later
// requests for the other mode must wait for it (send_set).
void account_session::close_open_set() noexcept {
  if (job_.step == phase::set_sent)
    job_.open_until_ns = std::max(job_.open_until_ns, job_.sent_cutoff_ns);
  if (job_.open_until_ns == 0) return;
  const std::int64_t until = std::exchange(job_.open_until_ns, 0);
  landing& l = landing_[job_.product_index];
  const std::int64_t now = core_.clock().monotonic_ns();
  if (l.active && l.until_ns > now && l.mode != job_.t.mode) {
    // Both modes may land: no request for either may be sent before the later window closes.
    l.mixed = true;
  } else if (!l.active || l.until_ns <= now) {
    l = landing{};
    l.active = true;
    l.mode = job_.t.mode;
  }
  l.until_ns = std::max(l.until_ns, until);
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
  e.account = index_;
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
  close_open_set();
  core_.release(job_.events_left);
  job_.active = false;
  if (step_armed_) {
    step_timer_.cancel();
    step_armed_ = false;
  }
  if (stopped_ || queue_count_ == 0) return;
  const trigger next = queue_[queue_head_];
  queue_head_ = (queue_head_ + 1) % queue_.size();
  --queue_count_;
  begin(next);
}

// Every request the session holds ends with one terminal event; a set that went out and was
// never answered is `unknown`, never a claim.
void account_session::end_on_stop() noexcept {
  if (job_.active) {
    if (job_.next == action::send_verify) {
      publish_verification(event_status::unknown, nullptr, stopped);
    } else if (set_may_land()) {
      if (job_.has_open_reply) {
        const venue_reply explained = with_reason(job_.open_reply, stopped_open);
        finish(event_status::unknown, &explained, {});
      } else {
        finish(event_status::unknown, nullptr, stopped_open);
      }
    } else if (job_.on_wire_ns == 0) {
      finish(event_status::rejected, nullptr, stopped_not_sent);
    } else {
      finish(event_status::transport_error, nullptr, stopped);
    }
  }
  while (queue_count_ > 0) {
    const trigger t = queue_[queue_head_];
    queue_head_ = (queue_head_ + 1) % queue_.size();
    --queue_count_;
    reject_queued(t, stopped_not_sent);
  }
}

void account_session::reject_queued(const trigger& t, std::string_view reason) noexcept {
  position_event e;
  e.request_id = t.id;
  e.account = index_;
  e.venue_kind = settings_.account.venue_kind;
  e.product_scope = settings_.account.products.front();
  e.requested = t.mode;
  e.status = event_status::rejected;
  e.terminal = true;
  e.message.assign(reason);
  e.trigger_ns = t.trigger_ns;
  core_.publish(e);
  core_.release(events_per_request() - 1);  // admitted with a reservation for all of them
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
  deadline_timer_.expires_at(boost::asio::steady_timer::time_point(nanoseconds(at_ns)));
  // The session's own memory: a busy-poll host arms this outside `io_context::poll()`, where
  // Asio's per-thread recycling does not reach.
  deadline_timer_.async_wait(
      engine::bind_shared_memory(deadline_memory_, [this](const boost::system::error_code& ec) {
        if (ec) return;
        deadline_timer_at_ = 0;
        if (stopped_) return;
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
  if (job_.next == action::send_verify)
    return publish_verification(event_status::timeout, nullptr,
                                "the deadline passed before the verification query answered");
  if (set_may_land()) {
    if (!job_.has_open_reply) return finish(event_status::unknown, nullptr, open_at_deadline);
    const venue_reply explained = with_reason(job_.open_reply, open_at_deadline);
    return finish(event_status::unknown, &explained, {});
  }
  if (job_.on_wire_ns == 0) {
    if (api_->connected() > 0 || last_connection_error_.empty())
      return finish(event_status::timeout, nullptr, not_sent_deadline);
    // No connection came up in time: say why, as the pool last heard it.
    engine::fixed_string<96> why;
    why.assign("not sent: ");
    why.append(last_connection_error_.view());
    return finish(event_status::timeout, nullptr, why.view());
  }
  finish(event_status::timeout, job_.has_open_reply ? &job_.open_reply : nullptr,
         deadline_unfinished);
}

void account_session::wait_until(std::int64_t at_ns, phase why, action then) noexcept {
  job_.step = why;
  job_.next = then;
  step_armed_ = true;
  step_timer_.expires_after(
      nanoseconds(std::max<std::int64_t>(0, at_ns - core_.clock().monotonic_ns())));
  step_timer_.async_wait([this, generation = job_.generation](const boost::system::error_code& ec) {
    if (ec || !job_.active || job_.generation != generation) return;
    step_armed_ = false;
    advance();
  });
}

}  // namespace posmode::components::detail
