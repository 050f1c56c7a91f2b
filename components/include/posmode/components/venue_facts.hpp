#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "posmode/components/account_config.hpp"
#include "posmode/components/venue.hpp"
#include "posmode/engine/http_request.hpp"
#include "posmode/engine/http_response.hpp"

namespace posmode::components {

/**
 * One product (the scope a mode switch applies to) as its venue's file declares it.
 * Plain constant data; every view names a string literal.
 */
struct product_facts {
  product id = product::papi_um;
  /** Canonical name (configuration, CLI, logs): `um`, `usdm`, `USDT-FUTURES`, ... */
  std::string_view name{};
  /**
   * `posmode sign --venue` name when the CLI names this product itself (`binance-papi-um`);
   * empty when the venue is named alone and the product chosen with `--product`.
   */
  std::string_view cli_name{};
  /** Default symbol of the mode query (Bitget needs one); empty when the query takes none. */
  std::string_view query_symbol{};
  /** Default margin coin of the mode query; empty when the query takes none. */
  std::string_view margin_coin{};
  /**
   * A demo product reached without the venue's demo header (Bitget's S-prefixed types): it may
   * not be combined with the header.
   */
  bool header_free_demo = false;
  /** The normal product to use with the demo header instead (itself when not a demo product). */
  product live_twin = product::papi_um;
  /**
   * On a venue that couples books (`venue_facts::couples_books`): the other book one set of this
   * product may move on a migrated account (PAPI `um` and `cm` each other's, `usdm` COIN-M's
   * `coinm`, which belongs to another row). Meaningless when `has_coupled_twin` is false.
   */
  product coupled_twin = product::papi_um;
  bool has_coupled_twin = false;
  /**
   * On a unified account the set goes to this product and moves `coupled_twin` too (PAPI `um`,
   * `usdm`). A product without it (PAPI `cm`) is switched through its twin's set.
   */
  bool sets_coupled_twin = false;
};

/** A venue's default host per environment; empty where the venue has no such environment. */
struct venue_hosts {
  std::string_view production{};
  std::string_view testnet{};
  std::string_view demo{};

  /** The host of `e`; empty for an environment the venue lacks or an unknown value. */
  [[nodiscard]] constexpr std::string_view in(venue_environment e) const noexcept {
    switch (e) {
      case venue_environment::production:
        return production;
      case venue_environment::testnet:
        return testnet;
      case venue_environment::demo:
        return demo;
    }
    return {};
  }
};

/** The environment variables credentials are read from when an account names none. */
struct credential_env_names {
  std::string_view key{};
  std::string_view secret{};
  std::string_view passphrase{};  ///< empty when the venue has no passphrase
};

/**
 * Every fact about one venue variant that code outside the venue's own file may need: one row of
 * the venue table (the row itself, with the venue's request builders, classifier and mode
 * parser, is private to posmode::components; `components/src/venues/venue_table.hpp`). Each
 * venue's file (`components/src/venues/<family>.cpp`) defines its rows; docs/adding-a-venue.md
 * says how to add one. Plain constant data with static storage; every view names a string
 * literal.
 */
struct venue_facts {
  venue id = venue::binance_papi;
  /** Canonical name (configuration, CLI, logs, events): `binance-papi`, `bitget`, ... */
  std::string_view name{};
  /** The venue's own name for messages: `Binance Portfolio Margin`, `Bitget`, ... */
  std::string_view display_name{};
  /** The API family: names the venue's files (`components/src/venues/<family>.cpp`, the mock's
   *  `tools/mock_exchange/src/<family>.cpp`) and its docs/venues.md section. */
  std::string_view family{};
  /** The products the venue accepts, in the order the CLI lists them. */
  std::span<const product_facts> products{};
  /** The products an account switches when its configuration names none; empty: it must name
   *  them. Switched in this order (Binance PAPI: UM, then CM). */
  std::span<const product> default_products{};
  /** The product `posmode sign` uses when it is not told one. Belongs to `products`. */
  product default_product = product::papi_um;
  /** Default host per environment (`default_host(venue, environment)`). */
  venue_hosts hosts{};
  /** The venue's demo is its production host plus a header (Bitget's `paptrading: 1`), and
   *  `account_config::bitget_demo_key` is its older spelling. */
  bool demo_by_header = false;

  /** Requests carry the account's `recv_window_ms` (Binance `recvWindow`). */
  bool sends_recv_window = false;
  /** The venue's own default for that window (0 when it sends none). */
  std::int64_t recv_window_default_ms = 0;
  /** The largest window the venue accepts (0 when it sends none). */
  std::int64_t recv_window_max_ms = 0;
  /** When it sends no window: the window signatures are budgeted against (pre-sign age is at
   *  most half of it). */
  std::int64_t assumed_window_ms = 0;
  /** When it sends no window: how long after its timestamp a request may still be executed. */
  std::int64_t acceptance_window_ms = 0;
  /** How far ahead of the venue's clock a timestamp may be and still be accepted. */
  std::int64_t ahead_tolerance_ms = 0;

  /** The key schedule an account's secret is turned into: HMAC-SHA256 for every venue but Gate,
   *  which signs with HMAC-SHA512. Each of the row's signed requests names the same. */
  engine::signature_algorithm signature = engine::signature_algorithm::hmac_sha256;
  /** Accounts may sign with an Ed25519 or RSA private key instead (`account_config::key_type`;
   *  Binance, docs/venues.md §1.6); the row's builders then write the signature in
   *  `signature_encoding::base64_percent`. */
  bool accepts_asymmetric_keys = false;

  /** Signed requests carry the API key's passphrase (`credentials::passphrase` required). */
  bool needs_passphrase = false;
  /**
   * The open-outcome policy: every answer to a set request except success is settled by reading
   * the mode back (Bitget documents no code for "open positions/orders" or "already in mode").
   * False: only answers that leave the outcome open are (unknown, malformed, 5xx).
   */
  bool read_back_on_error = false;

  /** Rate-limit usage headers to record (`engine::http_limits::usage_header_prefixes`). */
  std::array<std::string_view, engine::http_limits::max_usage_prefixes> usage_header_prefixes{};
  /** The header reported as `venue_reply::used_weight_1m` (`engine::http_limits`); may be empty. */
  std::string_view used_weight_header{};

  /** Default credential environment variables. */
  credential_env_names credential_env{};
  /** The header that carries the API key, and the one that carries the passphrase (empty when
   *  none): `posmode sign` masks them. */
  std::string_view key_header{};
  std::string_view passphrase_header{};

  /**
   * After Binance's "CM migration" one set may move two books (docs/venues.md §2.1): USDⓈ-M's
   * (PAPI UM) and COIN-M's (PAPI CM), each product's `coupled_twin`. True for binance-papi and
   * binance-usdm. Such a venue's accounts may be configured
   * `account_config::unified_position_mode`, and every account of it, unified or not, treats a
   * set that may still be executed on one book as one that may land on its twin too.
   */
  bool couples_books = false;
};

/** The row of `v`, or null for a value the table does not know. Any thread; no allocation. */
[[nodiscard]] const venue_facts* find_venue(venue v) noexcept;

/**
 * The row of `v`. Precondition: `find_venue(v)` is not null (`validate_account` refuses any
 * other venue, so every configured account's venue is known); asserted in debug builds.
 */
[[nodiscard]] const venue_facts& facts_of(venue v) noexcept;

/** Every row, in the order of `venue`'s values. Any thread; no allocation. */
[[nodiscard]] std::span<const venue_facts* const> known_venues() noexcept;

/** The facts of product `p` and the row it belongs to; null for a value no row lists. */
[[nodiscard]] const product_facts* find_product(product p) noexcept;

}  // namespace posmode::components
