#pragma once

// Merges identical log records: a venue that stays unreachable makes every connection attempt
// fail the same way, and forty identical lines in eight seconds bury the one that matters.
// Private to posmode::components.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "log_line.hpp"
#include "posmode/components/log_record.hpp"

namespace posmode::components::detail {

/**
 * Remembers the last few distinct records of level info and above. A record equal to one of
 * them (same level, kind, account, host, HTTP status, venue code and message; the slot and the
 * times aside, since a pool's connections fail alike) is held back and counted; the count is
 * written as one summary, the record with `repeats` and `repeat_span_ns` set (the text formatter
 * adds `(repeated N times in T s)`), once `window_ns` has passed since the record was written
 * (checked whenever anything is logged), when its slot is reused, and by `flush_all` (at
 * `stop()`). Debug records pass through untouched.
 *
 * **Threads.** The loop thread only. **Allocation.** None: the records are kept in fixed buffers;
 * `account_id` and `host` are views of the configuration and the pools, which outlive this.
 */
class log_repeats {
 public:
  static constexpr std::size_t slots = 4;
  static constexpr std::int64_t window_ns = 10'000'000'000;  // ten seconds

  /**
   * True when `r` should be written now; false when it repeats a remembered record (counted).
   * Before deciding, writes the summaries that are due through `emit(const log_record&)`, so
   * they come before `r`. `r.monotonic_ns` is the time.
   */
  template <typename Emit>
  [[nodiscard]] bool admit(const log_record& r, Emit&& emit) {
    const std::int64_t now_ns = r.monotonic_ns;
    flush_due(now_ns, emit);
    if (r.level < log_level::info || r.message.size() > log_line::capacity ||
        r.code_text.size() > code_capacity)
      return true;
    for (entry& e : entries_) {
      if (!e.used || !e.same(r)) continue;
      ++e.repeats;
      e.last_repeat_ns = now_ns;
      e.last_repeat_wall_ms = r.wall_ms;
      e.last_seen_ns = now_ns;
      return false;
    }
    // A new record takes the least recently seen slot; what that slot still held back is said
    // first.
    entry& victim =
        *std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
          return !a.used ? b.used : (b.used && a.last_seen_ns < b.last_seen_ns);
        });
    summarise(victim, emit);
    victim.keep(r);
    return true;
  }

  /** Writes every held-back count (at stop, so that none is lost). */
  template <typename Emit>
  void flush_all(Emit&& emit) {
    for (entry& e : entries_)
      summarise(e, emit);
  }

 private:
  static constexpr std::size_t code_capacity = 23;

  struct entry {
    bool used = false;
    log_record record;  // its message and code_text point into the arrays below
    std::array<char, log_line::capacity> message{};
    std::array<char, code_capacity> code_text{};
    std::uint64_t repeats = 0;
    std::int64_t printed_ns = 0;  ///< the record (or its last summary) was written
    std::int64_t last_repeat_ns = 0;
    std::int64_t last_repeat_wall_ms = 0;
    std::int64_t last_seen_ns = 0;

    [[nodiscard]] bool same(const log_record& r) const noexcept {
      const log_record& k = record;
      return k.level == r.level && k.event == r.event && k.account == r.account &&
             k.account_id == r.account_id && k.host == r.host && k.port == r.port &&
             k.http_status == r.http_status && k.has_code == r.has_code && k.code == r.code &&
             k.code_text == r.code_text && k.message == r.message;
    }
    void keep(const log_record& r) noexcept {
      used = true;
      record = r;
      std::copy(r.message.begin(), r.message.end(), message.begin());
      std::copy(r.code_text.begin(), r.code_text.end(), code_text.begin());
      record.message = {message.data(), r.message.size()};
      record.code_text = {code_text.data(), r.code_text.size()};
      repeats = 0;
      printed_ns = r.monotonic_ns;
      last_seen_ns = r.monotonic_ns;
    }
  };

  template <typename Emit>
  void flush_due(std::int64_t now_ns, Emit& emit) {
    for (entry& e : entries_) {
      if (e.repeats > 0 && now_ns - e.printed_ns >= window_ns) summarise(e, emit);
      // A record quiet for a whole window is forgotten: if it comes back, it is news again.
      if (e.used && e.repeats == 0 && now_ns - e.last_seen_ns >= window_ns) e.used = false;
    }
  }

  template <typename Emit>
  void summarise(entry& e, Emit& emit) {
    if (!e.used || e.repeats == 0) return;
    log_record summary = e.record;
    summary.repeats = e.repeats;
    summary.repeat_span_ns = e.last_repeat_ns - e.printed_ns;
    summary.monotonic_ns = e.last_repeat_ns;
    summary.wall_ms = e.last_repeat_wall_ms;
    e.repeats = 0;
    e.printed_ns = e.last_repeat_ns;
    emit(summary);
  }

  std::array<entry, slots> entries_{};
};

}  // namespace posmode::components::detail
