// Bybit v5: every fact posmode keeps about it (its row of the venue table: names, scopes, hosts,
// windows, rate-limit headers, credentials), the request layout and the answer classification.
// Facts: docs/venues.md §5; layout: §7.8 to §7.10.

#include <array>
#include <string>

#include "venues/venue_table.hpp"

namespace posmode::components::detail {
namespace {

constexpr std::string_view set_path = "/v5/position/switch-mode";
constexpr std::string_view query_path = "/v5/position/list";
constexpr std::string_view time_path = "/v5/market/time";
// Every scope posmode offers is a `linear` one: the current switch-mode page lists no other
// category (docs/venues.md §5.1).
constexpr std::string_view category = "linear";

// Bybit's retCodes posmode reacts to (docs/venues.md §5.3); any other is venue_error.
constexpr std::array<code_rule, 13> bybit_codes{{
    {110025, outcome::already_in_mode},
    {110024, outcome::blocked_positions},
    {110028, outcome::blocked_orders},
    {110029, outcome::mode_not_supported},
    {10002, outcome::clock_skew},
    {-1, outcome::clock_skew},
    {10004, outcome::bad_signature},
    {10003, outcome::key_or_permission},
    {10005, outcome::key_or_permission},
    {10010, outcome::key_or_permission},
    {33004, outcome::key_or_permission},
    {10006, outcome::rate_limited},
    // "Server error": the request may have been executed before the server failed.
    {10016, outcome::unknown},
}};

// An IP ban (HTTP 403 "access too frequent") lasts at least ten minutes (docs/venues.md §5.3).
constexpr std::int64_t ip_ban_ms = 10 * 60 * 1000;
constexpr std::string_view reset_header = "x-bapi-limit-reset-timestamp";

// X-BAPI-SIGN = hex(HMAC(timestamp + api_key + recv_window + payload)), payload the JSON body of
// a POST or the query string of a GET (docs/venues.md §5.2). The timestamp is both in
// X-BAPI-TIMESTAMP and in the separately signed string.
engine::request_spec signed_request(const account_config& config, const credentials& creds,
                                    std::string_view method, std::string target,
                                    std::string_view payload, std::string body) {
  const std::string window = std::to_string(config.recv_window_ms);
  engine::request_spec spec;
  spec.method = std::string(method);
  spec.host = host_header(std::string(api_host(config)), config.port);
  spec.target = engine::request_text(target);
  spec.headers = {
      {"User-Agent", user_agent},
      {"X-BAPI-API-KEY", creds.api_key},
      {"X-BAPI-TIMESTAMP", engine::request_text().timestamp()},
      {"X-BAPI-RECV-WINDOW", window},
      {"X-BAPI-SIGN", engine::request_text().signature()},
  };
  if (!body.empty()) spec.headers.push_back({"Content-Type", "application/json"});
  engine::request_text signed_text;
  signed_text.timestamp().text(creds.api_key).text(window).text(payload);
  spec.signed_text = std::move(signed_text);
  spec.body = std::move(body);
  spec.encoding = engine::signature_encoding::hex_lower;
  return spec;
}

// The switch scope: a settle coin, or the account's symbol for linear-symbol.
struct scope {
  std::string key;    // "coin" or "symbol"
  std::string value;  // "USDT", "BTCUSDT", ...
  std::string query_symbol;
};

// A coin scope always reads its own perpetual back: the account's symbol (linear-symbol's) may
// settle in another coin.
scope scope_of(const account_config& config, product p) {
  const product_facts* facts = find_product(p);
  if (facts == nullptr || facts->margin_coin.empty())
    return {"symbol", config.bitget_query_symbol, config.bitget_query_symbol};
  return {"coin", std::string(facts->margin_coin), std::string(facts->query_symbol)};
}

// {"category":"linear","coin":"USDT","mode":3}: bybit-api's key order (docs/venues.md §7.8), no
// spaces; `mode` is the integer 3 (hedge) or 0 (one-way).
std::string set_body(const scope& s, position_mode m) {
  return R"({"category":")" + std::string(category) + R"(",")" + s.key + R"(":")" + s.value +
         R"(","mode":)" + (m == position_mode::hedge ? "3" : "0") + "}";
}

product_specs product_specs_of(const account_config& config, product p, const credentials& creds) {
  const scope s = scope_of(config, p);
  const std::string hedge = set_body(s, position_mode::hedge);
  const std::string one_way = set_body(s, position_mode::one_way);
  // The read-back always names a symbol: the list then has that symbol's rows even when it holds
  // no position (docs/venues.md §5.4, assumption A-Y2).
  const std::string query = "category=" + std::string(category) + "&symbol=" + s.query_symbol;
  return {signed_request(config, creds, "POST", std::string(set_path), hedge, hedge),
          signed_request(config, creds, "POST", std::string(set_path), one_way, one_way),
          signed_request(config, creds, "GET", std::string(query_path) + "?" + query, query, {})};
}

// Bybit has no ping endpoint: the public time request doubles as the keep-alive.
account_specs account_specs_of(const account_config& config) {
  return public_time_specs(config, time_path);
}

// The mode from every row's positionIdx: 1 or 2 (the two sides of hedge mode; an empty side is a
// row too) or 0 (one-way). Rows of both kinds, an unknown index or no row at all name no mode.
bool parse_mode(const parsed_answer& a, position_mode& out) noexcept {
  if (a.mode_rows == 0 || a.row_value_other) return false;
  const bool hedge_rows = (a.row_values & 0b110U) != 0;
  const bool one_way_rows = (a.row_values & 0b001U) != 0;
  if ((a.row_values & ~0b111U) != 0 || hedge_rows == one_way_rows) return false;
  out = hedge_rows ? position_mode::hedge : position_mode::one_way;
  return true;
}

// The retry time of a rate limit: Retry-After when sent, else the reset time Bybit stamps on
// every answer (venue clock, compared with the host's wall clock).
void retry_from_reset(const parsed_answer& a, std::int64_t wall_now_ms, venue_reply& r) noexcept {
  if (r.retry_after_ms >= 0) return;
  for (const engine::usage_header& h : a.usage)
    if (h.value >= 0 && iequals(h.name(), reset_header)) {
      r.retry_after_ms = bounded_wait_ms(h.value, wall_now_ms);
      return;
    }
}

void classify(const parsed_answer& a, position_mode, std::int64_t wall_now_ms,
              venue_reply& r) noexcept {
  const bool set = r.kind == request_kind::set_mode;
  r.has_code = a.has_code && a.code_numeric && !a.code_is_string;
  r.code = r.has_code ? a.code : 0;

  if (a.status == 403) {
    // "access too frequent": the IP limit; every session stops for at least ten minutes.
    r.result = outcome::ip_banned;
    if (r.retry_after_ms < ip_ban_ms) r.retry_after_ms = ip_ban_ms;
    if (!a.json) describe_non_json(a, r);
  } else if (a.status == 429 || (r.has_code && r.code == 10006)) {
    r.result = outcome::rate_limited;
    retry_from_reset(a, wall_now_ms, r);
  } else if (a.status == 408) {
    r.result = outcome::unknown;
  } else if (!a.json) {
    r.result = outcome::malformed;
    describe_non_json(a, r);
  } else if (!r.has_code) {
    // A JSON answer without a numeric retCode: not Bybit's shape.
    r.result = a.status == 200   ? outcome::malformed
               : a.status >= 500 ? outcome::unknown
                                 : outcome::venue_error;
  } else if (r.code == 0) {
    switch (r.kind) {
      case request_kind::set_mode:
        // Bybit answers with HTTP 200 (docs/venues.md §5.3): a success code under another status
        // is no known answer, and the mode is read back.
        r.result = a.status == 200 ? outcome::applied : outcome::unknown;
        break;
      case request_kind::query_mode:
        r.has_mode = parse_mode(a, r.mode);
        r.result = r.has_mode ? outcome::mode_reported : outcome::malformed;
        break;
      case request_kind::server_time:
      case request_kind::ping:
        r.result = a.server_time > 0 ? outcome::ok : outcome::malformed;
        r.server_time_ms = a.server_time;
        break;
    }
  } else {
    r.result = outcome_of_code(bybit_codes, r.code);
    // The switch-mode codes only answer a switch.
    if (!set && (r.result == outcome::already_in_mode || r.result == outcome::mode_not_supported ||
                 is_blocked(r.result)))
      r.result = outcome::venue_error;
    if (r.result == outcome::venue_error && a.status >= 500) r.result = outcome::unknown;
  }

  if (set) r.verify_by_query = r.result == outcome::unknown || r.result == outcome::malformed;
}

// A symbol scope needs its symbol; Bybit takes upper-case symbols only (docs/venues.md §5.1),
// which the generic check of the field already enforces.
void check_account(const account_config& c, std::string_view where) {
  for (const product p : c.products)
    if (p == product::bybit_linear_symbol && c.bitget_query_symbol.empty())
      refuse_field("bitget_query_symbol",
                   {"linear-symbol switches one symbol and needs it (e.g. BTCUSDT; `symbol` in "
                    "a configuration file); for a whole settle coin use linear-USDT or "
                    "linear-USDC",
                    where});
}

// Query symbols of the coin scopes (docs/venues.md §5.4, assumption A-Y2): a perpetual of the
// settle coin that every account can read. linear-symbol reads its own symbol.
constexpr product_facts products[] = {
    {.id = product::bybit_linear_usdt,
     .name = "linear-USDT",
     .query_symbol = "BTCUSDT",
     .margin_coin = "USDT",
     .live_twin = product::bybit_linear_usdt},
    {.id = product::bybit_linear_usdc,
     .name = "linear-USDC",
     .query_symbol = "BTCPERP",
     .margin_coin = "USDC",
     .live_twin = product::bybit_linear_usdc},
    {.id = product::bybit_linear_symbol,
     .name = "linear-symbol",
     .live_twin = product::bybit_linear_symbol},
};
constexpr product bybit_defaults[] = {product::bybit_linear_usdt};

}  // namespace

constinit const venue_row bybit_row{
    venue_facts{
        .id = venue::bybit,
        .name = "bybit",
        .display_name = "Bybit",
        .family = "bybit",
        .products = products,
        // USDT perpetuals: the one scope whose hedge mode every UTA account has (§5.1).
        .default_products = bybit_defaults,
        .default_product = product::bybit_linear_usdt,
        .hosts = {"api.bybit.com", "api-testnet.bybit.com", "api-demo.bybit.com"},
        .demo_by_header = false,
        // X-BAPI-RECV-WINDOW, default 5000 (§5.2); Bybit states no maximum in the material read:
        // posmode's own bound (assumption A-Y1).
        .sends_recv_window = true,
        .recv_window_default_ms = 5'000,
        .recv_window_max_ms = 60'000,
        .assumed_window_ms = 0,
        .acceptance_window_ms = 0,
        // server_time - recv_window <= timestamp < server_time + 1000 (§5.2).
        .ahead_tolerance_ms = 1'000,
        .needs_passphrase = false,
        // Bybit documents a code for every refusal of a switch (§5.3).
        .read_back_on_error = false,
        // X-Bapi-Limit, X-Bapi-Limit-Status (remaining, not used) and
        // X-Bapi-Limit-Reset-Timestamp; none of them is a used weight.
        .usage_header_prefixes = {"x-bapi-limit"},
        .used_weight_header = {},
        .credential_env = {"BYBIT_API_KEY", "BYBIT_API_SECRET", ""},
        .key_header = "X-BAPI-API-KEY",
        .passphrase_header = {},
    },
    {.key = "positionIdx",
     .in_data = true,
     .is_bool = false,
     .rows = "list",
     .code_key = "retCode",
     .message_key = "retMsg",
     .data_key = "result",
     .time_key = "time"},
    product_specs_of,
    account_specs_of,
    check_account,
    classify,
    parse_mode,
};

}  // namespace posmode::components::detail
