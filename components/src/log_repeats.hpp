#pragma once

// Merges identical warning lines: a venue that stays unreachable makes every connection attempt
// fail the same way, and forty identical lines in eight seconds bury the one that matters.
// Private to posmode::components.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "log_line.hpp"
#include "posmode/components/position_mode_component.hpp"

namespace posmode::components::detail {

/**
 * Remembers the last few distinct warning and error lines. A line equal to one of them is held
 * back and counted; the count is written as one line, `<line> (repeated N times in T s)` (T
 * from the line's writing to its last copy), once `window_ns` has passed since the line was
 * written (checked whenever anything is logged), when its slot is reused, and by `flush_all` (at
 * `stop()`). Debug and info lines pass through untouched.
 *
 * **Threads.** The loop thread only. **Allocation.** None: the lines are kept in fixed buffers.
 */
class log_repeats {
 public:
  static constexpr std::size_t slots = 4;
  static constexpr std::int64_t window_ns = 10'000'000'000;  // ten seconds

  /**
   * True when `text` should be written now; false when it repeats a remembered line (counted).
   * Before deciding, writes the summaries that are due through `emit(level, text)`.
   */
  template <typename Emit>
  [[nodiscard]] bool admit(log_level level, std::string_view text, std::int64_t now_ns,
                           Emit&& emit) {
    flush_due(now_ns, emit);
    if (level < log_level::warning || text.size() > log_line::capacity) return true;
    for (entry& e : entries_) {
      if (!e.used || e.level != level || e.view() != text) continue;
      ++e.repeats;
      e.last_repeat_ns = now_ns;
      e.last_seen_ns = now_ns;
      return false;
    }
    // A new line takes the least recently seen slot; what that slot still held back is said
    // first.
    entry& victim =
        *std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
          return !a.used ? b.used : (b.used && a.last_seen_ns < b.last_seen_ns);
        });
    summarise(victim, emit);
    victim.used = true;
    victim.level = level;
    victim.size = text.size();
    std::copy(text.begin(), text.end(), victim.text.begin());
    victim.printed_ns = now_ns;
    victim.last_seen_ns = now_ns;
    return true;
  }

  /** Writes every held-back count (at stop, so that none is lost). */
  template <typename Emit>
  void flush_all(Emit&& emit) {
    for (entry& e : entries_)
      summarise(e, emit);
  }

 private:
  struct entry {
    bool used = false;
    log_level level = log_level::warning;
    std::array<char, log_line::capacity> text{};
    std::size_t size = 0;
    std::uint64_t repeats = 0;
    std::int64_t printed_ns = 0;  ///< the line (or its last summary) was written
    std::int64_t last_repeat_ns = 0;
    std::int64_t last_seen_ns = 0;
    [[nodiscard]] std::string_view view() const noexcept { return {text.data(), size}; }
  };

  template <typename Emit>
  void flush_due(std::int64_t now_ns, Emit& emit) {
    for (entry& e : entries_) {
      if (e.repeats > 0 && now_ns - e.printed_ns >= window_ns) summarise(e, emit);
      // A line quiet for a whole window is forgotten: if it comes back, it is news again.
      if (e.used && e.repeats == 0 && now_ns - e.last_seen_ns >= window_ns) e.used = false;
    }
  }

  template <typename Emit>
  void summarise(entry& e, Emit& emit) {
    if (!e.used || e.repeats == 0) return;
    const std::int64_t seconds = (e.last_repeat_ns - e.printed_ns + 500'000'000) / 1'000'000'000;
    log_line line;
    line << e.view() << " (repeated " << e.repeats << (e.repeats == 1 ? " time" : " times")
         << " in " << seconds << " s)";
    e.repeats = 0;
    e.printed_ns = e.last_repeat_ns;
    emit(e.level, line.view());
  }

  std::array<entry, slots> entries_{};
};

}  // namespace posmode::components::detail
