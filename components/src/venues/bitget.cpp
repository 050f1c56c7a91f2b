// Bitget v2 mix futures: every fact posmode keeps about it (its row of the venue table: names,
// product types with their query symbols and margin coins, hosts, windows, credentials, the
// open-outcome policy), the request layout and the answer classification. Facts:
// docs/venues.md §3; layout: "Wire layout posmode uses".

#include <string>

#include "venues/venue_table.hpp"

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
  if (sends_demo_header(config)) spec.headers.push_back({"paptrading", "1"});
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

bool parse_mode(const parsed_answer& a, position_mode& out) noexcept {
  if (!a.has_mode_value) return false;
  if (a.mode_text == "hedge_mode") {
    out = position_mode::hedge;
    return true;
  }
  if (a.mode_text == "one_way_mode") {
    out = position_mode::one_way;
    return true;
  }
  return false;
}

product_specs product_specs_of(const account_config& config, product p, const credentials& creds) {
  // The product's defaults are in this file's table (below); validate_account() accepted only
  // products it lists.
  const product_facts* facts = find_product(p);
  const std::string_view default_symbol = facts != nullptr ? facts->query_symbol : "";
  const std::string_view default_coin = facts != nullptr ? facts->margin_coin : "";
  const std::string symbol =
      config.bitget_query_symbol.empty() ? std::string(default_symbol) : config.bitget_query_symbol;
  const std::string coin = config.bitget_query_margin_coin.empty()
                               ? std::string(default_coin)
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

// Bitget has no ping endpoint: the public time request doubles as the keep-alive.
account_specs account_specs_of(const account_config& config) {
  return public_time_specs(config, time_path, {{"locale", "en-US"}});
}

void classify(const parsed_answer& a, position_mode requested, std::int64_t,
              venue_reply& r) noexcept {
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
    // (docs/venues.md §3.6): an unrecognised answer (venue_error) is settled by reading posMode,
    // through the row's read_back_on_error, which the generic classifier applies. 45117 is
    // documented for margin-mode switches only, so it names the likely cause but the read-back
    // still decides. A success whose echo names the other mode is settled the same way.
    r.verify_by_query = r.result == outcome::unknown || r.result == outcome::malformed ||
                        r.result == outcome::blocked_positions_or_orders ||
                        (r.result == outcome::applied && r.has_mode && r.mode != requested);
  }
}

// Bitget has no testnet, and its demo through the header excludes the S-prefixed types: Bitget
// answers 40099 (docs/venues.md §3.4).
void check_account(const account_config& c, std::string_view where) {
  if (c.environment == venue_environment::testnet)
    refuse_field("environment",
                 {"bitget has no testnet; use demo (api.bitget.com with paptrading: 1 and a demo "
                  "API key)",
                  where});
  if (!sends_demo_header(c)) return;
  const bool by_environment = c.environment == venue_environment::demo;
  for (product p : c.products) {
    const product_facts* f = find_product(p);
    if (f == nullptr || !f->header_free_demo) continue;
    if (by_environment)
      refuse_field("environment", {"demo (paptrading: 1) cannot be used with ", f->name,
                                   ": Bitget answers 40099; use ", to_string(f->live_twin),
                                   " in demo, or ", f->name, " in production", where});
    refuse_field("bitget_demo_key",
                 {"a demo key (paptrading: 1) cannot be used with ", f->name,
                  ": Bitget answers 40099; use the normal product type with a demo key, or the "
                  "S-prefixed type without it",
                  where});
  }
}

// Default query symbols and margin coins per type (docs/venues.md §3.2); the S-prefixed types are
// Bitget's header-free demo products.
constexpr product_facts products[] = {
    {product::usdt_futures, "USDT-FUTURES", "", "BTCUSDT", "USDT", false, product::usdt_futures},
    {product::coin_futures, "COIN-FUTURES", "", "BTCUSD", "BTC", false, product::coin_futures},
    {product::usdc_futures, "USDC-FUTURES", "", "BTCPERP", "USDC", false, product::usdc_futures},
    {product::susdt_futures, "SUSDT-FUTURES", "", "SBTCSUSDT", "SUSDT", true,
     product::usdt_futures},
    {product::scoin_futures, "SCOIN-FUTURES", "", "SBTCSUSD", "SBTC", true, product::coin_futures},
    {product::susdc_futures, "SUSDC-FUTURES", "", "SBTCSPERP", "SUSDC", true,
     product::usdc_futures},
};

}  // namespace

constinit const venue_row bitget_row{
    venue_facts{
        .id = venue::bitget,
        .name = "bitget",
        .display_name = "Bitget",
        .family = "bitget",
        .products = products,
        .default_products = {},  // a configuration names its product types
        .default_product = product::usdt_futures,
        // Demo is the production host plus `paptrading: 1` (docs/venues.md §3.4).
        .hosts = {"api.bitget.com", "", "api.bitget.com"},
        .demo_by_header = true,
        .sends_recv_window = false,
        // Bitget documents no window (docs/venues.md §3.3): signatures are budgeted as if it were
        // Binance's default, and a request whose answer was lost is assumed executable for the
        // 30 s either side that third-party articles give (the mock enforces them too).
        .assumed_window_ms = 5'000,
        .acceptance_window_ms = 30'000,
        .ahead_tolerance_ms = 30'000,
        .needs_passphrase = true,
        .read_back_on_error = true,
        .usage_header_prefixes = {},
        .used_weight_header = {},
        .credential_env = {"BITGET_API_KEY", "BITGET_API_SECRET", "BITGET_API_PASSPHRASE"},
        .key_header = "ACCESS-KEY",
        .passphrase_header = "ACCESS-PASSPHRASE",
    },
    {.key = "posMode", .in_data = true, .is_bool = false},
    product_specs_of,
    account_specs_of,
    check_account,
    classify,
    parse_mode,
};

}  // namespace posmode::components::detail
