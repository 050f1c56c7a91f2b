#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string_view>

namespace posmode::components {

/** Severity of a log record handed to the host's hook. */
enum class log_level : std::uint8_t { debug, info, warning, error };

/** "debug", "info", "warning", "error". */
[[nodiscard]] std::string_view to_string(log_level l) noexcept;

/**
 * What a log record is about: one value per kind of thing the component reports, so that a host
 * can count, route or alert on kinds without reading the text. The level of each kind is fixed
 * unless noted.
 */
enum class log_event : std::uint8_t {
  /// an account connects with certificate checks off (`insecure_loopback`): warning, at start
  insecure_endpoint,
  connect,     ///< a connection came up for the first time: debug
  reconnect,   ///< a connection came up again after it had gone down: info
  disconnect,  ///< a connection attempt failed or an established connection went down: warning
  /// the venue's certificate or host name did not verify (nothing is sent; retrying cannot fix
  /// it): error
  tls_failure,
  /// the venue's clock was read: the offset, at start (info), after a clock-skew refusal (info)
  /// and at each periodic resync (debug); warning when it could not be read at start
  clock_resync,
  /// the venue refused a request's timestamp: the clock is read again and the set retried once
  /// (warning)
  clock_skew_retry,
  /// the venue limited the account (HTTP 429, Binance -1003, Bybit 10006, OKX 50011 ...): the
  /// request waits Retry-After when it fits the deadline, else ends `rate_limited` (warning)
  rate_limited,
  /// the venue banned the host (HTTP 418, Bybit's 403): nothing is sent to it by any account until
  /// the ban ends (error)
  ip_banned,
  /// the mode read back after a successful set (verify-after-set) is not the requested one
  /// (error)
  verification_mismatch,
  /// an account's warm-up ended: every mode read (info), some not (warning), or not within
  /// `request_deadline` (error)
  warm_up,
  /// a request was rejected on the loop without being sent: unknown account index, or its
  /// account's queue was full (warning)
  request_refused,
  signing_failed,  ///< the pre-signed requests could not be signed again (error)
  /// Binance's coupled books (the CM migration): a book moved by its twin's set on an account
  /// without `unified_position_mode`, or a unified account whose books read apart at start-up
  /// (warning)
  coupled_books,
  /// a read showed the account's API key cannot trade (OKX's `perm` without `trade`): every set
  /// would be refused (warning, once at start-up; `account_health::key_cannot_trade`)
  key_cannot_trade,
};

/** The number of `log_event` values, for per-kind tables. */
inline constexpr std::size_t log_event_count =
    static_cast<std::size_t>(log_event::key_cannot_trade) + 1;

/** "connect", "rate_limited", ... : the enumerator's name. */
[[nodiscard]] std::string_view to_string(log_event e) noexcept;

/** `log_record::account` when the record concerns no account. */
inline constexpr std::size_t no_account = std::numeric_limits<std::size_t>::max();

/**
 * One log record, as the component hands it to the host's hook (`position_mode_component::
 * set_log_hook`): fields instead of a sentence, so that a host can filter, count and ship them
 * without parsing. Every view is valid during the hook's call only; copy what must outlive it.
 * Text fields never contain a secret. `message` holds printable ASCII only (other bytes from a
 * venue or OpenSSL are written `\xNN`); `code_text` is the venue's own bytes, escaped by the
 * formatters below.
 */
struct log_record {
  log_level level = log_level::info;
  log_event event = log_event::connect;
  std::int64_t wall_ms = 0;          ///< the component clock's wall time (ms since the Unix epoch)
  std::int64_t monotonic_ns = 0;     ///< the component clock's monotonic time
  std::size_t account = no_account;  ///< the account's index (as given to `request`), or none
  std::string_view account_id;       ///< its configured id; empty when `account` is none
  std::string_view host;             ///< the venue host concerned; empty when none
  std::uint16_t port = 0;            ///< with `host`
  int slot = -1;                     ///< the connection's slot in the account's pool, -1 when none
  int http_status = 0;               ///< of the venue's answer behind the record, 0 when none
  bool has_code = false;             ///< the venue's answer carried a code (`code`)
  std::int64_t code = 0;             ///< e.g. -1003, or Bitget 40009
  std::string_view code_text;  ///< a string code as the venue sent it (Bitget, Gate), or empty
  std::string_view message;    ///< what happened, in words
  /**
   * 0 for a record as it happened. A summary of merged repeats (identical records within ten
   * seconds are held back and counted) says how many were held back, over `repeat_span_ns`
   * from the first one; its other fields are the repeated record's.
   */
  std::uint64_t repeats = 0;
  std::int64_t repeat_span_ns = 0;
};

/** What `format_text` writes besides the fields. */
struct text_format {
  bool time = true;   ///< the wall time first, ISO 8601 UTC with milliseconds
  bool level = true;  ///< the level's name
};

/** A buffer size that holds any record the component produces, formatted either way. */
inline constexpr std::size_t log_format_capacity = 2048;

/**
 * Writes `r` as one line of text, without a newline:
 * `2026-05-01T12:00:00.123Z warning rate_limited account=bn-1#0 host=fapi.binance.com:443
 * slot=1 http=429 code=-1003: <message> (repeated 4 times in 8 s)`; fields that are empty or
 * none are left out. Bytes outside printable ASCII are written `\xNN`. A record that does not fit
 * is cut and ends with "...". Any thread; no allocation, no exception.
 * @return the bytes written (0 only for an empty `out`).
 */
std::size_t format_text(const log_record& r, std::span<char> out, text_format f = {}) noexcept;

/**
 * Writes `r` as one JSON object, without a newline (JSON lines when the host adds one):
 * `{"time":"2026-05-01T12:00:00.123Z","monotonic_ns":…,"level":"warning","event":"rate_limited",
 * "account":"bn-1","account_index":0,"host":"…","port":443,"slot":1,"http_status":429,
 * "code":-1003,"code_text":"…","message":"…","repeats":4,"repeat_span_ns":…}`; fields that are
 * empty or none are left out. Strings are escaped so that the object is pure printable ASCII:
 * `"` and `\` with a backslash, every other byte below 0x20 or above 0x7e as `\u00XX`. A record
 * that does not fit is cut inside its last string and ends `…","truncated":true}`: still valid
 * JSON. Any thread; no allocation, no exception.
 * @return the bytes written, or 0 when `out` is smaller than 64 bytes.
 */
std::size_t format_json(const log_record& r, std::span<char> out) noexcept;

}  // namespace posmode::components
