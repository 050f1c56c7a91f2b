#include "cli_output.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <string_view>

#include "cli.hpp"
#include "posmode/tools/printable.hpp"

namespace posmode::cli {
namespace {

namespace pc = posmode::components;

// The venue's code as it sent it: Bitget's string code verbatim ("00000"), Binance's number.
std::string code_of(const pc::position_event& e) {
  if (!e.has_code) return {};
  if (e.code_text.size() != 0) return tools::printable(e.code_text.view());
  return std::to_string(e.code);
}

std::string mode_of(const pc::position_event& e) {
  return e.has_observed_mode ? std::string(pc::to_string(e.observed_mode)) : std::string();
}

std::string dash_if_empty(std::string s) {
  return s.empty() ? "-" : s;
}

std::string http_of(const pc::position_event& e) {
  return e.http_status == 0 ? std::string() : std::to_string(e.http_status);
}

// The JSON value of an optional text: a string, or null when there is none.
std::string json_or_null(const std::string& s) {
  return s.empty() ? "null" : json_string(s);
}

// The fields every event shares in JSON.
std::string event_fields(const pc::position_event& e) {
  return fmt::format(
      R"("product":{},"status":{},"mode":{},"http_status":{},"code":{},"message":{})",
      json_string(pc::to_string(e.product_scope)), json_string(pc::to_string(e.status)),
      json_or_null(mode_of(e)), e.http_status == 0 ? "null" : std::to_string(e.http_status),
      json_or_null(code_of(e)), json_string(e.message.view()));
}

// The mode read at start-up for the product of a set event; none for the verification event, which
// reports the account after the change.
std::string before_of(const set_report& r, const pc::position_event& e) {
  if (e.verification) return {};
  for (const auto& b : r.before.products)
    if (b.product_scope == e.product_scope) return mode_of(b);
  return {};
}

// A column as wide as its widest cell; the last column is left ragged.
struct table {
  std::vector<std::vector<std::string>> rows;

  [[nodiscard]] std::string render() const {
    std::vector<std::size_t> width;
    for (const auto& r : rows)
      for (std::size_t i = 0; i < r.size(); ++i) {
        if (width.size() <= i) width.push_back(0);
        width[i] = std::max(width[i], r[i].size());
      }
    std::string out;
    for (const auto& r : rows) {
      std::string line;
      for (std::size_t i = 0; i < r.size(); ++i)
        line += i + 1 == r.size() ? r[i] : fmt::format("{:<{}}  ", r[i], width[i]);
      while (!line.empty() && line.back() == ' ')
        line.pop_back();
      out += line + "\n";
    }
    return out;
  }
};

}  // namespace

int exit_code_of(pc::event_status s) noexcept {
  switch (s) {
    case pc::event_status::applied:
    case pc::event_status::already_in_mode:
    case pc::event_status::confirmed:
    case pc::event_status::verified:
    case pc::event_status::current_mode:
      return exit_ok;
    case pc::event_status::blocked_positions:
    case pc::event_status::blocked_orders:
    case pc::event_status::blocked_um_cm_mismatch:
    case pc::event_status::blocked_positions_or_orders:
      return exit_blocked;
    case pc::event_status::auth_failed:
      return exit_auth;
    // The venue's answer never arrived or could not be established.
    case pc::event_status::unknown:
    case pc::event_status::transport_error:
    case pc::event_status::tls_verification_failed:
    case pc::event_status::timeout:
      return exit_transport;
    case pc::event_status::not_applied:
    case pc::event_status::verify_mismatch:
    case pc::event_status::clock_skew:
    case pc::event_status::rate_limited:
    case pc::event_status::ip_banned:
    case pc::event_status::venue_error:
    case pc::event_status::rejected:
    case pc::event_status::mode_not_supported:
      return exit_venue;
  }
  return exit_venue;
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20)
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        else
          out += c;
    }
  }
  return out + "\"";
}

std::string modes_table(const std::vector<account_modes>& accounts) {
  table t;
  t.rows.push_back({"ACCOUNT", "VENUE", "PRODUCT", "MODE", "STATUS", "HTTP", "CODE", "MESSAGE"});
  for (const auto& a : accounts)
    for (const auto& e : a.products)
      t.rows.push_back({a.name, std::string(pc::to_string(a.venue)),
                        std::string(pc::to_string(e.product_scope)), dash_if_empty(mode_of(e)),
                        std::string(pc::to_string(e.status)), dash_if_empty(http_of(e)),
                        dash_if_empty(code_of(e)), tools::printable(e.message.view())});
  return t.render();
}

std::string modes_json(const std::vector<account_modes>& accounts, int exit_code) {
  std::string out = R"({"accounts":[)";
  for (std::size_t i = 0; i < accounts.size(); ++i) {
    const auto& a = accounts[i];
    out += fmt::format(R"({}{{"name":{},"venue":{},"products":[)", i == 0 ? "" : ",",
                       json_string(a.name), json_string(pc::to_string(a.venue)));
    for (std::size_t j = 0; j < a.products.size(); ++j)
      out += fmt::format("{}{{{}}}", j == 0 ? "" : ",", event_fields(a.products[j]));
    out += "]}";
  }
  return out + fmt::format(R"(],"exit_code":{}}})", exit_code) + "\n";
}

std::string set_table(const set_report& r) {
  table t;
  t.rows.push_back(
      {"ACCOUNT", "PRODUCT", "STEP", "BEFORE", "STATUS", "MODE", "HTTP", "CODE", "MESSAGE"});
  for (const auto& e : r.steps) {
    // A successful verification read every product; the event names only the last one read.
    const bool all =
        e.verification && e.status == pc::event_status::verified && r.before.products.size() > 1;
    t.rows.push_back({r.account, all ? "(all)" : std::string(pc::to_string(e.product_scope)),
                      e.verification ? "verify" : "set", dash_if_empty(before_of(r, e)),
                      std::string(pc::to_string(e.status)), dash_if_empty(mode_of(e)),
                      dash_if_empty(http_of(e)), dash_if_empty(code_of(e)),
                      tools::printable(e.message.view())});
  }
  return t.render() + fmt::format("{} {} -> {} (exit {})\n", r.account, pc::to_string(r.requested),
                                  pc::to_string(r.result), r.exit_code);
}

std::string set_json(const set_report& r) {
  std::string steps;
  for (const auto& e : r.steps) {
    steps +=
        fmt::format(R"({}{{"step":"{}","before":{},{},"attempts":{}}})", steps.empty() ? "" : ",",
                    e.verification ? "verify" : "set", json_or_null(before_of(r, e)),
                    event_fields(e), static_cast<unsigned>(e.attempts));
  }
  return fmt::format(
      R"({{"account":{},"venue":{},"requested":{},"result":{},"exit_code":{},"steps":[{}]}})"
      "\n",
      json_string(r.account), json_string(pc::to_string(r.venue)),
      json_string(pc::to_string(r.requested)), json_string(pc::to_string(r.result)), r.exit_code,
      steps);
}

// -- check ----------------------------------------------------------------------------------

namespace {

int code_of_cause(pc::check_cause c) noexcept {
  switch (c) {
    case pc::check_cause::none:
      return exit_ok;
    case pc::check_cause::auth_failed:
    case pc::check_cause::key_cannot_trade:  // the key needs the trade permission
      return exit_auth;
    case pc::check_cause::unreachable:
    case pc::check_cause::tls_verification_failed:
    case pc::check_cause::not_finished:
      return exit_transport;
    case pc::check_cause::banned:
    case pc::check_cause::clock_unsynced:
    case pc::check_cause::mode_unreadable:
      return exit_venue;
  }
  return exit_venue;
}

// Higher is worse: an account that cannot be used outranks a mode that only needs a `set`.
int severity(int code) noexcept {
  switch (code) {
    case exit_ok:
      return 0;
    case exit_mode_differs:
      return 1;
    case exit_venue:
      return 2;
    case exit_transport:
      return 3;
    case exit_auth:
      return 4;
    default:
      return 2;
  }
}

std::string mode_name_or_empty(bool known, pc::position_mode m) {
  return known ? std::string(pc::to_string(m)) : std::string();
}

// What stands in the way, for a person: the cause, the words behind it, the venue's code.
std::string check_cause_text(const pc::account_check& a, const pc::product_check& p) {
  const std::string_view state = check_row_state(a, p);
  if (state == "ready") return {};
  if (state == "differs")
    return fmt::format("mode is {}, expected_mode is {}", pc::to_string(p.mode),
                       pc::to_string(a.expected_mode));
  std::string out(pc::to_string(a.cause));
  // The product's own failed read says most; else the account's reason.
  const bool own = !p.mode_known && !p.report.message.empty();
  const std::string_view message = own ? p.report.message.view() : a.message.view();
  if (!message.empty()) out += ": " + tools::printable(message);
  if (own && (p.report.http_status != 0 || p.report.has_code)) {
    std::string detail;
    if (p.report.http_status != 0) detail = "http " + http_of(p.report);
    if (p.report.has_code) detail += (detail.empty() ? "code " : ", code ") + code_of(p.report);
    out += " (" + detail + ")";
  }
  return out;
}

std::string rtt_ms(std::int64_t ns) {
  return ns <= 0 ? std::string() : fmt::format("{:.1f}", static_cast<double>(ns) / 1e6);
}

}  // namespace

std::string_view check_row_state(const pc::account_check& a, const pc::product_check& p) noexcept {
  if (!a.ready) return "not_ready";
  return p.as_expected ? "ready" : "differs";
}

int check_row_exit_code(const pc::account_check& a, const pc::product_check& p) noexcept {
  const std::string_view state = check_row_state(a, p);
  if (state == "ready") return exit_ok;
  if (state == "differs") return exit_mode_differs;
  if (!p.mode_known) {
    const int code = exit_code_of(p.report.status);
    if (code != exit_ok) return code;
  }
  const int code = code_of_cause(a.cause);
  return code == exit_ok ? exit_venue : code;
}

int check_exit_code(const std::vector<account_verdict>& accounts) noexcept {
  int worst = exit_ok;
  for (const auto& a : accounts)
    for (std::size_t i = 0; i < a.check.product_count; ++i) {
      const int code = check_row_exit_code(a.check, a.check.products[i]);
      if (severity(code) > severity(worst)) worst = code;
    }
  return worst;
}

std::string check_table(const std::vector<account_verdict>& accounts) {
  table t;
  t.rows.push_back(
      {"ACCOUNT", "VENUE", "PRODUCT", "STATE", "MODE", "EXPECTED", "OFFSET_MS", "RTT_MS", "CAUSE"});
  for (const auto& a : accounts) {
    const pc::account_check& c = a.check;
    for (std::size_t i = 0; i < c.product_count; ++i) {
      const pc::product_check& p = c.products[i];
      t.rows.push_back(
          {tools::printable(a.name), std::string(pc::to_string(c.venue_kind)),
           std::string(pc::to_string(p.report.product_scope)), std::string(check_row_state(c, p)),
           dash_if_empty(mode_name_or_empty(p.mode_known, p.mode)),
           dash_if_empty(mode_name_or_empty(c.has_expected_mode, c.expected_mode)),
           c.clock_synced ? std::to_string(c.clock_offset_ms) : "-",
           dash_if_empty(rtt_ms(c.round_trip_ns)), dash_if_empty(check_cause_text(c, p))});
    }
  }
  return t.render();
}

std::string check_json(const std::vector<account_verdict>& accounts, int exit_code) {
  std::string out = R"({"accounts":[)";
  for (std::size_t i = 0; i < accounts.size(); ++i) {
    const pc::account_check& c = accounts[i].check;
    out += fmt::format(
        R"({}{{"name":{},"venue":{},"ready":{},"cause":{},"message":{},"expected_mode":{},)"
        R"("clock_synced":{},"clock_offset_ms":{},"clock_round_trip_us":{},"round_trip_us":{},)"
        R"("connections_up":{},"connections_total":{},"products":[)",
        i == 0 ? "" : ",", json_string(accounts[i].name), json_string(pc::to_string(c.venue_kind)),
        c.ready ? "true" : "false", json_string(pc::to_string(c.cause)),
        json_or_null(std::string(c.message.view())),
        json_or_null(mode_name_or_empty(c.has_expected_mode, c.expected_mode)),
        c.clock_synced ? "true" : "false",
        c.clock_synced ? std::to_string(c.clock_offset_ms) : "null",
        c.clock_synced ? std::to_string(c.clock_round_trip_ns / 1000) : "null",
        c.round_trip_ns > 0 ? std::to_string(c.round_trip_ns / 1000) : "null",
        static_cast<unsigned>(c.connections_up), static_cast<unsigned>(c.connections_total));
    for (std::size_t j = 0; j < c.product_count; ++j) {
      const pc::product_check& p = c.products[j];
      out += fmt::format(R"({}{{"state":{},"expected":{},"exit_code":{},{}}})", j == 0 ? "" : ",",
                         json_string(check_row_state(c, p)),
                         json_or_null(mode_name_or_empty(c.has_expected_mode, c.expected_mode)),
                         check_row_exit_code(c, p), event_fields(p.report));
    }
    out += "]}";
  }
  return out + fmt::format(R"(],"exit_code":{}}})", exit_code) + "\n";
}

}  // namespace posmode::cli
