#pragma once

// The mock exchange: a real HTTPS server on 127.0.0.1 (Boost.Beast over Asio SSL) that behaves
// like Binance (PAPI, USDⓈ-M, COIN-M), Bitget v2, OKX v5, Bybit v5 and Gate APIv4 futures for
// position-mode switching, with fault injection. It is a test and rehearsal tool, not part of the
// library a trading engine links.
//
// Paths served (docs/venues.md §1, §2, §3):
//   Binance  POST|GET /papi/v1/um/positionSide/dual, /papi/v1/cm/positionSide/dual
//            POST|GET /fapi/v1/positionSide/dual, /dapi/v1/positionSide/dual
//            GET /papi/v1/ping, /fapi/v1/ping, /dapi/v1/ping, /fapi/v1/time, /dapi/v1/time
//   Bitget   POST /api/v2/mix/account/set-position-mode, GET /api/v2/mix/account/account,
//            GET /api/v2/public/time
//   OKX      POST /api/v5/account/set-position-mode, GET /api/v5/account/config,
//            GET /api/v5/public/time
//   Bybit    POST /v5/position/switch-mode, GET /v5/position/list, GET /v5/market/time
//   Gate     POST /api/v4/futures/{settle}/set_position_mode, POST .../{settle}/dual_mode,
//            GET /api/v4/futures/{settle}/accounts, GET /api/v4/spot/time
// Anything else is HTTP 404 with a Binance-shaped body (`-5000`), a Bitget-shaped one
// (`"40404"`) under `/api/v2/`, an OKX-shaped one (`"404"`) under `/api/v5/`, a Bybit-shaped one
// under `/v5/`, a Gate-shaped one (`"label":"NOT_FOUND"`) under `/api/v4/`.
//
// Portfolio-margin model (docs/venues.md §10 says the order is undocumented; this is the mock's
// choice): UM may always change; a CM change is refused with -4220 when the new CM mode would
// differ from UM. So switching both means UM first, then CM.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "posmode/mock/accounts.hpp"
#include "posmode/mock/faults.hpp"
#include "posmode/mock/request_log.hpp"

namespace posmode::mock {

/** One change of a product's mode at the exchange, for checking claims against the venue. */
struct mode_change {
  std::chrono::steady_clock::time_point at;  ///< when it happened (the test's monotonic clock)
  /// when the request that made it had been read (before any delay fault held it back): a
  /// request received before some moment was sent before it
  std::chrono::steady_clock::time_point received;
  std::string api_key;  ///< the account's key (unmasked: a test facility)
  /// `papi_um`, `papi_cm`, `usdm`, `coinm`, Bitget's upper-case type, `account` (OKX),
  /// Bybit's `linear:<COIN or SYMBOL>`, or Gate's `futures:<settle>` (`dual` is `hedge`,
  /// `single` is `one_way`; a change to `dual_plus` is not recorded here, see gate_mode_of)
  std::string product;
  position_mode mode = position_mode::one_way;  ///< the mode from then on
  bool by_request = true;  ///< false: set by the test (`set_binance_mode`, `set_bitget_mode`, ...)
};

/** What blocks an OKX switch (`exchange::set_okx_flags`). */
struct okx_flags {
  bool positions = false;   ///< 59000
  bool orders = false;      ///< 59000
  bool bots = false;        ///< 59000, with the text that names trading bots
  bool borrowings = false;  ///< 59001
};

/** How to start an `exchange`. */
struct exchange_options {
  /** The only accepted value is `127.0.0.1`: the mock never listens beyond loopback. */
  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 0;  ///< 0 picks an ephemeral port; read it back with `exchange::port()`
  /**
   * Called on the exchange's thread after each request, outside the exchange's lock, e.g. to
   * print `format_record(r)`. It may call the exchange's members except `stop()`; it should not
   * block for long, since the exchange serves nothing meanwhile.
   */
  std::function<void(const request_record&)> on_request;
  std::size_t log_capacity = 10'000;  ///< oldest records are dropped beyond this many
  unsigned weight_limit = 2400;       ///< Binance request weight per minute per client IP
  unsigned bitget_rate_limit = 5;     ///< Bitget set-position-mode calls per second per account
  /// OKX calls per two seconds per account, on each endpoint (set-position-mode, config)
  unsigned okx_rate_limit = 5;
  unsigned bybit_rate_limit = 10;  ///< Bybit switch-mode calls per second per account (10006)
  /// Bybit requests per 5 s per client IP; beyond it the IP gets HTTP 403 for ten minutes
  unsigned bybit_ip_limit = 600;
  unsigned gate_rate_limit = 200;  ///< calls per 10 s per endpoint per key
  /**
   * Binance: this many HTTP 429 answers to one client IP within a minute ban it (HTTP 418 with
   * `Retry-After`, -1003 "IP banned until ..."); 0 never bans.
   */
  unsigned ban_after_rate_limited = 3;
  /** The first ban's length; each later ban of the same IP doubles it, up to three days. */
  std::chrono::milliseconds ban_duration{120'000};
};

/**
 * A running mock exchange.
 *
 * Construction makes the certificates, binds, and starts the exchange's own thread with its own
 * `io_context`; destruction (or `stop()`) stops and joins it. Tests drive clients in their own
 * loops. Every public member is thread-safe: configuration and inspection take one mutex that the
 * server thread also takes per request. Non-copyable and non-movable (the server thread refers to
 * it).
 *
 * Server time is `std::chrono::system_clock::now()` plus the clock skew; it is used for the time
 * endpoints, `requestTime` and the timestamp windows (Binance: refused when the timestamp is
 * 1000 ms or more ahead, or older than `recvWindow` (default 5000, at most 60000, else -1130);
 * Bitget and OKX: refused when more than 30000 ms away either side; Gate: more than 60 s, its
 * `Timestamp` being in seconds).
 */
class exchange {
 public:
  /**
   * Starts the exchange.
   *
   * @throws std::invalid_argument when `options.bind_address` is not `127.0.0.1`.
   * @throws std::system_error when the port cannot be bound.
   * @throws std::runtime_error when making the certificates fails.
   */
  explicit exchange(exchange_options options = {});
  /** Stops the server thread and closes every connection. */
  ~exchange();
  exchange(const exchange&) = delete;
  exchange& operator=(const exchange&) = delete;
  exchange(exchange&&) = delete;
  exchange& operator=(exchange&&) = delete;

  /** Stops the server thread and closes every connection; idempotent. Not from `on_request`. */
  void stop();

  /** The bound TCP port. */
  [[nodiscard]] std::uint16_t port() const noexcept;
  /** The CA certificate (PEM) that signed the server certificates: what clients must trust. */
  [[nodiscard]] const std::string& ca_pem() const noexcept;
  /** Writes `ca_pem()` to `path`. @throws std::system_error when the file cannot be written. */
  void write_ca_file(const std::string& path) const;

  /** Adds an account. @throws std::invalid_argument on an empty or already known key. */
  void add_binance_account(binance_account account);
  /** Adds an account. @throws std::invalid_argument on an empty or already known key. */
  void add_bitget_account(bitget_account account);

  /** The current mode of a product. @throws std::out_of_range for an unknown key. */
  [[nodiscard]] position_mode binance_mode(std::string_view api_key, binance_product product) const;
  /** Sets a mode directly, as a person would in the web UI (on a migrated account both sides
   *  of the coupled pair, each change recorded). @throws std::out_of_range. */
  void set_binance_mode(std::string_view api_key, binance_product product, position_mode mode);
  /** Sets the blocking flags (-4068 / -4067). @throws std::out_of_range for an unknown key. */
  void set_binance_flags(std::string_view api_key, bool has_positions, bool has_orders);
  /** Sets the COIN-M side's blocking flags (`binance_account::coin_has_positions`, ...).
   *  @throws std::out_of_range for an unknown key. */
  void set_binance_coin_flags(std::string_view api_key, bool has_positions, bool has_orders);

  /**
   * The current mode of a product type (case-insensitive; one-way if never set).
   * @throws std::out_of_range for an unknown key.
   */
  [[nodiscard]] position_mode bitget_mode(std::string_view api_key,
                                          std::string_view product_type) const;
  /** Sets a mode directly. @throws std::out_of_range for an unknown key. */
  void set_bitget_mode(std::string_view api_key, std::string_view product_type, position_mode mode);
  /** Sets the blocking flags. @throws std::out_of_range for an unknown key. */
  void set_bitget_flags(std::string_view api_key, bool has_positions, bool has_orders);

  /** Adds an account. @throws std::invalid_argument on an empty or already known key. */
  void add_okx_account(okx_account account);
  /** The account's `posMode`. @throws std::out_of_range for an unknown key. */
  [[nodiscard]] position_mode okx_mode(std::string_view api_key) const;
  /** Sets the mode directly, as a person would in the web UI. @throws std::out_of_range. */
  void set_okx_mode(std::string_view api_key, position_mode mode);
  /** Sets what blocks a switch (59000, 59001). @throws std::out_of_range for an unknown key. */
  void set_okx_flags(std::string_view api_key, const okx_flags& flags);

  void add_bybit_account(bybit_account account);
  /**
   * The current mode of a Bybit scope: a settle coin (`USDT`, `USDC`: its default) or a symbol
   * (its own mode, else its coin's); case-insensitive. @throws std::out_of_range for an unknown
   * key.
   */
  [[nodiscard]] position_mode bybit_mode(std::string_view api_key, std::string_view scope) const;
  /** Sets a Bybit scope's mode directly. @throws std::out_of_range for an unknown key. */
  void set_bybit_mode(std::string_view api_key, std::string_view scope, position_mode mode);
  /** Sets the blocking flags (110024 / 110028). @throws std::out_of_range for an unknown key. */
  void set_bybit_flags(std::string_view api_key, bool has_positions, bool has_orders);
  /** Changes Bybit's limits: switch-mode calls per second per account, requests per 5 s per IP. */
  void set_bybit_limits(unsigned switches_per_second, unsigned ip_requests_per_5s);
  /** Adds a Gate account. @throws std::invalid_argument on an empty or already known key, or a
   *  `modes` key other than `usdt` and `btc` (both are added as `single` when missing). */
  void add_gate_account(gate_account account);
  /**
   * The mode of one settle account (`usdt`, `btc`). A change to or from `dual_plus` is visible
   * here; `mode_history()` records only changes to `single` and `dual` (it has no split mode).
   * @throws std::out_of_range for an unknown key or settle.
   */
  [[nodiscard]] gate_mode gate_mode_of(std::string_view api_key, std::string_view settle) const;
  /** Sets a settle account's mode directly, as the web UI would. @throws std::out_of_range. */
  void set_gate_mode(std::string_view api_key, std::string_view settle, gate_mode mode);
  /** Sets the flags answering `POSITION_HOLDING`. @throws std::out_of_range for an unknown key. */
  void set_gate_flags(std::string_view api_key, bool has_positions, bool has_orders);

  /** Faults for requests whose API key has no faults of its own (and for unsigned requests). */
  void set_faults(const fault_set& faults);
  /** Faults for one API key (either venue); they replace the global ones for that key. */
  void set_account_faults(std::string_view api_key, const fault_set& faults);
  /** Removes one key's own faults, so the global ones apply to it again. */
  void clear_account_faults(std::string_view api_key);
  /** Offsets the server clock (time endpoints, `requestTime`, timestamp windows). */
  void set_clock_skew(std::chrono::milliseconds skew);
  /**
   * Moves the clock of rate-limit windows and IP bans forward by `d`, as if that much time had
   * passed: a test ends a ban or empties a window without sleeping. The wall clock (stamps,
   * `set_clock_skew`) does not move.
   */
  void advance_time(std::chrono::milliseconds d);
  /**
   * Serves the certificate for `wrong.example` (signed by the same CA) to connections accepted
   * from now on, so that a client checking for `localhost` or `127.0.0.1` must refuse it.
   */
  void set_wrong_host_certificate(bool on);
  /** Changes the Binance weight limit per minute; usage already counted is kept. */
  void set_weight_limit(unsigned weight_per_minute);
  /**
   * Bans a client IP from the Binance paths for `duration` from now, as if it had ignored too
   * many 429s (every test client is 127.0.0.1); a zero or negative duration lifts the ban.
   */
  void ban_ip(std::string_view ip, std::chrono::milliseconds duration);

  /**
   * While on, connections accepted from now on get no TLS handshake and no byte at all (a proxy
   * that accepts TCP and never answers); turning it off closes the ones held so far.
   */
  void set_silent(bool on);

  /** Every mode change so far, oldest first (at most `log_capacity`, oldest dropped). */
  [[nodiscard]] std::vector<mode_change> mode_history() const;

  /** A copy of the request log, oldest first. */
  [[nodiscard]] std::vector<request_record> request_log() const;
  /** Empties the request log. */
  void clear_request_log();

  struct impl;  ///< implementation detail, public only for the server's own source files

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace posmode::mock
