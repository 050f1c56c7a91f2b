#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <system_error>

#include "posmode/engine/error.hpp"
#include "posmode/engine/fixed_string.hpp"

namespace posmode::engine {

/**
 * What the parser keeps of one response, fixed at parser construction: the size limits and the
 * rate-limit headers its owner wants recorded. The size limits are exact: a header block or a
 * body of exactly the limit is accepted, one byte more is rejected.
 *
 * The parser knows no venue: the owner names the usage headers of the venue it talks to
 * (posmode::components fills them from its venue table). The views are stored as they are, not
 * copied: they must outlive every parser built from these limits (string literals, in practice).
 * No member allocates.
 */
struct http_limits {
  /** How many usage-header prefixes an owner may name. */
  static constexpr std::size_t max_usage_prefixes = 4;

  /** Status line plus header lines plus the blank line, line terminators included; interim 1xx
   *  responses and chunked trailers count toward it too. Also the size of the line scratch. */
  std::size_t max_header_bytes = 8192;
  /** Decoded body bytes (after removing the chunked coding). */
  std::size_t max_body_bytes = 64 * 1024;
  /**
   * Header-name prefixes of the usage headers to record (`usage_headers()`), compared
   * case-insensitively, e.g. `x-mbx-used-weight-` (a prefix may also be a whole name, e.g.
   * `x-bapi-limit-status`). Lower case, header-name characters only; empty entries are unused.
   * All empty (the default): no usage header is recorded.
   */
  std::array<std::string_view, max_usage_prefixes> usage_header_prefixes{};
  /**
   * The one header (whole name, lower case, compared case-insensitively) whose decimal value
   * `used_weight()` reports, e.g. `x-mbx-used-weight-1m`. Empty (the default): none.
   */
  std::string_view used_weight_header{};
};

/**
 * Readable bytes guaranteed after the end of `http_response_parser::body()`, so simdjson's
 * on-demand parser can read the body in place. Must be at least `simdjson::SIMDJSON_PADDING`
 * (64 in simdjson 3.0; the tests check it); simdjson is not included here on purpose. The padding
 * bytes are zero when the parser is constructed, but a longer earlier body may have overwritten
 * them, so their content is unspecified.
 */
inline constexpr std::size_t body_padding = 64;

/**
 * What the Content-Type header announces. The media type (before any `;` parameter) is compared
 * case-insensitively: `application/json` and `application/<anything>+json` are `json`,
 * `text/html` is `html`, any other `text/<subtype>` is `text`, anything else (an empty value too)
 * is `other`; `none` when the header is absent.
 */
enum class content_kind : std::uint8_t { none, json, html, text, other };

/**
 * One rate-limit usage header, copied out of the response: a header whose name starts with one
 * of `http_limits::usage_header_prefixes` (for Binance `X-MBX-USED-WEIGHT-<interval>` and
 * `X-MBX-ORDER-COUNT-<interval>`). Trivially copyable; no allocation.
 */
struct usage_header {
  static constexpr std::size_t name_capacity = 32;  ///< longer names are not recorded

  fixed_string<name_capacity> name_text;  ///< the name as received (case kept)
  std::int64_t value = -1;  ///< the decimal value, or -1 if it is not a plain decimal integer

  /** The header name as received, e.g. `x-mbx-used-weight-1m`. */
  [[nodiscard]] std::string_view name() const noexcept { return name_text.view(); }
};

/**
 * Incremental parser for one HTTP/1.1 response at a time on a client connection.
 *
 * **Contract** (Beast's `basic_parser` shape). Feed bytes with `put()` in whatever pieces the
 * transport delivered; each call consumes what belongs to the current response and reports
 * `errc::need_more` (feed more), success (`done()`; unconsumed bytes belong to the next response)
 * or a fatal error. Call `put_eof()` when the peer closes, and `reset()` before the next response
 * on the same connection. Results (status, selected headers, the decoded body) are read through
 * the accessors and stay valid until `reset()`.
 *
 * **Byte-split proof, no re-scan.** `put()` consumes every byte it is given that belongs to the
 * response, whatever the split (one byte at a time, in the middle of a CRLF or of a chunk size), so
 * no byte is ever presented twice or gone back over once consumed. A header line that is whole in
 * the input is parsed where it lies, in one pass that finds the colon, checks the name and value
 * and finds the line end, eight bytes at a time. Only a line cut by the end of a `put()` is copied
 * into the line scratch, and parsed there once its end arrives. Body bytes are copied in bulk
 * (`memcpy`) into the body buffer, where they are followed by `body_padding` readable bytes for
 * simdjson. Results and errors do not depend on how the bytes were split (the fuzz target
 * `tests/fuzz/http_response_fuzz.cpp` checks this).
 *
 * **Why not Beast's `basic_parser`** (checked against Boost 1.74's `basic_parser.hpp` and
 * `impl/basic_parser.ipp`). Beast parses the header only once the whole block up to the blank line
 * is present: until then `put()` consumes nothing of it (after a first call that may consume the
 * start line and some fields), so the caller must keep the bytes contiguous and present them again
 * on every call. Beast remembers how far it searched for the blank line (`skip_`), but then parses
 * the same bytes in a second pass. Its header limit applies to the bytes presented to one `put()`,
 * not to the whole block: measured with `header_limit(1024)`, a first call consumed 971 bytes and
 * the error came only after 1995 bytes of header. A multi-buffer sequence is copied first, onto
 * the stack up to 8192 bytes and above that into a heap buffer it allocates (`buf_`). The body is
 * delivered through virtual callbacks to a `Body::reader` (`string_body` resizes a
 * `std::string`), with no padding guarantee. This parser needs no contiguous header, never
 * re-scans, allocates nothing after construction, writes the body straight into a padded buffer,
 * and enforces exact limits.
 *
 * **Accepted syntax** (RFC 9112; lenient only where noted):
 * - Status line `HTTP/1.<digit> <3 digits 100–599> [<reason>]`. A missing ` <reason>` is accepted
 *   (RFC 9112 §4 says the SP is required, but a client loses nothing by tolerating it). Anything
 *   else is `bad_status_line`, detected as soon as the first 7 bytes differ from `HTTP/1.` (a TLS
 *   alert or `<html>` fails at once, without waiting for a line end). Minor versions above 1 are
 *   treated as 1.1 (RFC 9110 §2.5).
 * - Lines end in CRLF or a bare LF (RFC 9112 §2.2 lets a recipient accept a bare LF; Beast
 *   rejects it). A CR anywhere else in a line is an error.
 * - Header names are tokens; whitespace before the colon, an empty name, a control character in
 *   the name or value, a line without a colon, or an obs-fold line (starting with SP/HT) is
 *   `bad_header`. Values are trimmed of SP/HT. Names compare case-insensitively.
 * - Content-Length: decimal digits only; overflow, an empty value, a list (`5, 5`) or repeated
 *   headers with different values are `bad_content_length` (a repeat of the same value is fine).
 * - Transfer-Encoding: only a single `chunked` (case-insensitive); anything else, a list, or a
 *   repeat is `unsupported_transfer_encoding`. Transfer-Encoding together with Content-Length is
 *   `bad_content_length`: RFC 9112 §6.3 lets a client treat the message as an error, and a venue
 *   API never needs both.
 * - Interim 1xx responses other than 101 are skipped: their headers are discarded and the next
 *   status line is parsed. 101, 204 and 304 have no body; 101 also ends keep-alive. Responses to
 *   HEAD requests are not supported (posmode sends none): their Content-Length would be awaited.
 * - Chunked: 1–15 hex digits (either case); more digits, a non-hex size, or anything but
 *   whitespace followed by `;` after the size is `bad_chunk`; extensions after `;` are skipped (at
 *   most `max_header_bytes` bytes per size line); the data must be followed by a line end, else
 *   `bad_chunk`. Trailer lines are checked like header lines, counted toward `max_header_bytes`,
 *   then ignored.
 * - No Content-Length and not chunked: the body runs until `put_eof()` (close-delimited) and
 *   `keep_alive()` is false.
 * - Limits: `header_limit` as soon as a byte past `max_header_bytes` of header block arrives,
 *   even in the middle of a line, without reading that byte; `body_limit` as soon as a
 * Content-Length (on a status that has a body) or a chunk size would take the body over
 * `max_body_bytes`, before any of that body is read, and as soon as a close-delimited body exceeds
 * it.
 *
 * **Threads.** Not thread-safe: one thread at a time per parser (normally the connection's
 * executor). Distinct parsers are independent.
 *
 * **Allocation and errors.** The constructor allocates once (line scratch, body and padding, one
 * block) and may throw. Every other member is `noexcept`, never allocates, locks, formats or makes
 * a system call; errors are reported as `std::error_code` values of `errc`.
 */
class http_response_parser {
 public:
  static constexpr std::size_t max_usage_headers = 6;  ///< recorded usage headers per response
  static constexpr std::size_t reason_capacity = 40;   ///< longer reason phrases are truncated

  /**
   * Allocates the parser's buffers (one block of `max_header_bytes + max_body_bytes +
   * body_padding` bytes). Not for the hot path.
   * @throws std::invalid_argument if `limits.max_header_bytes` or `limits.max_body_bytes` is 0
   *         (the message names the field), if their sum overflows `std::size_t`, or if a usage
   *         prefix or the used-weight header is not a lower-case header name.
   * @throws std::bad_alloc if the buffers cannot be allocated.
   */
  explicit http_response_parser(http_limits limits = {});
  ~http_response_parser();

  http_response_parser(const http_response_parser&) = delete;
  http_response_parser& operator=(const http_response_parser&) = delete;
  /** Moves the buffers and the parse state; the source may only be destroyed or assigned to. */
  http_response_parser(http_response_parser&& other) noexcept;
  http_response_parser& operator=(http_response_parser&& other) noexcept;

  /**
   * Consumes the leading bytes of `bytes` that belong to the current response.
   *
   * @param bytes any piece of the byte stream, may be empty (a `std::string_view` or
   *        `std::string` converts implicitly).
   * @param ec set to `errc::need_more` when all of `bytes` was consumed and the response is not
   *        complete; cleared when the response is complete (`done()`), in which case the bytes
   *        after the returned count belong to the next response and were not examined; set to
   *        another `errc` on a fatal error. After a fatal error the parser stays failed: every
   *        later call returns 0 with the same code until `reset()`. After completion, calls
   *        return 0 with `ec` cleared until `reset()`.
   * @return the number of bytes consumed. On a fatal error, the bytes examined before the error
   *         (informational only).
   * Never allocates, never throws. Must not be called on a moved-from parser.
   */
  [[nodiscard]] std::size_t put(std::span<const char> bytes, std::error_code& ec) noexcept;

  /**
   * Tells the parser that the peer closed the connection. Completes a close-delimited body (no
   * Content-Length, not chunked) and clears `ec`; clears `ec` too if the response was already
   * complete. Otherwise sets `errc::partial_message` and leaves the parser failed, including when
   * no byte at all was received (a connection closed before any answer: the caller cannot know
   * whether the request was processed, which is exactly what `is_retryable()` flags). A previous
   * fatal error is reported again unchanged. Never allocates, never throws.
   */
  void put_eof(std::error_code& ec) noexcept;

  /**
   * Forgets the current response and prepares for the next one on the same connection (after
   * `done()`, or to abandon a failed parse). Keeps the buffers: no allocation, O(1). Invalidates
   * views returned by `reason()`, `body()` and `usage_headers()`.
   */
  void reset() noexcept;

  /** True once the whole response (header and body) has been parsed. */
  [[nodiscard]] bool done() const noexcept;
  /** True once the header block of the final (non-1xx) response has been parsed. */
  [[nodiscard]] bool header_done() const noexcept;

  // The accessors below reflect what has been parsed so far; they are meaningful once
  // header_done() is true. All are O(1), noexcept and allocation-free.

  /** The status code (100–599), or 0 before a status line was parsed. */
  [[nodiscard]] int status() const noexcept { return status_; }
  /** The reason phrase, truncated to `reason_capacity` bytes; valid until `reset()`. */
  [[nodiscard]] std::string_view reason() const noexcept { return reason_.view(); }
  /** The minor HTTP version digit: 1 for `HTTP/1.1`, 0 for `HTTP/1.0`. */
  [[nodiscard]] int version_minor() const noexcept { return version_minor_; }
  /**
   * Whether the connection may carry another request after this response: HTTP/1.1 defaults to
   * true and HTTP/1.0 to false; a `close` token in Connection makes it false, a `keep-alive` token
   * makes HTTP/1.0 true. A close-delimited body and a 101 response force false.
   */
  [[nodiscard]] bool keep_alive() const noexcept;
  /** True when the body uses the chunked transfer coding. */
  [[nodiscard]] bool chunked() const noexcept { return chunked_; }
  /** The Content-Length value, or -1 when absent. */
  [[nodiscard]] std::int64_t content_length() const noexcept { return content_length_; }
  /** The kind of Content-Type; `content_kind::none` when absent. */
  [[nodiscard]] content_kind content_type() const noexcept { return content_type_; }
  /**
   * Retry-After in its delta-seconds form (`Retry-After: 7` → 7); -1 when absent, unparsable
   * or given as a date. A number too large for int64 saturates to its maximum (a very long wait
   * must not read as none). The last Retry-After header wins.
   */
  [[nodiscard]] std::int64_t retry_after_seconds() const noexcept { return retry_after_seconds_; }
  /**
   * Retry-After in its IMF-fixdate form (`Sun, 06 Nov 1994 08:49:37 GMT`), as seconds since
   * 1970-01-01T00:00:00Z, computed arithmetically (no clock, no locale, no `timegm`). -1 when
   * absent, given as delta-seconds, in an obsolete date format (RFC 850, asctime), invalid (e.g.
   * `31 Feb`), or before 1970. A leap second (`:60`) counts as the next second.
   */
  [[nodiscard]] std::int64_t retry_after_epoch_seconds() const noexcept {
    return retry_after_epoch_;
  }
  /**
   * The value of the header named by `limits().used_weight_header` (any case), or -1 when it is
   * absent, not a number, or no such header was named.
   */
  [[nodiscard]] std::int64_t used_weight() const noexcept { return used_weight_; }
  /**
   * The usage headers in arrival order, at most `max_usage_headers`; valid until `reset()`. Only
   * names starting with one of `limits().usage_header_prefixes` are recorded.
   */
  [[nodiscard]] std::span<const usage_header> usage_headers() const noexcept {
    return {usage_.data(), usage_count_};
  }
  /** Usage headers not recorded: beyond `max_usage_headers`, or with a name too long to store. */
  [[nodiscard]] std::size_t usage_headers_dropped() const noexcept { return usage_dropped_; }
  /**
   * The decoded body received so far (chunked coding removed); complete once `done()`. Valid
   * until `reset()` or the next `put()`. `body().data()` is followed by at least `body_padding`
   * readable bytes, so it can be handed to simdjson as a padded view.
   */
  [[nodiscard]] std::string_view body() const noexcept;
  /** Bytes of status lines, header lines and trailer lines seen so far, line ends included. */
  [[nodiscard]] std::size_t header_bytes() const noexcept { return header_bytes_; }
  /** The limits given at construction. */
  [[nodiscard]] const http_limits& limits() const noexcept { return limits_; }

 private:
  enum class state : std::uint8_t;

  errc take_line(const char*& p, const char* end) noexcept;
  errc on_status_line(const char* line, std::size_t size) noexcept;
  errc header_line_in_place(const char*& p, const char* end) noexcept;
  errc on_header_line(const char* line, std::size_t size) noexcept;
  errc on_blank_line() noexcept;
  errc on_field(std::string_view name, std::string_view value) noexcept;
  errc on_header_field(std::string_view name, std::string_view value) noexcept;
  errc on_end_of_header() noexcept;
  errc on_chunk_byte(char c) noexcept;
  errc on_chunk_line_end() noexcept;
  void on_usage_header(std::string_view name, std::string_view value) noexcept;
  void clear_message() noexcept;
  bool status_has_body() const noexcept;
  char* scratch() const noexcept { return storage_.get(); }
  char* body_buffer() const noexcept { return storage_.get() + limits_.max_header_bytes; }

  // Buffers: [line scratch: max_header_bytes][body: max_body_bytes][padding: body_padding].
  std::unique_ptr<char[]> storage_;
  http_limits limits_;

  // Parse progress.
  std::size_t header_bytes_ = 0;     // header block (and trailer) bytes consumed so far
  std::size_t scratch_size_ = 0;     // bytes of an incomplete line held in the scratch
  std::size_t body_size_ = 0;        // decoded body bytes stored
  std::uint64_t remaining_ = 0;      // body bytes still expected (Content-Length or current chunk)
  std::size_t extension_bytes_ = 0;  // bytes of the current chunk size line after the digits
  std::uint8_t chunk_digits_ = 0;    // hex digits of the current chunk size
  state state_;
  errc error_ = errc::need_more;  // the fatal error while state_ == failed

  // The final response's header facts.
  bool header_done_ = false;
  bool chunked_ = false;
  bool close_token_ = false;
  bool keep_alive_token_ = false;
  bool no_reuse_ = false;  // close-delimited body or 101: the connection cannot be reused
  content_kind content_type_ = content_kind::none;
  int status_ = 0;
  int version_minor_ = 1;
  std::int64_t content_length_ = -1;
  std::int64_t retry_after_seconds_ = -1;
  std::int64_t retry_after_epoch_ = -1;
  std::int64_t used_weight_ = -1;
  std::size_t usage_min_name_ = 0;  // shortest name worth looking at; 0: none is
  std::size_t usage_count_ = 0;
  std::size_t usage_dropped_ = 0;
  fixed_string<reason_capacity> reason_;
  std::array<usage_header, max_usage_headers> usage_{};
};

}  // namespace posmode::engine
