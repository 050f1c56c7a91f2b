#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "posmode/components/account_config.hpp"
#include "posmode/components/credentials.hpp"
#include "posmode/components/venue.hpp"
#include "posmode/engine/hmac_signer.hpp"
#include "posmode/engine/http_request.hpp"
#include "posmode/engine/presigned_request.hpp"
#include "posmode/engine/request_signer.hpp"
#include "posmode/engine/secure_buffer.hpp"

namespace posmode::components {

namespace detail {
struct account_specs;  // the rendered-once account-wide requests (src/adapters/adapter.hpp)
}

/** Where a request goes: host name (for DNS, SNI and certificate checks) and port. */
struct endpoint {
  std::string host;
  std::uint16_t port = 443;
};

/**
 * Every request one account may send, rendered once at construction in the venue's exact wire
 * layout (docs/venues.md, "Wire layout posmode uses"), with the account's key schedule:
 * - per product, set-hedge and set-one-way kept pre-signed (`engine::presigned_request`);
 * - per product, the mode query, signed when it is used;
 * - the keep-alive ping and the server-time request (unsigned; PAPI's clock uses
 *   `/fapi/v1/time` on fapi's host because PAPI has no time endpoint).
 *
 * `now_ms` arguments are the venue's clock as the caller estimates it (wall clock plus server
 * offset): the timestamp that is signed.
 *
 * **Threads.** One thread (the event loop). **Allocation.** Only in the constructor.
 * **Errors.** The constructor validates the configuration (`validate_account`) and credentials
 * and throws `std::invalid_argument` naming the field; the hot-path members return
 * `std::error_code` (an unconfigured product is `std::errc::invalid_argument`).
 * Movable, not copyable.
 */
class account_requests {
 public:
  /**
   * @throws std::invalid_argument for an invalid configuration, an empty key or secret, a Bitget
   *         account without passphrase, or a key/passphrase containing CR, LF or non-printable
   *         characters. Messages never contain the secret or passphrase.
   */
  account_requests(const account_config& config, const credentials& creds,
                   engine::hmac_signer::backend backend = engine::hmac_signer::backend::automatic);
  ~account_requests();
  account_requests(account_requests&&) noexcept;
  account_requests& operator=(account_requests&&) noexcept;

  [[nodiscard]] const account_config& config() const noexcept { return config_; }

  /**
   * The set-mode request for `p` and `m`, signed no more than `effective_presign_max_age_ms`
   * before `now_ms` (re-signed on the spot when the refresh timer fell behind). Empty span plus
   * `ec` on error. noexcept, no allocation.
   */
  [[nodiscard]] std::span<const char> set_mode(product p, position_mode m, std::int64_t now_ms,
                                               std::error_code& ec) noexcept;
  /**
   * As above; `signed_inline` says whether the request had to be signed on the spot (no fresh
   * pre-signed one: the refresh fell behind, or the clock moved). With an asymmetric key that is
   * tens to hundreds of microseconds and OpenSSL's allocations on the trigger's path; a fresh
   * one is handed out with no signing and no allocation.
   */
  [[nodiscard]] std::span<const char> set_mode(product p, position_mode m, std::int64_t now_ms,
                                               std::error_code& ec, bool& signed_inline) noexcept;

  /** Re-signs every pre-signed request older than half the maximum age. Drive from a timer. */
  [[nodiscard]] std::error_code refresh(std::int64_t now_ms) noexcept;

  /**
   * The refresh in slices, for a loop that must stay responsive: with an HMAC key as `refresh`
   * (a signature costs well under a microsecond); with an Ed25519 or RSA key at most one
   * signature per call (~40 µs or ~0.3-2 ms), `more` then says whether another request still
   * needs one (call again soon, after the loop had a chance to run other handlers).
   */
  [[nodiscard]] std::error_code refresh_slice(std::int64_t now_ms, bool& more) noexcept;

  /** True when signing costs tens of microseconds or more (an Ed25519 or RSA key). */
  [[nodiscard]] bool expensive_signatures() const noexcept { return signer_->is_expensive(); }

  /** Re-signs every pre-signed request at `now_ms`, e.g. after the venue refused a timestamp. */
  [[nodiscard]] std::error_code resign_all(std::int64_t now_ms) noexcept;

  /**
   * After the venue's clock moved (a resync): with an HMAC key, `resign_all(now_ms)`; with an
   * asymmetric key the pre-signed requests are only marked stale, so that the request that
   * needs one signs only it (inline, flagged) and `refresh_slice` re-signs the others.
   */
  [[nodiscard]] std::error_code clock_moved(std::int64_t now_ms) noexcept;
  /** The mode query for `p`, signed at `now_ms`. Empty span plus `ec` on error. */
  [[nodiscard]] std::span<const char> query_mode(product p, std::int64_t now_ms,
                                                 std::error_code& ec) noexcept;

  /** The keep-alive request (Binance ping; Bitget's public time, as Bitget has no ping). */
  [[nodiscard]] std::span<const char> ping() const noexcept { return ping_.bytes(); }
  /** The server-time request; send it to `time_endpoint()`. */
  [[nodiscard]] std::span<const char> server_time() const noexcept { return time_.bytes(); }

  /** The host and port of the account's API. */
  [[nodiscard]] const endpoint& api_endpoint() const noexcept { return api_; }
  /** The host and port the server-time request goes to (fapi's for PAPI). */
  [[nodiscard]] const endpoint& time_endpoint() const noexcept { return time_host_; }

  /** The pre-signed request for `p` and `m`; nullptr for an unconfigured product (tests, CLI). */
  [[nodiscard]] const engine::presigned_request* presigned(product p,
                                                           position_mode m) const noexcept;
  /** The query template for `p`; nullptr for an unconfigured product. */
  [[nodiscard]] const engine::request_template* query_template(product p) const noexcept;
  [[nodiscard]] const engine::request_template& ping_template() const noexcept { return ping_; }
  [[nodiscard]] const engine::request_template& time_template() const noexcept { return time_; }

 private:
  account_requests(const account_config& config, const credentials& creds,
                   engine::hmac_signer::backend backend, detail::account_specs&& common);

  struct product_requests {
    product scope;
    engine::presigned_request set_hedge;
    engine::presigned_request set_one_way;
    engine::request_template query;
  };
  product_requests* find(product p) noexcept;

  account_config config_;
  // In pages of its own (out of core dumps, wiped): its pad states are key-equivalent, and the
  // pre-signed requests point to it, so it must not move.
  engine::secure_object<engine::request_signer> signer_;
  std::vector<product_requests> products_;
  engine::request_template ping_;
  engine::request_template time_;
  endpoint api_;
  endpoint time_host_;
};

}  // namespace posmode::components
