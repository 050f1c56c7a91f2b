#pragma once

// The fault soak (issue 11): many accounts of every venue against the in-process mock exchange,
// random faults per request and across the exchange, the host keeping SIGPIPE's default action,
// and at the end every event's claim checked against the mode history the exchange recorded.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "posmode/components/position_mode_component.hpp"
#include "posmode/engine/clock.hpp"
#include "posmode/mock/exchange.hpp"

namespace posmode::soak {

namespace pc = posmode::components;

/** What the command line sets. */
struct options {
  std::chrono::seconds duration{15};
  std::uint64_t seed = 0;  ///< 0: from the clock (printed, so a failure can be replayed)
  std::size_t accounts = 16;
};

/** The host's wall clock plus a step the soak moves: NTP or an operator stepping the clock. */
struct stepped_clock {
  std::atomic<std::int64_t> step_ms{0};
  [[nodiscard]] std::int64_t monotonic_ns() const noexcept {
    return engine::system_clock::monotonic_ns();
  }
  [[nodiscard]] std::int64_t wall_ms() const noexcept {
    return engine::system_clock::wall_ms() + step_ms.load(std::memory_order_relaxed);
  }
};

/** One account as the soak set it up: its key and each product's mode at the start. */
struct account_setup {
  std::string key;
  pc::venue venue_kind = pc::venue::binance_usdm;
  std::vector<pc::product> products;
  std::vector<mock::position_mode> initial;  ///< per product, in `products` order
  std::string symbol;                        ///< Bybit linear-symbol's symbol
  /// Binance: the CM migration went through (the mock flips USDⓈ-M and COIN-M on one set)
  bool migrated = false;
  /// configured `unified_position_mode` (only ever for a migrated account)
  bool unified = false;
  /// Binance: the account signs with its HMAC secret, an Ed25519 or an RSA key
  pc::api_key_type key_type = pc::api_key_type::hmac;
};

/** A private key and its public key, as PEM. */
struct key_pair {
  std::string private_pem;
  std::string public_pem;
};

/** The soak's Ed25519 and RSA-2048 keys, made at start-up (soak_keys.cpp). */
struct asymmetric_keys {
  key_pair ed25519;
  key_pair rsa;

  [[nodiscard]] const key_pair& of(pc::api_key_type k) const {
    return k == pc::api_key_type::rsa ? rsa : ed25519;
  }
};

/** Makes the keys. Throws std::runtime_error when OpenSSL cannot. */
asymmetric_keys make_asymmetric_keys();

/** One accepted request, as the risk thread made it. */
struct trigger_record {
  std::uint64_t id = 0;
  std::size_t account = 0;
  pc::position_mode mode = pc::position_mode::hedge;
  std::string fault;  ///< the per-request fault planned for it
};

/** Counts by name, printed in the report. */
using tally = std::map<std::string, std::size_t>;

/**
 * Checks everything the soak promises and returns the violations, one line each: exactly one
 * terminal event per accepted request, sequences 1, 2, 3, ... without gaps, at most one
 * verification event after its terminal one, every set written accounted to an event and none
 * behind an event that says "not sent", and every claim (applied, already_in_mode,
 * confirmed, verified, not_applied) true against the exchange's mode history: true when it was
 * published, and never undone afterwards by a set that had reached the exchange before then.
 */
[[nodiscard]] std::vector<std::string> check(const std::vector<account_setup>& accounts,
                                             const std::vector<trigger_record>& triggers,
                                             const std::vector<pc::position_event>& events,
                                             const std::vector<mock::mode_change>& history,
                                             const pc::component_stats& stats);

/** The mock exchange's name for a product (`mode_change::product`). */
[[nodiscard]] std::string mock_product_name(const account_setup& a, pc::product p);

}  // namespace posmode::soak
