#include "posmode/engine/http_request.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "posmode/engine/error.hpp"

namespace posmode::engine {

request_text& request_text::text(std::string_view literal) {
  if (!literal.empty()) pieces_.push_back({piece_kind::literal, std::string(literal)});
  return *this;
}
request_text& request_text::timestamp() {
  pieces_.push_back({piece_kind::timestamp, {}});
  return *this;
}
request_text& request_text::signature() {
  pieces_.push_back({piece_kind::signature, {}});
  return *this;
}
request_text& request_text::begin_signed() {
  pieces_.push_back({piece_kind::begin_signed, {}});
  return *this;
}
request_text& request_text::end_signed() {
  pieces_.push_back({piece_kind::end_signed, {}});
  return *this;
}

namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::invalid_argument("request template: " + what);
}

// RFC 9110 §5.6.2 token characters: what a method or a header name may contain.
bool is_token(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
  });
}

bool has_line_break(std::string_view s) {
  return s.find_first_of("\r\n") != std::string_view::npos;
}

void wipe_string(std::string& s) noexcept {
  if (s.capacity() != 0) OPENSSL_cleanse(s.data(), s.capacity());
  s.clear();
}

// Collects the bytes and slot positions while a spec is rendered. The text holds the API key and
// any passphrase: it is wiped however rendering ends.
struct renderer {
  renderer() = default;
  ~renderer() { wipe_string(out); }
  renderer(const renderer&) = delete;
  renderer& operator=(const renderer&) = delete;

  std::string out;
  std::vector<std::size_t> timestamps;
  std::vector<std::size_t> signatures;
  std::vector<std::size_t> begins;
  std::vector<std::size_t> ends;
  std::size_t signature_width = 0;
  std::size_t timestamp_width = timestamp_digits;

  enum class place { target, header, signed_text };

  void append(const request_text& text, place where, std::string_view what) {
    for (const auto& p : text.pieces()) {
      switch (p.kind) {
        case request_text::piece_kind::literal:
          // The separately signed string never goes on the wire, and Gate's joins its parts with
          // LF: only wire text must be free of line breaks.
          if (where != place::signed_text && has_line_break(p.text))
            fail(std::string(what) + " contains CR or LF");
          if (where == place::target && p.text.find(' ') != std::string::npos)
            fail("target contains a space");
          out += p.text;
          break;
        case request_text::piece_kind::timestamp:
          timestamps.push_back(out.size());
          out.append(timestamp_width, '0');
          break;
        case request_text::piece_kind::signature:
          if (where == place::signed_text) fail("the signed text cannot contain the signature");
          signatures.push_back(out.size());
          out.append(signature_width, '0');
          break;
        case request_text::piece_kind::begin_signed:
        case request_text::piece_kind::end_signed:
          if (where != place::target) fail(std::string(what) + " cannot hold signed-region marks");
          (p.kind == request_text::piece_kind::begin_signed ? begins : ends).push_back(out.size());
          break;
      }
    }
  }
};

}  // namespace

namespace {

void write_digits(std::uint64_t value, char* out, std::size_t count) noexcept {
  for (std::size_t i = count; i-- > 0;) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

void write_timestamp(timestamp_format format, std::int64_t timestamp_ms, char* out) noexcept {
  const auto ms = static_cast<std::uint64_t>(timestamp_ms);
  if (format == timestamp_format::epoch_ms) {
    write_digits(ms, out, timestamp_digits);
    return;
  }
  if (format == timestamp_format::epoch_s) {
    write_digits(ms / 1'000, out, epoch_seconds_digits);
    return;
  }
  // Days since 1970 to a civil date: H. Hinnant's days_from_civil inverse ("chrono-Compatible
  // Low-Level Date Algorithms"), exact for the proleptic Gregorian calendar; the slot's range
  // keeps every value positive, so unsigned arithmetic is enough and no time-zone table is read.
  constexpr std::uint64_t ms_per_day = 86'400'000;
  const std::uint64_t days = ms / ms_per_day;
  std::uint64_t in_day = ms % ms_per_day;
  const std::uint64_t z = days + 719'468;
  const std::uint64_t era = z / 146'097;
  const std::uint64_t doe = z - era * 146'097;
  const std::uint64_t yoe = (doe - doe / 1'460 + doe / 36'524 - doe / 146'096) / 365;
  const std::uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::uint64_t mp = (5 * doy + 2) / 153;
  const std::uint64_t day = doy - (153 * mp + 2) / 5 + 1;
  const std::uint64_t month = mp < 10 ? mp + 3 : mp - 9;
  const std::uint64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const std::uint64_t millis = in_day % 1'000;
  in_day /= 1'000;
  write_digits(year, out, 4);
  out[4] = '-';
  write_digits(month, out + 5, 2);
  out[7] = '-';
  write_digits(day, out + 8, 2);
  out[10] = 'T';
  write_digits(in_day / 3'600, out + 11, 2);
  out[13] = ':';
  write_digits(in_day / 60 % 60, out + 14, 2);
  out[16] = ':';
  write_digits(in_day % 60, out + 17, 2);
  out[19] = '.';
  write_digits(millis, out + 20, 3);
  out[23] = 'Z';
}

void wipe(request_spec& spec) noexcept {
  const auto wipe_text = [](request_text& text) noexcept {
    for (auto& piece : text.pieces_for_wipe())
      wipe_string(piece.text);
  };
  wipe_string(spec.method);
  wipe_string(spec.host);
  wipe_text(spec.target);
  for (auto& h : spec.headers) {
    wipe_string(h.name);
    wipe_text(h.value);
  }
  wipe_string(spec.body);
  if (spec.signed_text) wipe_text(*spec.signed_text);
}

request_template::request_template(const request_spec& spec)
    : encoding_(spec.encoding), algorithm_(spec.algorithm), time_format_(spec.time_format) {
  if (spec.time_format != timestamp_format::epoch_ms &&
      spec.time_format != timestamp_format::iso8601_ms &&
      spec.time_format != timestamp_format::epoch_s)
    fail("unknown timestamp format");
  if (signature_width(spec.algorithm, spec.encoding) == 0)
    fail(
        "no signature encoding for this algorithm (HMAC-SHA512 is written in hex only, Ed25519 "
        "and RSA in percent-encoded base64 only)");
  if (!is_token(spec.method)) fail("method '" + spec.method + "' is not an HTTP token");
  if (spec.host.empty() || has_line_break(spec.host) || spec.host.find(' ') != std::string::npos)
    fail("host '" + spec.host + "' is empty or contains whitespace");

  renderer r;
  r.timestamp_width = timestamp_width(spec.time_format);
  r.signature_width = signature_width(spec.algorithm, spec.encoding);
  // Large enough that no growth leaves an unwiped copy behind for any venue's request.
  r.out.reserve(8192);
  r.out += spec.method;
  r.out += ' ';
  r.append(spec.target, renderer::place::target, "target");
  if (r.out.size() == spec.method.size() + 1 || r.out[spec.method.size() + 1] != '/')
    fail("target must start with '/'");
  r.out += " HTTP/1.1\r\nHost: ";
  r.out += spec.host;
  r.out += "\r\n";
  for (const auto& h : spec.headers) {
    if (!is_token(h.name)) fail("header name '" + h.name + "' is not an HTTP token");
    r.out += h.name;
    r.out += ": ";
    r.append(h.value, renderer::place::header, "header " + h.name);
    r.out += "\r\n";
  }
  if (spec.method == "POST" || spec.method == "PUT" || !spec.body.empty()) {
    r.out += "Content-Length: ";
    r.out += std::to_string(spec.body.size());
    r.out += "\r\n";
  }
  r.out += "\r\n";
  r.out += spec.body;
  wire_size_ = r.out.size();
  wire_timestamp_count_ = r.timestamps.size();

  if (r.begins.size() > 1 || r.ends.size() > 1 || r.begins.size() != r.ends.size())
    fail("signed-region marks must come as one begin_signed() and one end_signed()");
  const bool region_on_wire = r.begins.size() == 1;
  if (region_on_wire && spec.signed_text) fail("both a signed region and a signed_text given");
  if (region_on_wire) {
    if (r.ends[0] < r.begins[0]) fail("end_signed() comes before begin_signed()");
    signed_offset_ = r.begins[0];
    signed_size_ = r.ends[0] - r.begins[0];
  } else if (spec.signed_text) {
    signed_offset_ = r.out.size();
    r.append(*spec.signed_text, renderer::place::signed_text, "signed text");
    signed_size_ = r.out.size() - signed_offset_;
  }
  const bool has_signed_string = region_on_wire || spec.signed_text.has_value();

  if (r.signatures.size() > 1) fail("more than one signature slot");
  if (r.signatures.size() == 1 && !has_signed_string)
    fail("a signature slot needs a signed region or a signed_text");
  if (r.signatures.empty() && has_signed_string) fail("a signed string without a signature slot");
  if (r.signatures.size() == 1) {
    signature_offset_ = r.signatures[0];
    signature_size_ = r.signature_width;
    signature_capacity_ = r.signature_width;
    if (region_on_wire && signature_offset_ < signed_offset_ + signed_size_ &&
        signature_offset_ + signature_size_ > signed_offset_)
      fail("the signature slot lies inside the signed region");
  }
  const bool variable =
      signature_capacity_ != 0 && spec.encoding == signature_encoding::base64_percent;
  if (variable) {
    // The bytes after the slot move with each signature's width: they must not change.
    const std::size_t slot_end = signature_offset_ + signature_capacity_;
    for (std::size_t i = 0; i < wire_timestamp_count_; ++i)
      if (r.timestamps[i] >= slot_end)
        fail("a timestamp slot after a variable-width signature slot");
    if (region_on_wire && signed_offset_ >= slot_end)
      fail("the signed region after a variable-width signature slot");
    tail_offset_ = r.out.size();
    tail_size_ = wire_size_ - slot_end;
    r.out.append(r.out, slot_end, tail_size_);
  }
  if (r.timestamps.size() > max_timestamp_slots) fail("too many timestamp slots");
  std::copy(r.timestamps.begin(), r.timestamps.end(), timestamp_offsets_.begin());
  timestamp_count_ = r.timestamps.size();

  buffer_ = secure_buffer(r.out.size());
  std::memcpy(buffer_.data(), r.out.data(), r.out.size());
  signed_ok_ = !needs_signature();
}

std::error_code request_template::stamp(std::int64_t timestamp_ms) noexcept {
  if (timestamp_ms < min_slot_timestamp_ms || timestamp_ms > max_slot_timestamp_ms)
    return errc::timestamp_out_of_range;
  // Render the text once, then copy it into each slot (10, 13 or 24 bytes: a few moves).
  std::array<char, iso8601_timestamp_size> text;
  write_timestamp(time_format_, timestamp_ms, text.data());
  const std::size_t width = timestamp_width(time_format_);
  for (std::size_t i = 0; i < timestamp_count_; ++i)
    std::memcpy(buffer_.data() + timestamp_offsets_[i], text.data(), width);
  timestamp_ms_ = timestamp_ms;
  signed_ok_ = !needs_signature();
  return {};
}

std::error_code request_template::resign(hmac_signer& signer, std::int64_t timestamp_ms) noexcept {
  if (auto ec = stamp(timestamp_ms)) return ec;
  if (!needs_signature()) return {};
  if (algorithm_ != signature_algorithm::hmac_sha256) return errc::signing_failed;
  char* slot = buffer_.data() + signature_offset_;
  const std::string_view message = signed_view();
  const bool ok =
      encoding_ == signature_encoding::hex_lower
          ? signer.sign_hex(message,
                            std::span<char, hmac_signer::hex_size>(slot, hmac_signer::hex_size))
          : signer.sign_base64(
                message, std::span<char, hmac_signer::base64_size>(slot, hmac_signer::base64_size));
  if (!ok) return errc::signing_failed;
  signed_ok_ = true;
  return {};
}

std::error_code request_template::resign(const asymmetric_signer& signer,
                                         std::int64_t timestamp_ms) noexcept {
  if (auto ec = stamp(timestamp_ms)) return ec;
  if (!needs_signature()) return {};
  const signature_algorithm wanted = signer.algorithm() == key_algorithm::ed25519
                                         ? signature_algorithm::ed25519
                                         : signature_algorithm::rsa_sha256;
  if (algorithm_ != wanted || encoding_ != signature_encoding::base64_percent)
    return errc::signing_failed;
  // Base64 first, on the stack (at most 684 characters for RSA-4096), then encoded into the slot.
  std::array<char, max_signature_base64(signature_algorithm::rsa_sha256)> base64;
  const std::size_t n = signer.sign_base64(signed_view(), base64);
  if (n == 0) return errc::signing_failed;
  char* slot = buffer_.data() + signature_offset_;
  const std::size_t width =
      percent_encode_base64({base64.data(), n}, std::span<char>(slot, signature_capacity_));
  OPENSSL_cleanse(base64.data(), base64.size());  // not secret, but no stale copies either
  if (width == 0) return errc::signing_failed;
  // The tail's copy lies beyond the slot's capacity: the ranges never overlap.
  std::memcpy(slot + width, buffer_.data() + tail_offset_, tail_size_);
  signature_size_ = width;
  wire_size_ = signature_offset_ + width + tail_size_;
  signed_ok_ = true;
  return {};
}

std::error_code request_template::resign(const hmac_sha512_signer& signer,
                                         std::int64_t timestamp_ms) noexcept {
  if (auto ec = stamp(timestamp_ms)) return ec;
  if (!needs_signature()) return {};
  if (algorithm_ != signature_algorithm::hmac_sha512) return errc::signing_failed;
  signer.sign_hex(signed_view(),
                  std::span<char, hmac_sha512_signer::hex_size>(buffer_.data() + signature_offset_,
                                                                hmac_sha512_signer::hex_size));
  signed_ok_ = true;
  return {};
}

}  // namespace posmode::engine
