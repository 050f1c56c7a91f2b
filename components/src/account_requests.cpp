#include "posmode/components/account_requests.hpp"

#include <stdexcept>

#include "venues/venue_table.hpp"

namespace posmode::components {
namespace detail {

std::string host_header(const std::string& host, std::uint16_t port) {
  return port == 443 ? host : host + ":" + std::to_string(port);
}

account_specs public_time_specs(const account_config& config, std::string_view time_path,
                                std::vector<engine::request_header> extra_headers) {
  account_specs out;
  out.api = {std::string(api_host(config)), config.port};
  out.time_host = out.api;
  out.time.method = "GET";
  out.time.host = host_header(out.api.host, out.api.port);
  out.time.target = engine::request_text(time_path);
  out.time.headers = {{"User-Agent", user_agent}};
  for (auto& h : extra_headers)
    out.time.headers.push_back(std::move(h));
  out.ping = out.time;
  return out;
}

}  // namespace detail

namespace {

// Header values are copied verbatim onto the wire: refuse anything that could end the line or
// is not printable. The message names the field, never the value (it may be a secret).
void check_header_value(std::string_view field, std::string_view value) {
  for (char c : value)
    if (c < 0x20 || c > 0x7e)
      throw std::invalid_argument(std::string(field) +
                                  ": contains a control or non-ASCII character");
}

const account_config& checked(const account_config& config, const credentials& creds) {
  validate_account(config);
  if (creds.api_key.empty())
    throw std::invalid_argument("api_key: empty (account '" + config.id + "')");
  // The key the account signs with: the secret (HMAC), or the private key (Ed25519, RSA).
  if (config.key_type == api_key_type::hmac && creds.secret.empty())
    throw std::invalid_argument("secret: empty (account '" + config.id + "')");
  if (config.key_type != api_key_type::hmac && creds.private_key.empty())
    throw std::invalid_argument("private_key: empty, key_type is " +
                                std::string(to_string(config.key_type)) + " (account '" +
                                config.id + "')");
  check_header_value("api_key", creds.api_key);
  if (const venue_facts& venue = facts_of(config.venue_kind); venue.needs_passphrase) {
    if (creds.passphrase.empty())
      throw std::invalid_argument("passphrase: " + std::string(venue.name) +
                                  " requires one (account '" + config.id + "')");
    check_header_value("passphrase", creds.passphrase.reveal());
  }
  return config;
}

// Wipes a product's specs however the rendering ends.
struct spec_wiper {
  detail::product_specs& specs;
  ~spec_wiper() {
    engine::wipe(specs.set_hedge);
    engine::wipe(specs.set_one_way);
    engine::wipe(specs.query);
  }
};

// The signer of the account's key type; a private key that cannot sign is refused naming the
// field (key_error's message names the problem, never the key).
engine::request_signer signer_for(const account_config& config, const credentials& creds,
                                  engine::hmac_signer::backend backend) {
  const engine::signature_algorithm algorithm = account_signature(config);
  if (!engine::is_asymmetric(algorithm))
    return engine::request_signer(algorithm, creds.secret.reveal(), backend);
  try {
    return engine::request_signer(algorithm, creds.private_key.reveal());
  } catch (const engine::key_error& e) {
    std::string_view why = e.what();
    if (why.starts_with("private key: ")) why.remove_prefix(13);
    throw std::invalid_argument("private_key: " + std::string(why) + " (account '" + config.id +
                                "')");
  }
}

detail::account_specs account_specs_for(const account_config& config) {
  return detail::row_of(config.venue_kind).build_account_specs(config);
}

}  // namespace

account_requests::account_requests(const account_config& config, const credentials& creds,
                                   engine::hmac_signer::backend backend)
    : account_requests(config, creds, backend, account_specs_for(checked(config, creds))) {}

// `config` was validated (checked()) before `common` was built from it.
account_requests::account_requests(const account_config& config, const credentials& creds,
                                   engine::hmac_signer::backend backend,
                                   detail::account_specs&& common)
    : config_(config),
      signer_(signer_for(config, creds, backend)),
      ping_(common.ping),
      time_(common.time),
      api_(std::move(common.api)),
      time_host_(std::move(common.time_host)) {
  products_.reserve(config_.products.size());
  const std::int64_t max_age_ms = effective_presign_max_age_ms(config_);
  for (product p : config_.products) {
    auto specs = detail::row_of(config_.venue_kind).build_product_specs(config_, p, creds);
    const spec_wiper wiper{specs};  // they hold the API key and any passphrase
    products_.push_back(product_requests{
        p,
        engine::presigned_request(engine::request_template(specs.set_hedge), *signer_, max_age_ms),
        engine::presigned_request(engine::request_template(specs.set_one_way), *signer_,
                                  max_age_ms),
        engine::request_template(specs.query)});
  }
}

account_requests::~account_requests() = default;
account_requests::account_requests(account_requests&&) noexcept = default;
account_requests& account_requests::operator=(account_requests&&) noexcept = default;

account_requests::product_requests* account_requests::find(product p) noexcept {
  for (auto& entry : products_)
    if (entry.scope == p) return &entry;
  return nullptr;
}

std::span<const char> account_requests::set_mode(product p, position_mode m, std::int64_t now_ms,
                                                 std::error_code& ec) noexcept {
  auto* entry = find(p);
  if (entry == nullptr) {
    ec = std::make_error_code(std::errc::invalid_argument);
    return {};
  }
  return (m == position_mode::hedge ? entry->set_hedge : entry->set_one_way).acquire(now_ms, ec);
}

std::span<const char> account_requests::set_mode(product p, position_mode m, std::int64_t now_ms,
                                                 std::error_code& ec,
                                                 bool& signed_inline) noexcept {
  signed_inline = false;
  auto* entry = find(p);
  if (entry == nullptr) {
    ec = std::make_error_code(std::errc::invalid_argument);
    return {};
  }
  return (m == position_mode::hedge ? entry->set_hedge : entry->set_one_way)
      .acquire(now_ms, ec, signed_inline);
}

std::error_code account_requests::refresh_slice(std::int64_t now_ms, bool& more) noexcept {
  more = false;
  if (!signer_->is_expensive()) return refresh(now_ms);
  // One signature per call; the loop runs other handlers (a trigger) before the next one.
  bool signed_one = false;
  for (auto& entry : products_) {
    for (engine::presigned_request* r : {&entry.set_hedge, &entry.set_one_way}) {
      if (!r->needs_refresh(now_ms)) continue;
      if (signed_one) {
        more = true;
        return {};
      }
      if (auto ec = r->refresh(now_ms)) return ec;
      signed_one = true;
    }
  }
  return {};
}

std::error_code account_requests::clock_moved(std::int64_t now_ms) noexcept {
  if (!signer_->is_expensive()) return resign_all(now_ms);
  for (auto& entry : products_) {
    entry.set_hedge.invalidate();
    entry.set_one_way.invalidate();
  }
  return {};
}

std::error_code account_requests::refresh(std::int64_t now_ms) noexcept {
  for (auto& entry : products_) {
    if (auto ec = entry.set_hedge.refresh(now_ms)) return ec;
    if (auto ec = entry.set_one_way.refresh(now_ms)) return ec;
  }
  return {};
}

std::error_code account_requests::resign_all(std::int64_t now_ms) noexcept {
  for (auto& entry : products_) {
    if (auto ec = entry.set_hedge.resign(now_ms)) return ec;
    if (auto ec = entry.set_one_way.resign(now_ms)) return ec;
  }
  return {};
}

std::span<const char> account_requests::query_mode(product p, std::int64_t now_ms,
                                                   std::error_code& ec) noexcept {
  auto* entry = find(p);
  if (entry == nullptr) {
    ec = std::make_error_code(std::errc::invalid_argument);
    return {};
  }
  ec = signer_->resign(entry->query, now_ms);
  return ec ? std::span<const char>{} : entry->query.bytes();
}

const engine::presigned_request* account_requests::presigned(product p,
                                                             position_mode m) const noexcept {
  for (const auto& entry : products_)
    if (entry.scope == p) return m == position_mode::hedge ? &entry.set_hedge : &entry.set_one_way;
  return nullptr;
}

const engine::request_template* account_requests::query_template(product p) const noexcept {
  for (const auto& entry : products_)
    if (entry.scope == p) return &entry.query;
  return nullptr;
}

}  // namespace posmode::components
