#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <system_error>

#include "posmode/components/venue.hpp"
#include "posmode/components/venue_reply.hpp"
#include "posmode/engine/http_response.hpp"

namespace posmode::components {

/**
 * Turns a parsed HTTP answer into a `venue_reply`, per venue (the mapping is documented on
 * `outcome` and in docs/venues.md §1.5 and §3.6). Bodies are read with simdjson On Demand through
 * one parser owned by this object and sized at construction, so classifying allocates nothing.
 *
 * **Threads.** One thread (the event loop); use one classifier per loop.
 * **Errors.** The constructor throws `std::bad_alloc` or `std::runtime_error` if the JSON parser
 * cannot reserve its buffers; classification never throws and never fails: anything that is not a
 * recognisable venue answer yields `outcome::malformed` with the status and a message kept.
 */
class response_classifier {
 public:
  /** @param max_body_bytes the largest body to classify; match `http_limits::max_body_bytes`. */
  explicit response_classifier(std::size_t max_body_bytes = http_limits_default_body);
  ~response_classifier();
  response_classifier(const response_classifier&) = delete;
  response_classifier& operator=(const response_classifier&) = delete;

  /**
   * Classifies the complete response held by `response` (`response.done()` must be true).
   *
   * @param v the venue family that answered.
   * @param kind the request it answers.
   * @param requested the mode a set request asked for (ignored otherwise).
   * @param wall_now_ms the wall clock, to turn an HTTP-date Retry-After or a Binance ban end into
   *        a delay.
   */
  [[nodiscard]] venue_reply classify(venue v, request_kind kind, position_mode requested,
                                     const engine::http_response_parser& response,
                                     std::int64_t wall_now_ms) noexcept;

  /**
   * The reply for an answer the HTTP parser rejected (`engine::errc`: truncated, oversize, not
   * HTTP). `outcome::malformed`, with `parse_error` set, whatever status was parsed, and
   * `verify_by_query` for set requests (the venue may have acted).
   */
  [[nodiscard]] static venue_reply parse_failure(
      request_kind kind, std::error_code error,
      const engine::http_response_parser& response) noexcept;

  static constexpr std::size_t http_limits_default_body = engine::http_limits{}.max_body_bytes;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/**
 * `base` with the rate-limit headers of venue `v` to record (its row's `usage_header_prefixes`
 * and `used_weight_header`, `venue_facts.hpp`): the limits of the parsers of connections to that
 * venue, so that `classify` sees its used weight. `base` unchanged for a venue the table does not
 * know. Any thread; no allocation: the views name the table's string literals.
 */
[[nodiscard]] engine::http_limits venue_http_limits(venue v,
                                                    engine::http_limits base = {}) noexcept;

}  // namespace posmode::components
