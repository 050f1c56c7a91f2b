// posmode check: the preflight. The component is hosted as for get (a loop thread runs the
// io_context), asked for its check() verdicts, stopped; nothing but reads is sent. The output is
// a table, JSON, or Prometheus text (the verdicts as gauges, then the component's own metrics).

#include <fmt/format.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cli.hpp"
#include "cli_output.hpp"
#include "posmode/components/position_mode_component.hpp"

namespace posmode::cli {
namespace {

namespace pc = posmode::components;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

struct check_run {
  std::vector<pc::account_check> verdicts;
  std::string metrics;  ///< write_metrics' text, when asked for
};

// Hosts the component until check() hands over its verdicts: within the request deadline (the
// warm-up's bound), else stop() hands over what is known.
check_run run_check_component(pc::component_config config, bool verbose, bool log_json,
                              bool metrics) {
  const auto bound = config.request_deadline + 2s;
  boost::asio::io_context io{1};
  std::optional<pc::position_mode_component> component;
  try {
    component.emplace(io, std::move(config));
  } catch (const std::invalid_argument& e) {
    throw usage_error(e.what());  // names the field, e.g. accounts[0].port
  }
  install_log_hook(*component, verbose, log_json);

  std::promise<std::vector<pc::account_check>> promised;
  auto verdicts = promised.get_future();
  auto work = boost::asio::make_work_guard(io);
  boost::asio::post(io, [&] {
    try {
      component->check([&promised](std::span<const pc::account_check> v) {
        promised.set_value({v.begin(), v.end()});
      });
    } catch (...) {
      promised.set_exception(std::current_exception());
    }
  });
  loop_thread loop(io);

  // The start-up reports reach the event ring too; the verdicts carry them, so they are dropped.
  const auto wait_until = [&](steady::time_point until) {
    pc::position_event dropped;
    while (verdicts.wait_for(200us) != std::future_status::ready) {
      while (component->try_pop(dropped)) {
      }
      if (steady::now() >= until) return false;
    }
    return true;
  };
  const bool in_time = wait_until(steady::now() + bound);

  std::promise<void> stopped;
  boost::asio::post(io, [&] {
    component->stop();  // hands a check still waiting what is known (not_finished)
    stopped.set_value();
  });
  stopped.get_future().wait();
  const bool answered = in_time || wait_until(steady::now() + 2s);
  check_run run;
  if (answered) run.verdicts = verdicts.get();  // rethrows what check() threw
  if (metrics) {
    // write_metrics is any thread's; the component's families take about 6 KiB, and each
    // account's health and three histograms about 8 KiB more.
    std::vector<char> buffer((8 + 10 * component->account_count()) * 1024);
    run.metrics.assign(buffer.data(), component->write_metrics(buffer));
  }
  work.reset();
  loop.finish(2s);
  if (!answered) throw std::runtime_error("check: the component handed over no verdict");
  return run;
}

// A label value in the exposition format: backslash, quote and line break escaped.
std::string label(std::string_view value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void family(std::string& out, std::string_view name, std::string_view help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n", name, help, name);
}

// The verdicts as gauges, one family at a time, then the component's counters and histograms.
std::string prometheus_text(const std::vector<account_verdict>& accounts, int exit_code,
                            const std::string& component_metrics) {
  std::string out;
  family(out, "posmode_check_account_ready",
         "1 when the account is ready: connected, the venue's clock read, every mode read.");
  for (const auto& a : accounts)
    out +=
        fmt::format("posmode_check_account_ready{{account=\"{}\",venue=\"{}\",cause=\"{}\"}} {}\n",
                    label(a.name), pc::to_string(a.check.venue_kind), pc::to_string(a.check.cause),
                    a.check.ready ? 1 : 0);
  family(out, "posmode_check_product_as_expected",
         "1 when the product's mode was read and is the expected one (or none is expected).");
  for (const auto& a : accounts)
    for (std::size_t i = 0; i < a.check.product_count; ++i) {
      const pc::product_check& p = a.check.products[i];
      out += fmt::format(
          "posmode_check_product_as_expected{{account=\"{}\",product=\"{}\",mode=\"{}\","
          "expected=\"{}\"}} {}\n",
          label(a.name), label(pc::to_string(p.report.product_scope)),
          p.mode_known ? pc::to_string(p.mode) : "unknown",
          a.check.has_expected_mode ? pc::to_string(a.check.expected_mode) : "any",
          a.check.ready && p.as_expected ? 1 : 0);
    }
  family(out, "posmode_check_clock_offset_seconds",
         "Venue clock minus local clock, as posmode stamps requests (synced accounts only).");
  for (const auto& a : accounts)
    if (a.check.clock_synced)
      out += fmt::format("posmode_check_clock_offset_seconds{{account=\"{}\"}} {}\n", label(a.name),
                         static_cast<double>(a.check.clock_offset_ms) / 1e3);
  family(out, "posmode_check_round_trip_seconds",
         "Round trip of the account's last answered request (accounts with one only).");
  for (const auto& a : accounts)
    if (a.check.round_trip_ns > 0)
      out += fmt::format("posmode_check_round_trip_seconds{{account=\"{}\"}} {}\n", label(a.name),
                         static_cast<double>(a.check.round_trip_ns) / 1e9);
  family(out, "posmode_check_exit_code", "The exit code of posmode check (docs/cli.md).");
  out += fmt::format("posmode_check_exit_code {}\n", exit_code);
  return out + component_metrics;
}

}  // namespace

int run_check(const component_options& o) {
  pc::component_config config = load_accounts(o);
  std::shared_ptr<void> mock;
  if (o.mock.enabled) mock = start_mock_exchange(config, o.mock);
  std::vector<account_verdict> accounts;
  for (const auto& a : config.accounts)
    accounts.push_back({a.account.id, {}});
  check_run run = run_check_component(std::move(config), o.verbose, o.log_json, o.prometheus);
  if (run.verdicts.size() != accounts.size())
    throw std::runtime_error("check: a verdict per account was expected");
  for (std::size_t i = 0; i < accounts.size(); ++i)
    accounts[i].check = run.verdicts[i];
  const int code = check_exit_code(accounts);
  const std::string out = o.json         ? check_json(accounts, code)
                          : o.prometheus ? prometheus_text(accounts, code, run.metrics)
                                         : check_table(accounts);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return code;
}

}  // namespace posmode::cli
