// account_session as request_machine's driver: it reads the clock once per input, keeps the
// machine's account facts current, and carries out the steps the machine returns (send on the
// pool, wait on a timer, resync the clock, publish, take the next queued trigger). Every
// decision about a request is the machine's.

#include <algorithm>
#include <boost/asio/io_context.hpp>

#include "account_session.hpp"
#include "log_line.hpp"
#include "posmode/engine/error.hpp"

namespace posmode::components::detail {

using std::chrono::nanoseconds;

namespace {
constexpr std::string_view stopped_not_sent = "not sent: the component stopped";
}  // namespace

bool account_session::admit(const trigger& t) noexcept {
  if (!machine_.active()) {
    start_request(t);
    return true;
  }
  if (queue_count_ == std::min(queue_.size(), core_.config().pending_per_account)) return false;
  queue_[(queue_head_ + queue_count_) % queue_.size()] = t;
  ++queue_count_;
  return true;
}

bool account_session::pop_queued(trigger& t) noexcept {
  if (queue_count_ == 0) return false;
  t = queue_[queue_head_];
  queue_head_ = (queue_head_ + 1) % queue_.size();
  --queue_count_;
  return true;
}

// Requests that end at once (a ban, a certificate that cannot verify) hand over to the next
// queued one here, in a loop, rather than from inside the steps that ended them.
void account_session::start_request(const trigger& t) noexcept {
  trigger next = t;
  starting_ = true;
  for (;;) {
    ++generation_;
    run(&machine_.begin(next, input_time()));
    if (machine_.active()) {
      // Armed after the write: arming may reprogram the reactor's timerfd (a system call).
      arm_deadline();
      break;
    }
    if (stopped_ || !pop_queued(next)) break;
  }
  starting_ = false;
}

std::int64_t account_session::input_time() noexcept {
  now_ = core_.clock().monotonic_ns();
  sync_facts(now_);
  return now_;
}

void account_session::sync_facts(std::int64_t now) noexcept {
  facts_.banned = !core_.bans().empty() && core_.bans().banned(api_->endpoint().host, now);
  // The connection count is read only once a connection has failed.
  const bool unreachable = !last_connection_error_.empty() && api_->connected() == 0;
  facts_.unreachable_cause = unreachable ? last_connection_error_.view() : std::string_view{};
  facts_.tls_unverified = verify_failed_ && unreachable;
}

void account_session::run(const step_list* steps) noexcept {
  ++run_depth_;
  while (steps != nullptr)
    steps = carry_out(*steps);
  // Records about the answers these steps handled go out once every step has run (the next
  // queued request's send included).
  if (--run_depth_ == 0) flush_notes();
}

const step_list* account_session::carry_out(const step_list& steps) noexcept {
  for (const step& s : steps) {
    switch (s.kind) {
      case step_kind::publish:
        publish_event(*s.event);
        break;
      case step_kind::wait_until:
        arm_step_timer(s.at_ns);
        break;
      case step_kind::resync_clock:
        return resync_clock();
      case step_kind::send_set:
      case step_kind::send_query:
      case step_kind::send_verify:
        return send(s);
      case step_kind::finish:
        return end_request();
    }
  }
  return nullptr;
}

const step_list* account_session::send(const step& s) noexcept {
  const bool set = s.kind == step_kind::send_set;
  std::error_code ec;
  const std::int64_t stamp_ms = venue_now_ms(now_);
  bool signed_inline = false;
  const auto bytes =
      set ? requests_.set_mode(s.scope, machine_.current().mode, stamp_ms, ec, signed_inline)
          : requests_.query_mode(s.scope, stamp_ms, ec);
  if (ec) return &machine_.on_send_refused(send_refusal::build_failed, engine::describe(ec), now_);
  const engine::ticket sent = api_->send(bytes, s.at_ns, s.latest_start_ns);
  // The pool's own clock read found the deadline passed: nothing was written.
  if (sent.error == engine::errc::deadline_expired) return &machine_.on_deadline(input_time());
  if (sent.error == engine::errc::busy || sent.error == engine::errc::not_connected)
    return &machine_.on_send_refused(send_refusal::no_connection, {}, now_);
  if (sent.error)
    return &machine_.on_send_refused(send_refusal::transport, engine::describe(sent.error), now_);
  request_ticket_ = sent;
  if (!set) {
    bump(core_.stats().queries_sent);
    ++draft_.queries_sent;
    ++draft_.read_backs;
    return &machine_.on_sent(now_);
  }
  const std::int64_t after = core_.clock().monotonic_ns();
  bump(core_.stats().set_requests_sent);
  ++draft_.sets_sent;
  if (signed_inline) {
    // Counted after the write: no bookkeeping between the trigger and the socket.
    machine_.note_signed_inline();
    bump(core_.stats().inline_signatures);
    ++draft_.inline_signatures;
  }
  if (machine_.attempts() > 0) {
    bump(core_.stats().retries);
    ++draft_.retries;
  }
  if (!machine_.set_written() && record_latency_) {
    const std::int64_t wire_ns = after - machine_.current().trigger_ns;
    core_.wire_latency().record(wire_ns);
    record_latency(latency_kind::trigger_to_wire, wire_ns);
  }
  // From here until an answer shows the venue processed it, this set may be executed.
  const engine::presigned_request* signed_set =
      requests_.presigned(s.scope, machine_.current().mode);
  draft_.signature_age_ms = signed_set->age_ms(stamp_ms);
  return &machine_.on_sent(after, execution_cutoff_ns(signed_set->request().timestamp_ms(), after));
}

const step_list* account_session::resync_clock() noexcept {
  // The venue says our clock is off: earlier samples (however tight) no longer describe it, and
  // the estimator would keep preferring them.
  clock_.reset();
  probe_clock();
  if (clock_probe_in_flight_) return nullptr;   // after_clock_probe carries on
  (void)requests_.clock_moved(venue_now_ms());  // no connection for a probe
  kick_refresh();
  return &machine_.on_clock_synced(input_time());
}

const step_list* account_session::end_request() noexcept {
  core_.release(machine_.events_left());
  request_ticket_ = {};  // a late answer to this request is stale
  if (step_armed_) {
    step_timer_.cancel();
    step_armed_ = false;
  }
  trigger next;
  if (!starting_ && !stopped_ && pop_queued(next)) start_request(next);
  return nullptr;
}

void account_session::publish_event(position_event& e) noexcept {
  core_.publish(e);
  if (e.status == event_status::verify_mismatch) note_mismatch(e);
  // A book moved by its twin's set on an account not configured unified: never hidden, whether
  // or not latency is recorded.
  if (e.coupled && !policy_.unified && core_.logging(log_level::warning)) {
    log_line line;
    line << e.message.view()
         << " (the venue switched both books, as after Binance's CM migration; set "
            "unified_position_mode = true for this account)";
    log_record r = record(log_level::warning, log_event::coupled_books);
    r.message = line.view();
    core_.log(r);
  }
  if (!record_latency_) return;
  if (e.terminal) {
    const std::int64_t event_ns = e.published_ns - e.trigger_ns;
    core_.event_latency().record(event_ns);
    record_latency(latency_kind::trigger_to_event, event_ns);
  }
  // After the event is out: the health's copy costs nothing between trigger and event.
  note_event(e);
}

void account_session::resume_waiting() noexcept {
  if (machine_.current_state() == request_machine::state::waiting)
    run(&machine_.on_ready(input_time()));
}

// Every request the session holds ends with one terminal event.
void account_session::end_on_stop() noexcept {
  if (machine_.active()) run(&machine_.on_stop(input_time()));
  trigger t;
  while (pop_queued(t))
    reject_queued(t, stopped_not_sent);
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
  note_event(e);
  core_.release(events_per_request() - 1);  // admitted with a reservation for all of them
}

// As in tls_connection: a pending wait that expires no later than this request's deadline is
// kept (it re-arms itself when it fires), so steady traffic costs no timer system calls.
void account_session::arm_deadline() noexcept {
  if (deadline_timer_at_ != 0 && deadline_timer_at_ <= machine_.deadline_ns()) return;
  start_deadline_wait(machine_.deadline_ns());
}

// The wait re-arms itself for the request then running or, idle, one request deadline ahead:
// a request after a quiet spell then finds a wait pending that expires no later than its own
// deadline, and reprograms nothing (one wake-up per deadline period while idle).
void account_session::start_deadline_wait(std::int64_t at_ns) noexcept {
  deadline_timer_at_ = at_ns;
  deadline_timer_.expires_at(at_ns);
  // The session's own memory: a busy-poll host arms this outside `io_context::poll()`, where
  // Asio's per-thread recycling does not reach.
  deadline_timer_.async_wait(
      engine::bind_shared_memory(deadline_memory_, [this](const boost::system::error_code& ec) {
        if (ec) return;
        deadline_timer_at_ = 0;
        if (stopped_) return;
        const std::int64_t now = input_time();
        if (!machine_.active())
          return start_deadline_wait(
              now +
              std::chrono::duration_cast<nanoseconds>(core_.config().request_deadline).count());
        if (now >= machine_.deadline_ns()) return run(&machine_.on_deadline(now));
        start_deadline_wait(machine_.deadline_ns());
      }));
}

void account_session::arm_step_timer(std::int64_t at_ns) noexcept {
  step_armed_ = true;
  step_timer_.expires_at(at_ns);
  step_timer_.async_wait([this, generation = generation_](const boost::system::error_code& ec) {
    if (ec || !machine_.active() || generation_ != generation) return;
    step_armed_ = false;
    run(&machine_.on_wait_over(input_time()));
  });
}

}  // namespace posmode::components::detail
