#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

#include "posmode/engine/http_request.hpp"
#include "posmode/engine/request_signer.hpp"

namespace posmode::engine {

/**
 * A request template kept signed at a recent timestamp, so that a trigger sends it with no
 * cryptography of its own.
 *
 * The owner calls `refresh(now)` from a timer; it re-signs once the signature is older than half
 * the maximum age, so that with a timer period of at most half the maximum age a trigger always
 * finds a fresh request. `acquire(now)` hands out the bytes only if their timestamp is at most
 * `max_age_ms` old and not in the future (a clock that stepped back); otherwise it re-signs in
 * place first. A stale request is therefore never handed out.
 *
 * `now_ms` is the venue's clock as the caller estimates it (wall clock plus the measured server
 * offset): the value that goes into the timestamp slot.
 *
 * **Threads.** One thread (the event loop). **Allocation.** None after construction.
 * **Errors.** The constructor throws `std::invalid_argument`; the others return error codes from
 * `request_template::resign`.
 */
class presigned_request {
 public:
  /**
   * @param request the rendered template (taken over).
   * @param signer the account's signer (of the template's algorithm); must outlive this object.
   * @param max_age_ms how old a signature may be when handed out; > 0.
   * @throws std::invalid_argument if `max_age_ms` is not positive.
   */
  presigned_request(request_template request, request_signer& signer, std::int64_t max_age_ms)
      : request_(std::move(request)), signer_(&signer), max_age_ms_(max_age_ms) {
    if (max_age_ms <= 0)
      throw std::invalid_argument("pre-sign max age must be positive, got " +
                                  std::to_string(max_age_ms) + " ms");
  }

  /** True when `refresh(now_ms)` would re-sign: no valid signature, or one older than half the
   *  maximum age (or from the future). */
  [[nodiscard]] bool needs_refresh(std::int64_t now_ms) const noexcept {
    return !request_.is_signed() || too_old(now_ms, max_age_ms_ / 2);
  }

  /** Re-signs at `now_ms` if the signature is older than half the maximum age (or absent). */
  [[nodiscard]] std::error_code refresh(std::int64_t now_ms) noexcept {
    if (!needs_refresh(now_ms)) return {};
    return signer_->resign(request_, now_ms);
  }

  /**
   * The request bytes, signed at a timestamp no older than the maximum age. Re-signs at `now_ms`
   * first when needed (counted in `inline_resigns()`). On error returns an empty span and sets
   * `ec`.
   */
  [[nodiscard]] std::span<const char> acquire(std::int64_t now_ms, std::error_code& ec) noexcept {
    bool signed_inline = false;
    return acquire(now_ms, ec, signed_inline);
  }

  /**
   * As above; `signed_inline` says whether this call had to sign (with an asymmetric key, tens
   * to hundreds of microseconds and OpenSSL's allocations on the caller's path). A fresh
   * request is handed out with no signing, no allocation and no system call.
   */
  [[nodiscard]] std::span<const char> acquire(std::int64_t now_ms, std::error_code& ec,
                                              bool& signed_inline) noexcept {
    ec.clear();
    signed_inline = false;
    if (!request_.is_signed() || too_old(now_ms, max_age_ms_)) {
      ++inline_resigns_;
      signed_inline = true;
      ec = signer_->resign(request_, now_ms);
      if (ec) return {};
    }
    return request_.bytes();
  }

  /** Marks the signature stale (the venue's clock moved): the next `acquire` or `refresh`
   *  signs anew. Cheaper than `resign` when signing is expensive. */
  void invalidate() noexcept { request_.invalidate(); }

  /** Re-signs at `now_ms` whatever the age (after a clock resync moved the venue's time). */
  [[nodiscard]] std::error_code resign(std::int64_t now_ms) noexcept {
    return signer_->resign(request_, now_ms);
  }

  /** Age of the current signature at `now_ms`, or -1 if not signed. */
  [[nodiscard]] std::int64_t age_ms(std::int64_t now_ms) const noexcept {
    return request_.is_signed() ? now_ms - request_.timestamp_ms() : -1;
  }
  [[nodiscard]] std::int64_t max_age_ms() const noexcept { return max_age_ms_; }
  /** How many times `acquire` had to sign on the spot because the timer fell behind. */
  [[nodiscard]] std::uint64_t inline_resigns() const noexcept { return inline_resigns_; }
  [[nodiscard]] const request_template& request() const noexcept { return request_; }

 private:
  [[nodiscard]] bool too_old(std::int64_t now_ms, std::int64_t limit_ms) const noexcept {
    const std::int64_t age = now_ms - request_.timestamp_ms();
    return age > limit_ms || age < 0;
  }

  request_template request_;
  request_signer* signer_;
  std::int64_t max_age_ms_;
  std::uint64_t inline_resigns_ = 0;
};

}  // namespace posmode::engine
