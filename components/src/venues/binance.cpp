// Binance Portfolio Margin (papi), USDⓈ-M (fapi) and COIN-M (dapi): every fact posmode keeps about
// them (rows of the venue table: names, products, hosts, windows, rate-limit headers,
// credentials), the request layout and the answer classification. Facts: docs/venues.md §1 and
// §2; layout: "Wire layout posmode uses".

#include <array>
#include <string>

#include "venues/venue_table.hpp"

namespace posmode::components::detail {
namespace {

// Binance's error codes posmode reacts to (docs/venues.md §1.4, §1.5); any other is venue_error.
constexpr std::array<code_rule, 11> binance_codes{{
    {-4059, outcome::already_in_mode},
    {-4068, outcome::blocked_positions},
    {-4067, outcome::blocked_orders},
    {-4220, outcome::blocked_um_cm_mismatch},
    {-1021, outcome::clock_skew},
    {-1022, outcome::bad_signature},
    {-1002, outcome::key_or_permission},
    {-2014, outcome::key_or_permission},
    {-2015, outcome::key_or_permission},
    {-1006, outcome::unknown},
    {-1007, outcome::unknown},
}};

std::string_view mode_path(product p) noexcept {
  switch (p) {
    case product::papi_um:
      return "/papi/v1/um/positionSide/dual";
    case product::papi_cm:
      return "/papi/v1/cm/positionSide/dual";
    case product::usdm:
      return "/fapi/v1/positionSide/dual";
    case product::coinm:
      return "/dapi/v1/positionSide/dual";
    default:
      return {};  // not a Binance product: validate_account() refused it before any rendering
  }
}

engine::request_spec signed_request(const account_config& config, const credentials& creds,
                                    std::string_view method, engine::request_text target) {
  engine::request_spec spec;
  spec.method = std::string(method);
  spec.host = host_header(std::string(api_host(config)), config.port);
  spec.target = std::move(target);
  spec.headers = {{"User-Agent", user_agent}, {"X-MBX-APIKEY", creds.api_key}};
  // HMAC: 64 hex characters. Ed25519 and RSA: base64, percent-encoded in the query (§1.6.1);
  // the signed string is the same query bytes either way.
  spec.algorithm = account_signature(config);
  spec.encoding = engine::is_asymmetric(spec.algorithm) ? engine::signature_encoding::base64_percent
                                                        : engine::signature_encoding::hex_lower;
  return spec;
}

// POST <path>?dualSidePosition=<v>&recvWindow=<n>&timestamp=<ms>&signature=<sig>, empty body;
// <sig> is 64 hex characters, or a percent-encoded base64 signature for Ed25519 and RSA keys.
// The signed string is the query without "&signature=...", so it is contiguous on the wire.
engine::request_spec set_spec(const account_config& config, const credentials& creds, product p,
                              position_mode m) {
  engine::request_text target(mode_path(p));
  target.text("?")
      .begin_signed()
      .text(m == position_mode::hedge ? "dualSidePosition=true" : "dualSidePosition=false")
      .text("&recvWindow=" + std::to_string(config.recv_window_ms) + "&timestamp=")
      .timestamp()
      .end_signed()
      .text("&signature=")
      .signature();
  return signed_request(config, creds, "POST", std::move(target));
}

product_specs product_specs_of(const account_config& config, product p, const credentials& creds) {
  engine::request_text query(mode_path(p));
  query.text("?")
      .begin_signed()
      .text("recvWindow=" + std::to_string(config.recv_window_ms) + "&timestamp=")
      .timestamp()
      .end_signed()
      .text("&signature=")
      .signature();
  return {set_spec(config, creds, p, position_mode::hedge),
          set_spec(config, creds, p, position_mode::one_way),
          signed_request(config, creds, "GET", std::move(query))};
}

// The keep-alive and clock endpoints of each surface. PAPI has no time endpoint (docs/venues.md
// §1.1): its clock comes from fapi's /fapi/v1/time. PAPI is production only; the USD-M and
// COIN-M test hosts serve their time endpoint themselves.
struct surface {
  std::string_view ping_path;
  std::string_view time_path;
  bool clock_on_fapi;
};

surface surface_of(venue v) noexcept {
  switch (v) {
    case venue::binance_papi:
      return {"/papi/v1/ping", "/fapi/v1/time", true};
    case venue::binance_coinm:
      return {"/dapi/v1/ping", "/dapi/v1/time", false};
    default:
      return {"/fapi/v1/ping", "/fapi/v1/time", false};
  }
}

account_specs account_specs_of(const account_config& config) {
  account_specs out;
  const surface s = surface_of(config.venue_kind);
  out.api = {std::string(api_host(config)), config.port};
  out.time_host = !config.host.empty() || !s.clock_on_fapi
                      ? out.api
                      : endpoint{std::string(binance_usdm_row.facts.hosts.production), 443};
  out.ping.method = "GET";
  out.ping.host = host_header(out.api.host, out.api.port);
  out.ping.target = engine::request_text(s.ping_path);
  out.ping.headers = {{"User-Agent", user_agent}};
  out.time.method = "GET";
  out.time.host = host_header(out.time_host.host, out.time_host.port);
  out.time.target = engine::request_text(s.time_path);
  out.time.headers = {{"User-Agent", user_agent}};
  return out;
}

// PAPI alone lacks test environments; the others have a host for each.
void check_papi(const account_config& c, std::string_view where) {
  if (c.environment != venue_environment::production)
    refuse_field("environment",
                 {"binance-papi has no test environment; '", to_string(c.environment),
                  "' is not available (use production; binance-usdm and binance-coinm have "
                  "testnet and demo)",
                  where});
}

void check_nothing_more(const account_config&, std::string_view) {}

bool parse_mode(const parsed_answer& a, position_mode& out) noexcept {
  out = a.mode_flag ? position_mode::hedge : position_mode::one_way;
  return a.has_mode_value;
}

void classify(const parsed_answer& a, position_mode, std::int64_t wall_now_ms,
              venue_reply& r) noexcept {
  const bool set = r.kind == request_kind::set_mode;
  r.has_code = a.has_code && a.code_numeric;
  r.code = r.has_code ? a.code : 0;

  // Binance 503 "Unknown error, please check your request or try again later." means the request
  // reached the matching engine and timed out there: it may have been executed (docs/venues.md §1.4
  // A).
  const bool unknown_503 = a.status == 503 && istarts_with(a.msg, "Unknown error");

  if (a.status == 418) {
    r.result = outcome::ip_banned;
    // "Way too many requests; IP banned until 1700000120000." when no Retry-After was sent.
    if (r.retry_after_ms < 0) {
      const auto at = a.msg.find("banned until ");
      std::int64_t until = 0;
      if (at != std::string_view::npos &&
          parse_decimal_prefix_saturating(a.msg.substr(at + 13), until) > 0)
        r.retry_after_ms = bounded_wait_ms(until, wall_now_ms);
    }
  } else if (a.status == 429 || (r.has_code && r.code == -1003)) {
    r.result = outcome::rate_limited;
  } else if (a.status == 408 || unknown_503) {
    r.result = outcome::unknown;
  } else if (!a.json) {
    r.result = outcome::malformed;
    describe_non_json(a, r);
  } else if (r.has_code) {
    r.result = r.code == 200 ? (set ? outcome::applied : outcome::ok)
                             : outcome_of_code(binance_codes, r.code);
    // A success code only counts with a success status, and the set-mode codes only answer a
    // set-mode request.
    if (r.code == 200 && a.status != 200) r.result = outcome::venue_error;
    if (!set && (r.result == outcome::already_in_mode || is_blocked(r.result)))
      r.result = outcome::venue_error;
  } else if (a.status == 200) {
    switch (r.kind) {
      case request_kind::query_mode:
        r.has_mode = parse_mode(a, r.mode);
        r.result = r.has_mode ? outcome::mode_reported : outcome::malformed;
        break;
      case request_kind::server_time:
        r.result = a.server_time > 0 ? outcome::ok : outcome::malformed;
        r.server_time_ms = a.server_time;
        break;
      case request_kind::ping:
        r.result = outcome::ok;
        break;
      case request_kind::set_mode:
        r.result = outcome::malformed;  // a 200 without Binance's {"code":200,...}
        break;
    }
  } else {
    r.result = outcome::venue_error;  // e.g. 403 from the WAF, 5xx without a code
  }

  if (set) {
    r.verify_by_query = r.result == outcome::unknown || r.result == outcome::malformed ||
                        (r.result == outcome::venue_error && a.status >= 500);
  }
}

// Binance's facts shared by its three surfaces (docs/venues.md §1.3, §1.4).
constexpr venue_facts binance_common{
    .family = "binance",
    .sends_recv_window = true,
    .recv_window_default_ms = 5'000,
    .recv_window_max_ms = 60'000,
    // Binance refuses a timestamp 1000 ms or more ahead of its clock.
    .ahead_tolerance_ms = 1'000,
    .accepts_asymmetric_keys = true,
    .needs_passphrase = false,
    .read_back_on_error = false,
    .usage_header_prefixes = {"x-mbx-used-weight-", "x-mbx-order-count-"},
    .used_weight_header = "x-mbx-used-weight-1m",
    .credential_env = {"BINANCE_API_KEY", "BINANCE_API_SECRET", ""},
    .key_header = "X-MBX-APIKEY",
};

constexpr venue_facts surface_facts(venue v, std::string_view name, std::string_view display,
                                    std::span<const product_facts> products,
                                    std::span<const product> defaults, venue_hosts hosts,
                                    bool couples_books) {
  venue_facts f = binance_common;
  f.couples_books = couples_books;
  f.id = v;
  f.name = name;
  f.display_name = display;
  f.products = products;
  f.default_products = defaults;
  f.default_product = defaults.front();
  f.hosts = hosts;
  return f;
}

// After the CM migration one USDⓈ-M set moves COIN-M too (docs/venues.md §2.1): PAPI's UM and
// CM are each other's twins, and fapi's usdm moves dapi's coinm. The set of a unified account goes
// to the USDⓈ-M side, the one the connector documents; whether a COIN-M set moves USDⓈ-M is open
// (§10), so COIN-M never carries a unified account's set and binance-coinm does not couple.
constexpr product_facts papi_products[] = {
    {.id = product::papi_um,
     .name = "um",
     .cli_name = "binance-papi-um",
     .live_twin = product::papi_um,
     .coupled_twin = product::papi_cm,
     .has_coupled_twin = true,
     .sets_coupled_twin = true},
    {.id = product::papi_cm,
     .name = "cm",
     .cli_name = "binance-papi-cm",
     .live_twin = product::papi_cm,
     .coupled_twin = product::papi_um,
     .has_coupled_twin = true},
};
constexpr product_facts usdm_products[] = {
    {.id = product::usdm,
     .name = "usdm",
     .cli_name = "binance-usdm",
     .live_twin = product::usdm,
     .coupled_twin = product::coinm,
     .has_coupled_twin = true,
     .sets_coupled_twin = true},
};
constexpr product_facts coinm_products[] = {
    {.id = product::coinm,
     .name = "coinm",
     .cli_name = "binance-coinm",
     .live_twin = product::coinm},
};
// PAPI switches UM first, then CM: the only order that works from a uniform account (-4220;
// docs/design.md, "Products").
constexpr product papi_defaults[] = {product::papi_um, product::papi_cm};
constexpr product usdm_defaults[] = {product::usdm};
constexpr product coinm_defaults[] = {product::coinm};

// The mode query answers {"dualSidePosition":true|false}.
constexpr mode_field dual_side{.key = "dualSidePosition", .in_data = false, .is_bool = true};

}  // namespace

// Hosts: docs/venues.md §1.2 (PAPI: production only), §2 (fapi/dapi testnet and demo hosts; the
// current USD-M doc names demo-fapi as its testnet, @binance/common keeps
// testnet.binancefuture.com for both).
constinit const venue_row binance_papi_row{
    surface_facts(venue::binance_papi, "binance-papi", "Binance Portfolio Margin", papi_products,
                  papi_defaults, {"papi.binance.com", "", ""}, true),
    dual_side,
    product_specs_of,
    account_specs_of,
    check_papi,
    classify,
    parse_mode};

constinit const venue_row binance_usdm_row{
    surface_facts(venue::binance_usdm, "binance-usdm", "Binance USDⓈ-M", usdm_products,
                  usdm_defaults,
                  {"fapi.binance.com", "testnet.binancefuture.com", "demo-fapi.binance.com"}, true),
    dual_side,
    product_specs_of,
    account_specs_of,
    check_nothing_more,
    classify,
    parse_mode};

constinit const venue_row binance_coinm_row{
    surface_facts(
        venue::binance_coinm, "binance-coinm", "Binance COIN-M", coinm_products, coinm_defaults,
        {"dapi.binance.com", "testnet.binancefuture.com", "demo-dapi.binance.com"}, false),
    dual_side,
    product_specs_of,
    account_specs_of,
    check_nothing_more,
    classify,
    parse_mode};

}  // namespace posmode::components::detail
