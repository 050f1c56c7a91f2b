// Gate APIv4 perpetual futures position-mode endpoints (docs/venues.md §5b): set_position_mode, the
// legacy dual_mode, the futures account the mode is read from, and the public spot time. The
// signature is rebuilt here from the bytes received (the mock's own HMAC-SHA512 and SHA-512).
// Gate documents no label for most refusals of these endpoints (positions or orders, misplaced
// parameters), no answer for "already in that mode" and no timestamp window: each choice is
// marked and listed in docs/mock-exchange.md.

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "state.hpp"
#include "wire.hpp"

namespace posmode::mock::detail {

namespace {

constexpr std::string_view time_path = "/api/v4/spot/time";
constexpr std::string_view futures_prefix = "/api/v4/futures/";

// Gate states no window in the material read (§5b.2, §10): 60 s either side is the mock's
// assumption.
constexpr std::int64_t timestamp_window_ms = 60'000;
// "200 requests / 10 s per endpoint per UID" (§5b.3, a secondary source).
constexpr auto rate_window = std::chrono::seconds(10);

enum class endpoint { set_position_mode, dual_mode, accounts };

// The endpoint's name, which is also the key of its rate-limit window: per endpoint, whatever the
// settle (the endpoint is the path template `/futures/{settle}/...`).
std::string_view endpoint_name(endpoint e) noexcept {
  switch (e) {
    case endpoint::set_position_mode:
      return "set_position_mode";
    case endpoint::dual_mode:
      return "dual_mode";
    case endpoint::accounts:
      break;
  }
  return "accounts";
}

// Gate's error shape (ccxt's comments, §5b.1): `{"label":…,"message":…}`. `message` goes in as
// given: callers pass client text through `shown` first.
reply error(unsigned status, std::string_view label, std::string_view message) {
  reply r;
  r.status = status;
  r.outcome = std::string(label);
  r.body = R"({"label":")" + std::string(label) + R"(","message":")" + std::string(message) + "\"}";
  return r;
}

// Client text put in a JSON message: quotes, backslashes and control bytes become '?', and it is
// cut at 64 bytes, so the answer stays well formed whatever was sent.
std::string shown(std::string_view text) {
  std::string out(text.substr(0, 64));
  for (char& c : out)
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) c = '?';
  return out;
}

std::string_view mode_text(gate_mode mode, bool split_spelling) noexcept {
  switch (mode) {
    case gate_mode::single:
      return "single";
    case gate_mode::dual:
      return "dual";
    case gate_mode::dual_plus:
      break;
  }
  return split_spelling ? "split" : "dual_plus";
}

bool all_digits(std::string_view s) noexcept {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// `Timestamp`: whole seconds (`1700000000`, the Go SDK and ccxt) or seconds with a fraction of 1
// to 9 digits (`1700000000.123456`, the Python SDK's `time.time()`, §5b.2) → milliseconds.
// Gate does not say which it accepts; the mock accepts both (its choice). A sign, an exponent, an
// empty part or more than 15 digits is nullopt; milliseconds are read as seconds and fall out of
// the window.
std::optional<std::int64_t> timestamp_ms(std::string_view text) {
  const std::size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  if (!all_digits(whole) || whole.size() > 15) return std::nullopt;
  std::int64_t ms = *parse_int(whole) * 1'000;
  if (dot != std::string_view::npos) {
    const std::string_view fraction = text.substr(dot + 1);
    if (!all_digits(fraction) || fraction.size() > 9) return std::nullopt;
    std::int64_t scale = 100;
    for (std::size_t i = 0; i < fraction.size() && i < 3; ++i, scale /= 10)
      ms += (fraction[i] - '0') * scale;
  }
  return ms;
}

// The one parameter `name` must be the whole query string: missing, repeated, or next to any
// other parameter is refused (Gate documents nothing for these: the mock's strictness). Names and
// values are percent-decoded as a server would. On refusal, `problem` says what is wrong.
std::optional<std::string> only_param(std::string_view query, std::string_view name,
                                      std::string& problem) {
  std::optional<std::string> value;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const std::size_t eq = pair.find('=');
    const std::string key = query_unescape(pair.substr(0, eq));
    if (key != name) {
      problem = "unknown parameter '" + shown(key) + "': " + std::string(name) + " is the only one";
      return std::nullopt;
    }
    if (value) {
      problem = std::string(name) + " is repeated";
      return std::nullopt;
    }
    value = eq == std::string_view::npos ? std::string{} : query_unescape(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  if (!value) problem = std::string(name) + " is required as a query parameter";
  return value;
}

// A FuturesAccount object (Gate doc "Get futures account"; Go SDK docs/FuturesAccount.md) with
// fixed balances; the margins are non-zero while positions or orders are held.
std::string account_body(const gate_account& account, std::string_view settle, gate_mode mode) {
  const bool usdt = settle == "usdt";
  const char* position_margin = !account.has_positions ? "0" : (usdt ? "38.712189181" : "0.000421");
  const char* order_margin = !account.has_orders ? "0" : (usdt ? "12.5" : "0.0002");
  const char* pnl = !account.has_positions ? "0" : (usdt ? "3.248828" : "0.0000125");
  std::string body = R"({"user":1666,"currency":")";
  body += usdt ? "USDT" : "BTC";
  body += R"(","total":")";
  body += usdt ? "9707.803567115145" : "0.0512";
  body += R"(","unrealised_pnl":")";
  body += pnl;
  body += R"(","position_margin":")";
  body += position_margin;
  body += R"(","order_margin":")";
  body += order_margin;
  body += R"(","available":")";
  body += usdt ? "9656.591377934145" : "0.0505790";
  body += R"(","point":"0","bonus":"0","in_dual_mode":)";
  body += mode == gate_mode::dual ? "true" : "false";
  body += R"(,"enable_credit":false,"position_initial_margin":")";
  body += position_margin;
  body += R"(","maintenance_margin":")";
  body += !account.has_positions ? "0" : (usdt ? "0.19356" : "0.0000021");
  body += R"(","enable_evolved_classic":true,"cross_initial_margin":"0",)"
          R"("cross_maintenance_margin":"0","cross_order_margin":"0","cross_unrealised_pnl":"0",)"
          R"("cross_available":"0","cross_margin_balance":"0","cross_mmr":"0","cross_imr":"0",)"
          R"("isolated_position_margin":")";
  body += position_margin;
  body += R"(","enable_new_dual_mode":false,"margin_mode":0,"enable_tiered_mm":true,)"
          R"("position_voucher_total":"0","history":{"dnw":")";
  body += usdt ? "10000" : "0.05";
  body += R"(","pnl":"68.3685","fee":"-1.645812875","refr":"0","fund":"-358.919120009855",)"
          R"("point_dnw":"0","point_fee":"0","point_refr":"0","bonus_dnw":"0","bonus_offset":"0"},)"
          R"("enable_dual_plus":true,"position_mode":")";
  body += mode_text(mode, account.split_spelling);
  body += R"("})";
  return body;
}

reply account_reply(const gate_account& account, std::string_view settle, gate_mode mode) {
  reply r;
  r.outcome = "ok";
  r.body = account_body(account, settle, mode);
  return r;
}

// The settle accounts Gate's doc enumerates (§5b.1); `usd1` is unsourced and not modelled.
bool known_settle(std::string_view settle) noexcept {
  return settle == "usdt" || settle == "btc";
}

// What the request asks for: the mode of set_position_mode or of the legacy dual_mode.
std::optional<gate_mode> wanted_mode(const incoming& in, endpoint e, std::string& problem) {
  const std::string_view name = e == endpoint::dual_mode ? "dual_mode" : "position_mode";
  // ccxt's implicit call puts position_mode in a JSON body (§5b.4); the doc and SDKs use the query
  // string with an empty body. Whether Gate takes the body form is unverified: the mock refuses it.
  if (!in.request.body().empty()) {
    problem = std::string(name) + " belongs in the query string; the body must be empty";
    return std::nullopt;
  }
  const auto value = only_param(in.query, name, problem);
  if (!value) return std::nullopt;
  if (e == endpoint::dual_mode) {
    if (*value == "true") return gate_mode::dual;
    if (*value == "false") return gate_mode::single;
    problem = "dual_mode must be true or false, got '" + shown(*value) + "'";
    return std::nullopt;
  }
  if (*value == "single") return gate_mode::single;
  if (*value == "dual") return gate_mode::dual;
  if (*value == "dual_plus") return gate_mode::dual_plus;
  problem = "position_mode must be single, dual or dual_plus, got '" + shown(*value) + "'";
  return std::nullopt;
}

// Everything after the key is known: the other headers, signature, window, rate limit, settle,
// parameters and the mode logic. `calls` is this key's window on this endpoint.
reply serve_account(state& st, const incoming& in, gate_account& account, endpoint e,
                    std::string_view settle,
                    std::deque<std::chrono::steady_clock::time_point>& calls) {
  const std::string_view sign = header(in.request, "SIGN");
  const std::string_view timestamp_text = header(in.request, "Timestamp");
  if (timestamp_text.empty())
    return error(401, "MISSING_REQUIRED_HEADER", "Missing required header: Timestamp");
  if (sign.empty()) return error(401, "MISSING_REQUIRED_HEADER", "Missing required header: SIGN");
  const auto timestamp = timestamp_ms(timestamp_text);
  // Gate documents no label for a malformed Timestamp: the mock's choice is the window's label.
  if (!timestamp) return error(401, "REQUEST_EXPIRED", "Timestamp is not a Unix time in seconds");

  // SIGN = hex(HMAC-SHA512(secret, METHOD\npath\nunescaped query\nhex(SHA-512(body))\nTimestamp))
  // over what was received (§5b.2); the path carries /api/v4.
  std::string payload(in.request.method_string().data(), in.request.method_string().size());
  payload += '\n';
  payload += in.path;
  payload += '\n';
  payload += query_unescape(in.query);
  payload += '\n';
  payload += sha512_hex(in.request.body());
  payload += '\n';
  payload += timestamp_text;
  if (sign != hmac_sha512_hex(account.secret, payload))
    return error(401, "INVALID_SIGNATURE", "Signature mismatch");
  if (std::llabs(in.server_ms - *timestamp) > timestamp_window_ms)
    return error(401, "REQUEST_EXPIRED", "Timestamp is more than 60 s away from the server time");

  if (calls.size() >= st.gate_rate_limit)
    return error(429, "TOO_MANY_REQUESTS", "Request rate limit exceeded");
  calls.push_back(in.now);

  if (!known_settle(settle))
    return error(400, "INVALID_PARAM_VALUE",
                 "settle must be usdt or btc, got '" + shown(settle) + "'");
  gate_mode& current = account.modes[std::string(settle)];

  if (e == endpoint::accounts) {
    if (!in.query.empty() || !in.request.body().empty())
      return error(400, "INVALID_PARAM_VALUE",
                   "GET /futures/{settle}/accounts takes no parameter and no body");
    return account_reply(account, settle, current);
  }

  std::string problem;
  const auto wanted = wanted_mode(in, e, problem);
  if (!wanted) return error(400, "INVALID_PARAM_VALUE", problem);

  // A success whose account object names another mode than the one asked for: only a read-back
  // tells what happened.
  if (in.echo_other_mode) {
    if (in.apply_change && *wanted != current) {
      current = *wanted;
      record_gate_change(st, account.api_key, settle, *wanted, true, in.received);
    }
    return account_reply(account, settle,
                         *wanted == gate_mode::single ? gate_mode::dual : gate_mode::single);
  }
  // "Already in that mode" is not documented (§5b.1): the mock answers the account object.
  if (*wanted != current) {
    // One documented precondition for both ("no holdings and no pending orders"), no label: ccxt's
    // POSITION_HOLDING for both, with messages that tell them apart (the mock's choice).
    if (account.has_positions)
      return error(400, "POSITION_HOLDING",
                   "The position mode cannot be changed while positions are held");
    if (account.has_orders)
      return error(400, "POSITION_HOLDING",
                   "The position mode cannot be changed while orders are pending");
    current = *wanted;
    record_gate_change(st, account.api_key, settle, *wanted, true, in.received);
  }
  return account_reply(account, settle, *wanted);
}

// Gate's rate-limit headers (on every answer to a known key): the window's size, the calls left,
// and (seconds) when the next call is allowed once none is left, else the current time.
void add_limit_headers(reply& r, const state& st, const incoming& in,
                       const std::deque<std::chrono::steady_clock::time_point>& calls) {
  const std::size_t used = std::min<std::size_t>(calls.size(), st.gate_rate_limit);
  std::int64_t reset_ms = in.server_ms;
  if (used >= st.gate_rate_limit && !calls.empty())
    reset_ms +=
        std::chrono::ceil<std::chrono::milliseconds>(calls.front() + rate_window - in.now).count();
  r.headers.emplace_back("X-Gate-RateLimit-Requests-Remain",
                         std::to_string(st.gate_rate_limit - used));
  r.headers.emplace_back("X-Gate-RateLimit-Limit", std::to_string(st.gate_rate_limit));
  // Rounded up: a call made at the stamped second is inside the new window.
  r.headers.emplace_back("X-Gate-RateLimit-Reset-Timestamp",
                         std::to_string((reset_ms + 999) / 1'000));
}

reply private_request(state& st, const incoming& in, endpoint e, std::string_view settle) {
  const std::string_view key = header(in.request, "KEY");
  if (key.empty()) return error(401, "MISSING_REQUIRED_HEADER", "Missing required header: KEY");
  const auto account_it = st.gate.find(key);
  // The limit is per key: answers before an account is known carry no rate-limit headers.
  if (account_it == st.gate.end()) return error(401, "INVALID_KEY", "Invalid key provided");
  gate_account& account = account_it->second;
  auto& calls = st.gate_calls[account.api_key + ' ' + std::string(endpoint_name(e))];
  while (!calls.empty() && calls.front() <= in.now - rate_window)
    calls.pop_front();
  reply r = serve_account(st, in, account, e, settle, calls);
  add_limit_headers(r, st, in, calls);
  return r;
}

bool serves_gate(std::string_view path) noexcept {
  return path.starts_with("/api/v4/");
}

reply gate_unknown_error(std::int64_t) {
  return error(500, "SERVER_ERROR", "Internal server error");
}

}  // namespace

void record_gate_change(state& st, std::string_view api_key, std::string_view settle,
                        gate_mode mode, bool by_request,
                        std::chrono::steady_clock::time_point received) {
  // mode_change has no split mode: a change to dual_plus is seen in the request log and in
  // exchange::gate_mode_of only (docs/mock-exchange.md).
  if (mode == gate_mode::dual_plus) return;
  record_change(st, api_key, "futures:" + std::string(settle),
                mode == gate_mode::dual ? position_mode::hedge : position_mode::one_way, by_request,
                received);
}

reply handle_gate(state& st, const incoming& in) {
  const auto method = in.request.method();
  if (method == http::verb::get && in.path == time_path) {
    reply r;
    r.outcome = "ok";
    r.body = R"({"server_time":)" + std::to_string(in.server_ms) + "}";
    return r;
  }
  if (in.path.starts_with(futures_prefix)) {
    const std::string_view rest = in.path.substr(futures_prefix.size());
    const std::size_t slash = rest.find('/');
    if (slash != std::string_view::npos) {
      const std::string_view settle = rest.substr(0, slash);
      const std::string_view name = rest.substr(slash + 1);
      if (method == http::verb::post && name == "set_position_mode")
        return private_request(st, in, endpoint::set_position_mode, settle);
      if (method == http::verb::post && name == "dual_mode")
        return private_request(st, in, endpoint::dual_mode, settle);
      if (method == http::verb::get && name == "accounts")
        return private_request(st, in, endpoint::accounts, settle);
    }
  }
  return error(404, "NOT_FOUND", "no such endpoint: " + shown(in.path));
}

const venue_route gate_route{serves_gate, handle_gate, gate_unknown_error, "KEY"};

}  // namespace posmode::mock::detail
