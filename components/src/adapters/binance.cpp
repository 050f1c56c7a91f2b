// Binance Portfolio Margin (papi), USDⓈ-M (fapi) and COIN-M (dapi): request layout and answer
// classification. Facts: docs/venues.md §1 and §2; layout: "Wire layout posmode uses".

#include <algorithm>
#include <string>

#include "adapter.hpp"

namespace posmode::components::detail {
namespace {

std::string_view mode_path(product p) noexcept {
  switch (p) {
    case product::papi_um:
      return "/papi/v1/um/positionSide/dual";
    case product::papi_cm:
      return "/papi/v1/cm/positionSide/dual";
    case product::usdm:
      return "/fapi/v1/positionSide/dual";
    default:
      return "/dapi/v1/positionSide/dual";
  }
}

engine::request_spec signed_request(const account_config& config, const credentials& creds,
                                    std::string_view method, engine::request_text target) {
  engine::request_spec spec;
  spec.method = std::string(method);
  spec.host = host_header(std::string(api_host(config)), config.port);
  spec.target = std::move(target);
  spec.headers = {{"User-Agent", user_agent}, {"X-MBX-APIKEY", creds.api_key}};
  spec.encoding = engine::signature_encoding::hex_lower;
  return spec;
}

// POST <path>?dualSidePosition=<v>&recvWindow=<n>&timestamp=<ms>&signature=<hex>, empty body.
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

}  // namespace

product_specs binance_product_specs(const account_config& config, product p,
                                    const credentials& creds) {
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

account_specs binance_account_specs(const account_config& config) {
  account_specs out;
  const bool overridden = !config.host.empty();
  out.api = {std::string(api_host(config)), config.port};
  // PAPI has no time endpoint (docs/venues.md §1.1): its clock comes from fapi's /fapi/v1/time.
  // PAPI is production only; the USD-M and COIN-M test hosts serve their time endpoint themselves.
  const bool dapi = config.venue_kind == venue::binance_coinm;
  out.time_host = overridden || config.venue_kind != venue::binance_papi
                      ? out.api
                      : endpoint{std::string(default_host(venue::binance_usdm)), 443};
  const std::string_view ping_path = config.venue_kind == venue::binance_papi ? "/papi/v1/ping"
                                     : dapi                                   ? "/dapi/v1/ping"
                                                                              : "/fapi/v1/ping";
  out.ping.method = "GET";
  out.ping.host = host_header(out.api.host, out.api.port);
  out.ping.target = engine::request_text(ping_path);
  out.ping.headers = {{"User-Agent", user_agent}};
  out.time.method = "GET";
  out.time.host = host_header(out.time_host.host, out.time_host.port);
  out.time.target = engine::request_text(dapi ? "/dapi/v1/time" : "/fapi/v1/time");
  out.time.headers = {{"User-Agent", user_agent}};
  return out;
}

void classify_binance(const parsed_answer& a, std::int64_t wall_now_ms, venue_reply& r) noexcept {
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
    switch (r.code) {
      case 200:
        r.result = set ? outcome::applied : outcome::ok;
        break;
      case -4059:
        r.result = outcome::already_in_mode;
        break;
      case -4068:
        r.result = outcome::blocked_positions;
        break;
      case -4067:
        r.result = outcome::blocked_orders;
        break;
      case -4220:
        r.result = outcome::blocked_um_cm_mismatch;
        break;
      case -1021:
        r.result = outcome::clock_skew;
        break;
      case -1022:
        r.result = outcome::bad_signature;
        break;
      case -1002:
      case -2014:
      case -2015:
        r.result = outcome::key_or_permission;
        break;
      case -1006:
      case -1007:
        r.result = outcome::unknown;
        break;
      default:
        r.result = outcome::venue_error;
        break;
    }
    // A success code only counts with a success status, and the set-mode codes only answer a
    // set-mode request.
    if (r.code == 200 && a.status != 200) r.result = outcome::venue_error;
    if (!set && (r.result == outcome::already_in_mode || is_blocked(r.result)))
      r.result = outcome::venue_error;
  } else if (a.status == 200) {
    switch (r.kind) {
      case request_kind::query_mode:
        r.result = a.has_dual_side ? outcome::mode_reported : outcome::malformed;
        r.has_mode = a.has_dual_side;
        r.mode = a.dual_side ? position_mode::hedge : position_mode::one_way;
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

}  // namespace posmode::components::detail
