#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "posmode/engine/asymmetric_signer.hpp"
#include "posmode/engine/encoding.hpp"
#include "posmode/engine/hmac_sha512_signer.hpp"
#include "posmode/engine/hmac_signer.hpp"
#include "posmode/engine/secure_buffer.hpp"

namespace posmode::engine {

/** How a request's signature is written into its slot. */
enum class signature_encoding : std::uint8_t {
  hex_lower,  ///< lowercase hex: 64 characters for HMAC-SHA256 (Binance), 128 for SHA-512 (Gate)
  base64,     ///< 44 base64 characters with padding (Bitget; HMAC-SHA256 only)
  /// Standard base64 with `=` padding, then `+` `/` `=` percent-encoded as a query value
  /// (Binance's Ed25519 and RSA keys, docs/venues.md §1.6.1). The width varies with the
  /// signature: see `request_template`, "Variable-width signature slot".
  base64_percent,
};

/** What signs a request: the key schedule `request_template::resign` must be given. */
enum class signature_algorithm : std::uint8_t {
  hmac_sha256,  ///< `hmac_signer` (Binance, Bitget, OKX, Bybit)
  hmac_sha512,  ///< `hmac_sha512_signer` (Gate APIv4)
  ed25519,      ///< `asymmetric_signer` with an Ed25519 key (Binance key type `ed25519`)
  rsa_sha256,   ///< `asymmetric_signer` with an RSA key, PKCS#1 v1.5 + SHA-256 (Binance `rsa`)
};

/** True for the algorithms signed with a private key (`asymmetric_signer`): tens to hundreds of
 *  microseconds per signature, so they are made ahead of time. */
[[nodiscard]] constexpr bool is_asymmetric(signature_algorithm a) noexcept {
  return a == signature_algorithm::ed25519 || a == signature_algorithm::rsa_sha256;
}

/** The largest RSA key a template's slot holds a signature of (Binance takes 2048 or 4096 bits). */
inline constexpr int max_rsa_key_bits = 4096;

/** Base64 characters of the longest signature of `a` (88 for Ed25519, 684 for RSA-4096); 0 for
 *  HMAC. */
[[nodiscard]] constexpr std::size_t max_signature_base64(signature_algorithm a) noexcept {
  if (a == signature_algorithm::ed25519) return base64_encoded_size(64);
  if (a == signature_algorithm::rsa_sha256) return base64_encoded_size(max_rsa_key_bits / 8);
  return 0;
}

/**
 * The width of a signature slot for `algorithm` written in `encoding` (for `base64_percent`, the
 * slot's capacity: three bytes per base64 character of the longest signature); 0 for a pair
 * posmode does not write (SHA-512 in base64; an asymmetric key in anything but `base64_percent`;
 * HMAC in `base64_percent`).
 */
[[nodiscard]] constexpr std::size_t signature_width(signature_algorithm algorithm,
                                                    signature_encoding encoding) noexcept {
  if (is_asymmetric(algorithm))
    return encoding == signature_encoding::base64_percent ? 3 * max_signature_base64(algorithm) : 0;
  if (encoding == signature_encoding::base64_percent) return 0;
  if (algorithm == signature_algorithm::hmac_sha512)
    return encoding == signature_encoding::hex_lower ? hmac_sha512_signer::hex_size : 0;
  return encoding == signature_encoding::hex_lower ? hmac_signer::hex_size
                                                   : hmac_signer::base64_size;
}

/** Width of the millisecond timestamp slot: 13 digits cover 2001-09-09 to 2286-11-20. */
inline constexpr std::size_t timestamp_digits = 13;
/** Smallest and largest timestamp a slot can hold (exactly 13 digits, no leading zero). */
inline constexpr std::int64_t min_slot_timestamp_ms = 1'000'000'000'000;
inline constexpr std::int64_t max_slot_timestamp_ms = 9'999'999'999'999;

/** How a template's timestamp slots write the time. Every slot of one template uses one format. */
enum class timestamp_format : std::uint8_t {
  epoch_ms,    ///< 13 digits of milliseconds since 1970 (Binance, Bitget): `1700000000000`
  iso8601_ms,  ///< UTC ISO-8601 with milliseconds (OKX): `2023-11-14T22:13:20.000Z`
  /// 10 digits of whole seconds since 1970 (Gate): `1700000000`. The milliseconds are cut, never
  /// rounded up, so the venue sees a time no later than the one posmode budgets with.
  epoch_s,
};

/** Width of an `iso8601_ms` slot: `YYYY-MM-DDTHH:MM:SS.mmmZ`. */
inline constexpr std::size_t iso8601_timestamp_size = 24;

/** Width of an `epoch_s` slot: 10 digits cover 2001-09-09 to 2286-11-20, as the 13 ms digits. */
inline constexpr std::size_t epoch_seconds_digits = 10;

/** The width of a timestamp slot in `format`. */
[[nodiscard]] constexpr std::size_t timestamp_width(timestamp_format format) noexcept {
  switch (format) {
    case timestamp_format::iso8601_ms:
      return iso8601_timestamp_size;
    case timestamp_format::epoch_s:
      return epoch_seconds_digits;
    case timestamp_format::epoch_ms:
      break;
  }
  return timestamp_digits;
}

/**
 * Writes `timestamp_ms` (in `min_slot_timestamp_ms`..`max_slot_timestamp_ms`) into `out` in
 * `format`, exactly `timestamp_width(format)` characters. Hot path: noexcept, no allocation, no
 * system call, no time-zone lookup (the proleptic Gregorian calendar in UTC). Precondition: the
 * value is in range (`request_template::stamp` checks it).
 */
void write_timestamp(timestamp_format format, std::int64_t timestamp_ms, char* out) noexcept;

/**
 * A piece of request text under construction: literal bytes interleaved with fixed-width slots.
 * Used only at render time (it allocates); the rendered `request_template` keeps none of it.
 *
 * Markers:
 * - `timestamp()`: the time, written on every re-sign in the spec's `time_format` (13 digits of
 *   epoch milliseconds, 10 of epoch seconds, or 24 characters of ISO-8601);
 * - `signature()`: the signature (64 or 128 hex, or 44 base64 characters, per the template's
 *   algorithm and encoding; for `base64_percent`, a slot of variable width);
 * - `begin_signed()` / `end_signed()`: zero-width marks bounding the part of the wire bytes that is
 *   signed, for venues whose signed string is contiguous on the wire (Binance's query string).
 */
class request_text {
 public:
  /** Kinds of piece; `literal` carries text, the others are slots or marks. */
  enum class piece_kind : std::uint8_t { literal, timestamp, signature, begin_signed, end_signed };
  struct piece {
    piece_kind kind;
    std::string text;  ///< only for `literal`
  };

  request_text() = default;
  /** Starts with `literal` (implicit, so a plain string can be passed where text is expected). */
  request_text(std::string_view literal) { text(literal); }  // NOLINT(google-explicit-constructor)
  request_text(const char* literal) : request_text(std::string_view(literal)) {}         // NOLINT
  request_text(const std::string& literal) : request_text(std::string_view(literal)) {}  // NOLINT

  request_text& text(std::string_view literal);
  request_text& timestamp();
  request_text& signature();
  request_text& begin_signed();
  request_text& end_signed();

  [[nodiscard]] const std::vector<piece>& pieces() const noexcept { return pieces_; }
  /** The pieces, for `wipe(request_spec&)`, which overwrites their text. */
  [[nodiscard]] std::vector<piece>& pieces_for_wipe() noexcept { return pieces_; }

 private:
  std::vector<piece> pieces_;
};

/** One header line of a request: `name: value`. The value may hold slots. */
struct request_header {
  std::string name;
  request_text value;
};

/**
 * What to render: an HTTP/1.1 request with a `Host` header, the given headers in order, a
 * `Content-Length` when the method is POST/PUT or the body is not empty, and the body.
 *
 * The signed string is either the part of `target` between `begin_signed()` and `end_signed()`
 * (Binance signs its query string), or `signed_text` when the venue signs something that is not
 * contiguous on the wire (Bitget signs timestamp + method + path + body); never both.
 */
struct request_spec {
  std::string method;                       ///< "GET" or "POST" (any token is accepted)
  std::string host;                         ///< `Host` header value (with ":port" when not 443)
  request_text target;                      ///< origin-form path and query; may hold slots
  std::vector<request_header> headers;      ///< in wire order, after `Host`
  std::string body;                         ///< sent as is; no slots
  std::optional<request_text> signed_text;  ///< a separately signed string, or none
  signature_encoding encoding = signature_encoding::hex_lower;
  /** The key schedule that signs it (`resign` refuses another). */
  signature_algorithm algorithm = signature_algorithm::hmac_sha256;
  /** How every timestamp slot (target, headers, signed text) writes the time. */
  timestamp_format time_format = timestamp_format::epoch_ms;
};

/**
 * Overwrites every string of `spec` (the target, header values, body and signed text may hold an
 * API key or passphrase) before their memory goes back to the allocator, and empties them.
 * No allocation; never throws.
 */
void wipe(request_spec& spec) noexcept;

/**
 * A request rendered once into contiguous HTTP/1.1 bytes, patched in place per send.
 *
 * At construction the spec is rendered into one buffer; the offsets of the timestamp slots, the
 * signature slot and the signed string are found then and kept. `resign()` writes the timestamp
 * into every slot (on the wire and in the separately signed string, if any), signs the signed
 * string straight from the buffer and writes the signature into its slot: no allocation, no
 * formatting library, no system call. `bytes()` is then ready for the socket.
 *
 * A template without slots (ping, server time) is complete at construction; `resign()` is a
 * no-op for it apart from recording the time.
 *
 * **Threads.** Not synchronised: one thread re-signs and reads a given template. The buffer is
 * allocated once (a `secure_buffer`: its own pages, excluded from core dumps, wiped when the
 * template is destroyed, since it holds the API key and any passphrase header), so `bytes()`
 * stays valid across moves of the template.
 *
 * **Variable-width signature slot** (`signature_encoding::base64_percent`: Binance's Ed25519
 * and RSA keys). A base64 signature percent-encoded as a query value has a width that depends on
 * how many `+`, `/` and `=` it holds (Ed25519: 88 to 264 characters). Binance documents no padding
 * it would ignore, so the request is re-rendered instead: the slot is rendered at its capacity
 * (`signature_width`), and the bytes after it (the rest of the target, the headers, the body:
 * "the tail") are kept in a copy beside the wire bytes. `resign()` writes the encoded signature
 * into the slot and copies the tail right after it, inside the buffer allocated at construction:
 * `bytes()` then ends earlier, and no allocation happens. The tail must be constant: the
 * constructor refuses a timestamp slot, or the signed region, after a variable-width slot. The
 * slot may stand in the target or a header, never in the body (which has no slots), so
 * `Content-Length` never changes; only the total length does. `signature_offset()` stays valid;
 * `signature_view()` is the current signature.
 *
 * **Errors.** The constructor throws `std::invalid_argument` for a spec that cannot be rendered
 * (slots misplaced, a signature slot without a signed string, CR/LF in a header, more than
 * `max_timestamp_slots` timestamps). `resign()` reports through its return value.
 */
class request_template {
 public:
  /** Timestamp slots a template may hold (Bitget: header plus signed string). */
  static constexpr std::size_t max_timestamp_slots = 4;

  /** Renders `spec`. Allocates; throws `std::invalid_argument` naming the problem. */
  explicit request_template(const request_spec& spec);

  request_template(const request_template&) = delete;
  request_template& operator=(const request_template&) = delete;
  request_template(request_template&&) noexcept = default;
  request_template& operator=(request_template&&) noexcept = default;
  ~request_template() = default;

  /**
   * Writes `timestamp_ms` into every timestamp slot and re-signs with `signer`.
   *
   * Hot path: noexcept, no allocation (with the signer's `sha_ni` backend), no system call.
   * The slots take the template's `timestamp_format` (epoch milliseconds or seconds, ISO-8601);
   * whatever the format, the value is checked against the 13-digit range, and `timestamp_ms()`
   * keeps the milliseconds.
   * @return `errc::timestamp_out_of_range` if `timestamp_ms` is not a 13-digit value,
   *         `errc::signing_failed` if the signer fails or signs another algorithm than the
   *         template's (`algorithm()`); the bytes are then unspecified and
   *         `is_signed()` is false until a later `resign()` succeeds.
   */
  [[nodiscard]] std::error_code resign(hmac_signer& signer, std::int64_t timestamp_ms) noexcept;

  /**
   * As above, for a template whose spec names `signature_algorithm::hmac_sha512` (Gate). Either
   * overload given the other algorithm's template returns `errc::signing_failed` and leaves the
   * template unsigned.
   */
  [[nodiscard]] std::error_code resign(const hmac_sha512_signer& signer,
                                       std::int64_t timestamp_ms) noexcept;

  /**
   * As above, for a template of `signature_algorithm::ed25519` or `rsa_sha256` whose key is of
   * the same type (`signer.algorithm()`): the signature is made over `signed_view()`, written in
   * base64 and percent-encoded into the variable-width slot, and the tail moved after it.
   *
   * Not for the hot path: the signature costs tens (Ed25519) to hundreds (RSA) of microseconds
   * and allocates inside OpenSSL (`EVP_DigestSign*`); keep such templates pre-signed
   * (`presigned_request`). Noexcept, no system call, no allocation of posmode's own.
   * @return as the HMAC overloads; `errc::signing_failed` also for a signature wider than the
   *         slot (an RSA key over `max_rsa_key_bits`).
   */
  [[nodiscard]] std::error_code resign(const asymmetric_signer& signer,
                                       std::int64_t timestamp_ms) noexcept;

  /** Marks the signature stale: `is_signed()` is false until the next `resign()` (after the
   *  venue's clock moved, so that the next sender signs it anew). Noexcept. */
  void invalidate() noexcept { signed_ok_ = !needs_signature(); }

  /** Writes the timestamp slots only (templates without a signature; tests). Same errors. */
  [[nodiscard]] std::error_code stamp(std::int64_t timestamp_ms) noexcept;

  /** The wire bytes: request line, headers, body. */
  [[nodiscard]] std::span<const char> bytes() const noexcept {
    return {buffer_.data(), wire_size_};
  }
  [[nodiscard]] std::string_view view() const noexcept { return {buffer_.data(), wire_size_}; }
  /** The string the signature covers, as it stands in the buffer now. Empty when unsigned. */
  [[nodiscard]] std::string_view signed_view() const noexcept {
    return {buffer_.data() + signed_offset_, signed_size_};
  }
  /** The current signature characters on the wire (empty for unsigned templates). */
  [[nodiscard]] std::string_view signature_view() const noexcept {
    return {buffer_.data() + signature_offset_, signature_size_};
  }

  /** True when the template has a signature slot. */
  [[nodiscard]] bool needs_signature() const noexcept { return signature_capacity_ != 0; }
  /** True when the bytes carry a valid signature for the last timestamp (or need none). */
  [[nodiscard]] bool is_signed() const noexcept { return signed_ok_; }
  /** The timestamp last written, or -1 before the first `stamp`/`resign`. */
  [[nodiscard]] std::int64_t timestamp_ms() const noexcept { return timestamp_ms_; }

  /** The format of the timestamp slots, and their width in bytes. */
  [[nodiscard]] timestamp_format time_format() const noexcept { return time_format_; }
  /** The key schedule the template is signed with. */
  [[nodiscard]] signature_algorithm algorithm() const noexcept { return algorithm_; }
  [[nodiscard]] std::size_t timestamp_size() const noexcept {
    return timestamp_width(time_format_);
  }
  /** Offsets of the timestamp slots within the wire bytes (slots in the signed string excluded). */
  [[nodiscard]] std::span<const std::size_t> wire_timestamp_offsets() const noexcept {
    return {timestamp_offsets_.data(), wire_timestamp_count_};
  }
  /** Offset of the signature slot within the wire bytes. Meaningful when `needs_signature()`. */
  [[nodiscard]] std::size_t signature_offset() const noexcept { return signature_offset_; }
  /** The slot's capacity: its fixed width, or the widest signature of a variable-width slot. */
  [[nodiscard]] std::size_t signature_capacity() const noexcept { return signature_capacity_; }

 private:
  // Wire bytes, then the separately signed string (if any). They carry the API key and, for
  // Bitget, the passphrase: pages of their own, kept out of core dumps and wiped when freed.
  secure_buffer buffer_;
  std::size_t wire_size_ = 0;
  std::size_t signed_offset_ = 0;
  std::size_t signed_size_ = 0;
  std::size_t signature_offset_ = 0;
  std::size_t signature_size_ = 0;      // the current signature's width on the wire
  std::size_t signature_capacity_ = 0;  // the slot's rendered width
  // Variable-width slot only: the constant bytes after the slot, kept at tail_offset_ (after
  // the wire bytes and the separately signed string) and copied after each new signature.
  std::size_t tail_offset_ = 0;
  std::size_t tail_size_ = 0;
  std::array<std::size_t, max_timestamp_slots> timestamp_offsets_{};
  std::size_t timestamp_count_ = 0;
  std::size_t wire_timestamp_count_ = 0;
  std::int64_t timestamp_ms_ = -1;
  signature_encoding encoding_ = signature_encoding::hex_lower;
  signature_algorithm algorithm_ = signature_algorithm::hmac_sha256;
  timestamp_format time_format_ = timestamp_format::epoch_ms;
  bool signed_ok_ = false;
};

}  // namespace posmode::engine
