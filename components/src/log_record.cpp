// The log record's names and its two formatters. Both write into the caller's buffer through one
// bounded writer: a record that does not fit is cut where it stops fitting, and the JSON form is
// closed so that a cut line still parses.

#include "posmode/components/log_record.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace posmode::components {

std::string_view to_string(log_level l) noexcept {
  switch (l) {
    case log_level::debug:
      return "debug";
    case log_level::info:
      return "info";
    case log_level::warning:
      return "warning";
    case log_level::error:
      return "error";
  }
  return "?";
}

std::string_view to_string(log_event e) noexcept {
  switch (e) {
    case log_event::insecure_endpoint:
      return "insecure_endpoint";
    case log_event::connect:
      return "connect";
    case log_event::reconnect:
      return "reconnect";
    case log_event::disconnect:
      return "disconnect";
    case log_event::tls_failure:
      return "tls_failure";
    case log_event::clock_resync:
      return "clock_resync";
    case log_event::clock_skew_retry:
      return "clock_skew_retry";
    case log_event::rate_limited:
      return "rate_limited";
    case log_event::ip_banned:
      return "ip_banned";
    case log_event::verification_mismatch:
      return "verification_mismatch";
    case log_event::warm_up:
      return "warm_up";
    case log_event::request_refused:
      return "request_refused";
    case log_event::signing_failed:
      return "signing_failed";
    case log_event::coupled_books:
      return "coupled_books";
    case log_event::key_cannot_trade:
      return "key_cannot_trade";
  }
  return "?";
}

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

// `YYYY-MM-DDTHH:MM:SS.mmmZ` for any non-negative millisecond count: H. Hinnant's
// civil_from_days (http://howardhinnant.github.io/date_algorithms.html). The request templates
// have their own writer, bound to the 13-digit range their slots hold; a test clock starts at 0.
std::array<char, 24> iso8601(std::int64_t ms) noexcept {
  if (ms < 0) ms = 0;
  const std::int64_t days = ms / 86'400'000;
  const std::int64_t in_day = ms % 86'400'000;
  const std::int64_t z = days + 719'468;
  const std::int64_t era = z / 146'097;
  const std::int64_t doe = z - era * 146'097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36'524 - doe / 146'096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  std::array<char, 24> t{};
  const auto put = [&t](std::size_t at, std::int64_t v, int width) {
    for (int i = width - 1; i >= 0; --i, v /= 10)
      t[at + static_cast<std::size_t>(i)] = static_cast<char>('0' + v % 10);
  };
  put(0, year % 10'000, 4);
  t[4] = '-';
  put(5, month, 2);
  t[7] = '-';
  put(8, day, 2);
  t[10] = 'T';
  put(11, in_day / 3'600'000, 2);
  t[13] = ':';
  put(14, in_day / 60'000 % 60, 2);
  t[16] = ':';
  put(17, in_day / 1000 % 60, 2);
  t[19] = '.';
  put(20, in_day % 1000, 3);
  t[23] = 'Z';
  return t;
}

// Appends into a span up to `limit` bytes; what does not fit is dropped and `full` is set. A
// piece written with `atomic` goes in whole or not at all.
class bounded_writer {
 public:
  bounded_writer(std::span<char> out, std::size_t reserve) noexcept
      : out_(out), limit_(out.size() > reserve ? out.size() - reserve : 0) {}

  bool atomic(std::string_view s) noexcept {
    if (full_ || n_ + s.size() > limit_) {
      full_ = true;
      return false;
    }
    for (const char c : s)
      out_[n_++] = c;
    return true;
  }
  template <typename I>
  bool number(I v) noexcept {
    std::array<char, 24> digits{};
    const auto [end, ec] = std::to_chars(digits.begin(), digits.end(), v);
    return ec == std::errc{} && atomic({digits.data(), end});
  }
  /** Ends a cut line with `s`, over its last bytes where it does not fit after them. */
  void cut_with(std::string_view s) noexcept {
    n_ = std::min(n_, out_.size() - std::min(out_.size(), s.size()));
    tail(s);
  }
  /** Past the limit: into the reserved tail. */
  void tail(std::string_view s) noexcept {
    for (const char c : s)
      if (n_ < out_.size()) out_[n_++] = c;
  }

  [[nodiscard]] bool full() const noexcept { return full_; }
  [[nodiscard]] std::size_t size() const noexcept { return n_; }
  void rewind(std::size_t n) noexcept { n_ = n; }

 private:
  std::span<char> out_;
  std::size_t limit_;
  std::size_t n_ = 0;
  bool full_ = false;
};

// Text: printable ASCII as is, anything else `\xNN`.
bool text_escaped(bounded_writer& w, std::string_view s) noexcept {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) {
      if (!w.atomic({&c, 1})) return false;
    } else {
      const char esc[] = {'\\', 'x', hex_digits[u >> 4], hex_digits[u & 0xf]};
      if (!w.atomic({esc, sizeof esc})) return false;
    }
  }
  return true;
}

// JSON string contents: `"` and `\` escaped, every other byte outside printable ASCII `\u00XX`.
bool json_escaped(bounded_writer& w, std::string_view s) noexcept {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      const char esc[] = {'\\', c};
      if (!w.atomic({esc, sizeof esc})) return false;
    } else if (u >= 0x20 && u < 0x7f) {
      if (!w.atomic({&c, 1})) return false;
    } else {
      const char esc[] = {'\\', 'u', '0', '0', hex_digits[u >> 4], hex_digits[u & 0xf]};
      if (!w.atomic({esc, sizeof esc})) return false;
    }
  }
  return true;
}

bool has_account(const log_record& r) noexcept {
  return r.account != no_account || !r.account_id.empty();
}

std::int64_t whole_seconds(std::int64_t ns) noexcept {
  return (ns + 500'000'000) / 1'000'000'000;
}

// Writes the JSON object's fields; returns false where the first one did not fit. `mark` is the
// end of the last complete field, `in_string` whether the writer stopped inside a string value.
class json_fields {
 public:
  explicit json_fields(bounded_writer& w) noexcept : w_(w) {}

  bool string(std::string_view key, std::string_view value) noexcept {
    if (!key_(key) || !w_.atomic("\"")) return rewind();
    if (!json_escaped(w_, value)) {
      in_string_ = true;
      return false;
    }
    if (!w_.atomic("\"")) {
      in_string_ = true;  // the closing quote is written from the reserve
      return false;
    }
    mark_ = w_.size();
    return true;
  }
  template <typename I>
  bool number(std::string_view key, I value) noexcept {
    if (!key_(key) || !w_.number(value)) return rewind();
    mark_ = w_.size();
    return true;
  }
  void open() noexcept {
    (void)w_.atomic("{");
    mark_ = w_.size();
  }
  void close() noexcept {
    if (!w_.full()) {
      w_.tail("}");
      return;
    }
    if (in_string_) {
      w_.tail("\"");
    } else {
      w_.rewind(mark_);
    }
    w_.tail(first_ ? "\"truncated\":true}" : ",\"truncated\":true}");
  }

 private:
  bool key_(std::string_view key) noexcept {
    if (!first_ && !w_.atomic(",")) return false;
    if (!w_.atomic("\"") || !w_.atomic(key) || !w_.atomic("\":")) return false;
    first_ = false;
    return true;
  }
  bool rewind() noexcept {
    w_.rewind(mark_);
    first_ = mark_ <= 1;
    return false;
  }

  bounded_writer& w_;
  std::size_t mark_ = 0;
  bool first_ = true;
  bool in_string_ = false;
};

}  // namespace

std::size_t format_text(const log_record& r, std::span<char> out, text_format f) noexcept {
  if (out.empty()) return 0;
  bounded_writer w(out, 0);
  // Each piece stops the line once one does not fit; the "..." says so.
  const auto line = [&]() noexcept {
    bool sep = false;
    const auto space = [&]() noexcept { return !sep || w.atomic(" "); };
    if (f.time) {
      const auto t = iso8601(r.wall_ms);
      if (!w.atomic({t.data(), t.size()})) return;
      sep = true;
    }
    if (f.level) {
      if (!space() || !w.atomic(to_string(r.level))) return;
      sep = true;
    }
    if (!space() || !w.atomic(to_string(r.event))) return;
    if (has_account(r)) {
      if (!w.atomic(" account=") || !text_escaped(w, r.account_id)) return;
      if (r.account != no_account && (!w.atomic("#") || !w.number(r.account))) return;
    }
    if (!r.host.empty()) {
      if (!w.atomic(" host=") || !text_escaped(w, r.host)) return;
      if (r.port != 0 && (!w.atomic(":") || !w.number(r.port))) return;
    }
    if (r.slot >= 0 && (!w.atomic(" slot=") || !w.number(r.slot))) return;
    if (r.http_status != 0 && (!w.atomic(" http=") || !w.number(r.http_status))) return;
    if (!r.code_text.empty()) {
      if (!w.atomic(" code=") || !text_escaped(w, r.code_text)) return;
    } else if (r.has_code && (!w.atomic(" code=") || !w.number(r.code))) {
      return;
    }
    if (!r.message.empty() && (!w.atomic(": ") || !text_escaped(w, r.message))) return;
    if (r.repeats > 0) {
      if (!w.atomic(" (repeated ") || !w.number(r.repeats) ||
          !w.atomic(r.repeats == 1 ? " time in " : " times in ") ||
          !w.number(whole_seconds(r.repeat_span_ns)) || !w.atomic(" s)"))
        return;
    }
  };
  line();
  if (w.full()) w.cut_with("...");
  return w.size();
}

namespace {

// The object in `out`, keeping `reserve` bytes for its end; `whole`: 0 unless all of it fits.
std::size_t json_object(const log_record& r, std::span<char> out, std::size_t reserve,
                        bool whole) noexcept {
  bounded_writer w(out, reserve);
  json_fields j(w);
  j.open();
  const auto fields = [&]() noexcept {
    const auto t = iso8601(r.wall_ms);
    if (!j.string("time", {t.data(), t.size()})) return;
    if (!j.number("monotonic_ns", r.monotonic_ns)) return;
    if (!j.string("level", to_string(r.level))) return;
    if (!j.string("event", to_string(r.event))) return;
    if (!r.account_id.empty() && !j.string("account", r.account_id)) return;
    if (r.account != no_account && !j.number("account_index", r.account)) return;
    if (!r.host.empty() && !j.string("host", r.host)) return;
    if (r.port != 0 && !j.number("port", r.port)) return;
    if (r.slot >= 0 && !j.number("slot", r.slot)) return;
    if (r.http_status != 0 && !j.number("http_status", r.http_status)) return;
    if (r.has_code && !j.number("code", r.code)) return;
    if (!r.code_text.empty() && !j.string("code_text", r.code_text)) return;
    if (!j.string("message", r.message)) return;
    if (r.repeats > 0) {
      if (!j.number("repeats", r.repeats)) return;
      (void)j.number("repeat_span_ns", r.repeat_span_ns);
    }
  };
  fields();
  if (w.full() && whole) return 0;
  j.close();
  return w.size();
}

}  // namespace

std::size_t format_json(const log_record& r, std::span<char> out) noexcept {
  if (out.size() < 64) return 0;
  // Whole if it fits; else again, keeping room for the closing quote and `,"truncated":true}`.
  if (const std::size_t n = json_object(r, out, 1, true)) return n;
  return json_object(r, out, 20, false);
}

}  // namespace posmode::components
