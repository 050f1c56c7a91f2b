#pragma once

// The mock exchange's record of the requests it received, for tests and for a person.

#include <chrono>
#include <string>
#include <string_view>

namespace posmode::mock {

/** One request the mock exchange received and what it did with it. */
struct request_record {
  std::chrono::system_clock::time_point time;  ///< when it arrived, real wall clock (no skew)
  std::string method;                          ///< e.g. `POST`
  std::string target;                          ///< path and query exactly as received
  std::string api_key;  ///< the request's API key, masked by `mask_api_key`; empty if none
  /**
   * The venue code of the reply: Binance `"200"`, `"-4059"`, ...; Bitget `"00000"`, `"40009"`,
   * ...; Gate's label (`"INVALID_SIGNATURE"`, ...) or `"ok"`; `"html"` for the HTML 502 page,
   * `"ok"` for ping and time; `"-"` when nothing was sent.
   */
  std::string outcome;
  unsigned http_status = 0;  ///< 0 when the connection was dropped before a reply
  std::string fault;  ///< the fault that shaped the reply (`"drop_before"`, `"503"`, ...) or empty
  /// the venue whose route served the path (`"binance"`, `"bitget"`, ...); empty when none does
  std::string venue;
};

/**
 * Masks an API key for printing: its first 4 and last 4 characters around `...`, or `****` when
 * the key has 12 characters or fewer. Allocates the result; any thread.
 */
[[nodiscard]] std::string mask_api_key(std::string_view api_key);

/**
 * One line for a person, without a trailing newline, e.g.
 * `2026-01-02T03:04:05.678Z POST /fapi/v1/positionSide/dual?... key=vmPU...h8A -> 400 -4059`.
 * Allocates; any thread.
 */
[[nodiscard]] std::string format_record(const request_record& record);

/**
 * One JSON object for a log collector, without a trailing newline (`posmode-mock-exchange
 * --log-json`), e.g. `{"time":"2026-01-02T03:04:05.678Z","venue":"binance","method":"POST",
 * "path":"/fapi/v1/positionSide/dual","query":"...","key":"vmPU...h8A","http_status":400,
 * "code":"-4059","fault":null}`. `venue`, `query` and `key` are null when empty; `http_status`
 * and `code` when nothing was sent; `fault` when none was applied. The client's bytes are
 * escaped so that the line is always valid JSON: `"` and `\` escaped, and every byte outside
 * printable ASCII as `\u00XX`. The key is the record's (masked); no record holds a secret.
 * Allocates; any thread.
 */
[[nodiscard]] std::string format_record_json(const request_record& record);

}  // namespace posmode::mock
