// account_session's log records. Each is built only when the host's hook would take it
// (`component_core::logging`), in fixed buffers. Records about a request's answer (rate limit,
// ban, clock skew, verification mismatch) are noted while the machine's steps run and written
// after them (`flush_notes`), so that the host's hook never runs between a trigger and its write
// or between an answer and its event.

#include "account_session.hpp"
#include "log_line.hpp"
#include "posmode/engine/error.hpp"

namespace posmode::components::detail {

namespace {

constexpr std::uint32_t time_pool_bits = 16;

log_level level_of(outcome o) noexcept {
  return o == outcome::ip_banned ? log_level::error : log_level::warning;
}

bool noteworthy(outcome o) noexcept {
  return o == outcome::rate_limited || o == outcome::ip_banned || o == outcome::clock_skew;
}

void add_reply(log_record& r, const venue_reply& reply) noexcept {
  r.http_status = reply.http_status;
  r.has_code = reply.has_code;
  r.code = reply.code;
  r.code_text = reply.code_text.view();
}

}  // namespace

log_record account_session::record(log_level level, log_event event,
                                   const engine::connection_pool* pool) const noexcept {
  log_record r;
  r.level = level;
  r.event = event;
  r.account = index_;
  r.account_id = settings_.account.id;
  const engine::tls_endpoint& at = (pool != nullptr ? *pool : *api_).endpoint();
  r.host = at.host;
  r.port = at.port;
  return r;
}

void account_session::note_reply(const venue_reply& reply, bool time_pool) noexcept {
  if (!noteworthy(reply.result) || !core_.logging(level_of(reply.result))) return;
  reply_noted_ = true;
  noted_reply_ = reply;
  noted_reply_time_pool_ = time_pool;
  noted_will_retry_ = reply.result == outcome::clock_skew && policy_.resync_on_clock_skew &&
                      !machine_.clock_retry_used();
}

void account_session::note_mismatch(const position_event& e) noexcept {
  if (!core_.logging(log_level::error)) return;
  mismatch_noted_ = true;
  noted_mismatch_ = e;
}

void account_session::flush_notes() noexcept {
  if (reply_noted_) {
    reply_noted_ = false;
    log_reply(noted_reply_, pool(noted_reply_time_pool_), noted_will_retry_);
  }
  if (mismatch_noted_) {
    mismatch_noted_ = false;
    const position_event& e = noted_mismatch_;
    log_record r = record(log_level::error, log_event::verification_mismatch);
    r.http_status = e.http_status;
    r.has_code = e.has_code;
    r.code = e.code;
    r.code_text = e.code_text.view();
    log_line line;
    line << "request " << e.request_id << ": " << to_string(e.product_scope) << " was set to "
         << to_string(e.requested) << " but reads back ";
    if (e.has_observed_mode)
      line << to_string(e.observed_mode);
    else
      line << "another mode";
    if (!e.message.empty()) line << " (" << e.message.view() << ")";
    r.message = line.view();
    core_.log(r);
  }
}

void account_session::log_reply(const venue_reply& reply, const engine::connection_pool& pool,
                                bool will_retry) noexcept {
  if (!noteworthy(reply.result) || !core_.logging(level_of(reply.result))) return;
  log_line line;
  log_record r;
  switch (reply.result) {
    case outcome::ip_banned:
      r = record(log_level::error, log_event::ip_banned, &pool);
      line << "the venue banned this host: nothing is sent to it by any account for ";
      if (reply.retry_after_ms >= 0)
        line << reply.retry_after_ms << " ms";
      else
        line << core_.config().retry.default_retry_after.count() << " ms (no Retry-After)";
      break;
    case outcome::rate_limited:
      r = record(log_level::warning, log_event::rate_limited, &pool);
      line << "the venue limits this account";
      if (reply.retry_after_ms >= 0) line << ": Retry-After " << reply.retry_after_ms << " ms";
      break;
    default:  // clock_skew
      r = record(log_level::warning, log_event::clock_skew_retry, &pool);
      line << "the venue refused the request's timestamp"
           << (will_retry ? ": reading its clock again, then retrying once"
                          : ": no retry left, the request ends clock_skew");
      break;
  }
  if (!reply.message.empty()) line << " (" << reply.message.view() << ")";
  add_reply(r, reply);
  r.message = line.view();
  core_.log(r);
}

void account_session::log_connection(std::size_t slot, bool time_pool, std::error_code ec,
                                     std::string_view cause) noexcept {
  const std::uint32_t bit =
      slot < time_pool_bits ? std::uint32_t{1} << (slot + (time_pool ? time_pool_bits : 0)) : 0;
  const bool was_down = (down_seen_ & bit) != 0;
  if (ec)
    down_seen_ |= bit;
  else
    down_seen_ &= ~bit;
  const bool tls = ec == engine::errc::tls_verify_failed;
  const log_level level = !ec   ? (was_down ? log_level::info : log_level::debug)
                          : tls ? log_level::error
                                : log_level::warning;
  if (!core_.logging(level)) return;
  const log_event event = !ec   ? (was_down ? log_event::reconnect : log_event::connect)
                          : tls ? log_event::tls_failure
                                : log_event::disconnect;
  log_record r = record(level, event, &pool(time_pool));
  r.slot = static_cast<int>(slot);
  log_line line;
  if (!ec)
    line << "connection " << slot << (was_down ? " up again" : " up");
  else
    line << "connection down: " << cause;
  r.message = line.view();
  core_.log(r);
}

void account_session::log_clock(bool start, bool after_skew) noexcept {
  const bool valid = clock_.valid();
  const log_level level = !valid                ? log_level::warning
                          : start || after_skew ? log_level::info
                                                : log_level::debug;
  if (!core_.logging(level)) return;
  log_record r = record(level, log_event::clock_resync, &time_pool());
  log_line line;
  if (valid)
    line << "server clock offset " << clock_.offset_ms() << " ms (round trip "
         << clock_.round_trip_ns() / 1000 << " us)"
         << (after_skew ? ", read again after a refused timestamp" : "");
  else
    line << "the server's time could not be read; using the local clock";
  r.message = line.view();
  core_.log(r);
}

void account_session::log_warm_up(std::string_view why) noexcept {
  const std::size_t products = settings_.account.products.size();
  const bool ok = modes_read_at_start_ == products;
  const log_level level = ok ? log_level::info : log_level::warning;
  if (!core_.logging(level)) return;
  log_record r = record(level, log_event::warm_up);
  log_line line;
  line << "warm: " << modes_read_at_start_ << " of " << products << " modes read";
  if (!ok && !why.empty()) line << "; " << why;
  r.message = line.view();
  core_.log(r);
}

}  // namespace posmode::components::detail
