// The mock exchange's migrated Binance account (docs/venues.md §2.1, the CM migration): one set
// flips USDⓈ-M and COIN-M (PAPI UM and CM, fapi and dapi), each change recorded, and positions or
// orders on either side refuse it. Over real TLS with requests the test signs itself.

#include <doctest/doctest.h>

#include <string>

#include "posmode/mock/exchange.hpp"
#include "tools/mock_client.hpp"

namespace {

using namespace posmode;
using mock::binance_product;
using mock::position_mode;
using test::binance_request;
using test::mock_client;
using test::now_ms;

constexpr std::string_view key = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
constexpr std::string_view secret =
    "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
constexpr std::string_view um = "/papi/v1/um/positionSide/dual";
constexpr std::string_view cm = "/papi/v1/cm/positionSide/dual";
constexpr std::string_view fapi = "/fapi/v1/positionSide/dual";
constexpr std::string_view dapi = "/dapi/v1/positionSide/dual";

struct rig {
  mock::exchange ex;
  mock_client client{ex.port(), ex.ca_pem()};

  explicit rig(bool migrated, position_mode usd_side = position_mode::one_way,
               position_mode coin_side = position_mode::one_way) {
    mock::binance_account account;
    account.api_key = std::string(key);
    account.secret = std::string(secret);
    account.papi_um = account.usdm = usd_side;
    account.papi_cm = account.coinm = coin_side;
    account.migrated = migrated;
    ex.add_binance_account(account);
    REQUIRE(!client.connect());
  }

  test::read_result set(std::string_view path, bool hedge) {
    const std::string params = std::string("dualSidePosition=") + (hedge ? "true" : "false") +
                               "&recvWindow=5000&timestamp=" + std::to_string(now_ms());
    return client.request(binance_request("POST", path, params, key, secret));
  }
  position_mode mode(binance_product p) const { return ex.binance_mode(key, p); }
  std::size_t changes_of(std::string_view product) const {
    std::size_t n = 0;
    for (const auto& c : ex.mode_history())
      if (c.product == product && c.by_request) ++n;
    return n;
  }
};

}  // namespace

TEST_CASE("migrated: COIN-M starts in USDⓈ-M's mode, as the migration left it") {
  rig r(true, position_mode::hedge, position_mode::one_way);
  CHECK(r.mode(binance_product::papi_cm) == position_mode::hedge);
  CHECK(r.mode(binance_product::coinm) == position_mode::hedge);
  rig before(false, position_mode::hedge, position_mode::one_way);
  CHECK(before.mode(binance_product::coinm) == position_mode::one_way);
}

TEST_CASE("migrated PAPI: a UM set flips CM too, and a CM set both, and no -4220") {
  rig r(true);
  CHECK(r.set(um, true).status() == 200);
  CHECK(r.mode(binance_product::papi_um) == position_mode::hedge);
  CHECK(r.mode(binance_product::papi_cm) == position_mode::hedge);
  CHECK(r.changes_of("papi_um") == 1);
  CHECK(r.changes_of("papi_cm") == 1);  // recorded: the soak holds CM's claims against it
  // CM after UM: nothing left to change.
  CHECK(r.set(cm, true).response.body() ==
        R"({"code":-4059,"msg":"No need to change position side."})");
  // CM alone (the mock's choice: one shared setting) moves UM as well.
  CHECK(r.set(cm, false).status() == 200);
  CHECK(r.mode(binance_product::papi_um) == position_mode::one_way);
  // The classic surfaces are another pair, untouched.
  CHECK(r.mode(binance_product::usdm) == position_mode::one_way);

  rig before(false);
  CHECK(before.set(um, true).status() == 200);
  CHECK(before.mode(binance_product::papi_cm) == position_mode::one_way);
  CHECK(before.set(um, false).status() == 200);
  CHECK(before.set(cm, true).response.body().find(R"("code":-4220)") != std::string::npos);
}

TEST_CASE("migrated fapi/dapi: one USDⓈ-M set flips COIN-M") {
  rig r(true);
  CHECK(r.set(fapi, true).status() == 200);
  CHECK(r.mode(binance_product::usdm) == position_mode::hedge);
  CHECK(r.mode(binance_product::coinm) == position_mode::hedge);
  CHECK(r.changes_of("coinm") == 1);
  CHECK(r.set(dapi, true).status() == 400);  // -4059: already
  CHECK(r.mode(binance_product::papi_um) == position_mode::one_way);

  rig before(false);
  CHECK(before.set(fapi, true).status() == 200);
  CHECK(before.mode(binance_product::coinm) == position_mode::one_way);
}

TEST_CASE("migrated: positions or orders on either side refuse the set (-4068 / -4067)") {
  rig r(true);
  r.ex.set_binance_coin_flags(key, true, false);
  CHECK(r.set(fapi, true).response.body() ==
        R"({"code":-4068,"msg":"Position side cannot be changed if there exists position."})");
  CHECK(r.set(um, true).status() == 400);
  r.ex.set_binance_coin_flags(key, false, true);
  CHECK(r.set(um, true).response.body() ==
        R"({"code":-4067,"msg":"Position side cannot be changed if there exists open orders."})");
  CHECK(r.mode(binance_product::papi_um) == position_mode::one_way);
  CHECK(r.mode(binance_product::papi_cm) == position_mode::one_way);
  r.ex.set_binance_flags(key, true, false);  // USDⓈ-M side (account-wide): refuses COIN-M sets
  r.ex.set_binance_coin_flags(key, false, false);
  CHECK(r.set(dapi, true).status() == 400);
  r.ex.set_binance_flags(key, false, false);
  CHECK(r.set(dapi, true).status() == 200);
  CHECK(r.mode(binance_product::usdm) == position_mode::hedge);

  // Before the migration COIN-M's positions hold back COIN-M only.
  rig before(false);
  before.ex.set_binance_coin_flags(key, true, false);
  CHECK(before.set(fapi, true).status() == 200);
  CHECK(before.set(dapi, true).status() == 400);
  CHECK(before.set(um, true).status() == 200);
  CHECK(before.set(cm, true).status() == 400);
}

TEST_CASE("migrated: a mode set as in the web UI moves both sides") {
  rig r(true);
  r.ex.set_binance_mode(key, binance_product::coinm, position_mode::hedge);
  CHECK(r.mode(binance_product::usdm) == position_mode::hedge);
  rig before(false);
  before.ex.set_binance_mode(key, binance_product::coinm, position_mode::hedge);
  CHECK(before.mode(binance_product::usdm) == position_mode::one_way);
}
