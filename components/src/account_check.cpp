// The preflight's verdict on one account: made of what the warm-up already found (each product's
// start-up report, the connections, the clock, the ban list), so that a check sends nothing the
// warm-up does not: the time, pings and one mode read per product.

#include <algorithm>

#include "account_session.hpp"

namespace posmode::components {

std::string_view to_string(check_cause c) noexcept {
  switch (c) {
    case check_cause::none:
      return "none";
    case check_cause::unreachable:
      return "unreachable";
    case check_cause::tls_verification_failed:
      return "tls_verification_failed";
    case check_cause::auth_failed:
      return "auth_failed";
    case check_cause::key_cannot_trade:
      return "key_cannot_trade";
    case check_cause::banned:
      return "banned";
    case check_cause::mode_unreadable:
      return "mode_unreadable";
    case check_cause::clock_unsynced:
      return "clock_unsynced";
    case check_cause::not_finished:
      return "not_finished";
  }
  return "?";
}

namespace detail {

namespace {

// The cause a product's failed start-up read stands for. A transport failure with no connection
// up is the host being unreachable; with one up, it concerns that read alone.
check_cause cause_of(event_status s, bool connected) noexcept {
  switch (s) {
    case event_status::tls_verification_failed:
      return check_cause::tls_verification_failed;
    case event_status::auth_failed:
      return check_cause::auth_failed;
    case event_status::ip_banned:
      return check_cause::banned;
    case event_status::transport_error:
    case event_status::timeout:
      return connected ? check_cause::mode_unreadable : check_cause::unreachable;
    default:
      return check_cause::mode_unreadable;
  }
}

}  // namespace

account_check account_session::verdict() const noexcept {
  account_check c;
  c.venue_kind = settings_.account.venue_kind;
  c.has_expected_mode = settings_.expected_mode.has_value();
  c.expected_mode = settings_.expected_mode.value_or(position_mode::hedge);
  c.clock_synced = clock_.valid();
  c.clock_offset_ms = clock_.valid() ? clock_.offset_ms() : 0;
  c.clock_round_trip_ns = clock_.valid() ? clock_.round_trip_ns() : 0;
  c.round_trip_ns = draft_.last_round_trip_ns;
  c.connections_up = draft_.connections_up;
  c.connections_total = draft_.connections_total;
  const auto& products = settings_.account.products;
  c.product_count = static_cast<std::uint8_t>(std::min(products.size(), c.products.size()));
  const product_check* failed = nullptr;
  for (std::size_t i = 0; i < c.product_count; ++i) {
    product_check& p = c.products[i];
    if (i < warm_product_) {
      p.report = startup_[i];
    } else {  // not read yet: the warm-up has not come to it
      p.report.account = index_;
      p.report.venue_kind = c.venue_kind;
      p.report.product_scope = products[i];
      p.report.status = event_status::timeout;
      p.report.message.assign("the warm-up had not read this product's mode");
    }
    p.mode_known = p.report.status == event_status::current_mode && p.report.has_observed_mode;
    p.mode = p.report.observed_mode;
    p.as_expected = p.mode_known && (!c.has_expected_mode || p.mode == c.expected_mode);
    if (!p.mode_known && failed == nullptr) failed = &p;
  }

  // The first thing in the way decides, in the order an operator would fix them.
  if (!facts_.warm) {
    c.cause = check_cause::not_finished;
    c.message.assign("the warm-up had not ended");
  } else if (draft_.state == account_state::banned) {
    c.cause = check_cause::banned;
    c.message.assign(failed != nullptr && failed->report.status == event_status::ip_banned
                         ? failed->report.message.view()
                         : ban_reason);
  } else if (failed != nullptr) {
    c.cause = cause_of(failed->report.status, api_->connected() > 0);
    c.message.assign(failed->report.message.view());
  } else if (key_cannot_trade_) {
    // The venue's own value, never a secret: "read_only", "read_only,withdraw".
    c.cause = check_cause::key_cannot_trade;
    c.message.assign("API key has no trade permission (perm: ");
    c.message.append(key_permissions_.view());
    c.message.append("): a set would be refused");
  } else if (!clock_.valid()) {
    c.cause = check_cause::clock_unsynced;
    c.message.assign("the venue's time could not be read; requests would carry the local clock");
  } else {
    c.cause = check_cause::none;
  }
  c.ready = c.cause == check_cause::none;
  return c;
}

}  // namespace detail
}  // namespace posmode::components
