// posmode sign: the set-mode request bytes for one venue variant, signed at a given timestamp,
// without connecting. The bytes come from the same `account_requests` the component sends from,
// so that what an operator inspects is what goes on the wire.

#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "cli.hpp"
#include "cli_args.hpp"
#include "posmode/components/account_requests.hpp"
#include "posmode/components/venue_facts.hpp"
#include "posmode/tools/config.hpp"

namespace posmode::cli {
namespace {

namespace pc = posmode::components;

// One `--venue` value: a venue whose products each have a CLI name (binance-papi-um, ...) gives
// one choice per product; any other venue is named alone and takes `--product`.
struct venue_choice {
  std::string_view name;
  const pc::venue_facts* venue = nullptr;
  std::optional<pc::product> product;  ///< empty: chosen by --product (default: the row's)
};

std::vector<venue_choice> venue_choices() {
  std::vector<venue_choice> choices;
  for (const pc::venue_facts* f : pc::known_venues()) {
    bool named = false;
    for (const pc::product_facts& p : f->products)
      if (!p.cli_name.empty()) {
        choices.push_back({p.cli_name, f, p.id});
        named = true;
      }
    if (!named) choices.push_back({f->name, f, std::nullopt});
  }
  return choices;
}

std::vector<std::string> product_names(const pc::venue_facts& venue) {
  std::vector<std::string> names;
  for (const pc::product_facts& p : venue.products)
    names.emplace_back(p.name);
  return names;
}

// The venues that take --product, for the refusal of it elsewhere.
std::string product_option_venues() {
  std::string list;
  for (const auto& c : venue_choices())
    if (!c.product) list += (list.empty() ? "" : ", ") + std::string(c.name);
  return list;
}

// A credential from the environment; the message names the variable and what it is for.
std::string required_env(std::string_view name, std::string_view what) {
  const std::optional<std::string> value = tools::process_environment()(name);
  if (!value)
    throw usage_error("environment variable " + std::string(name) + " is not set (the " +
                      std::string(what) + ")");
  if (value->empty())
    throw usage_error("environment variable " + std::string(name) + " is empty (the " +
                      std::string(what) + ")");
  return *value;
}

// Replaces the value of the header line `name: value\r\n` (first occurrence) with `replacement`.
// The request line and body never hold the key or passphrase, so only the header is touched.
// A header not found as expected stops the command: printing unmasked bytes is never the fallback.
void replace_header_value(std::string& bytes, std::string_view name, std::string_view value,
                          std::string_view replacement) {
  const std::string line = "\r\n" + std::string(name) + ": " + std::string(value) + "\r\n";
  const std::size_t at = bytes.find(line);
  if (at == std::string::npos)
    throw std::logic_error("sign: the request has no " + std::string(name) +
                           " header to mask; nothing printed (--show-key prints it as sent)");
  bytes.replace(at + 2 + name.size() + 2, value.size(), replacement);
}

}  // namespace

std::vector<std::string> sign_venue_names() {
  std::vector<std::string> names;
  for (const auto& c : venue_choices())
    names.emplace_back(c.name);
  return names;
}

int run_sign(const sign_options& o) {
  const std::vector<venue_choice> choices = venue_choices();
  const venue_choice* choice = nullptr;
  for (const auto& c : choices)
    if (c.name == o.venue) choice = &c;
  if (choice == nullptr)
    throw usage_error(unknown_value("--venue", "venue", o.venue, sign_venue_names()));
  const pc::venue_facts& venue = *choice->venue;
  const pc::position_mode mode = parse_mode_option("--mode", o.mode);

  pc::product product = venue.default_product;
  if (choice->product) {
    if (!o.product.empty())
      throw usage_error("--product: only for " + product_option_venues() + "; " +
                        std::string(choice->name) + " names its product itself");
    product = *choice->product;
  } else if (!o.product.empty()) {
    const auto p = pc::parse_product(o.product);
    if (!p || pc::venue_of(*p) != venue.id)
      throw usage_error(unknown_value("--product",
                                      std::string(venue.display_name) + " product type", o.product,
                                      product_names(venue)));
    product = *p;
  }
  // The templates' timestamp slots take 13-digit milliseconds (since 2001-09-09; OKX writes the
  // same instant as ISO-8601).
  if (o.timestamp_ms < 1'000'000'000'000 || o.timestamp_ms > 9'999'999'999'999)
    throw usage_error("--timestamp: " + std::to_string(o.timestamp_ms) +
                      " is not a 13-digit time in milliseconds");

  pc::account_config account;
  account.id = "sign";
  account.venue_kind = venue.id;
  account.products = {product};
  if (o.testnet && o.demo) throw usage_error("--testnet and --demo: choose one");
  if (o.testnet) account.environment = pc::venue_environment::testnet;
  if (o.demo) {
    if (venue.hosts.demo.empty())
      throw usage_error("--demo: " + std::string(venue.display_name) + " has no demo environment");
    account.environment = pc::venue_environment::demo;
  }
  // The symbol field is checked by the library (upper-case letters and digits; required by
  // Bybit's linear-symbol), which names it.
  account.bitget_query_symbol = o.symbol;
  if (o.recv_window_ms) {
    if (!venue.sends_recv_window)
      throw usage_error("--recv-window: " + std::string(venue.display_name) +
                        " requests carry no recvWindow");
    if (*o.recv_window_ms < 1 || *o.recv_window_ms > venue.recv_window_max_ms)
      throw usage_error("--recv-window: " + std::to_string(*o.recv_window_ms) + " is outside 1.." +
                        std::to_string(venue.recv_window_max_ms));
    // The pre-sign age follows the window (effective_presign_max_age_ms); the bytes do not
    // depend on it.
    account.recv_window_ms = *o.recv_window_ms;
  }

  if (!o.key_type.empty()) {
    const auto type = pc::parse_api_key_type(o.key_type);
    if (!type)
      throw usage_error(
          unknown_value("--key-type", "key type", o.key_type, {"hmac", "ed25519", "rsa"}));
    if (*type != pc::api_key_type::hmac && !venue.accepts_asymmetric_keys)
      throw usage_error("--key-type: " + o.key_type + " is not accepted by " +
                        std::string(venue.display_name) + " (HMAC keys only)");
    account.key_type = *type;
  }
  const bool asymmetric = account.key_type != pc::api_key_type::hmac;
  if (asymmetric && o.private_key_file.empty())
    throw usage_error("--private-key-file: required with --key-type " + o.key_type);
  if (!asymmetric && !o.private_key_file.empty())
    throw usage_error("--private-key-file: only with --key-type ed25519 or rsa");

  const tools::default_env_names names = tools::default_env(venue.id);
  pc::credentials creds;
  creds.api_key = required_env(names.key, "API key");
  if (asymmetric) {
    try {
      creds.private_key = tools::read_private_key_file(o.private_key_file, "--private-key-file");
    } catch (const tools::config_error& e) {
      throw usage_error(e.what());
    }
  } else {
    creds.secret = pc::secret_string(required_env(names.secret, "API secret"));
  }
  if (!names.passphrase.empty())
    creds.passphrase = pc::secret_string(required_env(names.passphrase, "API passphrase"));

  std::string bytes;
  try {
    pc::account_requests requests(account, creds);
    // Signed at exactly the given time: re-sign everything at it, then take the set request,
    // which is then zero milliseconds old and handed out as it is.
    if (const std::error_code ec = requests.resign_all(o.timestamp_ms))
      throw usage_error("signing failed: " + ec.message());
    std::error_code ec;
    const auto span = requests.set_mode(product, mode, o.timestamp_ms, ec);
    if (ec) throw usage_error("signing failed: " + ec.message());
    bytes.assign(span.data(), span.size());
  } catch (const std::invalid_argument& e) {
    // The library names the field (e.g. "creds.api_key: ..."); it never includes the secret.
    // Its symbol field is this command's --symbol.
    std::string what = e.what();
    constexpr std::string_view symbol_field = "bitget_query_symbol:";
    if (what.starts_with(symbol_field)) what.replace(0, symbol_field.size(), "--symbol:");
    // The key came from --private-key-file; the library's message names the problem only.
    constexpr std::string_view key_field = "private_key:";
    if (what.starts_with(key_field)) what.replace(0, key_field.size(), "--private-key-file:");
    throw usage_error(what);
  }

  if (!o.show_key) {
    replace_header_value(bytes, venue.key_header, creds.api_key, creds.masked_key());
    // The passphrase is a secret as well: shown only when the operator asks for the real bytes.
    if (!venue.passphrase_header.empty())
      replace_header_value(bytes, venue.passphrase_header, creds.passphrase.reveal(), "********");
    std::fputs("posmode: key masked (and passphrase hidden); --show-key prints the bytes as sent\n",
               stderr);
  }
  std::fwrite(bytes.data(), 1, bytes.size(), stdout);
  std::fflush(stdout);
  return exit_ok;
}

}  // namespace posmode::cli
