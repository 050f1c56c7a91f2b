#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace posmode::engine {

/**
 * Text of at most `Capacity` bytes stored inline, for records that cross threads on a ring
 * (venue codes and messages in replies and events). Trivially copyable; assigning a longer text
 * keeps its first `Capacity` bytes and sets `truncated()`. Never allocates, never throws.
 */
template <std::size_t Capacity>
class fixed_string {
  static_assert(Capacity > 0 && Capacity < 256, "the size is stored in one byte");

 public:
  static constexpr std::size_t capacity = Capacity;

  constexpr fixed_string() noexcept = default;
  /** Copies `text`, truncated to `Capacity` bytes. */
  constexpr explicit fixed_string(std::string_view text) noexcept { assign(text); }

  /** Replaces the contents with `text`, truncated to `Capacity` bytes. */
  constexpr void assign(std::string_view text) noexcept {
    size_ = static_cast<std::uint8_t>(std::min(text.size(), Capacity));
    truncated_ = text.size() > Capacity;
    std::copy_n(text.data(), size_, data_.data());
  }

  /** Adds `text` after the contents, as much as fits; sets `truncated()` if any is cut. */
  constexpr void append(std::string_view text) noexcept {
    const std::size_t n = std::min(text.size(), Capacity - size_);
    std::copy_n(text.data(), n, data_.data() + size_);
    size_ = static_cast<std::uint8_t>(size_ + n);
    truncated_ = truncated_ || n < text.size();
  }

  /** The stored text (not NUL-terminated). Valid while this object lives and is unchanged. */
  [[nodiscard]] constexpr std::string_view view() const noexcept { return {data_.data(), size_}; }
  [[nodiscard]] constexpr std::size_t size() const noexcept { return size_; }
  [[nodiscard]] constexpr bool empty() const noexcept { return size_ == 0; }
  /** True when the last assignment was cut to fit. */
  [[nodiscard]] constexpr bool truncated() const noexcept { return truncated_; }

  friend constexpr bool operator==(const fixed_string& a, std::string_view b) noexcept {
    return a.view() == b;
  }

 private:
  std::array<char, Capacity> data_{};
  std::uint8_t size_ = 0;
  bool truncated_ = false;
};

static_assert(std::is_trivially_copyable_v<fixed_string<16>>);

}  // namespace posmode::engine
