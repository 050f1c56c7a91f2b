// posmode-mock-exchange: the mock venue as a program, to rehearse a deployment or drive the demo.
// Prints a readiness line (`ready port=... ca=...`) once it listens, then one line per request
// (text, or JSON with --log-json) until SIGINT or SIGTERM; notices for a person go to stderr.

#include <pthread.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "posmode/mock/exchange.hpp"
#include "posmode/version.hpp"

namespace {

namespace mock = posmode::mock;

constexpr const char* footer = R"(
Accounts
  --binance-account KEY:SECRET[:OPTIONS]   OPTIONS, comma-separated: um=hedge|one_way,
      cm=..., usdm=..., coinm=... (initial modes, default one_way), positions, orders
      (the account holds positions / open orders, so a switch answers -4068 / -4067),
      coin-positions, coin-orders (held on the COIN-M side only: PAPI CM and dapi), migrated
      (after the CM migration: one set flips PAPI UM and CM, or fapi and dapi; COIN-M starts in
      USDⓈ-M's mode; positions or orders on either side refuse it),
      ed25519=FILE or rsa=FILE (an Ed25519 / RSA API key: FILE is its public key PEM, the
      signatures are verified with it; SECRET is then unused, e.g. '-').
  --bitget-account KEY:SECRET:PASSPHRASE[:OPTIONS]   OPTIONS: demo (a demo-trading key: it
      must send 'paptrading: 1' with the normal product types), positions, orders (a switch
      answers 45117, a code Bitget does not document for this), PRODUCT-TYPE=hedge|one_way.
  --okx-account KEY:SECRET:PASSPHRASE[:OPTIONS]   OPTIONS: demo (a demo-trading key: it must
      send 'x-simulated-trading: 1'), hedge (initial posMode long_short_mode, default
      net_mode), pm (portfolio margin: long_short_mode answers 51000), positions, orders, bots
      (a switch answers 59000), borrowings (59001), perm=P (the key's permissions the config
      read answers, '+' between them: perm=read_only or perm=read_only+withdraw; default
      read_only+trade).
  --bybit-account KEY:SECRET[:OPTIONS]   OPTIONS: COIN=hedge|one_way (USDT, USDC: the coin's
      default) or SYMBOL=hedge|one_way (BTCUSDT, ...), positions, orders (a switch answers
      110024 / 110028), hedge-ok=USDC (lifts the default one-way-only USDC: no 110029),
      no-hedge=SCOPE (a coin or symbol whose hedge switch answers 110029), coin-skips-held (with
      positions/orders, a coin switch answers 0 and leaves BTCUSDT/BTCPERP as they were).
  --gate-account KEY:SECRET[:OPTIONS]   OPTIONS: usdt=single|dual|dual_plus, btc=... (the
      settle account's initial position_mode, default single), positions, orders (a switch
      answers 400 POSITION_HOLDING), split (read dual_plus back as "split").
  Keys, secrets and passphrases cannot contain ':' in these flags; use --accounts for those.

  --accounts FILE is TOML:
      [[binance]]
      api_key = "..."
      secret = "..."
      papi_um = "hedge"       # also papi_cm, usdm, coinm: "hedge" or "one_way" (default)
      has_positions = false
      has_orders = false
      coin_has_positions = false  # COIN-M side only
      coin_has_orders = false
      migrated = false        # one set flips UM and CM (fapi and dapi)
      key_type = "hmac"       # or "ed25519" / "rsa", with public_key_file (secret unused)

      [[bitget]]
      api_key = "..."
      secret = "..."
      passphrase = "..."
      demo_key = false
      has_positions = false
      has_orders = false
      modes = { "USDT-FUTURES" = "hedge" }   # per productType, default one_way

      [[okx]]
      api_key = "..."
      secret = "..."
      passphrase = "..."
      demo_key = false
      mode = "one_way"          # account-wide posMode: "hedge" or "one_way" (default)
      portfolio_margin = false
      has_positions = false     # also has_orders, has_bots, has_borrowings
      perm = "read_only,trade"  # the key's permissions the config read shows
      [[bybit]]
      api_key = "..."
      secret = "..."
      has_positions = false
      has_orders = false
      coin_switch_skips_held = false
      modes = { USDT = "hedge", ETHUSDT = "one_way" }   # per coin or symbol, default one_way
      no_hedge = ["USDC"]     # coins/symbols whose hedge switch is 110029 (default ["USDC"])
      [[gate]]
      api_key = "..."
      secret = "..."
      usdt = "single"           # also btc: "single" (default), "dual" or "dual_plus"
      has_positions = false     # also has_orders
      split_spelling = false    # read dual_plus back as "split"

Venue model
  Binance: key (-2014/-2015, HTTP 401), signature over the query string without signature plus
  the body (-1022), window: timestamp >= server+1000 or server-timestamp > recvWindow (default
  5000; > 60000 is -1130) gives -1021; -4059 already in mode; weight per IP per rolling minute
  (POST 1, GET mode 30, ping/time 1) in X-MBX-USED-WEIGHT-1M, over the limit HTTP 429 -1003 with
  Retry-After. Portfolio margin (the order is undocumented; the mock's model): UM changes
  freely, a CM change that would make CM differ from UM is -4220, so switch UM first, then CM.
  Bitget: 40001/40003/40005/40011 missing headers, 40037 unknown key, 40012 wrong passphrase,
  40009 signature, 40008 timestamp more than 30 s off, 40099 demo/live mix-up, "already in
  mode" is success 00000, 5 set-position-mode calls per second per key, then HTTP 429.
  OKX: 50103/50104/50106/50107 missing headers, 50112 timestamp not ISO-8601 with ms, 50111
  unknown key, 50101 demo/live mix-up (x-simulated-trading: 1), 50105 wrong passphrase, 50113
  signature, 50102 timestamp more than 30 s off, 51000 misplaced, repeated or unknown
  parameters and long_short_mode on a portfolio-margin account, 59000 positions/orders/bots,
  59001 borrowings, "already in mode" is success 0 with the echo, 5 calls per 2 s per key per
  endpoint, then HTTP 429 50011.
  Bybit: HTTP 401 for a missing or unknown key (10003), sign or timestamp; 10004 signature over
  timestamp+key+recvWindow+body (POST) or +query (GET); 10002 outside
  server-recvWindow <= timestamp < server+1000; 10001 for a duplicated, unknown or misplaced
  parameter, a POST without Content-Type application/json, mode other than 0/3; 110025 already
  in mode; 110024 positions; 110028 orders; 110029 hedge on a one-way-only scope; 10 switches per
  second per key, then 10006 with X-Bapi-Limit-Reset-Timestamp; 600 requests per 5 s per IP,
  then HTTP 403 "access too frequent" for ten minutes.
  Gate: HTTP 401 MISSING_REQUIRED_HEADER (KEY, Timestamp, SIGN), INVALID_KEY, INVALID_SIGNATURE
  (hex HMAC-SHA512 of METHOD, path, unescaped query, SHA-512 of the body, Timestamp),
  REQUEST_EXPIRED (Timestamp in seconds, more than 60 s off); 400 INVALID_PARAM_VALUE for a
  missing, repeated or extra parameter, a body, an unknown settle; 400 POSITION_HOLDING for
  positions/orders; "already in mode" is 200 with the account; 200 calls per 10 s per endpoint
  per key, then 429 TOO_MANY_REQUESTS, X-Gate-RateLimit-* headers on every private answer.

Faults (flags apply to every account)
  Order: delay, then drop-before or 503 or html-502 (apply-change decides whether the venue
  logic ran first), then the reply is written dripped and/or with Connection: close, and the
  connection is dropped after it with drop-after.
)";

std::mutex output_mutex;

// stdout is for programs (the readiness line, then the request log), flushed line by line so
// that a parent reading a pipe sees each line at once; stderr is for a person.
void say(const std::string& line) {
  const std::lock_guard lock(output_mutex);
  std::cout << line << std::endl;
}

void notice(const std::string& line) {
  const std::lock_guard lock(output_mutex);
  std::cerr << line << std::endl;
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    parts.emplace_back(text.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

mock::position_mode parse_mode(std::string_view text) {
  if (text == "hedge") return mock::position_mode::hedge;
  if (text == "one_way") return mock::position_mode::one_way;
  throw std::invalid_argument("mode must be hedge or one_way, got '" + std::string(text) + "'");
}

// A public key's PEM (not a secret: the mock only verifies with it).
std::string read_public_key_file(const std::string& path, const std::string& what) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument(what + ": cannot read '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// One --<venue>-account flag: its `fields` fixed parts (KEY:SECRET, or KEY:SECRET:PASSPHRASE),
// then the comma-separated options, each `name` or `name=value`.
struct account_option {
  std::string text;   // as written
  std::string name;   // before '='
  std::string value;  // after '=', empty when none
  bool has_value = false;
};
struct account_flag {
  std::vector<std::string> fields;
  std::vector<account_option> options;
};

account_flag split_account_flag(const std::string& spec, std::size_t fields, const char* flag) {
  auto parts = split(spec, ':');
  if (parts.size() < fields || parts.size() > fields + 1 || parts[0].empty() || parts[1].empty()) {
    throw std::invalid_argument(std::string(flag) + " wants " +
                                (fields == 2 ? "KEY:SECRET" : "KEY:SECRET:PASSPHRASE") +
                                "[:OPTIONS]");
  }
  account_flag out;
  if (parts.size() == fields + 1) {
    for (auto& text : split(parts[fields], ',')) {
      const auto eq = text.find('=');
      account_option o;
      o.name = text.substr(0, eq);
      o.has_value = eq != std::string::npos;
      o.value = o.has_value ? text.substr(eq + 1) : std::string();
      o.text = std::move(text);
      out.options.push_back(std::move(o));
    }
  }
  parts.resize(fields);
  out.fields = std::move(parts);
  return out;
}

mock::binance_account parse_binance(const std::string& spec) {
  const account_flag flag = split_account_flag(spec, 2, "--binance-account");
  mock::binance_account account;
  account.api_key = flag.fields[0];
  account.secret = flag.fields[1];
  for (const auto& [option, name, value, has_value] : flag.options) {
    if (name == "um") {
      account.papi_um = parse_mode(value);
    } else if (name == "cm") {
      account.papi_cm = parse_mode(value);
    } else if (name == "usdm") {
      account.usdm = parse_mode(value);
    } else if (name == "coinm") {
      account.coinm = parse_mode(value);
    } else if (name == "positions") {
      account.has_positions = true;
    } else if (name == "orders") {
      account.has_orders = true;
    } else if (name == "coin-positions") {
      account.coin_has_positions = true;
    } else if (name == "coin-orders") {
      account.coin_has_orders = true;
    } else if (name == "migrated") {
      account.migrated = true;
    } else if (name == "ed25519" || name == "rsa") {
      account.key_type =
          name == "ed25519" ? mock::binance_key_type::ed25519 : mock::binance_key_type::rsa;
      account.public_key_pem = read_public_key_file(value, "--binance-account " + name);
    } else {
      throw std::invalid_argument("unknown Binance account option '" + option + "'");
    }
  }
  return account;
}

mock::bybit_account parse_bybit(const std::string& spec) {
  const account_flag flag = split_account_flag(spec, 2, "--bybit-account");
  mock::bybit_account account;
  account.api_key = flag.fields[0];
  account.secret = flag.fields[1];
  for (const auto& [option, name, value, has_value] : flag.options) {
    if (option == "positions") {
      account.has_positions = true;
    } else if (option == "orders") {
      account.has_orders = true;
    } else if (option == "coin-skips-held") {
      account.coin_switch_skips_held = true;
    } else if (name == "hedge-ok" && !value.empty()) {
      account.no_hedge.erase(value);
    } else if (name == "no-hedge" && !value.empty()) {
      account.no_hedge.insert(value);
    } else if (name == "USDT" || name == "USDC") {
      account.coin_modes[name] = parse_mode(value);
    } else if (has_value && !name.empty()) {
      account.symbol_modes[name] = parse_mode(value);
    } else {
      throw std::invalid_argument("unknown Bybit account option '" + option + "'");
    }
  }
  return account;
}

mock::bitget_account parse_bitget(const std::string& spec) {
  const account_flag flag = split_account_flag(spec, 3, "--bitget-account");
  mock::bitget_account account;
  account.api_key = flag.fields[0];
  account.secret = flag.fields[1];
  account.passphrase = flag.fields[2];
  for (const auto& [option, name, value, has_value] : flag.options) {
    if (option == "demo") {
      account.demo_key = true;
    } else if (option == "positions") {
      account.has_positions = true;
    } else if (option == "orders") {
      account.has_orders = true;
    } else if (has_value) {
      account.modes[name] = parse_mode(value);
    } else {
      throw std::invalid_argument("unknown Bitget account option '" + option + "'");
    }
  }
  return account;
}

mock::okx_account parse_okx(const std::string& spec) {
  const account_flag flag = split_account_flag(spec, 3, "--okx-account");
  mock::okx_account account;
  account.api_key = flag.fields[0];
  account.secret = flag.fields[1];
  account.passphrase = flag.fields[2];
  for (const account_option& o : flag.options) {
    const std::string& option = o.text;
    if (option == "demo") {
      account.demo_key = true;
    } else if (option == "hedge") {
      account.mode = mock::position_mode::hedge;
    } else if (option == "pm") {
      account.portfolio_margin = true;
    } else if (option == "positions") {
      account.has_positions = true;
    } else if (option == "orders") {
      account.has_orders = true;
    } else if (option == "bots") {
      account.has_bots = true;
    } else if (option == "borrowings") {
      account.has_borrowings = true;
    } else if (o.name == "perm" && o.has_value && !o.value.empty()) {
      // ',' separates the flag's options: '+' stands for it here.
      account.perm = o.value;
      std::replace(account.perm.begin(), account.perm.end(), '+', ',');
    } else {
      throw std::invalid_argument("unknown OKX account option '" + option + "'");
    }
  }
  return account;
}

mock::gate_mode parse_gate_mode(std::string_view text) {
  if (text == "single") return mock::gate_mode::single;
  if (text == "dual") return mock::gate_mode::dual;
  if (text == "dual_plus") return mock::gate_mode::dual_plus;
  throw std::invalid_argument("Gate mode must be single, dual or dual_plus, got '" +
                              std::string(text) + "'");
}

mock::gate_account parse_gate(const std::string& spec) {
  const account_flag flag = split_account_flag(spec, 2, "--gate-account");
  mock::gate_account account;
  account.api_key = flag.fields[0];
  account.secret = flag.fields[1];
  for (const auto& [option, name, value, has_value] : flag.options) {
    if (option == "positions") {
      account.has_positions = true;
    } else if (option == "orders") {
      account.has_orders = true;
    } else if (option == "split") {
      account.split_spelling = true;
    } else if ((name == "usdt" || name == "btc") && has_value) {
      account.modes[name] = parse_gate_mode(value);
    } else {
      throw std::invalid_argument("unknown Gate account option '" + option + "'");
    }
  }
  return account;
}

std::string required_string(const toml::table& table, const char* key, const char* where) {
  const auto value = table[key].value<std::string>();
  if (!value || value->empty()) {
    throw std::invalid_argument(std::string(where) + ": missing or empty '" + key + "'");
  }
  return *value;
}

// Calls `add(table, where)` for every table of the array `[[name]]` in `file`, `where` being
// "[[name]]"; anything but tables there is refused.
template <typename Add>
void for_each_account(const toml::table& file, const char* name, const std::string& path, Add add) {
  const auto* list = file[name].as_array();
  if (list == nullptr) return;
  const std::string where = "[[" + std::string(name) + "]]";
  for (const auto& node : *list) {
    const auto* table = node.as_table();
    if (table == nullptr) throw std::invalid_argument(path + ": " + where + " must be tables");
    add(*table, where.c_str());
  }
}

void load_accounts(const std::string& path, mock::exchange& exchange) {
  toml::table file;
  try {
    file = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    // what() holds only the description; the operator needs the place too.
    const auto& at = e.source().begin;
    throw std::invalid_argument(path + ":" + std::to_string(at.line) + ":" +
                                std::to_string(at.column) + ": " + std::string(e.description()));
  }
  for_each_account(file, "binance", path, [&](const toml::table& table, const char* where) {
    mock::binance_account account;
    account.api_key = required_string(table, "api_key", where);
    const std::string key_type = table["key_type"].value_or<std::string>("hmac");
    if (key_type == "hmac") {
      account.secret = required_string(table, "secret", where);
    } else if (key_type == "ed25519" || key_type == "rsa") {
      account.key_type =
          key_type == "ed25519" ? mock::binance_key_type::ed25519 : mock::binance_key_type::rsa;
      account.public_key_pem = read_public_key_file(
          required_string(table, "public_key_file", where), path + ": " + where);
    } else {
      throw std::invalid_argument(path + ": " + where + ": key_type must be hmac, ed25519 or rsa");
    }
    account.papi_um = parse_mode(table["papi_um"].value_or<std::string>("one_way"));
    account.papi_cm = parse_mode(table["papi_cm"].value_or<std::string>("one_way"));
    account.usdm = parse_mode(table["usdm"].value_or<std::string>("one_way"));
    account.coinm = parse_mode(table["coinm"].value_or<std::string>("one_way"));
    account.has_positions = table["has_positions"].value_or(false);
    account.has_orders = table["has_orders"].value_or(false);
    account.coin_has_positions = table["coin_has_positions"].value_or(false);
    account.coin_has_orders = table["coin_has_orders"].value_or(false);
    account.migrated = table["migrated"].value_or(false);
    exchange.add_binance_account(std::move(account));
  });
  for_each_account(file, "bitget", path, [&](const toml::table& table, const char* where) {
    mock::bitget_account account;
    account.api_key = required_string(table, "api_key", where);
    account.secret = required_string(table, "secret", where);
    account.passphrase = required_string(table, "passphrase", where);
    account.demo_key = table["demo_key"].value_or(false);
    account.has_positions = table["has_positions"].value_or(false);
    account.has_orders = table["has_orders"].value_or(false);
    if (const auto* modes = table["modes"].as_table()) {
      for (const auto& [product_type, mode] : *modes) {
        account.modes[std::string(product_type.str())] = parse_mode(mode.value_or<std::string>(""));
      }
    }
    exchange.add_bitget_account(std::move(account));
  });
  for_each_account(file, "okx", path, [&](const toml::table& table, const char* where) {
    mock::okx_account account;
    account.api_key = required_string(table, "api_key", where);
    account.secret = required_string(table, "secret", where);
    account.passphrase = required_string(table, "passphrase", where);
    account.demo_key = table["demo_key"].value_or(false);
    account.mode = parse_mode(table["mode"].value_or<std::string>("one_way"));
    account.portfolio_margin = table["portfolio_margin"].value_or(false);
    account.has_positions = table["has_positions"].value_or(false);
    account.has_orders = table["has_orders"].value_or(false);
    account.has_bots = table["has_bots"].value_or(false);
    account.has_borrowings = table["has_borrowings"].value_or(false);
    account.perm = table["perm"].value_or(account.perm);
    exchange.add_okx_account(std::move(account));
  });
  for_each_account(file, "bybit", path, [&](const toml::table& table, const char* where) {
    mock::bybit_account account;
    account.api_key = required_string(table, "api_key", where);
    account.secret = required_string(table, "secret", where);
    account.has_positions = table["has_positions"].value_or(false);
    account.has_orders = table["has_orders"].value_or(false);
    account.coin_switch_skips_held = table["coin_switch_skips_held"].value_or(false);
    if (const auto* modes = table["modes"].as_table()) {
      for (const auto& [scope, mode] : *modes) {
        const std::string name(scope.str());
        auto& target = name == "USDT" || name == "USDC" ? account.coin_modes : account.symbol_modes;
        target[name] = parse_mode(mode.value_or<std::string>(""));
      }
    }
    if (const auto* no_hedge = table["no_hedge"].as_array()) {
      account.no_hedge.clear();
      for (const auto& scope : *no_hedge)
        account.no_hedge.insert(scope.value_or<std::string>(""));
    }
    exchange.add_bybit_account(std::move(account));
  });
  for_each_account(file, "gate", path, [&](const toml::table& table, const char* where) {
    mock::gate_account account;
    account.api_key = required_string(table, "api_key", where);
    account.secret = required_string(table, "secret", where);
    account.modes["usdt"] = parse_gate_mode(table["usdt"].value_or<std::string>("single"));
    account.modes["btc"] = parse_gate_mode(table["btc"].value_or<std::string>("single"));
    account.has_positions = table["has_positions"].value_or(false);
    account.has_orders = table["has_orders"].value_or(false);
    account.split_spelling = table["split_spelling"].value_or(false);
    exchange.add_gate_account(std::move(account));
  });
}

}  // namespace

int main(int argc, char** argv) {
  // posmode's sockets never raise SIGPIPE (MSG_NOSIGNAL); writes to a closed stdout must not
  // kill the process either: they fail with EPIPE instead.
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{
      "posmode-mock-exchange: an HTTPS mock of Binance (PAPI, USD-M, COIN-M), Bitget v2, OKX v5, "
      "Bybit v5 and Gate APIv4 futures position-mode endpoints on 127.0.0.1, with fault "
      "injection. Makes a throwaway CA and "
      "server certificate at start, prints 'ready port=PORT pid=PID version=V ca=CA-FILE' on "
      "stdout once it listens, then one line per request (JSON with --log-json) until "
      "SIGINT/SIGTERM."};
  app.footer(footer);
  app.set_version_flag("--version", "posmode-mock-exchange " POSMODE_VERSION_STRING,
                       "print the version (posmode-mock-exchange " POSMODE_VERSION_STRING
                       ") and exit");

  std::uint16_t port = 0;
  std::string ca_out;
  std::vector<std::string> binance_specs;
  std::vector<std::string> bitget_specs;
  std::vector<std::string> okx_specs;
  std::vector<std::string> bybit_specs;
  unsigned bybit_rate_limit = 10;
  std::vector<std::string> gate_specs;
  unsigned gate_rate_limit = 200;
  std::string accounts_file;
  unsigned weight_limit = 2400;
  unsigned bitget_rate_limit = 5;
  unsigned okx_rate_limit = 5;
  unsigned ban_after = 3;
  long ban_seconds = 120;
  long delay_ms = 0;
  long drip_interval_ms = 1;
  long skew_ms = 0;
  mock::fault_set faults;
  bool wrong_host = false;
  bool log_json = false;

  app.add_option("--port", port, "TCP port on 127.0.0.1 (0 picks a free one)")
      ->capture_default_str();
  app.add_option("--ca-out", ca_out,
                 "write the CA certificate (PEM) here; default $TMPDIR/posmode-mock-ca-<pid>.pem, "
                 "removed at exit");
  app.add_option("--binance-account", binance_specs, "KEY:SECRET[:OPTIONS], repeatable (below)");
  app.add_option("--bitget-account", bitget_specs,
                 "KEY:SECRET:PASSPHRASE[:OPTIONS], repeatable (below)");
  app.add_option("--okx-account", okx_specs, "KEY:SECRET:PASSPHRASE[:OPTIONS], repeatable (below)");
  app.add_option("--bybit-account", bybit_specs, "KEY:SECRET[:OPTIONS], repeatable (below)");
  app.add_option("--bybit-rate-limit", bybit_rate_limit,
                 "Bybit switch-mode calls per second per key (then retCode 10006)")
      ->capture_default_str();
  app.add_option("--gate-account", gate_specs, "KEY:SECRET[:OPTIONS], repeatable (below)");
  app.add_option("--gate-rate-limit", gate_rate_limit,
                 "Gate calls per 10 s per key, on each endpoint (then 429 TOO_MANY_REQUESTS)")
      ->capture_default_str();
  app.add_option("--accounts", accounts_file, "TOML file of accounts (format below)")
      ->check(CLI::ExistingFile);
  app.add_option("--weight-limit", weight_limit, "Binance request weight per minute per IP")
      ->capture_default_str();
  app.add_option("--bitget-rate-limit", bitget_rate_limit,
                 "Bitget set-position-mode calls per second per key")
      ->capture_default_str();
  app.add_option("--okx-rate-limit", okx_rate_limit,
                 "OKX calls per two seconds per key, on each endpoint")
      ->capture_default_str();
  app.add_option("--ban-after", ban_after,
                 "Binance: this many 429s to one IP within a minute ban it (HTTP 418); 0 never")
      ->capture_default_str();
  app.add_option("--ban-seconds", ban_seconds,
                 "the first ban's length; each later ban doubles it, up to three days")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--delay-ms", delay_ms, "fault: delay every request by this many ms")
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--drop-before", faults.drop_before_reply,
               "fault: close the TCP connection instead of replying");
  app.add_flag("--error-503", faults.unknown_error_503,
               "fault: answer HTTP 503 (Binance -1000 'Unknown error...', Bitget 40010, OKX 50001; "
               "Gate HTTP 500 SERVER_ERROR)");
  app.add_flag("--html-502", faults.html_502, "fault: answer a CloudFront HTML 502 page");
  app.add_flag("--apply-change", faults.apply_change,
               "with --drop-before/--error-503/--html-502: still apply the request (mode "
               "changes) before the reply is lost or replaced");
  app.add_flag("--connection-close", faults.connection_close,
               "fault: reply with 'Connection: close' and close the connection after it");
  app.add_flag("--drip", faults.drip, "fault: write each reply one byte per TLS write");
  app.add_option("--drip-interval-ms", drip_interval_ms, "pause between dripped bytes")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_flag("--drop-after", faults.drop_after_reply,
               "fault: close the TCP connection right after each reply");
  app.add_flag("--reset", faults.reset,
               "with --drop-before/--drop-after: close with a TCP reset instead of a FIN");
  bool silent = false;
  app.add_flag("--silent", silent,
               "fault: accept TCP connections and never answer them (no TLS handshake)");
  app.add_option("--skew-ms", skew_ms,
                 "fault: server clock offset in ms (time endpoints and timestamp windows)");
  app.add_flag("--wrong-host-cert", wrong_host,
               "fault: present a certificate for wrong.example (signed by the same CA)");
  app.add_flag("--log-json", log_json,
               "one JSON object per request on stdout (time, venue, method, path, query, masked "
               "key, http_status, code, fault) instead of a text line");
  CLI11_PARSE(app, argc, argv);

  faults.delay = std::chrono::milliseconds(delay_ms);
  faults.drip_interval = std::chrono::milliseconds(drip_interval_ms);
  const bool temporary_ca = ca_out.empty();
  if (temporary_ca) {
    const char* tmp = std::getenv("TMPDIR");
    ca_out = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/posmode-mock-ca-" +
             std::to_string(::getpid()) + ".pem";
  }

  // Block the stop signals before the server thread exists, so that it inherits the mask and
  // only sigwait() below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  try {
    mock::exchange_options options;
    options.port = port;
    options.weight_limit = weight_limit;
    options.bitget_rate_limit = bitget_rate_limit;
    options.okx_rate_limit = okx_rate_limit;
    options.bybit_rate_limit = bybit_rate_limit;
    options.gate_rate_limit = gate_rate_limit;
    options.ban_after_rate_limited = ban_after;
    options.ban_duration = std::chrono::seconds(ban_seconds);
    options.on_request = [log_json](const mock::request_record& record) {
      say(log_json ? mock::format_record_json(record) : mock::format_record(record));
    };
    mock::exchange exchange(std::move(options));
    for (const auto& spec : binance_specs)
      exchange.add_binance_account(parse_binance(spec));
    for (const auto& spec : bitget_specs)
      exchange.add_bitget_account(parse_bitget(spec));
    for (const auto& spec : okx_specs)
      exchange.add_okx_account(parse_okx(spec));
    for (const auto& spec : bybit_specs)
      exchange.add_bybit_account(parse_bybit(spec));
    for (const auto& spec : gate_specs)
      exchange.add_gate_account(parse_gate(spec));
    if (!accounts_file.empty()) load_accounts(accounts_file, exchange);
    exchange.set_faults(faults);
    exchange.set_clock_skew(std::chrono::milliseconds(skew_ms));
    exchange.set_wrong_host_certificate(wrong_host);
    exchange.set_silent(silent);
    exchange.write_ca_file(ca_out);

    notice("posmode-mock-exchange listening on https://127.0.0.1:" +
           std::to_string(exchange.port()) + ", CA certificate " + ca_out);
    // Last, once the accounts, faults and CA file are in place: a parent may connect as soon as
    // it reads this line. `ca=` runs to the end of the line, so a path may hold spaces.
    say("ready port=" + std::to_string(exchange.port()) + " pid=" + std::to_string(::getpid()) +
        " version=" POSMODE_VERSION_STRING " ca=" + ca_out);

    int signal = 0;
    sigwait(&stop_signals, &signal);
    notice(std::string("posmode-mock-exchange: stopping on ") +
           (signal == SIGINT ? "SIGINT" : "SIGTERM"));
    exchange.stop();
    // Only a file we chose ourselves is ours to remove.
    if (temporary_ca) std::remove(ca_out.c_str());
  } catch (const std::exception& e) {
    std::cerr << "posmode-mock-exchange: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
