#include "demo_report.hpp"

#include <fmt/format.h>

#include <span>
#include <utility>

#include "posmode/engine/percentiles.hpp"
#include "posmode/tools/printable.hpp"

namespace posmode::demo {
namespace {

namespace pc = posmode::components;

// Column widths of the event table; the widest values decide them (the status column fits
// "blocked_positions_or_orders").
constexpr std::string_view row_format =
    "{:>4} {:>3}  {:<11} {:<13} {:<13} {:<8} {:<8} {:<27} {:>6} {:>4} {:>8} {:>8} {:>8}  {}";
constexpr std::size_t message_width = 60;

std::string micros(std::int64_t from_ns, std::int64_t to_ns) {
  if (from_ns == 0 || to_ns == 0) return "-";
  return fmt::format("{:.1f}", static_cast<double>(to_ns - from_ns) / 1e3);
}

std::string code_of(const pc::position_event& e) {
  if (!e.has_code) return "-";
  if (!e.code_text.view().empty()) return tools::printable(e.code_text.view());
  return std::to_string(e.code);
}

std::string clipped(std::string_view text, std::size_t width) {
  if (text.size() > width) return tools::printable(text.substr(0, width - 3)) + "...";
  return tools::printable(text);
}

std::string status_of(const pc::position_event& e) {
  std::string s(pc::to_string(e.status));
  if (e.verification) s = "verify:" + s;
  return s;
}

std::string summary_header(std::string_view first) {
  return fmt::format("  {:<26} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9}\n", first, "count", "p50", "p90",
                     "p99", "p99.9", "max");
}

std::string summary_row(std::string_view label, const engine::percentile_summary& s) {
  if (s.count == 0) return fmt::format("  {:<26} {:>7}\n", label, 0);
  const auto us = [](std::int64_t ns) { return static_cast<double>(ns) / 1e3; };
  return fmt::format("  {:<26} {:>7} {:>9.1f} {:>9.1f} {:>9.1f} {:>9.1f} {:>9.1f}\n", label,
                     s.count, us(s.p50), us(s.p90), us(s.p99), us(s.p999), us(s.max));
}

// `samples` is taken by value because summarize() sorts.
std::string summary_row(std::string_view label, std::vector<std::int64_t> samples) {
  return summary_row(label, engine::summarize(std::span<std::int64_t>(samples)));
}

}  // namespace

std::string event_header() {
  std::string header =
      fmt::format(fmt::runtime(row_format), "seq", "req", "account", "venue", "product", "request",
                  "observed", "status", "code", "HTTP", "wire us", "resp us", "pub us", "message");
  return header + "\n" + std::string(header.size(), '-');
}

std::string event_row(const pc::position_event& e, std::string_view account_name) {
  const bool report = e.status == pc::event_status::current_mode;
  return fmt::format(
      fmt::runtime(row_format), e.sequence, e.request_id == 0 ? "-" : std::to_string(e.request_id),
      clipped(account_name, 11), pc::to_string(e.venue_kind), pc::to_string(e.product_scope),
      report ? "-" : pc::to_string(e.requested),
      e.has_observed_mode ? pc::to_string(e.observed_mode) : "-", status_of(e), code_of(e),
      e.http_status == 0 ? "-" : std::to_string(e.http_status), micros(e.trigger_ns, e.on_wire_ns),
      micros(e.trigger_ns, e.response_ns), micros(e.trigger_ns, e.published_ns),
      clipped(e.message.view(), message_width));
}

latency_book::latency_book(std::vector<std::string> names)
    : names_(std::move(names)), published_per_account_(names_.size()) {
  // Room for a few hundred rounds up front, so the order manager rarely reallocates.
  for (auto* v : {&to_wire_, &to_response_, &to_published_})
    v->reserve(4096);
}

void latency_book::add(const pc::position_event& e) {
  if (e.request_id == 0 || e.verification || e.trigger_ns == 0) return;
  if (e.on_wire_ns != 0) to_wire_.push_back(e.on_wire_ns - e.trigger_ns);
  if (e.response_ns != 0) to_response_.push_back(e.response_ns - e.trigger_ns);
  if (e.published_ns != 0) {
    to_published_.push_back(e.published_ns - e.trigger_ns);
    if (e.account < published_per_account_.size())
      published_per_account_[e.account].push_back(e.published_ns - e.trigger_ns);
  }
}

std::string latency_book::report() const {
  std::string out = "Latency per stage, from the events (microseconds, nearest-rank percentiles)\n";
  out += summary_header("stage");
  out += summary_row("trigger -> on wire", to_wire_);
  out += summary_row("trigger -> response", to_response_);
  out += summary_row("trigger -> published", to_published_);
  out += "\nTrigger -> published, per account\n";
  out += summary_header("account");
  for (std::size_t i = 0; i < names_.size(); ++i)
    out += summary_row(names_[i], published_per_account_[i]);
  return out;
}

outcome_tally::outcome_tally(std::vector<std::string> names) : names_(std::move(names)) {}

void outcome_tally::add(const pc::position_event& e) {
  if (e.request_id == 0) return;
  ++counts_[key{e.account, e.product_scope, e.verification, e.status}];
}

std::string outcome_tally::report() const {
  std::string out =
      fmt::format("  {:<11} {:<13} {:>7}  {}\n", "account", "product", "events", "outcomes");
  // Rows group the statuses of one account, product and kind (verification or not).
  const auto row_of = [](const key& k) {
    return std::make_tuple(std::get<0>(k), std::get<1>(k), std::get<2>(k));
  };
  for (auto it = counts_.begin(); it != counts_.end();) {
    const auto row = row_of(it->first);
    const auto [account, product, verification] = row;
    std::uint64_t total = 0;
    std::string outcomes;
    for (; it != counts_.end() && row_of(it->first) == row; ++it) {
      total += it->second;
      outcomes += fmt::format("{}{} {}", outcomes.empty() ? "" : ", ",
                              pc::to_string(std::get<3>(it->first)), it->second);
    }
    const std::string name = account < names_.size() ? names_[account] : "?";
    out += fmt::format("  {:<11} {:<13} {:>7}  {}{}\n", clipped(name, 11), pc::to_string(product),
                       total, verification ? "verify: " : "", outcomes);
  }
  return out;
}

std::string stats_report(const pc::component_stats& s) {
  std::string out = "Component stats()\n";
  const std::pair<std::string_view, std::uint64_t> counters[] = {
      {"requests accepted", s.requests_accepted},
      {"requests refused", s.requests_refused},
      {"events published", s.events_published},
      {"events backlogged", s.events_backlogged},
      {"backlog high water", s.backlog_high_water},
      {"set requests sent", s.set_requests_sent},
      {"mode queries sent", s.queries_sent},
      {"retries", s.retries},
      {"clock syncs", s.clock_syncs},
      {"connections lost", s.connections_lost},
      {"TLS handshakes", s.handshakes},
  };
  for (const auto& [label, value] : counters)
    out += fmt::format("  {:<26} {:>7}\n", label, value);
  out.append("\n").append(summary_header("component's own (all-time)"));
  out += summary_row("trigger -> on wire", s.trigger_to_wire);
  out += summary_row("trigger -> terminal event", s.trigger_to_event);
  return out;
}

std::string latency_report(const pc::position_mode_component& c,
                           const std::vector<std::string>& names) {
  std::string out = "Per-account latency()\n";
  out += summary_header("account (us)");
  for (std::size_t i = 0; i < c.account_count(); ++i) {
    const auto l = c.latency(i);
    if (!l) continue;
    const std::string name = i < names.size() ? names[i] : std::to_string(i);
    out += summary_row(name + ": trigger -> wire", l->trigger_to_wire);
    out += summary_row(name + ": trigger -> event", l->trigger_to_event);
    out += summary_row(name + ": answer", l->answer);
  }
  return out;
}

}  // namespace posmode::demo
