// The per-request state machine: send the pre-signed set, read the mode back when the answer
// leaves the outcome open, wait out a set that may still be executed, verify; deadlines, waits
// and the one terminal event. docs/design.md, "The state machine", is the same table.

#include "request_machine.hpp"

#include <algorithm>
#include <utility>

namespace posmode::components::detail {

namespace {

// Every reason is a static text: no formatting between an answer and its event. Each fits the
// event's 87-byte message.
constexpr std::string_view not_sent_deadline =
    "not sent: the deadline passed before the set request could be sent";
constexpr std::string_view open_at_deadline =
    "deadline passed: the set was sent, may still execute; outcome unknown";
constexpr std::string_view settles_after_deadline =
    "read back the other mode; the set may still be executed after the deadline";
constexpr std::string_view earlier_set_may_land =
    "not sent: an earlier set for the other mode may still be executed past this deadline";
constexpr std::string_view stopped_not_sent = "not sent: the component stopped";
constexpr std::string_view stopped_open =
    "the component stopped: the set was sent and its outcome is unknown";
constexpr std::string_view stopped = "the component stopped";
constexpr std::string_view deadline_unfinished = "the deadline passed before the request finished";
constexpr std::string_view verify_deadline =
    "the deadline passed before the verification query answered";
constexpr std::string_view verify_failed = "the verification query failed";

constexpr std::int64_t min_attempt_ns = 1'000'000;

template <std::size_t N>
void append_in_parentheses(engine::fixed_string<N>& to, std::string_view text) noexcept {
  if (text.empty()) return;
  to.append(" (");
  to.append(text);
  to.append(")");
}

}  // namespace

void fill_reply(position_event& e, const venue_reply* reply, std::string_view reason) noexcept {
  if (reply != nullptr) {
    e.http_status = reply->http_status;
    e.has_code = reply->has_code;
    e.code = reply->code;
    e.code_text = reply->code_text;
    e.message.assign(reply->message.view());
  }
  if (e.message.size() == 0) e.message.assign(reason);
}

// -- open_sets ------------------------------------------------------------------------------

std::int64_t open_sets::blocking_until(std::size_t product_index, position_mode mode,
                                       std::int64_t now_ns) noexcept {
  entry& e = entries_[product_index];
  if (e.active && e.until_ns <= now_ns) e.active = false;
  if (!e.active || (!e.mixed && e.mode == mode)) return 0;
  return e.until_ns;
}

void open_sets::record(std::size_t product_index, position_mode mode, std::int64_t until_ns,
                       std::int64_t now_ns) noexcept {
  entry& e = entries_[product_index];
  if (e.active && e.until_ns > now_ns && e.mode != mode) {
    // Both modes may land: no request for either may be sent before the later window closes.
    e.mixed = true;
  } else if (!e.active || e.until_ns <= now_ns) {
    e = entry{};
    e.active = true;
    e.mode = mode;
  }
  e.until_ns = std::max(e.until_ns, until_ns);
}

// -- inputs ---------------------------------------------------------------------------------

product request_machine::current_product() const noexcept {
  return policy_->products[product_index_];
}

const step_list& request_machine::begin(const trigger& t, std::int64_t now) noexcept {
  fresh(now);
  // Everything but the account's facts starts over.
  state_ = state::waiting;
  next_ = action::send_set;
  t_ = t;
  product_index_ = 0;
  attempts_ = 0;
  signed_inline_ = false;
  rate_retries_ = 0;
  clock_retry_used_ = false;
  verify_mismatch_ = false;
  mismatch_product_ = 0;
  mismatch_has_mode_ = false;
  has_observed_ = false;
  on_wire_ns_ = 0;
  set_written_ = false;
  response_ns_ = 0;
  deadline_ns_ = t.trigger_ns + policy_->request_deadline_ns;
  events_left_ = events_per_request();
  has_open_reply_ = false;
  sent_cutoff_ns_ = 0;
  open_until_ns_ = 0;
  resent_ = false;
  query_retry_used_ = false;
  before_ = facts_->known;
  moved_ = {};
  moved_by_twin_ = false;
  advance(now);
  return out_;
}

const step_list& request_machine::on_ready(std::int64_t now) noexcept {
  fresh(now);
  if (state_ == state::waiting) advance(now);
  return out_;
}

const step_list& request_machine::on_sent(std::int64_t now, std::int64_t cutoff_ns) noexcept {
  fresh(now);
  if (state_ != state::waiting) return out_;
  switch (next_) {
    case action::send_set:
      state_ = state::set_sent;
      ++attempts_;
      if (!set_written_) on_wire_ns_ = now;
      set_written_ = true;
      // From here until an answer shows the venue processed it, this set may be executed.
      sent_cutoff_ns_ = cutoff_ns;
      break;
    case action::send_query:
      state_ = state::query_sent;
      break;
    case action::send_verify:
      state_ = state::verify_sent;
      break;
  }
  return out_;
}

const step_list& request_machine::on_send_refused(send_refusal why, std::string_view detail,
                                                  std::int64_t now) noexcept {
  fresh(now);
  if (state_ != state::waiting) return out_;
  switch (why) {
    case send_refusal::no_connection:
      break;  // stays waiting, for on_ready
    case send_refusal::build_failed:
      reason_.assign(detail);
      finish(event_status::rejected, nullptr, reason_.view());
      break;
    case send_refusal::transport:
      reason_.assign(detail);
      finish(event_status::transport_error, nullptr, reason_.view());
      break;
  }
  return out_;
}

const step_list& request_machine::on_answer(const venue_reply& reply, std::int64_t now) noexcept {
  fresh(now);
  switch (state_) {
    case state::set_sent:
      response_ns_ = now;
      on_set_answer(reply, now);
      break;
    case state::query_sent:
      response_ns_ = now;
      on_query_answer(reply, now);
      break;
    case state::verify_sent:
      response_ns_ = now;
      on_verify_answer(reply, now);
      break;
    default:
      break;
  }
  return out_;
}

const step_list& request_machine::on_wait_over(std::int64_t now) noexcept {
  fresh(now);
  if (state_ == state::rate_waiting || state_ == state::landing_wait || state_ == state::settling)
    advance(now);
  return out_;
}

const step_list& request_machine::on_clock_synced(std::int64_t now) noexcept {
  fresh(now);
  if (state_ != state::resyncing) return out_;
  next_ = action::send_set;
  advance(now);
  return out_;
}

const step_list& request_machine::on_deadline(std::int64_t now) noexcept {
  fresh(now);
  if (active() && now >= deadline_ns_) expire(now);
  return out_;
}

// Every request ends with one terminal event; a set that went out and was never answered is
// `unknown`, never a claim.
const step_list& request_machine::on_stop(std::int64_t now) noexcept {
  fresh(now);
  if (!active()) return out_;
  if (next_ == action::send_verify) {
    finish_verification(event_status::unknown, nullptr, stopped);
  } else if (set_may_land()) {
    if (has_open_reply_)
      finish(event_status::unknown, &explained(open_reply_, stopped_open), {});
    else
      finish(event_status::unknown, nullptr, stopped_open);
  } else if (!set_written_) {
    finish(event_status::rejected, nullptr, stopped_not_sent);
  } else {
    finish(event_status::transport_error, nullptr, stopped);
  }
  return out_;
}

// -- transitions ----------------------------------------------------------------------------

void request_machine::advance(std::int64_t now) noexcept {
  state_ = state::waiting;
  if (!facts_->warm) return;
  // Nothing goes on the wire once the deadline has passed: a request the venue executes after
  // its event said "timeout" would be a false claim.
  if (now >= deadline_ns_) return expire(now);
  if (facts_->banned) {
    if (next_ == action::send_verify)
      return finish_verification(event_status::unknown, nullptr, ban_reason);
    return finish(event_status::ip_banned, has_open_reply_ ? &open_reply_ : nullptr, ban_reason);
  }
  if (facts_->tls_unverified && next_ == action::send_set && attempts_ == 0) {
    // Nothing of this request went out (the status says so), and no connection will verify:
    // say so now, with the whole cause.
    reason_.assign(facts_->unreachable_cause);
    return finish(event_status::tls_verification_failed, nullptr, reason_.view());
  }
  switch (next_) {
    case action::send_set:
      return send_set(now);
    case action::send_query:
      return out_.add({step_kind::send_query, current_product(), attempt_deadline(now)});
    case action::send_verify:
      return out_.add({step_kind::send_verify, current_product(), attempt_deadline(now)});
  }
}

std::int64_t request_machine::attempt_deadline(std::int64_t now) const noexcept {
  return now + std::clamp(deadline_ns_ - now, min_attempt_ns, policy_->attempt_timeout_ns);
}

void request_machine::send_set(std::int64_t now) noexcept {
  // An earlier request's set for the other mode may still be executed: sending now would race
  // it, and whichever landed last would decide the mode behind both events' backs.
  const std::int64_t earlier =
      facts_->open.blocking_until(policy_->open_slot[product_index_], t_.mode, now);
  if (earlier != 0) {
    if (earlier >= deadline_ns_)
      return finish(event_status::unknown, nullptr, earlier_set_may_land);
    return wait_until(earlier, state::landing_wait, action::send_set);
  }
  // The deadline travels with the step: the pool re-checks it against the clock it reads just
  // before the write, so a thread descheduled after this decision still starts no late write.
  out_.add({step_kind::send_set, current_product(), attempt_deadline(now), deadline_ns_});
}

void request_machine::expire(std::int64_t /*now*/) noexcept {
  if (next_ == action::send_verify)
    return finish_verification(event_status::timeout, nullptr, verify_deadline);
  if (set_may_land()) {
    if (!has_open_reply_) return finish(event_status::unknown, nullptr, open_at_deadline);
    return finish(event_status::unknown, &explained(open_reply_, open_at_deadline), {});
  }
  if (!set_written_) {
    if (facts_->unreachable_cause.empty())
      return finish(event_status::timeout, nullptr, not_sent_deadline);
    // No connection came up in time: say why, as the pool last heard it.
    reason_.assign("not sent: ");
    reason_.append(facts_->unreachable_cause);
    return finish(event_status::timeout, nullptr, reason_.view());
  }
  finish(event_status::timeout, has_open_reply_ ? &open_reply_ : nullptr, deadline_unfinished);
}

void request_machine::on_set_answer(const venue_reply& reply, std::int64_t now) noexcept {
  const outcome_rule& rule = rule_of(reply.result);
  if (rule.may_still_execute) open_until_ns_ = std::max(open_until_ns_, sent_cutoff_ns_);
  state_ = state::waiting;  // this set is answered (settled, or counted in open_until_ns_)
  switch (rule.on_set) {
    case set_reaction::succeed:
      // A success whose echo names the other mode (Bitget's data.posMode) proves nothing: the
      // read-back decides.
      if (reply.verify_by_query) return read_back(reply, now);
      if (rule.status != event_status::already_in_mode) {
        moved_[product_index_] = true;
      } else if (moved_by_twin()) {
        // Not hidden: the claim stays true (the book is in the mode), and the event says how.
        moved_by_twin_ = true;
        return product_succeeded(rule.status, &twin_moved(reply), now);
      }
      return product_succeeded(rule.status, &reply, now);
    case set_reaction::stop:
      return finish(rule.status, &reply, {});
    case set_reaction::resync_retry:
      if (policy_->resync_on_clock_skew && !clock_retry_used_) {
        clock_retry_used_ = true;
        state_ = state::resyncing;
        return out_.add({step_kind::resync_clock, current_product(), 0});
      }
      return finish(rule.status, &reply, {});
    case set_reaction::wait_retry: {
      // Bounded: Retry-After saturates at three days, the default is at most an hour.
      const std::int64_t wait_ms =
          reply.retry_after_ms >= 0 ? reply.retry_after_ms : policy_->default_retry_after_ms;
      const std::int64_t resume_ns = now + wait_ms * 1'000'000;
      if (policy_->wait_on_rate_limit && rate_retries_ < policy_->max_rate_limit_retries &&
          resume_ns < deadline_ns_) {
        ++rate_retries_;
        return wait_until(resume_ns, state::rate_waiting, action::send_set);
      }
      return finish(rule.status, &reply, {});
    }
    case set_reaction::settle_or_stop:
      // Open outcomes, and every answer but success where the venue says so, are settled by
      // reading the mode back.
      if (reply.verify_by_query || policy_->read_back_on_error) return read_back(reply, now);
      return finish(rule.status, &reply, {});
  }
}

void request_machine::read_back(const venue_reply& reply, std::int64_t now) noexcept {
  open_reply_ = reply;
  has_open_reply_ = true;
  query_retry_used_ = false;
  next_ = action::send_query;
  advance(now);
}

void request_machine::on_query_answer(const venue_reply& reply, std::int64_t now) noexcept {
  const venue_reply& open = open_reply_;
  const outcome_rule& rule = rule_of(open.result);
  if (reply.result == outcome::malformed && !query_retry_used_) {
    // No answer (a connection the venue had just closed, a deadline): a read can be repeated.
    query_retry_used_ = true;
    next_ = action::send_query;
    return advance(now);
  }
  if (reply.result != outcome::mode_reported) {
    // Both causes reach the order manager: the answer that left the outcome open keeps its code
    // and message, and the query's own failure (a ban, a refusal, a dropped connection) follows,
    // its outcome first so that truncation keeps at least that.
    composed_ = open;
    composed_.message.append(composed_.message.empty() ? "mode query: " : "; mode query: ");
    composed_.message.append(to_string(reply.result));
    append_in_parentheses(composed_.message, reply.message.view());
    return finish(rule.recognised_refusal ? rule.status : event_status::unknown, &composed_, {});
  }
  has_observed_ = reply.has_mode;
  observed_ = reply.mode;
  // The requested mode read back is true whatever happens to the set later: if it lands, it
  // sets the same mode.
  if (reply.has_mode && reply.mode == t_.mode) {
    moved_[product_index_] = true;  // this request's set may be what moved it
    return product_succeeded(event_status::confirmed, &open, now);
  }
  // A mode read back that is neither hedge nor one-way (Gate's split positions) is not the
  // requested one either: what follows treats it as the other mode, and the event says which.
  const venue_reply& basis = reply.has_mode ? open : with_read_back(open, reply);
  if (rule.recognised_refusal) return finish(rule.status, &basis, {});
  // The other mode read back proves nothing while the set can still be executed: read again
  // once it no longer can; if that is past the deadline, send the same set again and take its
  // answer (should the first land as well, it sets the same mode); failing both, "unknown".
  if (open_until_ns_ == 0 || now >= open_until_ns_)
    return finish(event_status::not_applied, &basis, {});
  if (open_until_ns_ < deadline_ns_) {
    query_retry_used_ = false;
    return wait_until(open_until_ns_, state::settling, action::send_query);
  }
  if (!resent_) {
    resent_ = true;
    has_open_reply_ = false;
    next_ = action::send_set;
    return advance(now);
  }
  finish(event_status::unknown, &explained(open, settles_after_deadline), {});
}

void request_machine::on_verify_answer(const venue_reply& reply, std::int64_t now) noexcept {
  if (reply.result == outcome::malformed && !query_retry_used_) {
    query_retry_used_ = true;
    next_ = action::send_verify;
    return advance(now);
  }
  if (reply.result != outcome::mode_reported)
    return finish_verification(event_status::unknown, &reply, verify_failed);
  facts_->known[product_index_] = {reply.has_mode, reply.mode};
  if ((!reply.has_mode || reply.mode != t_.mode) && !verify_mismatch_) {
    verify_mismatch_ = true;
    mismatch_product_ = product_index_;
    mismatch_has_mode_ = reply.has_mode;
    observed_ = reply.mode;
  }
  if (product_index_ + 1 < policy_->products.size()) {
    ++product_index_;
    query_retry_used_ = false;
    next_ = action::send_verify;
    return advance(now);
  }
  if (verify_mismatch_) {
    product_index_ = mismatch_product_;
    has_observed_ = mismatch_has_mode_;
    return finish_verification(event_status::verify_mismatch, &reply, {});
  }
  has_observed_ = true;
  observed_ = reply.mode;
  finish_verification(event_status::verified, &reply, {});
}

void request_machine::product_succeeded(event_status status, const venue_reply* reply,
                                        std::int64_t now) noexcept {
  close_open_set(now);
  if (const std::size_t next = next_product(); next < policy_->products.size()) {
    // PAPI UM then CM: UM's outcome is published, not terminal, and CM follows at once.
    publish_followers(publish(status, reply, {}));
    product_index_ = next;
    moved_by_twin_ = false;
    attempts_ = 0;
    signed_inline_ = false;
    rate_retries_ = 0;
    clock_retry_used_ = false;
    resent_ = false;
    has_open_reply_ = false;
    has_observed_ = false;
    next_ = action::send_set;
    return advance(now);
  }
  if (!policy_->verify_after_set) return finish(status, reply, {});
  publish_followers(publish(status, reply, {})).terminal = true;
  moved_by_twin_ = false;
  product_index_ = 0;
  has_observed_ = false;
  query_retry_used_ = false;
  next_ = action::send_verify;
  advance(now);
}

void request_machine::wait_until(std::int64_t at_ns, state why, action then) noexcept {
  state_ = why;
  next_ = then;
  out_.add({step_kind::wait_until, current_product(), at_ns});
}

bool request_machine::set_may_land() const noexcept {
  return state_ == state::set_sent || open_until_ns_ != 0;
}

// The current product's set may still be executed after this request is done with it: later
// requests for the other mode must wait for it.
void request_machine::close_open_set(std::int64_t now) noexcept {
  if (state_ == state::set_sent) open_until_ns_ = std::max(open_until_ns_, sent_cutoff_ns_);
  if (open_until_ns_ == 0) return;
  facts_->open.record(policy_->open_slot[product_index_], t_.mode, std::exchange(open_until_ns_, 0),
                      now);
}

// -- events ---------------------------------------------------------------------------------

position_event& request_machine::publish(event_status status, const venue_reply* reply,
                                         std::string_view reason) noexcept {
  position_event& e = out_.new_event();
  e = position_event{};
  e.request_id = t_.id;
  e.account = policy_->account;
  e.venue_kind = policy_->venue_kind;
  e.product_scope = current_product();
  e.requested = t_.mode;
  e.status = status;
  e.has_observed_mode = has_observed_;
  e.observed_mode = observed_;
  e.attempts = attempts_;
  e.signed_inline = signed_inline_;
  fill_reply(e, reply, reason);
  // "not sent" speaks of this product's set: once one was written (and answered: a retry is what
  // waited), it is the retry that was not sent.
  if (attempts_ > 0 && e.message.view().starts_with("not sent")) {
    engine::fixed_string<96> retry;
    retry.assign("retry ");
    retry.append(e.message.view());
    e.message.assign(retry.view());
  }
  e.trigger_ns = t_.trigger_ns;
  e.on_wire_ns = on_wire_ns_;
  e.response_ns = response_ns_;
  mark_coupled(e);
  note_known(e, product_index_);
  if (events_left_ > 0) --events_left_;
  out_.add({step_kind::publish, e.product_scope, 0, 0, &e});
  return e;
}

void request_machine::finish(event_status status, const venue_reply* reply,
                             std::string_view reason) noexcept {
  publish_followers(publish(status, reply, reason)).terminal = true;
  end();
}

void request_machine::finish_verification(event_status status, const venue_reply* reply,
                                          std::string_view reason) noexcept {
  publish(status, reply, reason).verification = true;
  end();
}

void request_machine::end() noexcept {
  close_open_set(now_);
  state_ = state::idle;
  out_.add({step_kind::finish, current_product(), 0});
}

const venue_reply& request_machine::explained(const venue_reply& reply,
                                              std::string_view reason) noexcept {
  composed_ = reply;
  composed_.message.assign(reason);
  append_in_parentheses(composed_.message, reply.message.view());
  return composed_;
}

const venue_reply& request_machine::with_read_back(const venue_reply& open,
                                                   const venue_reply& query) noexcept {
  composed_ = open;
  composed_.message.assign("read back: ");
  composed_.message.append(query.message.view());
  append_in_parentheses(composed_.message, open.message.view());
  return composed_;
}

}  // namespace posmode::components::detail
