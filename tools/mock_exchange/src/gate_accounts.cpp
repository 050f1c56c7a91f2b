// The exchange's Gate members (configuration and inspection of Gate accounts), apart from
// exchange.cpp to keep each file short; the venue logic is gate.cpp's.

#include <stdexcept>
#include <string>
#include <utility>

#include "posmode/mock/exchange.hpp"
#include "server.hpp"

namespace posmode::mock {

namespace {

gate_account& find_gate(detail::state& st, std::string_view api_key) {
  const auto it = st.gate.find(api_key);
  if (it == st.gate.end()) throw std::out_of_range("mock exchange: unknown API key");
  return it->second;
}

gate_mode& settle_mode(gate_account& account, std::string_view settle) {
  const auto it = account.modes.find(settle);
  if (it == account.modes.end())
    throw std::out_of_range("mock exchange: Gate settle must be usdt or btc");
  return it->second;
}

}  // namespace

void exchange::add_gate_account(gate_account account) {
  if (account.api_key.empty()) throw std::invalid_argument("mock exchange: empty API key");
  for (const auto& [settle, mode] : account.modes)
    if (settle != "usdt" && settle != "btc")
      throw std::invalid_argument("mock exchange: Gate settle must be usdt or btc, got '" + settle +
                                  "'");
  account.modes.try_emplace("usdt", gate_mode::single);
  account.modes.try_emplace("btc", gate_mode::single);
  const std::lock_guard lock(impl_->mutex);
  const std::string key = account.api_key;
  if (!impl_->st.gate.emplace(key, std::move(account)).second)
    throw std::invalid_argument("mock exchange: duplicate Gate API key");
}

gate_mode exchange::gate_mode_of(std::string_view api_key, std::string_view settle) const {
  const std::lock_guard lock(impl_->mutex);
  return settle_mode(find_gate(impl_->st, api_key), settle);
}

void exchange::set_gate_mode(std::string_view api_key, std::string_view settle, gate_mode mode) {
  const std::lock_guard lock(impl_->mutex);
  settle_mode(find_gate(impl_->st, api_key), settle) = mode;
  detail::record_gate_change(impl_->st, api_key, settle, mode, false,
                             std::chrono::steady_clock::now());
}

void exchange::set_gate_flags(std::string_view api_key, bool has_positions, bool has_orders) {
  const std::lock_guard lock(impl_->mutex);
  auto& account = find_gate(impl_->st, api_key);
  account.has_positions = has_positions;
  account.has_orders = has_orders;
}

}  // namespace posmode::mock
