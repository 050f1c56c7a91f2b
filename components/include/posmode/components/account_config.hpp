#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "posmode/components/venue.hpp"
#include "posmode/engine/http_request.hpp"

namespace posmode::components {

/**
 * The bound of `account_config::recv_window_ms` whatever the venue: the largest window any venue
 * of the table accepts (Binance's 60000, docs/venues.md §1.3). A venue that sends the window
 * checks its own `venue_facts::recv_window_max_ms`; for the others the field is unused but stays
 * bounded.
 */
inline constexpr std::int64_t max_recv_window_ms = 60'000;
/**
 * The longest a pre-signed set request may wait before it is handed out when the pre-sign age is
 * automatic (`presign_max_age_ms = 0`): the age is half the venue's window, capped here.
 */
inline constexpr std::int64_t default_presign_max_age_ms = 1'000;

/**
 * Which of a venue's environments an account lives in (docs/venues.md §0, §1.2, §2, §3.4). The
 * environment picks the default host (`default_host(venue, venue_environment)`) and, for Bitget,
 * the demo header; an explicit `account_config::host` still overrides the host.
 *
 * | venue         | production         | testnet                     | demo                       |
 * |---------------|--------------------|-----------------------------|----------------------------|
 * | binance-papi  | papi.binance.com   | none (refused)              | none (refused)             |
 * | binance-usdm  | fapi.binance.com   | testnet.binancefuture.com   | demo-fapi.binance.com      |
 * | binance-coinm | dapi.binance.com   | testnet.binancefuture.com   | demo-dapi.binance.com      |
 * | bitget        | api.bitget.com     | none (refused: use demo)    | api.bitget.com + header    |
 * | okx           | www.okx.com        | none (refused: use demo)    | www.okx.com + header       |
 *
 * Bitget's demo is its production host with the header `paptrading: 1` and a demo API key, used
 * with the normal product types (the S-prefixed types are the other, header-less, way to reach
 * demo funds and cannot be combined with it: Bitget answers 40099). OKX's demo is its production
 * host with `x-simulated-trading: 1` and a demo API key (docs/venues.md §4.3).
 */
enum class venue_environment : std::uint8_t {
  production,  ///< the live venue (the default)
  testnet,     ///< Binance USD-M and COIN-M's testnet host
  /// Binance USD-M/COIN-M demo hosts; Bitget (`paptrading: 1`) and OKX
  /// (`x-simulated-trading: 1`) demo trading
  demo,
};

/**
 * How an account's requests are signed (docs/venues.md §1.6): with the API secret (HMAC, every
 * venue; SHA-256 or Gate's SHA-512 per the row), or with a private key (`credentials::private_key`)
 * where the venue's row accepts asymmetric keys (`venue_facts::accepts_asymmetric_keys`: the
 * Binance rows).
 */
enum class api_key_type : std::uint8_t {
  hmac,     ///< the API secret (the default)
  ed25519,  ///< an Ed25519 private key, PKCS#8 PEM
  rsa,      ///< an RSA private key of 2048 to 4096 bits, PKCS#8 or PKCS#1 PEM
};

/** `hmac`, `ed25519`, `rsa`: static strings, as in configuration files. */
[[nodiscard]] std::string_view to_string(api_key_type k) noexcept;
/** The key type named `name` (exact, lower case), or nothing. No allocation. */
[[nodiscard]] std::optional<api_key_type> parse_api_key_type(std::string_view name) noexcept;

/**
 * One venue account as posmode sees it: where to connect, which products it switches, and the
 * timing of its signed requests. Plain data; `validate_account()` checks it.
 */
struct account_config {
  std::string id;  ///< the host's name for the account (logs, events)
  venue venue_kind = venue::binance_papi;
  std::vector<product> products;  ///< papi_um and/or papi_cm; usdm; coinm; Bitget types
  /** Production, testnet or demo: picks the default host and Bitget's demo header. */
  venue_environment environment = venue_environment::production;
  /** Override of the venue host (empty: `default_host(venue_kind, environment)`). */
  std::string host;
  std::uint16_t port = 443;
  /** Binance `recvWindow` (Binance's own default), sent where the venue takes one; 1..60000. */
  std::int64_t recv_window_ms = 5'000;
  /**
   * The oldest a pre-signed set request may be when it is handed out. 0 (the default) is
   * automatic: half the venue's window, at least 1 ms and at most `default_presign_max_age_ms`,
   * so that it follows `recv_window_ms`. Read it through `effective_presign_max_age_ms()`.
   */
  std::int64_t presign_max_age_ms = 0;
  /**
   * The older spelling of `environment = demo` for Bitget: send `paptrading: 1` (a demo key with
   * the normal product types). Either one turns the header on (`sends_demo_header()`).
   */
  bool bitget_demo_key = false;
  /** How requests are signed: the secret (HMAC) or a private key (Binance rows only). */
  api_key_type key_type = api_key_type::hmac;
  /** Symbol for the mode query where the venue needs one (empty: `product_facts::query_symbol`). */
  std::string bitget_query_symbol;
  /** Margin coin for it (empty: `product_facts::margin_coin`). */
  std::string bitget_query_margin_coin;
  /**
   * The account went through Binance's "CM migration" (docs/venues.md §2.1): one USDⓈ-M set
   * (PAPI UM, or `/fapi/v1/positionSide/dual`) switches COIN-M as well. Only for a venue whose
   * row couples books (`venue_facts::couples_books`: binance-papi, binance-usdm). A unified
   * binance-papi account with `um` and `cm` sends one set, to UM, and publishes an event for each
   * book (CM's says UM's set switched it, `coupled` set); its verification reads both back. A
   * unified binance-usdm account reports USDⓈ-M with `coupled` set and says COIN-M moved too (it
   * does not read COIN-M: that is dapi's host). docs/design.md, "Coupled books".
   */
  bool unified_position_mode = false;
};

/**
 * Checks `config` and throws `std::invalid_argument` whose message starts with the field's name
 * (e.g. "recv_window_ms: 70000 is outside 1..60000 (binance-papi refuses more than 60000)").
 * Checks:
 * - `id`: 1 to 64 letters, digits, '.', '_' or '-' (it appears in logs and events);
 * - `venue_kind` a venue of the table (`find_venue`); any other value is refused, naming the
 *   known ones;
 * - `products` not empty, no duplicates, each one the venue's row lists;
 * - `port` not 0; `host` empty (the venue's) or a DNS name or IP literal that
 *   `engine::host_problem` accepts (no port, no zone id, no control or reserved characters);
 * - `environment` one the venue has a host for (binance-papi is production only, Bitget has no
 *   testnet: its test environment is `demo`), with the venue's own explanation;
 * - `recv_window_ms` in 1..the venue's maximum (60000 for Binance; `max_recv_window_ms` for a
 *   venue that sends no window, which ignores it);
 * - `presign_max_age_ms` 0 (automatic) or at most half the venue's window (recvWindow where it is
 *   sent, else the venue's assumed window; at least 1), leaving the other half for transit and
 *   clock error;
 * - `bitget_demo_key` only for a venue whose demo is a header (`venue_facts::demo_by_header`);
 *   the venue's own rules (Bitget: demo through the header never with an S-prefixed product
 *   type, which Bitget refuses with 40099, docs/venues.md §3.4);
 * - query symbol and margin coin: upper-case letters and digits only;
 * - `unified_position_mode` only for a venue whose row couples books, and every product that is
 *   switched through its twin's set (PAPI `cm`) listed right after that twin (`um`).
 * - `key_type` other than `hmac` only where the row accepts asymmetric keys.
 * Not for the hot path (allocates for the message).
 */
void validate_account(const account_config& config);

/**
 * How long after its own timestamp (venue time) a set request of this account may still be
 * executed by the venue: `recv_window_ms` where the venue is sent one (Binance:
 * `serverTime - timestamp <= recvWindow`), else the row's `acceptance_window_ms` (Bitget: 30 s,
 * assumed). Precondition: a known venue (`validate_account`). No allocation.
 */
[[nodiscard]] std::int64_t execution_window_ms(const account_config& config) noexcept;

/**
 * How far ahead of the venue's clock a timestamp may be and still be accepted (the row's
 * `ahead_tolerance_ms`): the bound posmode uses for a request stamped from the local clock, before
 * the venue's clock was ever read. Precondition: a known venue. No allocation.
 */
[[nodiscard]] std::int64_t ahead_tolerance_ms(venue v) noexcept;

/** The production host of a venue (`papi.binance.com`, ...): `default_host(v, production)`. */
[[nodiscard]] std::string_view default_host(venue v) noexcept;

/**
 * The host of a venue in an environment (the row's `hosts`; table at `venue_environment`); empty
 * when the venue has no such environment (binance-papi testnet or demo, Bitget testnet) or is
 * unknown. No allocation.
 */
[[nodiscard]] std::string_view default_host(venue v, venue_environment e) noexcept;

/**
 * The host an account's requests go to: `config.host` when set, else
 * `default_host(config.venue_kind, config.environment)`. No allocation.
 */
[[nodiscard]] std::string_view api_host(const account_config& config) noexcept;

/**
 * True when the account's requests carry the venue's demo header (Bitget `paptrading: 1`, OKX
 * `x-simulated-trading: 1`): a venue whose demo is a header (`venue_facts::demo_by_header`) with
 * `environment = demo` or `bitget_demo_key`. False for every other venue. No allocation.
 */
[[nodiscard]] bool sends_demo_header(const account_config& config) noexcept;

/** The older name of `sends_demo_header`, from before OKX; kept for existing callers. */
[[nodiscard]] inline bool bitget_paptrading(const account_config& config) noexcept {
  return sends_demo_header(config);
}

/**
 * The pre-sign age the account's requests use: `presign_max_age_ms` when it is positive (the host
 * chose it), else half the venue's window (`recv_window_ms` where it is sent, else the row's
 * `assumed_window_ms`: 5000 ms for Bitget), clamped to 1..`default_presign_max_age_ms`. Every
 * reader of the age goes through this. Precondition: a known venue. No allocation.
 */
[[nodiscard]] std::int64_t effective_presign_max_age_ms(const account_config& config) noexcept;

/**
 * The algorithm the account's requests are signed with: the row's HMAC (`venue_facts::signature`)
 * for `api_key_type::hmac`, else Ed25519 or RSA-SHA256. Precondition: a known venue. No
 * allocation.
 */
[[nodiscard]] engine::signature_algorithm account_signature(const account_config& config) noexcept;

/** `production`, `testnet`, `demo`: static strings, as in configuration files. */
[[nodiscard]] std::string_view to_string(venue_environment e) noexcept;
/** The environment named `name` (exact, lower case), or nothing. No allocation. */
[[nodiscard]] std::optional<venue_environment> parse_venue_environment(
    std::string_view name) noexcept;

}  // namespace posmode::components
