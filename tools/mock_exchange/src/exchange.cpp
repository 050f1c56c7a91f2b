#include "posmode/mock/exchange.hpp"

#include <openssl/evp.h>

#include <array>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <stdexcept>
#include <system_error>
#include <type_traits>
#include <utility>

#include "server.hpp"
#include "wire.hpp"

namespace posmode::mock {

namespace detail {

namespace {
constexpr std::array<const venue_route*, 5> routes{&binance_route, &bitget_route, &okx_route,
                                                   &bybit_route, &gate_route};
}  // namespace

const venue_route* route_of(std::string_view path) noexcept {
  for (const venue_route* venue : routes)
    if (venue->serves(path)) return venue;
  return nullptr;
}

std::string_view api_key_of(const http_request& request) noexcept {
  for (const venue_route* venue : routes)
    if (const std::string_view key = header(request, venue->key_header); !key.empty()) return key;
  return {};
}

namespace {
// The request log's name for each route, apart from `routes` itself; a route added there
// without a name here does not compile.
constexpr std::array<std::pair<const venue_route*, std::string_view>, 5> route_names{{
    {&binance_route, "binance"},
    {&bitget_route, "bitget"},
    {&okx_route, "okx"},
    {&bybit_route, "bybit"},
    {&gate_route, "gate"},
}};
static_assert(route_names.size() == routes.size(), "every route needs its name in route_names");

std::string_view route_name(const venue_route* route) noexcept {
  for (const auto& [r, name] : route_names)
    if (r == route) return name;
  return {};
}
}  // namespace

reply no_route_reply(std::string_view path) {
  reply r;
  r.status = 404;
  r.outcome = "404";
  std::string shown(path.substr(0, 200));
  for (char& c : shown)  // the path is the client's: keep the JSON well formed
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) c = '?';
  r.body = R"({"code":404,"msg":"no venue serves )" + shown + R"("})";
  return r;
}

}  // namespace detail

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using asio::ip::tcp;

namespace {

void use_certificate(ssl::context& tls, const std::string& cert_pem, const std::string& key_pem) {
  tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  tls.use_certificate_chain(asio::buffer(cert_pem));
  tls.use_private_key(asio::buffer(key_pem), ssl::context::pem);
}

[[noreturn]] void throw_system_error(const boost::system::error_code& ec, const char* what) {
  throw std::system_error(ec.value(), std::system_category(), what);
}

std::string join_faults(const fault_set& f) {
  std::string names;
  auto add = [&](bool on, const char* name) {
    if (!on) return;
    if (!names.empty()) names += ',';
    names += name;
  };
  add(f.delay.count() > 0, "delay");
  add(f.sets_only, "sets_only");
  add(f.drop_before_reply, f.reset ? "reset_before" : "drop_before");
  add(!f.drop_before_reply && f.unknown_error_503, "503");
  add(!f.drop_before_reply && !f.unknown_error_503 && f.html_502, "html_502");
  add(f.echo_other_mode, "echo_other_mode");
  add(!f.drop_before_reply && f.drip, "drip");
  add(!f.drop_before_reply && f.connection_close, "close");
  add(!f.drop_before_reply && f.drop_after_reply, f.reset ? "reset_after" : "drop_after");
  return names;
}

}  // namespace

exchange::impl::impl(exchange_options opts) : options(std::move(opts)) {
  // Loopback only: the mock accepts any request shape a test throws at it and must never be
  // reachable from another host.
  if (options.bind_address != "127.0.0.1") {
    throw std::invalid_argument("mock exchange: bind address must be 127.0.0.1, got " +
                                options.bind_address);
  }
  st.weight_limit = options.weight_limit;
  st.bitget_rate_limit = options.bitget_rate_limit;
  st.okx_rate_limit = options.okx_rate_limit;
  st.bybit_rate_limit = options.bybit_rate_limit;
  st.bybit_ip_limit = options.bybit_ip_limit;
  st.gate_rate_limit = options.gate_rate_limit;
  st.ban_after = options.ban_after_rate_limited;
  st.ban_duration = options.ban_duration;
  st.log_capacity = options.log_capacity;
  certificates = make_certificates();
  use_certificate(server_tls, certificates.server_cert_pem, certificates.server_key_pem);
  use_certificate(wrong_host_tls, certificates.wrong_host_cert_pem,
                  certificates.wrong_host_key_pem);

  io.emplace(1);
  acceptor.emplace(*io);
  const tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"), options.port);
  boost::system::error_code ec;
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw_system_error(ec, "mock exchange: cannot listen on 127.0.0.1");
  port = acceptor->local_endpoint().port();
  do_accept();
  thread = std::thread([this] { io->run(); });
}

exchange::impl::~impl() {
  stop();
}

void exchange::impl::stop() {
  if (thread.joinable()) {
    io->stop();
    thread.join();
  }
  // The held silent connections first: a socket must not outlive its io_context (its destructor
  // deregisters from the context's reactor; after io.reset() that is freed memory, and a mock
  // destroyed while silent corrupted the heap). The thread has ended: this thread may touch them.
  silent_sockets.clear();
  // Destroying the context destroys the pending handlers and with them every session, which
  // closes their sockets.
  acceptor.reset();
  io.reset();
}

void exchange::impl::do_accept() {
  acceptor->async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      bool wrong_host = false;
      bool silent = false;
      {
        const std::lock_guard lock(mutex);
        wrong_host = st.wrong_host;
        silent = st.silent;
      }
      if (silent)
        silent_sockets.push_back(std::move(socket));
      else
        detail::start_session(*this, std::move(socket), wrong_host ? wrong_host_tls : server_tls);
    }
    do_accept();
  });
}

fault_set exchange::impl::faults_for(std::string_view api_key) const {
  const std::lock_guard lock(mutex);
  const auto it = st.account_faults.find(api_key);
  return it == st.account_faults.end() ? st.global_faults : it->second;
}

std::optional<detail::reply> exchange::impl::serve(const detail::http_request& request,
                                                   const std::string& peer, const fault_set& faults,
                                                   std::chrono::steady_clock::time_point received) {
  const std::string_view target(request.target().data(), request.target().size());
  const std::size_t question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
  const std::string_view api_key = detail::api_key_of(request);

  request_record record;
  record.time = std::chrono::system_clock::now();
  record.method = std::string(request.method_string().data(), request.method_string().size());
  record.target = std::string(target);
  record.api_key = mask_api_key(api_key);
  record.fault = join_faults(faults);

  std::optional<detail::reply> out;
  {
    const std::lock_guard lock(mutex);
    const auto server_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               (record.time + st.skew).time_since_epoch())
                               .count();
    const detail::incoming in{request,
                              path,
                              query,
                              peer,
                              server_ms,
                              detail::window_now(st),
                              received,
                              faults.echo_other_mode,
                              faults.apply_change};
    const bool replaced = faults.drop_before_reply || faults.unknown_error_503 || faults.html_502;
    detail::reply r;
    const detail::venue_route* venue = detail::route_of(path);
    record.venue = detail::route_name(venue);
    if (venue == nullptr) {
      r = detail::no_route_reply(path);
    } else if (!replaced || faults.apply_change) {
      r = venue->handle(st, in);
    }
    if (faults.drop_before_reply) {
      record.outcome = "-";
    } else {
      if (faults.unknown_error_503) {
        r = venue != nullptr ? venue->unknown_error(server_ms) : detail::no_route_reply(path);
      } else if (faults.html_502) {
        r = detail::html_502_reply();
      }
      record.outcome = r.outcome;
      record.http_status = r.status;
      out = std::move(r);
    }
    st.log.push_back(record);
    while (st.log.size() > st.log_capacity)
      st.log.pop_front();
  }
  if (options.on_request) options.on_request(record);
  return out;
}

exchange::exchange(exchange_options options) : impl_(std::make_unique<impl>(std::move(options))) {}

exchange::~exchange() = default;

void exchange::stop() {
  impl_->stop();
}

std::uint16_t exchange::port() const noexcept {
  return impl_->port;
}

const std::string& exchange::ca_pem() const noexcept {
  return impl_->certificates.ca_pem;
}

void exchange::write_ca_file(const std::string& path) const {
  write_pem_file(path, ca_pem());
}

void exchange::add_binance_account(binance_account account) {
  if (account.api_key.empty()) throw std::invalid_argument("mock exchange: empty API key");
  if (account.key_type != binance_key_type::hmac) {
    int bits = 0;
    const int type = detail::public_key_type(account.public_key_pem, bits);
    const bool ed25519 = account.key_type == binance_key_type::ed25519;
    if (type != (ed25519 ? EVP_PKEY_ED25519 : EVP_PKEY_RSA))
      throw std::invalid_argument(std::string("mock exchange: the Binance account's public key is "
                                              "not an ") +
                                  (ed25519 ? "Ed25519" : "RSA") + " PEM public key");
  }
  const std::lock_guard lock(impl_->mutex);
  const std::string key = account.api_key;
  // The migration made COIN-M take USDⓈ-M's setting.
  if (account.migrated) {
    account.papi_cm = account.papi_um;
    account.coinm = account.usdm;
  }
  if (!impl_->st.binance.emplace(key, std::move(account)).second) {
    throw std::invalid_argument("mock exchange: duplicate Binance API key");
  }
}

void exchange::add_bitget_account(bitget_account account) {
  if (account.api_key.empty()) throw std::invalid_argument("mock exchange: empty API key");
  std::map<std::string, position_mode, std::less<>> modes;
  for (const auto& [product_type, mode] : account.modes)
    modes[detail::to_upper(product_type)] = mode;
  account.modes = std::move(modes);
  const std::lock_guard lock(impl_->mutex);
  const std::string key = account.api_key;
  if (!impl_->st.bitget.emplace(key, std::move(account)).second) {
    throw std::invalid_argument("mock exchange: duplicate Bitget API key");
  }
}

void exchange::add_okx_account(okx_account account) {
  if (account.api_key.empty()) throw std::invalid_argument("mock exchange: empty API key");
  // It is written into a JSON string as it is.
  for (const char c : account.perm)
    if (!((c >= 'a' && c <= 'z') || c == '_' || c == ','))
      throw std::invalid_argument("mock exchange: OKX perm '" + account.perm +
                                  "': lower-case letters, '_' and ',' only");
  const std::lock_guard lock(impl_->mutex);
  const std::string key = account.api_key;
  if (!impl_->st.okx.emplace(key, std::move(account)).second) {
    throw std::invalid_argument("mock exchange: duplicate OKX API key");
  }
}

namespace {

template <typename Map>
auto& find_account(Map& accounts, std::string_view api_key) {
  const auto it = accounts.find(api_key);
  if (it == accounts.end()) throw std::out_of_range("mock exchange: unknown API key");
  return it->second;
}

}  // namespace

position_mode exchange::binance_mode(std::string_view api_key, binance_product product) const {
  const std::lock_guard lock(impl_->mutex);
  return detail::mode_of(find_account(impl_->st.binance, api_key), product);
}

void exchange::set_binance_mode(std::string_view api_key, binance_product product,
                                position_mode mode) {
  const std::lock_guard lock(impl_->mutex);
  auto& account = find_account(impl_->st.binance, api_key);
  const auto now = std::chrono::steady_clock::now();
  detail::mode_of(account, product) = mode;
  detail::record_change(impl_->st, api_key, detail::product_name(product), mode, false, now);
  if (!account.migrated) return;
  const binance_product twin = detail::coupled_twin(product);
  detail::mode_of(account, twin) = mode;
  detail::record_change(impl_->st, api_key, detail::product_name(twin), mode, false, now);
}

void exchange::set_binance_flags(std::string_view api_key, bool has_positions, bool has_orders) {
  const std::lock_guard lock(impl_->mutex);
  auto& account = find_account(impl_->st.binance, api_key);
  account.has_positions = has_positions;
  account.has_orders = has_orders;
}

void exchange::set_binance_coin_flags(std::string_view api_key, bool has_positions,
                                      bool has_orders) {
  const std::lock_guard lock(impl_->mutex);
  auto& account = find_account(impl_->st.binance, api_key);
  account.coin_has_positions = has_positions;
  account.coin_has_orders = has_orders;
}

position_mode exchange::bitget_mode(std::string_view api_key, std::string_view product_type) const {
  const std::lock_guard lock(impl_->mutex);
  const auto& account = find_account(impl_->st.bitget, api_key);
  const auto it = account.modes.find(detail::to_upper(product_type));
  return it == account.modes.end() ? position_mode::one_way : it->second;
}

void exchange::set_bitget_mode(std::string_view api_key, std::string_view product_type,
                               position_mode mode) {
  const std::lock_guard lock(impl_->mutex);
  find_account(impl_->st.bitget, api_key).modes[detail::to_upper(product_type)] = mode;
  detail::record_change(impl_->st, api_key, detail::to_upper(product_type), mode, false,
                        std::chrono::steady_clock::now());
}

void exchange::set_bitget_flags(std::string_view api_key, bool has_positions, bool has_orders) {
  const std::lock_guard lock(impl_->mutex);
  auto& account = find_account(impl_->st.bitget, api_key);
  account.has_positions = has_positions;
  account.has_orders = has_orders;
}

position_mode exchange::okx_mode(std::string_view api_key) const {
  const std::lock_guard lock(impl_->mutex);
  return find_account(impl_->st.okx, api_key).mode;
}

void exchange::set_okx_mode(std::string_view api_key, position_mode mode) {
  const std::lock_guard lock(impl_->mutex);
  find_account(impl_->st.okx, api_key).mode = mode;
  detail::record_change(impl_->st, api_key, "account", mode, false,
                        std::chrono::steady_clock::now());
}

void exchange::set_okx_flags(std::string_view api_key, const okx_flags& flags) {
  const std::lock_guard lock(impl_->mutex);
  auto& account = find_account(impl_->st.okx, api_key);
  account.has_positions = flags.positions;
  account.has_orders = flags.orders;
  account.has_bots = flags.bots;
  account.has_borrowings = flags.borrowings;
}

void exchange::add_bybit_account(bybit_account account) {
  if (account.api_key.empty()) throw std::invalid_argument("mock exchange: empty API key");
  const auto upper = [](auto& modes) {
    std::remove_reference_t<decltype(modes)> out;
    for (const auto& [scope, mode] : modes)
      out[detail::to_upper(scope)] = mode;
    modes = std::move(out);
  };
  upper(account.coin_modes);
  upper(account.symbol_modes);
  const std::lock_guard lock(impl_->mutex);
  const std::string key = account.api_key;
  if (!impl_->st.bybit.emplace(key, std::move(account)).second) {
    throw std::invalid_argument("mock exchange: duplicate Bybit API key");
  }
}

position_mode exchange::bybit_mode(std::string_view api_key, std::string_view scope) const {
  const std::lock_guard lock(impl_->mutex);
  return detail::bybit_scope_mode(find_account(impl_->st.bybit, api_key), detail::to_upper(scope));
}

void exchange::set_bybit_mode(std::string_view api_key, std::string_view scope,
                              position_mode mode) {
  const std::lock_guard lock(impl_->mutex);
  const std::string upper = detail::to_upper(scope);
  detail::set_bybit_scope_mode(find_account(impl_->st.bybit, api_key), upper, mode);
  detail::record_change(impl_->st, api_key, "linear:" + upper, mode, false,
                        std::chrono::steady_clock::now());
}

void exchange::set_bybit_flags(std::string_view api_key, bool has_positions, bool has_orders) {
  const std::lock_guard lock(impl_->mutex);
  auto& account = find_account(impl_->st.bybit, api_key);
  account.has_positions = has_positions;
  account.has_orders = has_orders;
}

void exchange::set_bybit_limits(unsigned switches_per_second, unsigned ip_requests_per_5s) {
  const std::lock_guard lock(impl_->mutex);
  impl_->st.bybit_rate_limit = switches_per_second;
  impl_->st.bybit_ip_limit = ip_requests_per_5s;
}

void exchange::set_faults(const fault_set& faults) {
  const std::lock_guard lock(impl_->mutex);
  impl_->st.global_faults = faults;
}

void exchange::set_account_faults(std::string_view api_key, const fault_set& faults) {
  const std::lock_guard lock(impl_->mutex);
  impl_->st.account_faults.insert_or_assign(std::string(api_key), faults);
}

void exchange::clear_account_faults(std::string_view api_key) {
  const std::lock_guard lock(impl_->mutex);
  const auto it = impl_->st.account_faults.find(api_key);
  if (it != impl_->st.account_faults.end()) impl_->st.account_faults.erase(it);
}

void exchange::set_clock_skew(std::chrono::milliseconds skew) {
  const std::lock_guard lock(impl_->mutex);
  impl_->st.skew = skew;
}

void exchange::advance_time(std::chrono::milliseconds d) {
  const std::lock_guard lock(impl_->mutex);
  impl_->st.window_offset += d;
}

void exchange::set_wrong_host_certificate(bool on) {
  const std::lock_guard lock(impl_->mutex);
  impl_->st.wrong_host = on;
}

void exchange::set_weight_limit(unsigned weight_per_minute) {
  const std::lock_guard lock(impl_->mutex);
  impl_->st.weight_limit = weight_per_minute;
}

void exchange::ban_ip(std::string_view ip, std::chrono::milliseconds duration) {
  const std::lock_guard lock(impl_->mutex);
  auto& ban = impl_->st.bans[std::string(ip)];
  ban.until = detail::window_now(impl_->st) + duration;
  ban.rate_limited.clear();
}

void exchange::set_silent(bool on) {
  {
    const std::lock_guard lock(impl_->mutex);
    impl_->st.silent = on;
  }
  if (on || !impl_->io) return;
  // The held sockets belong to the server thread: close them there.
  asio::post(*impl_->io, [impl = impl_.get()] { impl->silent_sockets.clear(); });
}

std::vector<mode_change> exchange::mode_history() const {
  const std::lock_guard lock(impl_->mutex);
  return {impl_->st.history.begin(), impl_->st.history.end()};
}

std::vector<request_record> exchange::request_log() const {
  const std::lock_guard lock(impl_->mutex);
  return {impl_->st.log.begin(), impl_->st.log.end()};
}

void exchange::clear_request_log() {
  const std::lock_guard lock(impl_->mutex);
  impl_->st.log.clear();
}

}  // namespace posmode::mock
