#pragma once

// Hosts that banned this machine's IP (HTTP 418). Private to posmode::components.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include "posmode/engine/fixed_string.hpp"

namespace posmode::components::detail {

/**
 * The bans in force, per host name, shared by every account of a component: a venue bans an
 * IP, not a key (docs/venues.md §1.4), so once one account is answered 418 no account sends to that
 * host until the ban ends, and keep-alives wait too (each request would lengthen the ban).
 *
 * Loop thread only. No allocation: a fixed table; when it is full the ban ending first is
 * replaced, since a posmode host talks to a handful of hosts.
 */
class host_bans {
 public:
  static constexpr std::size_t capacity = 16;

  /** Bans `host` until `until_ns` (monotonic); an existing ban is only ever extended. */
  void ban(std::string_view host, std::int64_t until_ns) noexcept {
    entry* slot = find(host);
    if (slot == nullptr && used_ < capacity) slot = &entries_[used_++];
    if (slot == nullptr) {
      slot = &*std::min_element(entries_.begin(), entries_.end(),
                                [](const entry& a, const entry& b) { return a.until < b.until; });
      slot->until = 0;
    }
    slot->host.assign(host);
    slot->until = std::max(slot->until, until_ns);
  }

  /** True when no host was ever banned: the request path's whole cost when all is well. */
  [[nodiscard]] bool empty() const noexcept { return used_ == 0; }

  /** When the ban on `host` ends (monotonic ns); 0 when it was never banned. */
  [[nodiscard]] std::int64_t until(std::string_view host) const noexcept {
    const entry* e = find(host);
    return e != nullptr ? e->until : 0;
  }

  /** True while a ban on `host` lasts at `now_ns`. */
  [[nodiscard]] bool banned(std::string_view host, std::int64_t now_ns) const noexcept {
    const entry* e = find(host);
    return e != nullptr && e->until > now_ns;
  }

 private:
  struct entry {
    engine::fixed_string<255> host;  // DNS names are at most 253 characters
    std::int64_t until = 0;
  };

  [[nodiscard]] const entry* find(std::string_view host) const noexcept {
    for (std::size_t i = 0; i < used_; ++i)
      if (entries_[i].host == host) return &entries_[i];
    return nullptr;
  }
  [[nodiscard]] entry* find(std::string_view host) noexcept {
    return const_cast<entry*>(std::as_const(*this).find(host));
  }

  std::array<entry, capacity> entries_{};
  std::size_t used_ = 0;
};

}  // namespace posmode::components::detail
