// Bitget v2 mix futures: request layout and answer classification. Facts: docs/venues.md §3;
// layout: "Wire layout posmode uses".

#include <string>

#include "adapter.hpp"

namespace posmode::components::detail {
namespace {

constexpr std::string_view set_path = "/api/v2/mix/account/set-position-mode";
constexpr std::string_view query_path = "/api/v2/mix/account/account";
constexpr std::string_view time_path = "/api/v2/public/time";

// ACCESS-SIGN = base64(HMAC(ts + METHOD + path[?query] + body)) (docs/venues.md §3.3). Headers are
// not signed; the timestamp appears both in ACCESS-TIMESTAMP and in the separately signed string.
engine::request_spec signed_request(const account_config& config, const credentials& creds,
                                    std::string_view method, std::string target, std::string body) {
  engine::request_spec spec;
  spec.method = std::string(method);
  spec.host = host_header(std::string(api_host(config)), config.port);
  spec.target = engine::request_text(target);
  spec.headers = {
      {"User-Agent", user_agent},
      {"ACCESS-KEY", creds.api_key},
      {"ACCESS-SIGN", engine::request_text().signature()},
      {"ACCESS-TIMESTAMP", engine::request_text().timestamp()},
      {"ACCESS-PASSPHRASE", std::string(creds.passphrase.reveal())},
  };
  if (!body.empty()) spec.headers.push_back({"Content-Type", "application/json"});
  spec.headers.push_back({"locale", "en-US"});
  // Demo trading (environment = demo, or the older bitget_demo_key) with the normal product types
  // needs the header; S-prefixed types must not have it (40099, docs/venues.md §3.4).
  // validate_account() refuses the mix-up before we get here.
  if (bitget_paptrading(config)) spec.headers.push_back({"paptrading", "1"});
  engine::request_text signed_text;
  signed_text.timestamp().text(method).text(target).text(body);
  spec.signed_text = std::move(signed_text);
  spec.body = std::move(body);
  spec.encoding = engine::signature_encoding::base64;
  return spec;
}

std::string set_body(product p, position_mode m) {
  return R"({"productType":")" + std::string(to_string(p)) + R"(","posMode":")" +
         (m == position_mode::hedge ? "hedge_mode" : "one_way_mode") + R"("})";
}

bool parse_pos_mode(std::string_view text, position_mode& out) noexcept {
  if (text == "hedge_mode") {
    out = position_mode::hedge;
    return true;
  }
  if (text == "one_way_mode") {
    out = position_mode::one_way;
    return true;
  }
  return false;
}

}  // namespace

product_specs bitget_product_specs(const account_config& config, product p,
                                   const credentials& creds) {
  const std::string symbol = config.bitget_query_symbol.empty()
                                 ? std::string(default_bitget_symbol(p))
                                 : config.bitget_query_symbol;
  const std::string coin = config.bitget_query_margin_coin.empty()
                               ? std::string(default_bitget_margin_coin(p))
                               : config.bitget_query_margin_coin;
  // Query keys in ascending order, as Bitget's signature rules and both reference clients do.
  std::string query_target = std::string(query_path) + "?marginCoin=" + coin +
                             "&productType=" + std::string(to_string(p)) + "&symbol=" + symbol;
  return {signed_request(config, creds, "POST", std::string(set_path),
                         set_body(p, position_mode::hedge)),
          signed_request(config, creds, "POST", std::string(set_path),
                         set_body(p, position_mode::one_way)),
          signed_request(config, creds, "GET", std::move(query_target), {})};
}

account_specs bitget_account_specs(const account_config& config) {
  account_specs out;
  out.api = {std::string(api_host(config)), config.port};
  out.time_host = out.api;
  // Bitget has no ping endpoint: the public time request doubles as the keep-alive.
  out.time.method = "GET";
  out.time.host = host_header(out.api.host, out.api.port);
  out.time.target = engine::request_text(time_path);
  out.time.headers = {{"User-Agent", user_agent}, {"locale", "en-US"}};
  out.ping = out.time;
  return out;
}

void classify_bitget(const parsed_answer& a, position_mode requested, venue_reply& r) noexcept {
  const bool set = r.kind == request_kind::set_mode;
  r.has_code = a.has_code;
  r.code = a.code_numeric ? a.code : 0;
  const std::string_view code = a.code_text;

  // A ban outranks a rate limit: a 418 whose body still says "429" must stop traffic, not retry.
  if (a.status == 418) {
    r.result = outcome::ip_banned;
  } else if (a.status == 429 || code == "429") {
    r.result = outcome::rate_limited;
  } else if (a.status == 408) {
    r.result = outcome::unknown;
  } else if (a.json && a.status >= 500 && code != "00000") {
    // A server error (e.g. 503 "40010 Request timed out"): Bitget documents none of them, so the
    // request may have been executed before the server failed, and may still be.
    r.result = outcome::unknown;
  } else if (!a.json) {
    r.result = outcome::malformed;
    describe_non_json(a, r);
  } else if (!a.has_code || !a.code_is_string) {
    r.result = a.status == 200 ? outcome::malformed : outcome::venue_error;
  } else if (code == "00000") {
    position_mode reported{};
    const bool has_mode = parse_pos_mode(a.data_pos_mode, reported);
    switch (r.kind) {
      case request_kind::set_mode:
        r.result = outcome::applied;
        r.has_mode = has_mode;
        r.mode = has_mode ? reported : requested;
        break;
      case request_kind::query_mode:
        r.result = has_mode ? outcome::mode_reported : outcome::malformed;
        r.has_mode = has_mode;
        r.mode = reported;
        break;
      case request_kind::server_time:
      case request_kind::ping:
        r.result = a.server_time > 0 ? outcome::ok : outcome::malformed;
        r.server_time_ms = a.server_time;
        break;
    }
  } else if (code == "40005" || code == "40008") {
    r.result = outcome::clock_skew;
  } else if (code == "40009") {
    r.result = outcome::bad_signature;
  } else if (code == "40001" || code == "40002" || code == "40003" || code == "40006" ||
             code == "40011" || code == "40012" || code == "40014" || code == "40018" ||
             code == "40037") {
    r.result = outcome::key_or_permission;
  } else if (code == "40099") {
    r.result = outcome::wrong_environment;
  } else if (code == "45117") {
    r.result = outcome::blocked_positions_or_orders;
  } else {
    r.result = outcome::venue_error;
  }

  if (set) {
    // Bitget documents no code for "open positions/orders" or "already in that mode"
    // (docs/venues.md §3.6): any answer that is not a recognised one is settled by reading posMode.
    // 45117 is documented for margin-mode switches only, so it names the likely cause but the
    // read-back still decides. A success whose echo names the other mode is settled the same way.
    r.verify_by_query = r.result == outcome::unknown || r.result == outcome::malformed ||
                        r.result == outcome::venue_error ||
                        r.result == outcome::blocked_positions_or_orders ||
                        (r.result == outcome::applied && r.has_mode && r.mode != requested);
  }
}

}  // namespace posmode::components::detail
