// OKX v5 position-mode endpoints (docs/venues.md §4): its own ISO-8601 parser and signature check,
// the timestamp window, required headers, parameter placement, codes, the account-wide mode,
// blocking flags (positions, orders, trading bots, borrowings), portfolio-margin accounts, the
// per-key rate limit and the public time endpoint. Where OKX documents nothing (the window, the
// answer to a hedge request on a portfolio-margin account, the codes of a malformed body), the
// choice is marked and listed in docs/mock-exchange.md.

#include <simdjson.h>

#include <array>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "state.hpp"
#include "wire.hpp"

namespace posmode::mock::detail {

namespace {

constexpr std::string_view set_mode_path = "/api/v5/account/set-position-mode";
constexpr std::string_view config_path = "/api/v5/account/config";
constexpr std::string_view time_path = "/api/v5/public/time";

// Not stated on the doc pages read (docs/venues.md §4.3); 30 s either side is a secondary source.
constexpr std::int64_t timestamp_window_ms = 30'000;
// "5 requests per 2 seconds", per user ID, on each of the two endpoints (§4.1, §4.2).
constexpr auto rate_window = std::chrono::seconds(2);

reply error(unsigned status, std::string_view code, std::string_view msg) {
  reply r;
  r.status = status;
  r.outcome = std::string(code);
  r.body = R"({"code":")" + std::string(code) + R"(","data":[],"msg":")" + std::string(msg) + "\"}";
  return r;
}

// OKX's 401 answers carry only msg and code (the shape users paste from live replies). `msg` is
// put in the JSON as given: callers escape its quotes.
reply auth_error(std::string_view code, std::string_view msg) {
  reply r;
  r.status = 401;
  r.outcome = std::string(code);
  r.body = R"({"msg":")" + std::string(msg) + R"(","code":")" + std::string(code) + "\"}";
  return r;
}

std::string_view mode_name(position_mode mode) {
  return mode == position_mode::hedge ? "long_short_mode" : "net_mode";
}

bool digits(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// Days from 1970-01-01 to y-m-d (proleptic Gregorian), counted year by year and month by month:
// slow and obvious on purpose, unlike the client's closed form it checks.
std::int64_t days_since_epoch(int year, int month, int day) {
  constexpr std::array<int, 12> month_days{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const auto leap = [](int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; };
  std::int64_t days = 0;
  for (int y = 1970; y < year; ++y)
    days += leap(y) ? 366 : 365;
  for (int m = 1; m < month; ++m)
    days += month_days[static_cast<std::size_t>(m - 1)] + (m == 2 && leap(year) ? 1 : 0);
  return days + day - 1;
}

// `YYYY-MM-DDTHH:MM:SS.mmmZ` exactly (OK-ACCESS-TIMESTAMP, §4.3) → ms since the epoch. Epoch
// milliseconds, other ISO-8601 spellings (no millis, offsets) and impossible dates are refused.
std::optional<std::int64_t> parse_iso_timestamp(std::string_view s) {
  if (s.size() != 24 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
      s[16] != ':' || s[19] != '.' || s[23] != 'Z')
    return std::nullopt;
  const auto field = [&](std::size_t at, std::size_t n) -> std::optional<int> {
    const std::string_view text = s.substr(at, n);
    if (!digits(text)) return std::nullopt;
    return static_cast<int>(*parse_int(text));
  };
  const auto year = field(0, 4);
  const auto month = field(5, 2);
  const auto day = field(8, 2);
  const auto hour = field(11, 2);
  const auto minute = field(14, 2);
  const auto second = field(17, 2);
  const auto millis = field(20, 3);
  if (!year || !month || !day || !hour || !minute || !second || !millis) return std::nullopt;
  if (*year < 1970 || *month < 1 || *month > 12 || *day < 1 || *hour > 23 || *minute > 59 ||
      *second > 59)
    return std::nullopt;
  // The day must exist in its month.
  const int last = *month == 2
                       ? ((*year % 4 == 0 && *year % 100 != 0) || *year % 400 == 0 ? 29 : 28)
                   : (*month == 4 || *month == 6 || *month == 9 || *month == 11) ? 30
                                                                                 : 31;
  if (*day > last) return std::nullopt;
  return ((days_since_epoch(*year, *month, *day) * 24 + *hour) * 60 + *minute) * 60'000 +
         *second * 1'000 + *millis;
}

// The set body: a JSON object with exactly one key, `posMode`, a string. A repeated key, another
// key or another shape is refused (51000): the signature covers the bytes, and a venue that took
// the first or the last of two keys would apply a mode nobody signed for knowingly.
std::optional<std::string> parse_set_body(const std::string& body, std::string& bad) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::object object;
  if (parser.parse(body).get(doc) != simdjson::SUCCESS || doc.get_object().get(object)) {
    bad = "body";
    return std::nullopt;
  }
  std::optional<std::string> mode;
  for (const auto field : object) {
    if (field.key != "posMode" || mode) {
      bad = std::string(field.key);
      return std::nullopt;
    }
    std::string_view value;
    if (field.value.get_string().get(value) != simdjson::SUCCESS) {
      bad = "posMode";
      return std::nullopt;
    }
    mode = std::string(value);
  }
  if (!mode) bad = "posMode";
  return mode;
}

bool rate_limited(state& st, const okx_account& account, std::string_view path,
                  const incoming& in) {
  auto& calls = st.okx_calls[account.api_key + ' ' + std::string(path)];
  while (!calls.empty() && calls.front() <= in.now - rate_window)
    calls.pop_front();
  if (calls.size() >= st.okx_rate_limit) return true;
  calls.push_back(in.now);
  return false;
}

reply config_reply(const okx_account& account, position_mode current) {
  reply r;
  // Not `= "0"`: g++ 12 at -O3 reports a false -Wrestrict there (GCC bug 105329).
  r.outcome = std::string(1, '0');
  r.body = R"({"code":"0","data":[{"acctLv":")";
  r.body += account.portfolio_margin ? "4" : "2";
  r.body += R"(","autoLoan":false,"ctIsoMode":"automatic","greeksType":"PA","level":"Lv1",)"
            R"("mgnIsoMode":"automatic","perm":")";
  r.body += account.perm;
  r.body += R"(","posMode":")";
  r.body += mode_name(current);
  r.body += R"(","uid":"44705892343619584"}],"msg":""})";
  return r;
}

reply success(position_mode echoed) {
  reply r;
  r.outcome = std::string(1, '0');  // as above
  r.body = R"({"code":"0","msg":"","data":[{"posMode":")";
  r.body += mode_name(echoed);
  r.body += R"("}]})";
  return r;
}

reply private_request(state& st, const incoming& in, bool is_set) {
  const std::string_view key = header(in.request, "OK-ACCESS-KEY");
  const std::string_view sign = header(in.request, "OK-ACCESS-SIGN");
  const std::string_view timestamp_text = header(in.request, "OK-ACCESS-TIMESTAMP");
  const std::string_view passphrase = header(in.request, "OK-ACCESS-PASSPHRASE");
  // Required headers, in the order of OKX's codes (§4.4).
  if (key.empty())
    return auth_error("50103", R"(Request header \"OK-ACCESS-KEY\" cannot be empty.)");
  if (passphrase.empty())
    return auth_error("50104", R"(Request header \"OK-ACCESS-PASSPHRASE\" cannot be empty.)");
  if (sign.empty())
    return auth_error("50106", R"(Request header \"OK-ACCESS-SIGN\" cannot be empty.)");
  if (timestamp_text.empty())
    return auth_error("50107", R"(Request header \"OK-ACCESS-TIMESTAMP\" cannot be empty.)");
  const auto timestamp = parse_iso_timestamp(timestamp_text);
  if (!timestamp) return auth_error("50112", "Invalid OK-ACCESS-TIMESTAMP");
  const auto account_it = st.okx.find(key);
  if (account_it == st.okx.end()) return auth_error("50111", "Invalid OK-ACCESS-KEY");
  okx_account& account = account_it->second;
  // Demo is the production host plus this header, with a demo key (§4.3); anything else mixed is
  // 50101.
  const std::string_view simulated = header(in.request, "x-simulated-trading");
  if ((simulated == "1") != account.demo_key)
    return auth_error("50101", "APIKey does not match current environment.");
  if (passphrase != account.passphrase)
    return auth_error("50105", R"(Request header \"OK-ACCESS-PASSPHRASE\" incorrect.)");

  // OK-ACCESS-SIGN = base64(HMAC-SHA256(secret, timestamp + METHOD + path [+ "?" + query] +
  // body)) over the bytes received (§4.3).
  std::string prehash(timestamp_text);
  prehash.append(in.request.method_string().data(), in.request.method_string().size());
  prehash += in.path;
  if (!in.query.empty()) {
    prehash += '?';
    prehash += in.query;
  }
  prehash += in.request.body();
  if (sign != hmac_sha256_base64(account.secret, prehash))
    return auth_error("50113", "Invalid Sign");
  if (std::llabs(in.server_ms - *timestamp) > timestamp_window_ms)
    return auth_error("50102", "Timestamp request expired");

  if (rate_limited(st, account, in.path, in)) {
    reply r = error(429, "50011", "Too Many Requests");
    r.body = R"({"msg":"Too Many Requests","code":"50011"})";
    return r;
  }

  const position_mode current = account.mode;
  if (!is_set) {
    // The configuration takes no parameter and no body: anything there is misplaced.
    if (!in.query.empty() || !in.request.body().empty())
      return error(400, "51000", "Parameter error: GET /api/v5/account/config takes none");
    return config_reply(account, current);
  }

  // Parameters go in a JSON body (§4.1, §4.3): a query string, another content type, a missing,
  // repeated or unknown key is refused with 51000 "Parameter {param0} error" (the mock's choice of
  // code: OKX documents none for each case).
  if (!in.query.empty()) return error(400, "51000", "Parameter error: posMode belongs in the body");
  if (!iequals(media_type(header(in.request, "Content-Type")), "application/json"))
    return error(400, "51000", "Parameter Content-Type error");
  std::string bad;
  const auto pos_mode = parse_set_body(in.request.body(), bad);
  if (!pos_mode) return error(400, "51000", "Parameter " + bad + " error");
  position_mode wanted = position_mode::one_way;
  if (*pos_mode == "long_short_mode") {
    wanted = position_mode::hedge;
  } else if (*pos_mode != "net_mode") {
    return error(400, "51000", "Parameter posMode error");
  }
  // "Portfolio margin account only supports net mode" (§4.1), with no code documented: the mock
  // answers the parameter error.
  if (account.portfolio_margin && wanted == position_mode::hedge)
    return error(400, "51000", "Parameter posMode error");

  // A success whose echo contradicts the request: only a read-back tells what happened.
  if (in.echo_other_mode) {
    if (in.apply_change && wanted != current) {
      account.mode = wanted;
      record_change(st, account.api_key, "account", wanted, true, in.received);
    }
    return success(wanted == position_mode::hedge ? position_mode::one_way : position_mode::hedge);
  }
  // "Already in that mode" is not documented (§4.5): the mock answers success with the echo.
  if (wanted != current) {
    if (account.has_bots)
      return error(200, "59000",
                   "Setting failed. Cancel any open orders, close positions, and stop trading "
                   "bots first.");
    if (account.has_positions || account.has_orders)
      return error(200, "59000",
                   "Settings failed. Close any open positions or orders before modifying "
                   "settings.");
    if (account.has_borrowings)
      return error(200, "59001", "Switching unavailable as you have borrowings.");
    account.mode = wanted;
    record_change(st, account.api_key, "account", wanted, true, in.received);
  }
  return success(wanted);
}

bool serves_okx(std::string_view path) noexcept {
  return path.starts_with("/api/v5/");
}

reply okx_unknown_error(std::int64_t) {
  reply r = error(503, "50001", "Service temporarily unavailable. Please try again later.");
  return r;
}

}  // namespace

reply handle_okx(state& st, const incoming& in) {
  const auto method = in.request.method();
  if (method == http::verb::get && in.path == time_path) {
    reply r;
    r.outcome = "ok";
    r.body = R"({"code":"0","data":[{"ts":")" + std::to_string(in.server_ms) + R"("}],"msg":""})";
    return r;
  }
  if (method == http::verb::post && in.path == set_mode_path) return private_request(st, in, true);
  if (method == http::verb::get && in.path == config_path) return private_request(st, in, false);
  return error(404, "404", "Not Found");
}

const venue_route okx_route{serves_okx, handle_okx, okx_unknown_error, "OK-ACCESS-KEY"};

}  // namespace posmode::mock::detail
