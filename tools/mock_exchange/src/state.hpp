#pragma once

// Private: the state the server thread and the configuring thread share under one mutex, the
// reply a venue handler produces, and the venue handlers' route table.

#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "posmode/mock/accounts.hpp"
#include "posmode/mock/exchange.hpp"
#include "posmode/mock/faults.hpp"
#include "posmode/mock/request_log.hpp"

namespace posmode::mock::detail {

namespace http = boost::beast::http;
using http_request = http::request<http::string_body>;

/** A reply before faults shape it on the wire. */
struct reply {
  unsigned status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  ///< extra headers
  std::string outcome;                                       ///< venue code for the request log
};

/** A received request and the context a handler needs. */
struct incoming {
  const http_request& request;
  std::string_view path;                      ///< target before `?`
  std::string_view query;                     ///< target after `?`, without it; empty if none
  std::string peer;                           ///< client IP, the key of Binance's per-IP weight
  std::int64_t server_ms;                     ///< server clock (wall clock plus skew) at processing
  std::chrono::steady_clock::time_point now;  ///< for rate-limit windows (skew-free)
  /// when the request's bytes had all been read (before any delay fault)
  std::chrono::steady_clock::time_point received = now;
  /// fault: a Bitget set answers "00000" whose `data.posMode` names the other mode
  bool echo_other_mode = false;
  /// with `echo_other_mode`: whether the requested change is still made
  bool apply_change = false;
};

/**
 * Binance's escalation for a client IP (docs/venues.md §1.4: repeated 429s → 418 auto-ban, "from 2
 * minutes to 3 days"): the recent 429s, the ban in force, and how many bans came before.
 */
struct ip_ban {
  std::deque<std::chrono::steady_clock::time_point> rate_limited;  ///< within the last minute
  std::chrono::steady_clock::time_point until{};                   ///< no ban when in the past
  unsigned bans = 0;                                               ///< each doubles the next
};

/** Everything guarded by the exchange's mutex. */
struct state;
/** The clock of rate-limit windows and bans: the steady clock, moved on by `advance_time`. */
[[nodiscard]] std::chrono::steady_clock::time_point window_now(const state& st) noexcept;

struct state {
  std::map<std::string, binance_account, std::less<>> binance;
  std::map<std::string, bitget_account, std::less<>> bitget;
  std::map<std::string, okx_account, std::less<>> okx;
  std::map<std::string, bybit_account, std::less<>> bybit;
  std::map<std::string, gate_account, std::less<>> gate;
  fault_set global_faults;
  std::map<std::string, fault_set, std::less<>> account_faults;
  std::chrono::milliseconds skew{0};
  /// added to the steady clock of rate-limit windows and bans (`exchange::advance_time`)
  std::chrono::steady_clock::duration window_offset{0};
  bool wrong_host = false;
  unsigned weight_limit = 2400;
  unsigned bitget_rate_limit = 5;
  unsigned okx_rate_limit = 5;
  /// Binance weight spent per client IP: (time, weight), oldest first, within the last minute.
  std::map<std::string, std::deque<std::pair<std::chrono::steady_clock::time_point, unsigned>>,
           std::less<>>
      weight_used;
  /// Bitget set-position-mode calls per API key within the last second.
  std::map<std::string, std::deque<std::chrono::steady_clock::time_point>, std::less<>>
      bitget_calls;
  /// OKX calls per "API key + path" within the last two seconds.
  std::map<std::string, std::deque<std::chrono::steady_clock::time_point>, std::less<>> okx_calls;
  /// Bybit switch-mode calls per API key within the last second (limit 10, §5.1).
  std::map<std::string, std::deque<std::chrono::steady_clock::time_point>, std::less<>> bybit_calls;
  unsigned bybit_rate_limit = 10;
  /// Bybit requests per client IP within the last 5 s (limit 600, §5.3), and its 403 bans.
  std::map<std::string, std::deque<std::chrono::steady_clock::time_point>, std::less<>>
      bybit_ip_calls;
  unsigned bybit_ip_limit = 600;
  std::chrono::milliseconds bybit_ban_duration{600'000};
  std::map<std::string, std::chrono::steady_clock::time_point, std::less<>> bybit_bans;
  /// Gate calls per "API key + endpoint" within the last 10 s (200, docs/venues.md §5b.3).
  std::map<std::string, std::deque<std::chrono::steady_clock::time_point>, std::less<>> gate_calls;
  unsigned gate_rate_limit = 200;
  unsigned ban_after = 3;  ///< 429s within a minute that earn a ban; 0: never
  std::chrono::milliseconds ban_duration{120'000};
  std::map<std::string, ip_ban, std::less<>> bans;  ///< per client IP
  std::deque<request_record> log;
  std::size_t log_capacity = 10'000;
  std::deque<mode_change> history;  ///< bounded by log_capacity too
  bool silent = false;
};

/**
 * Records a change of `product`'s mode for `api_key`, made by a request read at `received`
 * (caller holds the lock).
 */
inline void record_change(state& st, std::string_view api_key, std::string_view product,
                          position_mode mode, bool by_request,
                          std::chrono::steady_clock::time_point received) {
  st.history.push_back({std::chrono::steady_clock::now(), received, std::string(api_key),
                        std::string(product), mode, by_request});
  while (st.history.size() > st.log_capacity)
    st.history.pop_front();
}

/**
 * Records a Gate settle account's change as `futures:<settle>`: `dual` as hedge, `single` as
 * one-way; a change to `dual_plus` is not recorded (`mode_change` has no split mode). gate.cpp.
 */
void record_gate_change(state& st, std::string_view api_key, std::string_view settle,
                        gate_mode mode, bool by_request,
                        std::chrono::steady_clock::time_point received);

/** The name a `binance_product` has in `mode_change::product`. */
[[nodiscard]] inline std::string_view product_name(binance_product p) noexcept {
  switch (p) {
    case binance_product::papi_um:
      return "papi_um";
    case binance_product::papi_cm:
      return "papi_cm";
    case binance_product::usdm:
      return "usdm";
    case binance_product::coinm:
      break;
  }
  return "coinm";
}

/** The mode slot of `product` in `account`. */
[[nodiscard]] inline position_mode& mode_of(binance_account& account,
                                            binance_product product) noexcept {
  switch (product) {
    case binance_product::papi_um:
      return account.papi_um;
    case binance_product::papi_cm:
      return account.papi_cm;
    case binance_product::usdm:
      return account.usdm;
    case binance_product::coinm:
      break;
  }
  return account.coinm;
}

/** The book a migrated account moves with `product`: PAPI UM with CM, usdm with coinm. */
[[nodiscard]] inline binance_product coupled_twin(binance_product product) noexcept {
  switch (product) {
    case binance_product::papi_um:
      return binance_product::papi_cm;
    case binance_product::papi_cm:
      return binance_product::papi_um;
    case binance_product::usdm:
      return binance_product::coinm;
    case binance_product::coinm:
      break;
  }
  return binance_product::usdm;
}

/** True for the COIN-M side of a pair (PAPI CM, dapi). */
[[nodiscard]] inline bool is_coin_side(binance_product product) noexcept {
  return product == binance_product::papi_cm || product == binance_product::coinm;
}

/**
 * One venue's part of the mock, defined in that venue's file: which paths it serves, how it
 * answers them, and its own 503 "unknown error" reply. exchange.cpp routes by this table only.
 */
struct venue_route {
  bool (*serves)(std::string_view path) noexcept;
  /** Serves one request; mutates `st` (modes, weight, limits). Caller holds the lock. */
  reply (*handle)(state& st, const incoming& in);
  reply (*unknown_error)(std::int64_t server_ms);
  /** The header that carries the API key, for the request log and per-key faults. */
  std::string_view key_header;
};

extern const venue_route binance_route;  ///< binance.cpp: /papi/, /fapi/, /dapi/
extern const venue_route bitget_route;   ///< bitget.cpp: /api/v2/
extern const venue_route okx_route;      ///< okx.cpp: /api/v5/
extern const venue_route bybit_route;    ///< bybit.cpp: /v5/
extern const venue_route gate_route;     ///< gate.cpp: /api/v4/

/** A Bybit scope's mode: a settle coin (`USDT`, `USDC`) or a symbol (bybit.cpp). */
[[nodiscard]] position_mode bybit_scope_mode(const bybit_account& account, std::string_view scope);
/** Sets a Bybit scope's mode, as the web UI would (no 110024/110028 checks). */
void set_bybit_scope_mode(bybit_account& account, std::string_view scope, position_mode mode);

/** The route serving `path`, or null. */
[[nodiscard]] const venue_route* route_of(std::string_view path) noexcept;
/**
 * The API key a request names, in whichever venue's key header it sends (each route's
 * `key_header`): the key per-account faults are looked up by. Empty when none.
 */
[[nodiscard]] std::string_view api_key_of(const http_request& request) noexcept;
/** The 404 answer to a path no venue serves. */
[[nodiscard]] reply no_route_reply(std::string_view path);
/** A CloudFront-style HTML 502 page. */
[[nodiscard]] reply html_502_reply();

inline std::chrono::steady_clock::time_point window_now(const state& st) noexcept {
  return std::chrono::steady_clock::now() + st.window_offset;
}

}  // namespace posmode::mock::detail
