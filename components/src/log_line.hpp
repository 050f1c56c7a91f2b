#pragma once

// A log line built in a fixed buffer: no allocation, no exception, control bytes escaped.
// Private to posmode::components.

#include <array>
#include <charconv>
#include <concepts>
#include <cstddef>
#include <string_view>

namespace posmode::components::detail {

/**
 * Text for the host's log hook, assembled with `<<` from strings and integers into an inline
 * buffer; what does not fit is cut and marked with "...". Bytes below 0x20 and above 0x7e
 * (an escape sequence in a venue's message or an OpenSSL reason) are written as `\xNN`, so a line
 * can never act on the terminal or the log file it ends up in. Never allocates, never throws.
 */
class log_line {
 public:
  static constexpr std::size_t capacity = 400;

  log_line& operator<<(std::string_view text) noexcept {
    static constexpr char hex[] = "0123456789abcdef";
    for (const char c : text) {
      const auto u = static_cast<unsigned char>(c);
      if (u >= 0x20 && u < 0x7f) {
        put(c);
      } else {
        put('\\');
        put('x');
        put(hex[u >> 4]);
        put(hex[u & 0xf]);
      }
    }
    return *this;
  }

  log_line& operator<<(const char* text) noexcept { return *this << std::string_view(text); }

  template <std::integral I>
  log_line& operator<<(I value) noexcept {
    std::array<char, 24> digits{};
    const auto [end, ec] = std::to_chars(digits.begin(), digits.end(), value);
    if (ec == std::errc{}) *this << std::string_view(digits.data(), end);
    return *this;
  }

  [[nodiscard]] std::string_view view() const noexcept { return {text_.data(), size_}; }

 private:
  void put(char c) noexcept {
    if (size_ < capacity) {
      text_[size_++] = c;
    } else if (!cut_) {
      cut_ = true;
      for (std::size_t i = capacity - 3; i < capacity; ++i)
        text_[i] = '.';
    }
  }

  std::array<char, capacity> text_{};
  std::size_t size_ = 0;
  bool cut_ = false;
};

}  // namespace posmode::components::detail
