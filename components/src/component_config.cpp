#include "posmode/components/component_config.hpp"

#include <bit>
#include <set>
#include <stdexcept>
#include <string>

#include "posmode/components/position_event.hpp"
#include "posmode/components/venue_facts.hpp"
#include "posmode/engine/connection_pool.hpp"
#include "posmode/engine/request_signer.hpp"

namespace posmode::components {

namespace {

[[noreturn]] void refuse(const std::string& field, const std::string& why) {
  throw std::invalid_argument(field + ": " + why);
}

void check_positive(const std::string& field, std::chrono::milliseconds value) {
  if (value.count() <= 0) refuse(field, std::to_string(value.count()) + " ms is not positive");
}

// An unbounded duration overflows the deadline arithmetic (a request would time out at once).
void check_at_most(const std::string& field, std::chrono::milliseconds value,
                   std::chrono::milliseconds limit) {
  if (value > limit)
    refuse(field, std::to_string(value.count()) + " ms exceeds the limit of " +
                      std::to_string(limit.count()) + " ms");
}

void check_range(const std::string& field, std::size_t value, std::size_t low, std::size_t high) {
  if (value < low || value > high)
    refuse(field, std::to_string(value) + " is outside " + std::to_string(low) + ".." +
                      std::to_string(high));
}

// The secret for an HMAC account; for an Ed25519 or RSA one the private key, parsed here (a few
// milliseconds at most) so that a key that cannot sign is refused with its field's name. Messages
// name the problem, never any of the key.
void check_signing_key(const account_settings& a, const std::string& at) {
  const api_key_type type = a.account.key_type;
  if (type == api_key_type::hmac) {
    if (a.creds.secret.empty()) refuse(at + ".creds.secret", "empty");
    if (!a.creds.private_key.empty())
      refuse(at + ".creds.private_key", "given, but key_type is hmac (it signs with the secret)");
    return;
  }
  const std::string type_name(to_string(type));
  if (!a.creds.secret.empty())
    refuse(at + ".creds.secret",
           "given, but key_type is " + type_name + " (it signs with creds.private_key)");
  if (a.creds.private_key.empty())
    refuse(at + ".creds.private_key", "empty (key_type is " + type_name + ")");
  try {
    const engine::request_signer probe(account_signature(a.account), a.creds.private_key.reveal());
  } catch (const engine::key_error& e) {
    constexpr std::string_view prefix = "private key: ";
    std::string_view why = e.what();
    if (why.starts_with(prefix)) why.remove_prefix(prefix.size());
    refuse(at + ".creds.private_key", std::string(why));
  }
}

void check_account(const account_settings& a, const std::string& at) {
  try {
    validate_account(a.account);
  } catch (const std::invalid_argument& e) {
    refuse(at + ".account." + std::string(e.what()).substr(0, std::string(e.what()).find(':')),
           std::string(e.what()).substr(std::string(e.what()).find(':') + 2));
  }
  if (a.creds.api_key.empty()) refuse(at + ".creds.api_key", "empty");
  check_signing_key(a, at);
  // validate_account() refused an unknown venue above.
  if (const venue_facts& venue = facts_of(a.account.venue_kind);
      venue.needs_passphrase && a.creds.passphrase.empty())
    refuse(at + ".creds.passphrase",
           "empty (" + std::string(venue.name) + " requires the API key's passphrase)");
  check_range(at + ".connections", a.connections, 1, engine::max_pool_connections);
  if (a.account.products.size() > max_products_per_account)
    refuse(at + ".account.products", "more than " + std::to_string(max_products_per_account));
  if (a.insecure_loopback && a.account.host != "127.0.0.1")
    refuse(at + ".insecure_loopback",
           "refused for host '" + a.account.host +
               "': certificate checks may be skipped only for 127.0.0.1");
}

}  // namespace

void validate_config(const component_config& config) {
  if (config.accounts.empty()) refuse("accounts", "none configured");
  if (config.accounts.size() > max_accounts)
    refuse("accounts", "more than " + std::to_string(max_accounts));
  std::set<std::string> ids;
  std::size_t reports = 0;
  std::size_t per_request = 0;
  for (std::size_t i = 0; i < config.accounts.size(); ++i) {
    const account_settings& a = config.accounts[i];
    const std::string at = "accounts[" + std::to_string(i) + "]";
    check_account(a, at);
    if (!ids.insert(a.account.id).second)
      refuse(at + ".account.id", "'" + a.account.id + "' is used by an earlier account");
    reports += a.account.products.size();
    per_request = std::max(per_request, a.account.products.size() + (a.verify_after_set ? 1 : 0));
  }
  using std::chrono::milliseconds;
  check_positive("attempt_timeout", config.attempt_timeout);
  check_positive("request_deadline", config.request_deadline);
  check_positive("connect_timeout", config.connect_timeout);
  check_at_most("attempt_timeout", config.attempt_timeout, max_configured_wait);
  check_at_most("request_deadline", config.request_deadline, max_configured_wait);
  check_at_most("connect_timeout", config.connect_timeout, max_configured_wait);
  if (config.attempt_timeout > config.request_deadline)
    refuse("attempt_timeout", "longer than request_deadline");
  if (config.keepalive_interval.count() < 0) refuse("keepalive_interval", "negative");
  check_at_most("keepalive_interval", config.keepalive_interval, max_configured_wait);
  if (config.clock_resync_interval.count() < 0) refuse("clock_resync_interval", "negative");
  check_at_most("clock_resync_interval", config.clock_resync_interval, milliseconds(86'400'000));
  if (config.settle_margin.count() < 0) refuse("settle_margin", "negative");
  check_at_most("settle_margin", config.settle_margin, milliseconds(60'000));
  check_range("clock_samples_at_start", config.clock_samples_at_start, 1, 8);
  if (config.retry.default_retry_after.count() < 0) refuse("retry.default_retry_after", "negative");
  check_at_most("retry.default_retry_after", config.retry.default_retry_after, max_configured_wait);
  try {
    (void)engine::backoff_policy(config.retry.reconnect);
  } catch (const std::invalid_argument& e) {
    refuse("retry.reconnect", e.what());
  }
  check_at_most("retry.reconnect.max", config.retry.reconnect.max, max_configured_wait);
  check_range("request_ring_capacity", config.request_ring_capacity, 1, std::size_t{1} << 20);
  check_range("event_ring_capacity", config.event_ring_capacity, 1, std::size_t{1} << 20);
  check_range("pending_per_account", config.pending_per_account, 0, max_pending_per_account);
  // Lossless publication: the backlog must hold the start-up reports, one request's events, and
  // the rejection of every trigger a full request ring holds when stop() ends them.
  const std::size_t ring = std::bit_ceil(config.request_ring_capacity);
  const std::size_t needed = reports + per_request + ring;
  if (config.event_backlog_capacity < needed)
    refuse("event_backlog_capacity",
           std::to_string(config.event_backlog_capacity) + " cannot hold the " +
               std::to_string(needed) + " events of start-up, one request and a full request ring");
}

std::string_view to_string(event_status s) noexcept {
  switch (s) {
    case event_status::applied:
      return "applied";
    case event_status::already_in_mode:
      return "already_in_mode";
    case event_status::confirmed:
      return "confirmed";
    case event_status::not_applied:
      return "not_applied";
    case event_status::verified:
      return "verified";
    case event_status::verify_mismatch:
      return "verify_mismatch";
    case event_status::blocked_positions:
      return "blocked_positions";
    case event_status::blocked_orders:
      return "blocked_orders";
    case event_status::blocked_um_cm_mismatch:
      return "blocked_um_cm_mismatch";
    case event_status::blocked_positions_or_orders:
      return "blocked_positions_or_orders";
    case event_status::auth_failed:
      return "auth_failed";
    case event_status::clock_skew:
      return "clock_skew";
    case event_status::rate_limited:
      return "rate_limited";
    case event_status::ip_banned:
      return "ip_banned";
    case event_status::venue_error:
      return "venue_error";
    case event_status::unknown:
      return "unknown";
    case event_status::transport_error:
      return "transport_error";
    case event_status::tls_verification_failed:
      return "tls_verification_failed";
    case event_status::timeout:
      return "timeout";
    case event_status::rejected:
      return "rejected";
    case event_status::current_mode:
      return "current_mode";
    case event_status::mode_not_supported:
      return "mode_not_supported";
  }
  return "?";
}

}  // namespace posmode::components
