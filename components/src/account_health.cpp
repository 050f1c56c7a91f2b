// account_session's health: a draft the loop updates where things change (connections, clock,
// sends, events) and publishes through a seqlock, which any thread copies out without a lock.
// Every update follows the work it describes (an event is published first), so it adds nothing
// between a trigger and its event.

#include <algorithm>

#include "account_session.hpp"

namespace posmode::components {

std::string_view to_string(account_state s) noexcept {
  switch (s) {
    case account_state::connecting:
      return "connecting";
    case account_state::ready:
      return "ready";
    case account_state::degraded:
      return "degraded";
    case account_state::banned:
      return "banned";
    case account_state::failed:
      return "failed";
  }
  return "?";
}

std::string_view to_string(latency_kind k) noexcept {
  switch (k) {
    case latency_kind::trigger_to_wire:
      return "trigger_to_wire";
    case latency_kind::trigger_to_event:
      return "trigger_to_event";
    case latency_kind::answer:
      return "answer";
  }
  return "?";
}

namespace detail {

account_health account_session::health() const noexcept {
  account_health h;
  // Only a writer storing without pause could make every attempt fail; the default (an
  // account still connecting) is then the honest answer.
  (void)health_.load(h);
  return h;
}

void account_session::init_health() noexcept {
  const auto& products = settings_.account.products;
  draft_.product_count =
      static_cast<std::uint8_t>(std::min(products.size(), draft_.products.size()));
  for (std::size_t i = 0; i < draft_.product_count; ++i)
    draft_.products[i].scope = products[i];
  publish_health();
}

void account_session::note_event(const position_event& e) noexcept {
  ++draft_.outcomes[static_cast<std::size_t>(e.status)];
  if (e.terminal && e.request_id != 0) ++draft_.requests;
  // The mode the event shows: read back, or the requested one when it says so.
  bool shows = e.has_observed_mode;
  position_mode mode = e.observed_mode;
  if (!shows && is_success(e.status)) {
    shows = true;
    mode = e.requested;
  }
  if (shows && e.status != event_status::verify_mismatch) {
    for (std::size_t i = 0; i < draft_.product_count; ++i) {
      product_health& p = draft_.products[i];
      if (p.scope != e.product_scope) continue;
      p.mode_known = true;
      p.mode = mode;
      p.observed_ns = e.response_ns != 0 ? e.response_ns : e.published_ns;
    }
  }
  publish_health();
}

void account_session::publish_health() noexcept {
  // What the session already knows is copied, not kept twice.
  draft_.warm = facts_.warm;
  draft_.clock_synced = clock_.valid();
  draft_.clock_offset_ms = clock_.valid() ? clock_.offset_ms() : 0;
  const std::size_t up = api_ ? api_->connected() : 0;
  draft_.connections_up = static_cast<std::uint8_t>(std::min<std::size_t>(up, 255));
  draft_.connections_total =
      static_cast<std::uint8_t>(std::min<std::size_t>(api_ ? api_->size() : 0, 255));
  const std::int64_t now = core_.clock().monotonic_ns();
  const std::string_view host = requests_.api_endpoint().host;
  const bool banned_now = !core_.bans().empty() && core_.bans().banned(host, now);
  draft_.banned_until_ns = banned_now ? core_.bans().until(host) : 0;
  draft_.cause.assign({});
  if (banned_now) {
    draft_.state = account_state::banned;
  } else if (verify_failed_ && up == 0) {
    draft_.state = account_state::failed;
    draft_.cause.assign(last_connection_error_.view());
  } else if (!draft_.warm) {
    draft_.state = account_state::connecting;
  } else if (up == 0) {
    draft_.state = account_state::failed;
    draft_.cause.assign(last_connection_error_.view());
  } else if (up < draft_.connections_total) {
    draft_.state = account_state::degraded;
    draft_.cause.assign(last_connection_error_.view());
  } else {
    draft_.state = account_state::ready;
  }
  health_.store(draft_);
}

}  // namespace detail
}  // namespace posmode::components
