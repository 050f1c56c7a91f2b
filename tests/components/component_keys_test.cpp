// Binance Ed25519 and RSA API keys end to end against the mock exchange, which verifies each
// signature with the account's public key by its own OpenSSL code: every Binance variant applies
// a switch both ways with each key type, the start-up reads are signed too, a key the venue does
// not know is refused as auth_failed, and a set after a clock resync is signed inline and says so.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "components/component_test_support.hpp"
#include "support/test_keys.hpp"

using namespace posmode;
using components::api_key_type;
using components::event_status;
using components::product;
using components::venue;
using mock::binance_product;
using test::component_harness;
using namespace test::modes;
using namespace std::chrono_literals;

namespace {

struct key_pair {
  api_key_type type;
  std::string private_pem;
  std::string public_pem;
};

const key_pair& ed25519_keys() {
  static const key_pair k{api_key_type::ed25519, std::string(test::e_key_pem),
                          std::string(test::e_public_pem)};
  return k;
}

const key_pair& rsa_keys() {
  static const key_pair k = [] {
    const auto key = test::rsa_key(2048);
    return key_pair{api_key_type::rsa, test::pem_of(key.get(), test::pem_form::pkcs8),
                    test::pem_of(key.get(), test::pem_form::public_key)};
  }();
  return k;
}

// Adds a Binance account signing with `keys` to the configuration, and to the mock with
// `venue_public_pem` as the key it verifies with (the account's own unless a test says otherwise).
std::size_t add_keyed(component_harness& h, venue v, std::vector<product> products, int key_number,
                      const key_pair& keys, const std::string& venue_public_pem) {
  mock::binance_account account;
  account.api_key = test::binance_key(key_number);
  account.key_type = keys.type == api_key_type::ed25519 ? mock::binance_key_type::ed25519
                                                        : mock::binance_key_type::rsa;
  account.public_key_pem = venue_public_pem;
  h.ex().add_binance_account(account);
  components::account_settings s = h.settings(v, std::move(products), account.api_key, "", "");
  s.account.key_type = keys.type;
  s.creds.private_key = components::secret_string(keys.private_pem);
  return h.add_settings(std::move(s));
}

binance_product mock_product(product p) {
  switch (p) {
    case product::papi_cm:
      return binance_product::papi_cm;
    case product::usdm:
      return binance_product::usdm;
    case product::coinm:
      return binance_product::coinm;
    default:
      return binance_product::papi_um;
  }
}

}  // namespace

TEST_CASE("Ed25519 and RSA accounts switch every Binance variant both ways, pre-signed") {
  for (const key_pair* keys : {&ed25519_keys(), &rsa_keys()}) {
    CAPTURE(components::to_string(keys->type));
    component_harness h;
    const auto pm = add_keyed(h, venue::binance_papi, {product::papi_um, product::papi_cm}, 1,
                              *keys, keys->public_pem);
    const auto usdm =
        add_keyed(h, venue::binance_usdm, {product::usdm}, 2, *keys, keys->public_pem);
    const auto coinm =
        add_keyed(h, venue::binance_coinm, {product::coinm}, 3, *keys, keys->public_pem);
    h.start();
    INFO(h.dump());
    // The start-up reads (signed queries) were verified by the mock: one report per product.
    REQUIRE(h.wait_until([&] { return h.current_mode_events().size() >= 4; }));
    for (const auto& e : h.current_mode_events()) {
      CHECK(e.status == event_status::current_mode);
      CHECK(e.has_observed_mode);
    }
    const struct {
      std::size_t account;
      int key;
      std::vector<product> products;
    } accounts[] = {{pm, 1, {product::papi_um, product::papi_cm}},
                    {usdm, 2, {product::usdm}},
                    {coinm, 3, {product::coinm}}};
    for (const auto& a : accounts) {
      for (const auto mode : {hedge, one_way}) {
        const auto e = h.terminal(h.request(a.account, mode));
        CHECK(e.status == event_status::applied);
        CHECK(e.attempts == 1);
        CHECK_FALSE(e.signed_inline);  // the signature was made ahead of time
        for (const product p : a.products)
          CHECK(h.ex().binance_mode(test::binance_key(a.key), mock_product(p)) ==
                (mode == hedge ? mock_hedge : mock_one_way));
      }
      const auto health = h.component().health(a.account);
      REQUIRE(health);
      CHECK(health->signature_age_ms >= 0);
      CHECK(health->inline_signatures == 0);
    }
    CHECK(h.component().stats().inline_signatures == 0);
    h.check_invariants();
  }
}

TEST_CASE("a private key the venue does not hold is refused: auth_failed, -1022, mode unchanged") {
  component_harness h;
  // The venue knows another Ed25519 key for this API key.
  const auto other = test::pkey_ptr(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), &EVP_PKEY_free);
  REQUIRE(other);
  add_keyed(h, venue::binance_usdm, {product::usdm}, 1, ed25519_keys(),
            test::pem_of(other.get(), test::pem_form::public_key));
  h.start();
  const auto e = h.terminal(h.request(0, hedge));
  INFO(h.dump());
  CHECK(e.status == event_status::auth_failed);
  CHECK(e.code == -1022);
  CHECK(h.ex().binance_mode(test::binance_key(1), binance_product::usdm) == mock_one_way);
  h.check_invariants();
}

TEST_CASE("after a clock resync an Ed25519 set is signed inline, and the event says so") {
  component_harness h;
  add_keyed(h, venue::binance_usdm, {product::usdm}, 1, ed25519_keys(), ed25519_keys().public_pem);
  h.start();
  // The venue's clock 3 s behind: the first set is over 1 s ahead (-1021); posmode resyncs,
  // marks its pre-signed requests stale, and the retry signs its own request on the spot.
  h.ex().set_clock_skew(-3'000ms);
  const auto e = h.terminal(h.request(0, hedge));
  INFO(h.dump());
  CHECK(e.status == event_status::applied);
  CHECK(e.attempts == 2);
  CHECK(e.signed_inline);
  CHECK(h.component().stats().inline_signatures == 1);
  CHECK(h.component().health(0)->inline_signatures == 1);
  CHECK(h.ex().binance_mode(test::binance_key(1), binance_product::usdm) == mock_hedge);
  h.check_invariants();
}
