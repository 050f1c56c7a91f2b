// Bitget v2 mix position-mode endpoints (docs/venues.md §3). Bitget publishes no error-code list;
// codes and messages are ccxt's table (docs/venues.md §3.6), and the undocumented cases are marked.

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <string>
#include <string_view>

#include "state.hpp"
#include "wire.hpp"

namespace posmode::mock::detail {

namespace {

constexpr std::string_view set_mode_path = "/api/v2/mix/account/set-position-mode";
constexpr std::string_view account_path = "/api/v2/mix/account/account";
constexpr std::string_view time_path = "/api/v2/public/time";

// Not stated on the doc pages read (docs/venues.md §3.3); 30 s is what third-party articles say.
constexpr std::int64_t timestamp_window_ms = 30'000;

constexpr std::array product_types{"USDT-FUTURES",  "COIN-FUTURES",  "USDC-FUTURES",
                                   "SUSDT-FUTURES", "SCOIN-FUTURES", "SUSDC-FUTURES"};

reply error(unsigned status, std::string_view code, std::string_view msg, std::int64_t now) {
  reply r;
  r.status = status;
  r.outcome = std::string(code);
  r.body = "{\"code\":\"" + std::string(code) + "\",\"msg\":\"" + std::string(msg) +
           "\",\"requestTime\":" + std::to_string(now) + ",\"data\":null}";
  return r;
}

std::string_view mode_name(position_mode mode) {
  return mode == position_mode::hedge ? "hedge_mode" : "one_way_mode";
}

position_mode mode_for(const bitget_account& account, const std::string& product_type) {
  const auto it = account.modes.find(product_type);
  return it == account.modes.end() ? position_mode::one_way : it->second;
}

// The set-position-mode body: both fields required, any key order, whitespace allowed.
bool parse_set_body(const std::string& body, std::string& product_type, std::string& pos_mode) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc) != simdjson::SUCCESS) return false;
  std::string_view pt;
  std::string_view pm;
  if (doc["productType"].get_string().get(pt) != simdjson::SUCCESS) return false;
  if (doc["posMode"].get_string().get(pm) != simdjson::SUCCESS) return false;
  product_type = std::string(pt);
  pos_mode = std::string(pm);
  return true;
}

reply private_request(state& st, const incoming& in, bool is_set) {
  const auto now = in.server_ms;
  const std::string_view key = header(in.request, "ACCESS-KEY");
  const std::string_view sign = header(in.request, "ACCESS-SIGN");
  const std::string_view timestamp_text = header(in.request, "ACCESS-TIMESTAMP");
  const std::string_view passphrase = header(in.request, "ACCESS-PASSPHRASE");
  if (key.empty()) return error(400, "40001", "ACCESS_KEY cannot be empty", now);
  if (sign.empty()) return error(400, "40003", "Signature cannot be empty", now);
  const auto timestamp = parse_int(timestamp_text);
  if (!timestamp) return error(400, "40005", "Invalid ACCESS_TIMESTAMP", now);
  if (passphrase.empty()) return error(400, "40011", "ACCESS_PASSPHRASE cannot be empty", now);
  const auto account_it = st.bitget.find(key);
  if (account_it == st.bitget.end()) return error(400, "40037", "Apikey does not exist", now);
  bitget_account& account = account_it->second;
  if (passphrase != account.passphrase) {
    return error(400, "40012", "apikey/password is incorrect", now);
  }
  // A POST's JSON body must say so (docs/venues.md §3.3: `Content-Type: application/json`); the
  // code is 40007 "Invalid Content_Type" (§3.6). Where Bitget checks it among the others is not
  // documented: here, once the key is known.
  if (is_set && !iequals(media_type(header(in.request, "Content-Type")), "application/json")) {
    return error(400, "40007", "Invalid Content_Type", now);
  }

  // "5 times/1s (uid)" on set-position-mode (docs/venues.md §3.1); counted once the key is known.
  if (is_set) {
    auto& calls = st.bitget_calls[account.api_key];
    while (!calls.empty() && calls.front() <= in.now - std::chrono::seconds(1))
      calls.pop_front();
    if (calls.size() >= st.bitget_rate_limit) {
      return error(429, "429", "Too many requests", now);
    }
    calls.push_back(in.now);
  }

  // ACCESS-SIGN = base64(HMAC-SHA256(secret, timestamp + METHOD + path [+ "?" + query] + body))
  // over the bytes received (docs/venues.md §3.3).
  std::string prehash(timestamp_text);
  prehash.append(in.request.method_string().data(), in.request.method_string().size());
  prehash += in.path;
  if (!in.query.empty()) {
    prehash += '?';
    prehash += in.query;
  }
  if (is_set) prehash += in.request.body();
  if (sign != hmac_sha256_base64(account.secret, prehash)) {
    return error(400, "40009", "sign signature error", now);
  }
  if (std::llabs(now - *timestamp) > timestamp_window_ms) {
    return error(400, "40008", "Request timestamp expired", now);
  }

  std::string product_type;
  std::string pos_mode;
  std::string margin_coin;
  if (is_set) {
    if (!parse_set_body(in.request.body(), product_type, pos_mode)) {
      return error(400, "40017", "Parameter verification failed", now);
    }
  } else {
    const auto pt = find_param(in.query, "productType");
    const auto coin = find_param(in.query, "marginCoin");
    const auto symbol = find_param(in.query, "symbol");
    if (!pt || !coin || !symbol || pt->empty() || coin->empty() || symbol->empty()) {
      return error(400, "40017", "Parameter verification failed", now);
    }
    product_type = std::string(*pt);
    margin_coin = to_upper(*coin);
  }
  product_type = to_upper(product_type);
  if (std::find(product_types.begin(), product_types.end(), product_type) == product_types.end()) {
    return error(400, "40017", "Parameter verification failed", now);
  }

  // Two environments that must not be mixed (docs/venues.md §3.4, ccxt PR 25541): a demo key sends
  // `paptrading: 1` with the normal product types; a live key sends no header (S-prefixed types
  // allowed). Anything else is 40099.
  const bool paptrading = header(in.request, "paptrading") == "1";
  const bool demo_type = product_type.front() == 'S';
  if (account.demo_key ? (!paptrading || demo_type) : paptrading) {
    return error(400, "40099", "exchange environment is incorrect", now);
  }

  const position_mode current = mode_for(account, product_type);
  reply r;
  r.outcome = "00000";
  if (!is_set) {
    r.body = R"({"code":"00000","msg":"success","requestTime":)" + std::to_string(now) +
             R"(,"data":{"marginCoin":")" + margin_coin +
             R"(","locked":"0","available":"1000","marginMode":"crossed","posMode":")" +
             std::string(mode_name(current)) + R"(","assetMode":"single","isolatedLongLever":20}})";
    return r;
  }
  position_mode wanted = position_mode::one_way;
  if (pos_mode == "hedge_mode") {
    wanted = position_mode::hedge;
  } else if (pos_mode != "one_way_mode") {
    return error(400, "40017", "Parameter verification failed", now);
  }
  // A success whose echo contradicts the request: only a read-back tells what happened.
  if (in.echo_other_mode) {
    if (in.apply_change && wanted != current) {
      account.modes[product_type] = wanted;
      record_change(st, account.api_key, product_type, wanted, true, in.received);
    }
    const position_mode other =
        wanted == position_mode::hedge ? position_mode::one_way : position_mode::hedge;
    r.body = R"({"code":"00000","msg":"success","data":{"posMode":")" +
             std::string(mode_name(other)) + R"("},"requestTime":)" + std::to_string(now) + "}";
    return r;
  }
  // Bitget documents no code for "already in that mode" (docs/venues.md §3.6); the mock answers
  // success, which is what a re-read would show anyway.
  if (wanted != current) {
    // Nor a code for "positions or orders exist" ("the request may fail", §3.1). The mock uses
    // 45117, Bitget's code for the same refusal on a margin-mode switch.
    if (account.has_positions || account.has_orders) {
      return error(400, "45117",
                   "Currently holding positions or orders, the position mode cannot be adjusted",
                   now);
    }
    account.modes[product_type] = wanted;
    record_change(st, account.api_key, product_type, wanted, true, in.received);
  }
  r.body = R"({"code":"00000","msg":"success","data":{"posMode":")" +
           std::string(mode_name(wanted)) + R"("},"requestTime":)" + std::to_string(now) + "}";
  return r;
}

}  // namespace

namespace {

// Bitget's v2 paths; other /api/ versions belong to other venues (OKX /api/v5/).
bool serves_bitget(std::string_view path) noexcept {
  return path.starts_with("/api/v2/");
}

reply bitget_unknown_error(std::int64_t server_ms) {
  // Bitget documents no 503 body; 40010 "Request timed out" is from ccxt's table.
  reply r;
  r.status = 503;
  r.outcome = "40010";
  r.body = R"({"code":"40010","msg":"Request timed out","requestTime":)" +
           std::to_string(server_ms) + R"(,"data":null})";
  return r;
}

}  // namespace

reply handle_bitget(state& st, const incoming& in) {
  const auto method = in.request.method();
  if (method == http::verb::get && in.path == time_path) {
    reply r;
    r.outcome = "ok";
    const std::string now = std::to_string(in.server_ms);
    r.body = R"({"code":"00000","msg":"success","requestTime":)" + now +
             R"(,"data":{"serverTime":")" + now + R"("}})";
    return r;
  }
  if (method == http::verb::post && in.path == set_mode_path) return private_request(st, in, true);
  if (method == http::verb::get && in.path == account_path) return private_request(st, in, false);
  return error(404, "40404", "Request URL NOT FOUND", in.server_ms);
}

const venue_route bitget_route{serves_bitget, handle_bitget, bitget_unknown_error, "ACCESS-KEY"};

}  // namespace posmode::mock::detail
