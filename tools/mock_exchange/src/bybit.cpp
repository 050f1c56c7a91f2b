// Bybit v5 position-mode endpoints (docs/venues.md §5): switch-mode, the position list the mode is
// read from, and the public time. Codes and messages are Bybit's error list (§5.3); where Bybit
// documents nothing (which HTTP status a refusal carries, unknown parameters) the choice is marked.

#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "state.hpp"
#include "wire.hpp"

namespace posmode::mock::detail {

namespace {

constexpr std::string_view switch_path = "/v5/position/switch-mode";
constexpr std::string_view list_path = "/v5/position/list";
constexpr std::string_view time_path = "/v5/market/time";

// server_time - recv_window <= timestamp < server_time + 1000; recv_window defaults to 5000 (§5.2).
constexpr std::int64_t default_recv_window_ms = 5'000;
constexpr std::int64_t ahead_ms = 1'000;

reply answer(unsigned status, std::int64_t code, std::string_view msg, std::int64_t now,
             std::string_view result = "{}") {
  reply r;
  r.status = status;
  r.outcome = std::to_string(code);
  r.body = R"({"retCode":)" + std::to_string(code) + R"(,"retMsg":")" + std::string(msg) +
           R"(","result":)" + std::string(result) + R"(,"retExtInfo":{},"time":)" +
           std::to_string(now) + "}";
  return r;
}

reply refuse(std::int64_t code, std::string_view msg, std::int64_t now) {
  return answer(200, code, msg, now);  // business errors are HTTP 200 (§5.3)
}

// The IP limit's answer (§5.3): not JSON; the mock's body is the phrase Bybit's page quotes.
reply forbidden(std::string_view text) {
  reply r;
  r.status = 403;
  r.outcome = "403";
  r.content_type = "text/plain";
  r.body = std::string(text);
  return r;
}

bool is_upper_symbol(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
}

// The settle coin of a linear symbol, from its suffix; empty when the mock knows none.
std::string settle_coin_of(std::string_view symbol) {
  if (symbol.size() > 4 && symbol.ends_with("USDT")) return "USDT";
  if (symbol.size() > 4 && (symbol.ends_with("PERP") || symbol.ends_with("USDC"))) return "USDC";
  return {};
}

position_mode coin_mode(const bybit_account& a, std::string_view coin) {
  const auto it = a.coin_modes.find(coin);
  return it == a.coin_modes.end() ? position_mode::one_way : it->second;
}

position_mode symbol_mode(const bybit_account& a, std::string_view symbol) {
  const auto it = a.symbol_modes.find(symbol);
  return it != a.symbol_modes.end() ? it->second : coin_mode(a, settle_coin_of(symbol));
}

// `name=value&...` into pairs; false on an empty or duplicated name.
bool split_query(std::string_view query,
                 std::vector<std::pair<std::string_view, std::string_view>>& out) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const std::size_t eq = pair.find('=');
    const std::string_view name = pair.substr(0, eq);
    if (name.empty()) return false;
    for (const auto& [seen, value] : out)
      if (seen == name) return false;
    out.emplace_back(name, eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return true;
}

// The switch-mode body: a JSON object with `category`, `symbol` and/or `coin` (a string; `coin`
// may be null as in Bybit's own example) and `mode` (an integer). A duplicated or unknown key, or
// a value of another type, is refused (the mock's strictness; Bybit documents none of it).
struct switch_params {
  std::string category;
  std::string symbol;
  std::string coin;
  std::int64_t mode = -1;
  bool has_mode = false;
};

bool parse_switch_body(const std::string& body, switch_params& p) {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(body).get_object().get(object) != simdjson::SUCCESS) return false;
  std::vector<std::string_view> seen;
  for (const auto field : object) {
    const std::string_view key = field.key;
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) return false;
    seen.push_back(key);
    std::string_view text;
    if (key == "mode") {
      if (field.value.get_int64().get(p.mode) != simdjson::SUCCESS) return false;
      p.has_mode = true;
    } else if (key == "category" || key == "symbol" || key == "coin") {
      if (field.value.is_null() && key != "category") continue;
      if (field.value.get_string().get(text) != simdjson::SUCCESS) return false;
      (key == "category" ? p.category : key == "symbol" ? p.symbol : p.coin) = std::string(text);
    } else {
      return false;
    }
  }
  return true;
}

// "10/s per UID" on switch-mode (§5.1); the X-Bapi-Limit headers go on every answer to it.
bool over_uid_limit(state& st, const incoming& in, const std::string& key, reply& headers_to) {
  auto& calls = st.bybit_calls[key];
  while (!calls.empty() && calls.front() <= in.now - std::chrono::seconds(1))
    calls.pop_front();
  const bool over = calls.size() >= st.bybit_rate_limit;
  if (!over) calls.push_back(in.now);
  const auto reset = calls.empty() ? in.now : calls.front() + std::chrono::seconds(1);
  // Rounded up, plus a millisecond: a call at the stamped time is inside the new window even
  // though the window runs on the steady clock and the stamp on the wall clock.
  const auto reset_ms =
      in.server_ms + std::chrono::ceil<std::chrono::milliseconds>(reset - in.now).count() + 1;
  headers_to.headers = {
      {"X-Bapi-Limit", std::to_string(st.bybit_rate_limit)},
      {"X-Bapi-Limit-Status", std::to_string(st.bybit_rate_limit - calls.size())},
      {"X-Bapi-Limit-Reset-Timestamp", std::to_string(reset_ms)},
  };
  return over;
}

std::string list_rows(const bybit_account& a, std::string_view symbol) {
  const std::string size = a.has_positions ? "0.01" : "0";
  const std::string s(symbol);
  const auto row = [&](int idx, std::string_view side, std::string_view row_size) {
    return R"({"positionIdx":)" + std::to_string(idx) + R"(,"symbol":")" + s + R"(","side":")" +
           std::string(side) + R"(","size":")" + std::string(row_size) + R"(","tradeMode":0})";
  };
  if (symbol_mode(a, symbol) == position_mode::hedge)
    // The flat side first, as Bybit may send it (pybit issue 367, §5.2).
    return row(1, "", "0") + "," + row(2, a.has_positions ? "Sell" : "", size);
  return row(0, a.has_positions ? "Buy" : "", size);
}

reply private_request(state& st, const incoming& in, bool is_switch) {
  const auto now = in.server_ms;
  const std::string_view key = header(in.request, "X-BAPI-API-KEY");
  const std::string_view sign = header(in.request, "X-BAPI-SIGN");
  const std::string_view timestamp_text = header(in.request, "X-BAPI-TIMESTAMP");
  const std::string_view window_text = header(in.request, "X-BAPI-RECV-WINDOW");
  // Missing auth headers are HTTP 401 (§5.3); the retCodes are the mock's choice.
  if (key.empty()) return answer(401, 10003, "API key is invalid.", now);
  if (sign.empty())
    return answer(401, 10004, "Error sign, please check your signature generation algorithm.", now);
  const auto timestamp = parse_int(timestamp_text);
  if (!timestamp)
    return answer(401, 10002,
                  "invalid request, please check your server timestamp or recv_window param", now);
  const auto window = window_text.empty() ? std::optional<std::int64_t>(default_recv_window_ms)
                                          : parse_int(window_text);
  if (!window || *window <= 0) return refuse(10001, "recv_window invalid", now);
  const auto account_it = st.bybit.find(key);
  if (account_it == st.bybit.end()) return answer(401, 10003, "API key is invalid.", now);
  bybit_account& account = account_it->second;

  // X-BAPI-SIGN = hex(HMAC-SHA256(secret, timestamp + key + recv_window + payload)), payload the
  // body of a POST and the query string of a GET, as received (§5.2).
  std::string payload(timestamp_text);
  payload += key;
  payload +=
      window_text.empty() ? std::to_string(default_recv_window_ms) : std::string(window_text);
  payload += is_switch ? std::string_view(in.request.body()) : in.query;
  if (sign != hmac_sha256_hex(account.secret, payload))
    return refuse(10004, "error sign! origin_string[" + std::string(timestamp_text) + "]", now);
  if (*timestamp < now - *window || *timestamp >= now + ahead_ms)
    return refuse(10002, "invalid request, please check your server timestamp or recv_window param",
                  now);

  if (!is_switch) {
    // Parameters of a GET are in the query string only; a body is refused with 403 (§5.3).
    if (!in.request.body().empty()) return forbidden("GET request with a body");
    std::vector<std::pair<std::string_view, std::string_view>> params;
    if (!split_query(in.query, params))
      return refuse(10001, "params error: duplicate parameter", now);
    std::string_view category;
    std::string_view symbol;
    std::string_view settle;
    for (const auto& [name, value] : params) {
      if (name == "category")
        category = value;
      else if (name == "symbol")
        symbol = value;
      else if (name == "settleCoin")
        settle = value;
      else if (name != "limit" && name != "cursor" && name != "baseCoin")
        return refuse(10001, "params error: unknown parameter", now);
    }
    if (category != "linear") return refuse(10001, "params error: category invalid", now);
    if (symbol.empty() && settle.empty())
      return refuse(10001, "params error: symbol or settleCoin is required", now);
    std::string rows;
    if (!symbol.empty()) {
      if (!is_upper_symbol(symbol) || settle_coin_of(symbol).empty())
        return refuse(10001, "params error: symbol invalid", now);
      rows = list_rows(account, symbol);
    } else if (account.has_positions) {
      // By settle coin only, rows of held positions alone (assumption A-Y2 of §10).
      rows = list_rows(account, std::string(settle == "USDC" ? "BTCPERP" : "BTCUSDT"));
    }
    reply r = answer(200, 0, "OK", now,
                     R"({"list":[)" + rows + R"(],"nextPageCursor":"","category":"linear"})");
    return r;
  }

  // A POST carries JSON: its parameters in the body, none in the query string.
  const std::string_view content_type = header(in.request, "Content-Type");
  if (!content_type.starts_with("application/json"))
    return refuse(10001, "params error: Content-Type must be application/json", now);
  if (!in.query.empty()) return refuse(10001, "params error: parameters belong in the body", now);
  switch_params p;
  if (!parse_switch_body(in.request.body(), p))
    return refuse(10001, "params error: body is not the expected JSON object", now);
  if (p.category != "linear") return refuse(10001, "params error: category invalid", now);
  if (!p.has_mode || (p.mode != 0 && p.mode != 3))
    return refuse(10001, "position_mode invalid", now);
  if (p.symbol.empty() && p.coin.empty())
    return refuse(10001, "params error: symbol or coin is required", now);
  // "symbol > coin" (§5.1).
  const bool by_symbol = !p.symbol.empty();
  const std::string scope = by_symbol ? p.symbol : p.coin;
  const std::string coin = by_symbol ? settle_coin_of(p.symbol) : p.coin;
  if (!is_upper_symbol(scope) || (coin != "USDT" && coin != "USDC"))
    return refuse(10001, by_symbol ? "params error: symbol invalid" : "params error: coin invalid",
                  now);

  reply limit_headers;
  if (over_uid_limit(st, in, account.api_key, limit_headers)) {
    reply r = refuse(10006, "Too many visits!", now);
    r.headers = std::move(limit_headers.headers);
    return r;
  }
  const position_mode wanted = p.mode == 3 ? position_mode::hedge : position_mode::one_way;
  const auto finish = [&](reply r) {
    r.headers = limit_headers.headers;
    return r;
  };
  // Bybit's documented coin switch skips the symbols with positions or orders silently (§5.1);
  // the mock's default refuses it like a symbol switch instead.
  const bool held = account.has_positions || account.has_orders;
  const bool skip_held = held && !by_symbol && account.coin_switch_skips_held;
  if (account.has_positions && !skip_held)
    return finish(refuse(
        110024, "You have an existing position, so the position mode cannot be switched.", now));
  if (account.has_orders && !skip_held)
    return finish(refuse(
        110028, "You have existing open orders, so the position mode cannot be switched.", now));
  if (wanted == position_mode::hedge &&
      (account.no_hedge.contains(scope) || account.no_hedge.contains(coin)))
    return finish(refuse(110029, "Hedge mode is not supported for this symbol.", now));

  const std::string product = "linear:" + scope;
  if (by_symbol) {
    if (symbol_mode(account, p.symbol) == wanted)
      return finish(refuse(110025, "Position mode has not been modified.", now));
    account.symbol_modes[p.symbol] = wanted;
  } else {
    // A coin switch sets the coin's default and every symbol of it, except, when skipping, the
    // one that holds the positions or orders: it keeps the mode it had.
    const std::string held_symbol = coin == "USDT" ? "BTCUSDT" : "BTCPERP";
    if (skip_held && !account.symbol_modes.contains(held_symbol))
      account.symbol_modes[held_symbol] = coin_mode(account, coin);
    bool any_differs = coin_mode(account, coin) != wanted;
    for (auto it = account.symbol_modes.begin(); it != account.symbol_modes.end();) {
      if (skip_held && it->first == held_symbol) {
        ++it;
      } else if (settle_coin_of(it->first) == coin) {
        any_differs = any_differs || it->second != wanted;
        it = account.symbol_modes.erase(it);
      } else {
        ++it;
      }
    }
    if (!any_differs) return finish(refuse(110025, "Position mode has not been modified.", now));
    account.coin_modes[coin] = wanted;
  }
  record_change(st, account.api_key, product, wanted, true, in.received);
  return finish(answer(200, 0, "OK", now));
}

// Every Bybit path counts against the client IP's 600 requests per 5 s; beyond it the IP gets 403
// "access too frequent" for ten minutes (§5.3).
bool ip_banned(state& st, const incoming& in) {
  if (const auto ban = st.bybit_bans.find(in.peer); ban != st.bybit_bans.end()) {
    if (ban->second > in.now) return true;
    st.bybit_bans.erase(ban);
  }
  auto& calls = st.bybit_ip_calls[in.peer];
  while (!calls.empty() && calls.front() <= in.now - std::chrono::seconds(5))
    calls.pop_front();
  if (calls.size() >= st.bybit_ip_limit) {
    st.bybit_bans[in.peer] = in.now + st.bybit_ban_duration;
    calls.clear();
    return true;
  }
  calls.push_back(in.now);
  return false;
}

bool serves_bybit(std::string_view path) noexcept {
  return path.starts_with("/v5/");
}

reply bybit_unknown_error(std::int64_t server_ms) {
  // 10016 "Server error" (§5.3); the 503 status is the fault's.
  return answer(503, 10016, "Server error", server_ms);
}

}  // namespace

position_mode bybit_scope_mode(const bybit_account& account, std::string_view scope) {
  return scope == "USDT" || scope == "USDC" ? coin_mode(account, scope)
                                            : symbol_mode(account, scope);
}

void set_bybit_scope_mode(bybit_account& account, std::string_view scope, position_mode mode) {
  if (scope == "USDT" || scope == "USDC")
    account.coin_modes[std::string(scope)] = mode;
  else
    account.symbol_modes[std::string(scope)] = mode;
}

reply handle_bybit(state& st, const incoming& in) {
  if (ip_banned(st, in)) return forbidden("access too frequent");
  const auto method = in.request.method();
  if (method == http::verb::get && in.path == time_path) {
    const std::int64_t ms = in.server_ms;
    reply r = answer(200, 0, "OK", ms,
                     R"({"timeSecond":")" + std::to_string(ms / 1000) + R"(","timeNano":")" +
                         std::to_string(ms) + R"(000000"})");
    r.outcome = "ok";
    return r;
  }
  if (method == http::verb::post && in.path == switch_path) return private_request(st, in, true);
  if (method == http::verb::get && in.path == list_path) return private_request(st, in, false);
  reply r = answer(404, 10001, "path not found", in.server_ms);
  r.outcome = "404";
  return r;
}

const venue_route bybit_route{serves_bybit, handle_bybit, bybit_unknown_error, "X-BAPI-API-KEY"};

}  // namespace posmode::mock::detail
