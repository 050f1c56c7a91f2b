#pragma once

// Small ASCII text helpers shared by the venue adapters and the name tables. No locale, no
// allocation, no exceptions.

#include <charconv>
#include <cstdint>
#include <limits>
#include <string_view>

namespace posmode::components::detail {

[[nodiscard]] constexpr char ascii_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

/** `a == b`, ignoring ASCII case. */
[[nodiscard]] constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

/** True if `text` starts with `prefix`, ignoring ASCII case. */
[[nodiscard]] constexpr bool istarts_with(std::string_view text, std::string_view prefix) noexcept {
  return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

/**
 * Parses the unsigned decimal at the start of `text` into `out`; returns how many characters it
 * used (0 for none, a sign, or overflow; `out` is then unchanged).
 */
[[nodiscard]] inline std::size_t parse_decimal_prefix(std::string_view text,
                                                      std::int64_t& out) noexcept {
  if (text.empty() || text.front() < '0' || text.front() > '9') return 0;
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{}) return 0;
  out = value;
  return static_cast<std::size_t>(end - text.data());
}

/**
 * Like `parse_decimal_prefix`, but a number too large for int64 saturates to its maximum instead
 * of failing: for times and waits, where "very large" must stay very large.
 */
[[nodiscard]] inline std::size_t parse_decimal_prefix_saturating(std::string_view text,
                                                                 std::int64_t& out) noexcept {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9')
    ++digits;
  if (digits == 0) return 0;
  if (parse_decimal_prefix(text.substr(0, digits), out) != digits)
    out = std::numeric_limits<std::int64_t>::max();
  return digits;
}

/** Parses `text`, which must be an unsigned decimal and nothing else. */
[[nodiscard]] inline bool parse_decimal(std::string_view text, std::int64_t& out) noexcept {
  std::int64_t value = 0;
  if (text.empty() || parse_decimal_prefix(text, value) != text.size()) return false;
  out = value;
  return true;
}

}  // namespace posmode::components::detail
