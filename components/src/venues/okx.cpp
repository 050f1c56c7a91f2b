// OKX v5: every fact posmode keeps about it (its row of the venue table: names, the one
// account-wide scope, hosts, windows, credentials, the open-outcome policy), the request layout
// and the answer classification. Facts: docs/venues.md §4; layout: §7 "Wire layout".

#include <array>
#include <string>

#include "venues/venue_table.hpp"

namespace posmode::components::detail {
namespace {

constexpr std::string_view set_path = "/api/v5/account/set-position-mode";
constexpr std::string_view query_path = "/api/v5/account/config";
constexpr std::string_view time_path = "/api/v5/public/time";

// OK-ACCESS-SIGN = base64(HMAC-SHA256(isoTimestamp + METHOD + path[?query] + body)), the timestamp
// being UTC ISO-8601 with milliseconds (docs/venues.md §4.3). Headers are not signed; the
// timestamp appears in OK-ACCESS-TIMESTAMP and in the separately signed string, both written by
// the template's ISO-8601 slots on every re-sign.
engine::request_spec signed_request(const account_config& config, const credentials& creds,
                                    std::string_view method, std::string_view path,
                                    std::string body) {
  engine::request_spec spec;
  spec.method = std::string(method);
  spec.host = host_header(std::string(api_host(config)), config.port);
  spec.target = engine::request_text(path);
  spec.headers = {
      {"User-Agent", user_agent},
      {"OK-ACCESS-KEY", creds.api_key},
      {"OK-ACCESS-SIGN", engine::request_text().signature()},
      {"OK-ACCESS-TIMESTAMP", engine::request_text().timestamp()},
      {"OK-ACCESS-PASSPHRASE", std::string(creds.passphrase.reveal())},
  };
  // "Request bodies should have content type application/json" (§4.3); a GET has no body.
  if (!body.empty()) spec.headers.push_back({"Content-Type", "application/json"});
  // Demo trading is the production host with this header and a demo key (§4.3); a key of the
  // other environment is refused with 50101.
  if (sends_demo_header(config)) spec.headers.push_back({"x-simulated-trading", "1"});
  engine::request_text signed_text;
  signed_text.timestamp().text(method).text(path).text(body);
  spec.signed_text = std::move(signed_text);
  spec.body = std::move(body);
  spec.encoding = engine::signature_encoding::base64;
  spec.time_format = engine::timestamp_format::iso8601_ms;
  return spec;
}

std::string set_body(position_mode m) {
  return m == position_mode::hedge ? R"({"posMode":"long_short_mode"})"
                                   : R"({"posMode":"net_mode"})";
}

bool parse_mode(const parsed_answer& a, position_mode& out) noexcept {
  if (!a.has_mode_value) return false;
  if (a.mode_text == "long_short_mode") {
    out = position_mode::hedge;
    return true;
  }
  if (a.mode_text == "net_mode") {
    out = position_mode::one_way;
    return true;
  }
  return false;
}

product_specs product_specs_of(const account_config& config, product, const credentials& creds) {
  return {signed_request(config, creds, "POST", set_path, set_body(position_mode::hedge)),
          signed_request(config, creds, "POST", set_path, set_body(position_mode::one_way)),
          signed_request(config, creds, "GET", query_path, {})};
}

// OKX has no ping endpoint: the public time request doubles as the keep-alive. It is public: no
// key, and no demo header (the time is the same in both environments).
account_specs account_specs_of(const account_config& config) {
  return public_time_specs(config, time_path);
}

// OKX's codes posmode reacts to (docs/venues.md §4.4, §4.6); any other is venue_error, which the
// row's read_back_on_error settles by reading posMode back.
constexpr std::array<code_rule, 14> okx_codes{{
    {59000, outcome::blocked_positions_or_orders},
    {59002, outcome::blocked_positions_or_orders},
    {50102, outcome::clock_skew},
    {50112, outcome::clock_skew},
    {50113, outcome::bad_signature},
    {50101, outcome::wrong_environment},
    {50103, 50111, outcome::key_or_permission},
    {50114, outcome::key_or_permission},
    {50011, outcome::rate_limited},
    {50013, outcome::rate_limited},
    {50001, outcome::unknown},
    {50004, outcome::unknown},
    {50026, outcome::unknown},
    {59001, outcome::venue_error},
}};

// What the answers below mean in words the venue's own message lacks; `msg` follows after.
// 59000's documented text names positions and orders only, yet running trading bots block the
// switch as well (§4.6).
constexpr std::string_view blocked_note = "positions, orders or trading bots: ";
constexpr std::string_view borrowings_note = "borrowings block the switch: ";
constexpr std::string_view portfolio_note =
    "hedge refused; a portfolio-margin account supports only net_mode: ";

// `perm` lists the key's permissions separated by commas ("read_only,trade", docs/venues.md §10
// A-O1): true when `trade` is one of them. A few compares over the read-back's bytes.
bool lists_trade(std::string_view perm) noexcept {
  while (!perm.empty()) {
    const std::size_t comma = perm.find(',');
    std::string_view item = perm.substr(0, comma);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ')
      item.remove_suffix(1);
    if (item == "trade") return true;
    if (comma == std::string_view::npos) break;
    perm.remove_prefix(comma + 1);
  }
  return false;
}

void prefix_message(venue_reply& r, std::string_view note, std::string_view msg) noexcept {
  r.message.assign(note);
  r.message.append(msg);
}

void classify(const parsed_answer& a, position_mode requested, std::int64_t,
              venue_reply& r) noexcept {
  const bool set = r.kind == request_kind::set_mode;
  r.has_code = a.has_code && a.code_numeric;
  r.code = r.has_code ? a.code : 0;
  const bool success = r.has_code && r.code == 0 && a.code_is_string;

  if (a.status == 418) {
    r.result = outcome::ip_banned;
  } else if (a.status == 429) {
    r.result = outcome::rate_limited;  // 50011 or 50013 with HTTP 429 (§4.4)
  } else if (a.status == 408) {
    r.result = outcome::unknown;
  } else if (!a.json) {
    // An HTML 5xx from a proxy says nothing of the request either way.
    r.result = a.status >= 500 ? outcome::unknown : outcome::malformed;
    describe_non_json(a, r);
  } else if (!r.has_code || !a.code_is_string) {
    r.result = a.status >= 500   ? outcome::unknown
               : a.status == 200 ? outcome::malformed
                                 : outcome::venue_error;
  } else if (success) {
    position_mode reported{};
    const bool has_mode = parse_mode(a, reported);
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
        // The same read says what the key may do: the preflight reports a key without `trade`
        // (position_mode_component::check, check_cause::key_cannot_trade).
        if (a.has_permissions) {
          r.key_permissions.assign(a.permissions);
          r.key_cannot_trade = !lists_trade(a.permissions);
        }
        break;
      case request_kind::server_time:
      case request_kind::ping:
        r.result = a.server_time > 0 ? outcome::ok : outcome::malformed;
        r.server_time_ms = a.server_time;
        break;
    }
    // "0" with a server error status is no success OKX documents: the outcome is open.
    if (a.status >= 500) r.result = outcome::unknown;
  } else {
    r.result = outcome_of_code(okx_codes, r.code);
    // 50001 (503), 50026 (500) and any other code under a 5xx: the request may have been
    // executed before the server failed (50004 says so in its text).
    if (a.status >= 500 && r.result == outcome::venue_error) r.result = outcome::unknown;
    if (!set && is_blocked(r.result)) r.result = outcome::venue_error;
    if (set && is_blocked(r.result)) prefix_message(r, blocked_note, a.msg);
    if (set && r.code == 59001) prefix_message(r, borrowings_note, a.msg);
    // A portfolio-margin account "only supports net mode" (§4.1); OKX documents no code for a
    // hedge request on one. 51000 (parameter error) is the code its `posMode` would draw: the
    // event keeps the code and says the likely cause; the read-back decides the status.
    if (set && requested == position_mode::hedge && r.code == 51000)
      prefix_message(r, portfolio_note, a.msg);
  }

  if (set) {
    // OKX documents no "already in that mode" answer (§4.5): only a read-back may say so, which
    // the row's read_back_on_error asks for after every refusal it does not recognise. A success
    // whose echo names the other mode proves nothing either.
    r.verify_by_query = r.result == outcome::unknown || r.result == outcome::malformed ||
                        (r.result == outcome::applied && r.has_mode && r.mode != requested);
  }
}

// The demo header comes from environment = demo; bitget_demo_key is Bitget's own spelling, and
// OKX has no testnet (its demo is the production host plus x-simulated-trading: 1, §4.3).
void check_account(const account_config& c, std::string_view where) {
  if (c.environment == venue_environment::testnet)
    refuse_field("environment",
                 {"okx has no testnet; use demo (www.okx.com with x-simulated-trading: 1 and a "
                  "demo API key)",
                  where});
  if (c.bitget_demo_key)
    refuse_field("bitget_demo_key", {"is a Bitget setting; for OKX use environment = demo", where});
}

// posMode is account-wide (§4.1): one scope, switched whole.
constexpr product_facts products[] = {
    {.id = product::okx_account, .name = "account", .live_twin = product::okx_account},
};
constexpr product defaults[] = {product::okx_account};

}  // namespace

constinit const venue_row okx_row{
    venue_facts{
        .id = venue::okx,
        .name = "okx",
        .display_name = "OKX",
        .family = "okx",
        .products = products,
        .default_products = defaults,
        .default_product = product::okx_account,
        // Demo is the production host plus `x-simulated-trading: 1` (docs/venues.md §4.3).
        .hosts = {"www.okx.com", "", "www.okx.com"},
        .demo_by_header = true,
        .sends_recv_window = false,
        // OKX states no window in the sections read (§4.3, §10): signatures are budgeted as if it
        // were Binance's default, and the 30 s either side a secondary source gives is how long a
        // lost set may still be executed and how far ahead a timestamp may be (the mock enforces
        // the same).
        .assumed_window_ms = 5'000,
        .acceptance_window_ms = 30'000,
        .ahead_tolerance_ms = 30'000,
        .needs_passphrase = true,
        // No documented "already in mode" answer: every refusal but success is settled by reading
        // posMode back (§4.5).
        .read_back_on_error = true,
        .usage_header_prefixes = {},
        .used_weight_header = {},
        .credential_env = {"OKX_API_KEY", "OKX_API_SECRET", "OKX_API_PASSPHRASE"},
        .key_header = "OK-ACCESS-KEY",
        .passphrase_header = "OK-ACCESS-PASSPHRASE",
    },
    {.key = "posMode",
     .in_data = true,
     .is_bool = false,
     .time_key = "ts",
     .permission_key = "perm"},
    product_specs_of,
    account_specs_of,
    check_account,
    classify,
    parse_mode,
};

}  // namespace posmode::components::detail
