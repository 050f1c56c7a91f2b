#include "posmode/engine/http_response.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

namespace posmode::engine {

enum class http_response_parser::state : std::uint8_t {
  status_line,
  header_line,
  body_length,      // Content-Length body
  body_eof,         // close-delimited body
  chunk_size,       // hex digits
  chunk_size_tail,  // right after the digits: `;`, BWS or the line end
  chunk_size_bws,   // whitespace after the digits: only `;` may follow
  chunk_extension,  // skipped up to the line end
  chunk_size_lf,    // after the CR of a chunk size line
  chunk_data,
  chunk_data_end,  // the line end after the data
  chunk_data_lf,   // after its CR
  trailer_line,
  done,
  failed,
};

namespace {

// Not an errc value: "this step succeeded, keep going". errc starts at 1.
constexpr errc ok{};

constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();

constexpr std::uint8_t to_u8(char c) noexcept {
  return static_cast<std::uint8_t>(c);
}

// RFC 9110 §5.6.2 tchar: 1, else 0.
constexpr std::array<std::uint8_t, 256> token_chars = [] {
  std::array<std::uint8_t, 256> t{};
  for (int c = '0'; c <= '9'; ++c)
    t[static_cast<std::size_t>(c)] = 1;
  for (int c = 'a'; c <= 'z'; ++c)
    t[static_cast<std::size_t>(c)] = 1;
  for (int c = 'A'; c <= 'Z'; ++c)
    t[static_cast<std::size_t>(c)] = 1;
  for (const char c : std::string_view("!#$%&'*+-.^_`|~"))
    t[to_u8(c)] = 1;
  return t;
}();

constexpr bool is_ows(char c) noexcept {
  return c == ' ' || c == '\t';
}

constexpr bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

constexpr std::uint64_t ones = 0x0101010101010101U;
constexpr std::uint64_t high_bits = 0x8080808080808080U;

std::uint64_t load8(const char* p) noexcept {
  std::uint64_t v = 0;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Field values and reason phrases admit HTAB, SP, VCHAR and obs-text (RFC 9110 §5.5, RFC 9112
// §4): everything but the other controls and DEL.
bool is_control(char c) noexcept {
  const unsigned u = to_u8(c);
  return (u < 0x20U && u != '\t') || u == 0x7fU;
}

// The scanners below read eight bytes at a time (SWAR) and take the first flagged byte as the
// lowest set bit, which is the first byte in memory only on a little-endian machine.
static_assert(std::endian::native == std::endian::little,
              "find_control assumes little-endian words (x86-64, AArch64)");

// Sets the high bit of every byte below 0x20 or equal to 0x7f. (x - n) & ~x & 0x80.. is "hasless"
// from the Stanford bit-twiddling hacks; borrows only travel upwards from a flagged byte, so the
// lowest flag is always exact (higher ones may be spurious).
std::uint64_t control_flags(std::uint64_t x) noexcept {
  const std::uint64_t del = x ^ (ones * 0x7fU);
  return (((x - ones * 0x20U) & ~x) | ((del - ones) & ~del)) & high_bits;
}

// Index of the first control byte (other than TAB) in [p, p + n), or n. Finding the line end this
// way validates the value in the same pass: a header line costs one scan instead of a memchr for
// the LF plus a second pass over the value (about 4 ns per header line less here).
[[gnu::always_inline]] inline std::size_t find_control(const char* p, std::size_t n) noexcept {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const std::uint64_t flags = control_flags(load8(p + i));
    if (flags == 0) continue;
    const std::size_t at = i + static_cast<std::size_t>(std::countr_zero(flags)) / 8;
    if (p[at] != '\t') return at;
    for (std::size_t k = at + 1; k < i + 8; ++k) {
      if (is_control(p[k])) return k;
    }
  }
  for (; i < n; ++i) {
    if (is_control(p[i])) return i;
  }
  return n;
}

bool has_control(const char* p, std::size_t n) noexcept {
  return find_control(p, n) != n;
}

// Index of the first ':' or control byte (TAB included) in [p, p + n), or n: the end of a header
// name, or the byte that shows the line has none.
[[gnu::always_inline]] inline std::size_t find_name_end(const char* p, std::size_t n) noexcept {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const std::uint64_t x = load8(p + i);
    const std::uint64_t colon = x ^ (ones * ':');
    const std::uint64_t flags = control_flags(x) | ((colon - ones) & ~colon & high_bits);
    if (flags != 0) return i + static_cast<std::size_t>(std::countr_zero(flags)) / 8;
  }
  for (; i < n; ++i) {
    if (p[i] == ':' || p[i] == '\t' || is_control(p[i])) return i;
  }
  return n;
}

// Whether [p, p + n) is a non-empty token. No early exit: eight independent table loads per step
// (the last step overlapping the previous one) and one loop branch per eight bytes took about
// 4 ns off each header line against a byte loop that stops at the first non-tchar.
bool is_token(const char* p, std::size_t n) noexcept {
  const auto t = [p](std::size_t i) -> unsigned { return token_chars[to_u8(p[i])]; };
  if (n < 8) {
    unsigned all = n != 0 ? 1U : 0U;
    for (std::size_t i = 0; i < n; ++i)
      all &= t(i);
    return all != 0;
  }
  const auto step = [&t](std::size_t i) {
    return t(i) & t(i + 1) & t(i + 2) & t(i + 3) & t(i + 4) & t(i + 5) & t(i + 6) & t(i + 7);
  };
  unsigned all = 1;
  for (std::size_t i = 0; i + 8 < n; i += 8)
    all &= step(i);
  return (all & step(n - 8)) != 0;
}

// ASCII case-insensitive equality against a lowercase literal, eight bytes at a time. `| 0x20`
// folds only letters onto the literal's characters here: every other byte that maps onto a
// lowercase letter, digit, `-`, `/` or `+` under `| 0x20` is a control character, and callers
// pass only validated names and values, which contain none.
bool iequals(std::string_view s, std::string_view lower) noexcept {
  const std::size_t n = s.size();
  if (n != lower.size()) return false;
  if (n < 8) {
    for (std::size_t i = 0; i < n; ++i) {
      if ((to_u8(s[i]) | 0x20U) != to_u8(lower[i])) return false;
    }
    return true;
  }
  std::uint64_t diff = 0;
  for (std::size_t i = 0; i + 8 < n; i += 8) {
    diff |= (load8(s.data() + i) | (ones * 0x20U)) ^ load8(lower.data() + i);
  }
  // The last word overlaps the previous one rather than reading past the end.
  diff |= (load8(s.data() + n - 8) | (ones * 0x20U)) ^ load8(lower.data() + n - 8);
  return diff == 0;
}

// string_view::substr without its std::out_of_range: the positions here are always in range, and
// no throwing path should be compiled into the noexcept hot path.
constexpr std::string_view slice(std::string_view s, std::size_t pos,
                                 std::size_t n = std::string_view::npos) noexcept {
  pos = std::min(pos, s.size());
  return {s.data() + pos, std::min(n, s.size() - pos)};
}

bool istarts_with(std::string_view s, std::string_view lower) noexcept {
  return s.size() >= lower.size() && iequals(slice(s, 0, lower.size()), lower);
}

bool iends_with(std::string_view s, std::string_view lower) noexcept {
  return s.size() >= lower.size() && iequals(slice(s, s.size() - lower.size()), lower);
}

std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && is_ows(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back()))
    s.remove_suffix(1);
  return s;
}

// 1*DIGIT into a non-negative int64; false when empty, not all digits, or overflowing.
bool parse_decimal(std::string_view s, std::int64_t& out) noexcept {
  if (s.empty()) return false;
  std::int64_t v = 0;
  for (const char c : s) {
    if (!is_digit(c)) return false;
    const int d = c - '0';
    if (v > (int64_max - d) / 10) return false;
    v = v * 10 + d;
  }
  out = v;
  return true;
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  const unsigned lower = to_u8(c) | 0x20U;
  if (lower >= 'a' && lower <= 'f') return static_cast<int>(lower - 'a') + 10;
  return -1;
}

// Howard Hinnant's days_from_civil (http://howardhinnant.github.io/date_algorithms.html): days
// since 1970-01-01 in the proleptic Gregorian calendar, pure arithmetic.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool two_digits(const char* p, unsigned& out) noexcept {
  if (!is_digit(p[0]) || !is_digit(p[1])) return false;
  out = static_cast<unsigned>((p[0] - '0') * 10 + (p[1] - '0'));
  return true;
}

// IMF-fixdate only (RFC 9110 §5.6.7): "Sun, 06 Nov 1994 08:49:37 GMT", case-sensitive names.
// The obsolete RFC 850 and asctime forms are not accepted: no venue sends them.
std::int64_t parse_imf_fixdate(std::string_view s) noexcept {
  constexpr std::string_view day_names = "MonTueWedThuFriSatSun";
  constexpr std::string_view month_names = "JanFebMarAprMayJunJulAugSepOctNovDec";
  if (s.size() != 29 || slice(s, 3, 2) != ", " || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
      s[19] != ':' || s[22] != ':' || slice(s, 25) != " GMT") {
    return -1;
  }
  const std::size_t day_at = day_names.find(slice(s, 0, 3));
  const std::size_t month_at = month_names.find(slice(s, 8, 3));
  if (day_at == std::string_view::npos || day_at % 3 != 0) return -1;
  if (month_at == std::string_view::npos || month_at % 3 != 0) return -1;
  const auto month = static_cast<unsigned>(month_at / 3 + 1);
  unsigned day = 0, century = 0, year2 = 0, hour = 0, minute = 0, second = 0;
  if (!two_digits(s.data() + 5, day) || !two_digits(s.data() + 12, century) ||
      !two_digits(s.data() + 14, year2) || !two_digits(s.data() + 17, hour) ||
      !two_digits(s.data() + 20, minute) || !two_digits(s.data() + 23, second)) {
    return -1;
  }
  const unsigned year = century * 100 + year2;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  constexpr std::array<unsigned, 12> month_days{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const unsigned last_day = month_days[month - 1] + (month == 2 && leap ? 1 : 0);
  // Second 60 is a leap second (RFC 9110 §5.6.7); it lands on the next second.
  if (year < 1970 || day == 0 || day > last_day || hour > 23 || minute > 59 || second > 60) {
    return -1;
  }
  return days_from_civil(year, month, day) * 86400 + std::int64_t{hour} * 3600 +
         std::int64_t{minute} * 60 + second;
}

content_kind classify_content_type(std::string_view value) noexcept {
  const std::string_view media = trim_ows(slice(value, 0, value.find(';')));
  if (iequals(media, "application/json")) return content_kind::json;
  if (istarts_with(media, "application/") && iends_with(media, "+json")) return content_kind::json;
  if (iequals(media, "text/html")) return content_kind::html;
  if (istarts_with(media, "text/") && media.size() > 5) return content_kind::text;
  return content_kind::other;
}

}  // namespace

http_response_parser::http_response_parser(http_limits limits)
    : limits_(limits), state_(state::status_line) {
  if (limits.max_header_bytes == 0) {
    throw std::invalid_argument(
        "http_response_parser: http_limits::max_header_bytes must not be 0");
  }
  if (limits.max_body_bytes == 0) {
    throw std::invalid_argument("http_response_parser: http_limits::max_body_bytes must not be 0");
  }
  constexpr std::size_t size_max = std::numeric_limits<std::size_t>::max();
  if (limits.max_body_bytes > size_max - body_padding ||
      limits.max_header_bytes > size_max - body_padding - limits.max_body_bytes) {
    throw std::invalid_argument(
        "http_response_parser: http_limits::max_header_bytes + max_body_bytes overflows");
  }
  // The names are compared with iequals(), which wants its second argument in lower case.
  const auto check_name = [](std::string_view name, const char* field) {
    if (!std::all_of(name.begin(), name.end(),
                     [](char c) { return token_chars[to_u8(c)] && !(c >= 'A' && c <= 'Z'); }))
      throw std::invalid_argument(std::string("http_response_parser: http_limits::") + field +
                                  " must be a lower-case header name");
  };
  for (const std::string_view prefix : limits.usage_header_prefixes) {
    check_name(prefix, "usage_header_prefixes");
    if (!prefix.empty())
      usage_min_name_ =
          usage_min_name_ == 0 ? prefix.size() : std::min(usage_min_name_, prefix.size());
  }
  check_name(limits.used_weight_header, "used_weight_header");
  if (!limits.used_weight_header.empty())
    usage_min_name_ = usage_min_name_ == 0
                          ? limits.used_weight_header.size()
                          : std::min(usage_min_name_, limits.used_weight_header.size());
  // Value-initialised: the padding starts as zeros, so tools that track uninitialised reads
  // (MSan, valgrind) stay quiet when simdjson reads past the body.
  storage_ =
      std::make_unique<char[]>(limits.max_header_bytes + limits.max_body_bytes + body_padding);
}

http_response_parser::~http_response_parser() = default;
http_response_parser::http_response_parser(http_response_parser&& other) noexcept = default;
http_response_parser& http_response_parser::operator=(http_response_parser&& other) noexcept =
    default;

bool http_response_parser::done() const noexcept {
  return state_ == state::done;
}

bool http_response_parser::header_done() const noexcept {
  return header_done_;
}

bool http_response_parser::keep_alive() const noexcept {
  if (no_reuse_ || close_token_) return false;
  return version_minor_ >= 1 || keep_alive_token_;
}

std::string_view http_response_parser::body() const noexcept {
  return {body_buffer(), body_size_};
}

void http_response_parser::clear_message() noexcept {
  chunked_ = false;
  close_token_ = false;
  keep_alive_token_ = false;
  no_reuse_ = false;
  content_type_ = content_kind::none;
  reason_.assign({});
  status_ = 0;
  version_minor_ = 1;
  content_length_ = -1;
  retry_after_seconds_ = -1;
  retry_after_epoch_ = -1;
  used_weight_ = -1;
  usage_count_ = 0;
  usage_dropped_ = 0;
}

void http_response_parser::reset() noexcept {
  header_bytes_ = 0;
  scratch_size_ = 0;
  body_size_ = 0;
  remaining_ = 0;
  extension_bytes_ = 0;
  chunk_digits_ = 0;
  state_ = state::status_line;
  error_ = errc::need_more;
  header_done_ = false;
  clear_message();
}

void http_response_parser::put_eof(std::error_code& ec) noexcept {
  switch (state_) {
    case state::failed:
      ec = error_;
      return;
    case state::done:
      ec = {};
      return;
    case state::body_eof:
      state_ = state::done;
      ec = {};
      return;
    default:
      state_ = state::failed;
      error_ = errc::partial_message;
      ec = error_;
      return;
  }
}

bool http_response_parser::status_has_body() const noexcept {
  // RFC 9112 §6.3: 1xx, 204 and 304 responses end at the blank line whatever their headers say.
  return status_ >= 200 && status_ != 204 && status_ != 304;
}

std::size_t http_response_parser::put(std::span<const char> bytes, std::error_code& ec) noexcept {
  const char* const begin = bytes.data();
  const char* p = begin;
  const char* const end = begin + bytes.size();
  errc result = ok;
  while (result == ok) {
    if (state_ == state::done) {
      ec = {};
      return static_cast<std::size_t>(p - begin);
    }
    if (state_ == state::failed) {
      ec = error_;
      return 0;
    }
    if (p == end) {
      result = errc::need_more;
      break;
    }
    switch (state_) {
      case state::header_line:
      case state::trailer_line:
        // The common case, a whole line in the input, is parsed where it lies in one pass.
        if (scratch_size_ == 0) {
          do {
            result = header_line_in_place(p, end);
          } while (result == ok && state_ == state::header_line && p != end);
          if (result != errc::need_more) break;
        }
        result = take_line(p, end);
        break;
      case state::status_line:
        result = take_line(p, end);
        break;
      case state::body_length:
      case state::chunk_data: {
        const auto n = static_cast<std::size_t>(
            std::min<std::uint64_t>(remaining_, static_cast<std::uint64_t>(end - p)));
        std::memcpy(body_buffer() + body_size_, p, n);
        body_size_ += n;
        remaining_ -= n;
        p += n;
        if (remaining_ == 0)
          state_ = state_ == state::body_length ? state::done : state::chunk_data_end;
        break;
      }
      case state::body_eof: {
        const auto n = static_cast<std::size_t>(end - p);
        if (n > limits_.max_body_bytes - body_size_) {
          result = errc::body_limit;
          break;
        }
        std::memcpy(body_buffer() + body_size_, p, n);
        body_size_ += n;
        p = end;
        break;
      }
      case state::chunk_extension: {
        // Extensions carry nothing posmode uses; skip to the line end, bounded so that a peer
        // cannot keep the parser busy forever on one size line.
        const std::size_t budget = limits_.max_header_bytes - extension_bytes_;
        const std::size_t avail = static_cast<std::size_t>(end - p);
        const auto* nl = static_cast<const char*>(std::memchr(p, '\n', std::min(avail, budget)));
        if (nl == nullptr) {
          if (avail >= budget) {
            result = errc::bad_chunk;
            break;
          }
          extension_bytes_ += avail;
          p = end;
          break;
        }
        p = nl + 1;
        result = on_chunk_line_end();
        break;
      }
      default:
        result = on_chunk_byte(*p);
        if (result == ok) ++p;
        break;
    }
  }
  if (result != errc::need_more) {
    state_ = state::failed;
    error_ = result;
  }
  ec = result;
  return static_cast<std::size_t>(p - begin);
}

errc http_response_parser::take_line(const char*& p, const char* end) noexcept {
  // Looking for the line end only within the header budget means a header block over the limit
  // fails at the first byte past it, and no byte beyond it is ever read.
  const std::size_t budget = limits_.max_header_bytes - header_bytes_;
  const auto avail = static_cast<std::size_t>(end - p);
  const std::size_t scan = std::min(avail, budget);
  // A TLS alert, an HTML page or other garbage fails on its first bytes, not at a line end that
  // may never come. The scratch holds the bytes of this line already checked.
  constexpr std::string_view status_prefix = "HTTP/1.";
  if (state_ == state::status_line && scratch_size_ < status_prefix.size()) {
    const std::size_t k = std::min(status_prefix.size() - scratch_size_, scan);
    if (std::memcmp(p, status_prefix.data() + scratch_size_, k) != 0) {
      return errc::bad_status_line;
    }
  }
  const auto* nl = static_cast<const char*>(std::memchr(p, '\n', scan));
  if (nl == nullptr) {
    if (avail > budget) return errc::header_limit;
    std::memcpy(scratch() + scratch_size_, p, avail);
    scratch_size_ += avail;
    header_bytes_ += avail;
    p = end;
    return errc::need_more;
  }
  const auto n = static_cast<std::size_t>(nl - p);
  header_bytes_ += n + 1;
  const char* line = p;
  std::size_t size = n;
  if (scratch_size_ != 0) {
    std::memcpy(scratch() + scratch_size_, p, n);
    line = scratch();
    size = scratch_size_ + n;
    scratch_size_ = 0;
  }
  p = nl + 1;
  if (size != 0 && line[size - 1] == '\r') --size;
  if (state_ == state::status_line) return on_status_line(line, size);
  return on_header_line(line, size);
}

errc http_response_parser::on_status_line(const char* line, std::size_t size) noexcept {
  // "HTTP/1.1 200" is the shortest accepted line: RFC 9112 §4 wants "HTTP/1.1 200 " but a missing
  // SP before an empty reason is harmless to accept.
  if (size < 12 || std::memcmp(line, "HTTP/1.", 7) != 0 || !is_digit(line[7]) || line[8] != ' ' ||
      !is_digit(line[9]) || !is_digit(line[10]) || !is_digit(line[11])) {
    return errc::bad_status_line;
  }
  const int code = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  if (code < 100 || code > 599) return errc::bad_status_line;
  std::string_view reason;
  if (size > 12) {
    if (line[12] != ' ') return errc::bad_status_line;
    reason = std::string_view(line + 13, size - 13);
    if (has_control(reason.data(), reason.size())) return errc::bad_status_line;
  }
  status_ = code;
  version_minor_ = line[7] - '0';
  reason_.assign(reason);  // truncated to reason_capacity
  state_ = state::header_line;
  return ok;
}

errc http_response_parser::header_line_in_place(const char*& p, const char* end) noexcept {
  // Only the bytes within the header budget are looked at, as in take_line(). need_more hands the
  // line to take_line(): when it is not whole in the input, and also when it is malformed, so that
  // the verdict is reached on the whole line and never depends on how the bytes were split.
  const char* const line = p;
  const std::size_t n =
      std::min(static_cast<std::size_t>(end - p), limits_.max_header_bytes - header_bytes_);
  const std::size_t colon = find_name_end(line, n);
  if (colon == n) return errc::need_more;
  if (colon == 0 && (line[0] == '\r' || line[0] == '\n')) {
    const std::size_t next = line[0] == '\n' ? 1 : 2;
    if (next == 2 && (n < 2 || line[1] != '\n')) return errc::need_more;
    header_bytes_ += next;
    p = line + next;
    return on_blank_line();
  }
  if (line[colon] != ':' || !is_token(line, colon)) return errc::need_more;
  std::size_t value = colon + 1;
  while (value < n && is_ows(line[value]))
    ++value;
  const std::size_t stop = value + find_control(line + value, n - value);
  if (stop == n) return errc::need_more;
  std::size_t next = stop + 1;
  if (line[stop] == '\r') {
    if (stop + 1 == n || line[stop + 1] != '\n') return errc::need_more;
    next = stop + 2;
  } else if (line[stop] != '\n') {
    return errc::need_more;
  }
  std::size_t value_end = stop;
  while (value_end > value && is_ows(line[value_end - 1]))
    --value_end;
  header_bytes_ += next;
  p = line + next;
  return on_field({line, colon}, {line + value, value_end - value});
}

errc http_response_parser::on_header_line(const char* line, std::size_t size) noexcept {
  // The same rules as header_line_in_place(), for a line whose terminator is already removed. An
  // obs-fold (a line starting with SP or HT) fails the token check: RFC 9112 §5.2 allows rejecting
  // it, and accepting it would need a copy to unfold.
  if (size == 0) return on_blank_line();
  std::size_t colon = 0;
  while (colon < size && token_chars[to_u8(line[colon])])
    ++colon;
  if (colon == 0 || colon == size || line[colon] != ':') return errc::bad_header;
  const char* value = line + colon + 1;
  const char* value_end = line + size;
  while (value != value_end && is_ows(*value))
    ++value;
  while (value_end != value && is_ows(value_end[-1]))
    --value_end;
  const auto value_size = static_cast<std::size_t>(value_end - value);
  if (has_control(value, value_size)) return errc::bad_header;
  return on_field({line, colon}, {value, value_size});
}

errc http_response_parser::on_blank_line() noexcept {
  if (state_ != state::trailer_line) return on_end_of_header();
  state_ = state::done;
  return ok;
}

errc http_response_parser::on_field(std::string_view name, std::string_view value) noexcept {
  return state_ == state::trailer_line ? ok : on_header_field(name, value);
}

errc http_response_parser::on_header_field(std::string_view name, std::string_view value) noexcept {
  switch (name.size()) {
    case 10:
      if (iequals(name, "connection")) {
        std::string_view rest = value;
        while (!rest.empty()) {
          const std::size_t comma = rest.find(',');
          const std::string_view option = trim_ows(slice(rest, 0, comma));
          if (iequals(option, "close")) close_token_ = true;
          if (iequals(option, "keep-alive")) keep_alive_token_ = true;
          rest = comma == std::string_view::npos ? std::string_view{} : slice(rest, comma + 1);
        }
        return ok;
      }
      break;
    case 11:
      if (iequals(name, "retry-after")) {
        std::int64_t seconds = -1;
        retry_after_seconds_ = parse_decimal(value, seconds) ? seconds : -1;
        // All digits but too many for int64: a very long wait, not an absent one.
        if (retry_after_seconds_ < 0 && !value.empty() &&
            std::all_of(value.begin(), value.end(), is_digit))
          retry_after_seconds_ = int64_max;
        retry_after_epoch_ = retry_after_seconds_ >= 0 ? -1 : parse_imf_fixdate(value);
        return ok;
      }
      break;
    case 12:
      if (iequals(name, "content-type")) {
        content_type_ = classify_content_type(value);
        return ok;
      }
      break;
    case 14:
      if (iequals(name, "content-length")) {
        std::int64_t length = 0;
        if (chunked_ || !parse_decimal(value, length)) return errc::bad_content_length;
        if (content_length_ >= 0 && length != content_length_) return errc::bad_content_length;
        content_length_ = length;
        // Fail before any of the body is read (and before it is awaited).
        if (status_has_body() && static_cast<std::uint64_t>(length) > limits_.max_body_bytes) {
          return errc::body_limit;
        }
        return ok;
      }
      break;
    case 17:
      if (iequals(name, "transfer-encoding")) {
        // RFC 9112 §6.3 ¶3: with both framings a client may treat the response as an error.
        if (content_length_ >= 0) return errc::bad_content_length;
        if (chunked_ || !iequals(value, "chunked")) return errc::unsupported_transfer_encoding;
        chunked_ = true;
        return ok;
      }
      break;
    default:
      break;
  }
  // Any other name may be a usage header the owner asked for; one length comparison keeps the
  // rest off the prefix loop.
  if (usage_min_name_ != 0 && name.size() >= usage_min_name_) on_usage_header(name, value);
  return ok;
}

void http_response_parser::on_usage_header(std::string_view name, std::string_view value) noexcept {
  const bool weight =
      !limits_.used_weight_header.empty() && iequals(name, limits_.used_weight_header);
  bool recorded = false;
  for (const std::string_view prefix : limits_.usage_header_prefixes)
    recorded = recorded || (!prefix.empty() && istarts_with(name, prefix));
  if (!weight && !recorded) return;
  std::int64_t number = -1;
  if (!parse_decimal(value, number)) number = -1;
  if (weight) used_weight_ = number;
  if (!recorded) return;
  if (usage_count_ == usage_.size() || name.size() > usage_header::name_capacity) {
    ++usage_dropped_;
    return;
  }
  usage_header& h = usage_[usage_count_++];
  h.name_text.assign(name);
  h.value = number;
}

errc http_response_parser::on_end_of_header() noexcept {
  if (status_ < 200 && status_ != 101) {
    // An interim response: what counts is the final one that follows (RFC 9110 §15.2).
    clear_message();
    state_ = state::status_line;
    return ok;
  }
  header_done_ = true;
  if (!status_has_body()) {
    // After 101 the connection speaks another protocol.
    if (status_ == 101) no_reuse_ = true;
    state_ = state::done;
  } else if (chunked_) {
    state_ = state::chunk_size;
  } else if (content_length_ >= 0) {
    remaining_ = static_cast<std::uint64_t>(content_length_);
    state_ = remaining_ == 0 ? state::done : state::body_length;
  } else {
    // RFC 9112 §6.3 ¶8: no framing, so the body ends when the server closes.
    no_reuse_ = true;
    state_ = state::body_eof;
  }
  return ok;
}

errc http_response_parser::on_chunk_line_end() noexcept {
  extension_bytes_ = 0;
  chunk_digits_ = 0;
  state_ = remaining_ == 0 ? state::trailer_line : state::chunk_data;
  return ok;
}

errc http_response_parser::on_chunk_byte(char c) noexcept {
  switch (state_) {
    case state::chunk_size: {
      const int digit = hex_value(c);
      if (digit >= 0) {
        // 15 hex digits fit in 60 bits: no overflow check needed on the accumulation.
        if (++chunk_digits_ > 15) return errc::bad_chunk;
        remaining_ = remaining_ * 16 + static_cast<std::uint64_t>(digit);
        return ok;
      }
      if (chunk_digits_ == 0) return errc::bad_chunk;
      if (remaining_ > limits_.max_body_bytes - body_size_) return errc::body_limit;
      state_ = state::chunk_size_tail;
      return on_chunk_byte(c);
    }
    case state::chunk_size_tail:
      if (c == '\r') {
        state_ = state::chunk_size_lf;
        return ok;
      }
      if (c == '\n') return on_chunk_line_end();
      [[fallthrough]];
    case state::chunk_size_bws:
      // chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ), RFC 9112 §7.1.1
      if (c == ';') {
        state_ = state::chunk_extension;
        return ok;
      }
      if (!is_ows(c) || ++extension_bytes_ >= limits_.max_header_bytes) return errc::bad_chunk;
      state_ = state::chunk_size_bws;
      return ok;
    case state::chunk_size_lf:
      return c == '\n' ? on_chunk_line_end() : errc::bad_chunk;
    case state::chunk_data_end:
      if (c == '\r') {
        state_ = state::chunk_data_lf;
        return ok;
      }
      [[fallthrough]];
    case state::chunk_data_lf:
      if (c != '\n') return errc::bad_chunk;
      state_ = state::chunk_size;
      return ok;
    default:
      return errc::bad_chunk;  // unreachable: put() dispatches only the states above
  }
}

}  // namespace posmode::engine
