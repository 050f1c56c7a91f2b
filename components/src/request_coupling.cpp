// Coupled books (Binance's CM migration, docs/venues.md §2.1; docs/design.md, "Coupled books"):
// the part of the request machine that knows one set may move two books. A unified account's
// set moves its twin, whose event follows with the same outcome; on any other account of such a
// venue a book found already in the requested mode right after its twin's set moved the twin is
// reported as moved by it, never hidden.

#include <algorithm>

#include "posmode/components/venue_facts.hpp"
#include "request_machine.hpp"

namespace posmode::components::detail {

namespace {

template <std::size_t N>
void prefix(engine::fixed_string<N>& message, std::initializer_list<std::string_view> parts) {
  engine::fixed_string<N> text;
  for (const std::string_view part : parts)
    text.append(part);
  text.append(message.view());
  message = text;
}

}  // namespace

void set_coupling(request_policy& policy, const account_config& config) noexcept {
  policy.unified = config.unified_position_mode;
  const std::size_t n = std::min(config.products.size(), max_products_per_account);
  const venue_facts* venue = find_venue(config.venue_kind);
  for (std::size_t i = 0; i < n; ++i) {
    policy.open_slot[i] = static_cast<std::uint8_t>(i);
    policy.twin[i] = no_twin;
    policy.follows[i] = false;
    policy.unlisted_twin[i] = {};
  }
  if (venue == nullptr || !venue->couples_books) return;
  for (std::size_t i = 0; i < n; ++i) {
    const product_facts* p = find_product(config.products[i]);
    if (p == nullptr || !p->has_coupled_twin) continue;
    std::size_t j = 0;
    while (j < n && config.products[j] != p->coupled_twin)
      ++j;
    if (j == n) {
      if (policy.unified && p->sets_coupled_twin)
        policy.unlisted_twin[i] = to_string(p->coupled_twin);
      continue;
    }
    policy.twin[i] = static_cast<std::uint8_t>(j);
    // One entry for both: a set that may still land on one book may move the other, whether or
    // not the account says it is unified (a migrated account may not be configured so).
    policy.open_slot[i] = static_cast<std::uint8_t>(std::min(i, j));
    // validate_account: a product switched through its twin's set comes right after it.
    policy.follows[i] = policy.unified && !p->sets_coupled_twin && j + 1 == i;
  }
}

std::size_t request_machine::next_product() const noexcept {
  std::size_t next = product_index_ + 1;
  while (next < policy_->products.size() && policy_->follows[next])
    ++next;
  return next;
}

position_event& request_machine::publish_followers(position_event& lead) noexcept {
  position_event* last = &lead;
  for (std::size_t i = product_index_ + 1; i < next_product(); ++i) {
    // The twin's set is this book's set: the same outcome, no set of its own written.
    position_event& e = out_.new_event();
    e = lead;
    e.product_scope = policy_->products[i];
    e.attempts = 0;
    e.terminal = false;
    e.coupled = true;
    prefix(e.message, {"by the ", to_string(lead.product_scope), " set (unified): "});
    // What the lead's status says of its book it says of this one; a set that went out and
    // whose fate is open leaves both unknown.
    known_mode& k = facts_->known[i];
    if (is_success(e.status))
      k = {true, e.requested};
    else if (e.status == event_status::not_applied && e.has_observed_mode)
      k = {true, e.observed_mode};
    else if (lead.attempts > 0)
      k.known = false;
    if (events_left_ > 0) --events_left_;
    out_.add({step_kind::publish, e.product_scope, 0, 0, &e});
    last = &e;
  }
  return *last;
}

void request_machine::note_known(const position_event& e, std::size_t product_index) noexcept {
  known_mode& k = facts_->known[product_index];
  if (is_success(e.status) && !e.verification)
    k = {true, e.requested};
  else if (e.status == event_status::not_applied && e.has_observed_mode)
    k = {true, e.observed_mode};
  else if (e.attempts > 0 && !e.verification)
    k.known = false;  // a set went out; what it did is not what the status says
}

void request_machine::mark_coupled(position_event& e) noexcept {
  e.coupled = policy_->unified || moved_by_twin_;
  // A unified set that moved a twin the account does not list (usdm's coinm): the event says so.
  const std::string_view twin = policy_->unlisted_twin[product_index_];
  if (!policy_->unified || twin.empty()) return;
  if (e.status == event_status::applied || e.status == event_status::already_in_mode ||
      e.status == event_status::confirmed)
    prefix(e.message, {twin, " moved too (unified, not read): "});
}

bool request_machine::moved_by_twin() const noexcept {
  if (policy_->unified) return false;
  const std::uint8_t twin = policy_->twin[product_index_];
  if (twin == no_twin || !moved_[twin]) return false;
  const known_mode& was = before_[product_index_];
  return was.known && was.mode != t_.mode;
}

const venue_reply& request_machine::twin_moved(const venue_reply& reply) noexcept {
  composed_ = reply;
  composed_.message.assign(to_string(current_product()));
  composed_.message.append(" was ");
  composed_.message.append(to_string(before_[product_index_].mode));
  composed_.message.append(": the ");
  composed_.message.append(to_string(policy_->products[policy_->twin[product_index_]]));
  composed_.message.append(" set moved it too (CM migration? unified_position_mode)");
  return composed_;
}

}  // namespace posmode::components::detail
