// Binance Ed25519 and RSA keys through the account's templates (docs/venues.md §1.6): vectors E4
// and E8 byte for byte on every Binance variant, the mode query checked by OpenSSL, RSA templates
// verified, the row rule (asymmetric keys only where the row accepts them), every bad key refused
// naming the field and none of the key, and the refresh in slices of one signature.

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "components/request_bytes.hpp"
#include "posmode/components/account_requests.hpp"
#include "posmode/components/component_config.hpp"
#include "posmode/components/venue_facts.hpp"
#include "posmode/version.hpp"
#include "support/allocation_counter.hpp"
#include "support/test_keys.hpp"

using namespace posmode::components;
using posmode::test::query_bytes;
using posmode::test::set_bytes;
using posmode::test::vector_time_ms;

namespace {

constexpr std::string_view key = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";

credentials key_credentials(std::string_view pem) {
  credentials c;
  c.api_key = std::string(key);
  c.private_key = secret_string(pem);
  return c;
}

account_config account(venue v, std::vector<product> products, api_key_type type) {
  account_config c;
  c.id = "acct";
  c.venue_kind = v;
  c.products = std::move(products);
  c.key_type = type;
  return c;
}

// E4 (dualSidePosition=true&recvWindow=5000&timestamp=1700000000000) and E8 (false), encoded.
constexpr std::string_view e4 =
    "drjAMt1cuw%2B3ajUlXuTdYtou5UEbId%2Fef7KcIKu7fe3Xuo7l%2FLAWdYSPKW3jE%2F%2FbeEQ8q1ZwLYlBEhpxw1m4"
    "AQ%3D%3D";
constexpr std::string_view e8 =
    "0E8Byrvk7UsTKQi66LnFuCPC73tOjfbxVyC957co5%2FIwM%2F207Bs8CoayBqJazg%2FQBR0oG6vLb97dKeyEzwlrCQ"
    "%3D%3D";

std::string set_wire(std::string_view path, std::string_view host, bool hedge,
                     std::string_view signature) {
  return "POST " + std::string(path) + "?dualSidePosition=" + (hedge ? "true" : "false") +
         "&recvWindow=5000&timestamp=1700000000000&signature=" + std::string(signature) +
         " HTTP/1.1\r\nHost: " + std::string(host) +
         "\r\nUser-Agent: posmode/" POSMODE_VERSION_STRING "\r\nX-MBX-APIKEY: " + std::string(key) +
         "\r\nContent-Length: 0\r\n\r\n";
}

struct variant {
  venue v;
  product p;
  std::string_view path;
  std::string_view host;
};

const std::vector<variant> binance_variants{
    {venue::binance_papi, product::papi_um, "/papi/v1/um/positionSide/dual", "papi.binance.com"},
    {venue::binance_papi, product::papi_cm, "/papi/v1/cm/positionSide/dual", "papi.binance.com"},
    {venue::binance_usdm, product::usdm, "/fapi/v1/positionSide/dual", "fapi.binance.com"},
    {venue::binance_coinm, product::coinm, "/dapi/v1/positionSide/dual", "dapi.binance.com"},
};

std::string refusal(const account_config& c, const credentials& creds) {
  try {
    account_requests r(c, creds);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "accepted";
}

std::string config_refusal(const account_config& c, const credentials& creds) {
  component_config config;
  account_settings s;
  s.account = c;
  s.creds = creds;
  config.accounts.push_back(std::move(s));
  try {
    validate_config(config);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "accepted";
}

}  // namespace

TEST_CASE("Ed25519 set requests carry vectors E4 and E8 on every Binance variant, byte for byte") {
  for (const variant& x : binance_variants) {
    CAPTURE(x.path);
    account_requests r(account(x.v, {x.p}, api_key_type::ed25519),
                       key_credentials(posmode::test::e_key_pem));
    CHECK(r.expensive_signatures());
    CHECK(set_bytes(r, x.p, position_mode::hedge) == set_wire(x.path, x.host, true, e4));
    CHECK(set_bytes(r, x.p, position_mode::one_way) == set_wire(x.path, x.host, false, e8));
    // The mode query signs "recvWindow=5000&timestamp=...": the vector, and OpenSSL's check.
    const std::string query = query_bytes(r, x.p);
    const std::string prefix =
        "GET " + std::string(x.path) + "?recvWindow=5000&timestamp=1700000000000&signature=";
    REQUIRE(query.starts_with(prefix));
    const std::string encoded =
        query.substr(prefix.size(), query.find(' ', prefix.size()) - prefix.size());
    // docs/venues.md §1.6: the query's vector, computed for that page.
    CHECK(
        encoded ==
        "jdISFP%2FtePBTK5q9fs3KJtbD%2FA04Ltw2H2kFdb7M9%2BhkElUPuvOsN%2F1npa3Ip%2B5jUTuRcfcZ1Oahk0p"
        "A3e5WCg%3D%3D");
    const auto pub = posmode::test::read_key(posmode::test::e_public_pem);
    CHECK(posmode::test::verifies(pub.get(), "recvWindow=5000&timestamp=1700000000000",
                                  posmode::test::percent_decoded(encoded)));
  }
}

TEST_CASE("RSA set requests on every Binance variant verify with OpenSSL") {
  const auto rsa = posmode::test::rsa_key(2048);
  const std::string pem = posmode::test::pem_of(rsa.get(), posmode::test::pem_form::pkcs8);
  for (const variant& x : binance_variants) {
    CAPTURE(x.path);
    account_requests r(account(x.v, {x.p}, api_key_type::rsa), key_credentials(pem));
    for (const bool hedge : {true, false}) {
      const std::string wire =
          set_bytes(r, x.p, hedge ? position_mode::hedge : position_mode::one_way);
      const std::string query = std::string("dualSidePosition=") + (hedge ? "true" : "false") +
                                "&recvWindow=5000&timestamp=1700000000000";
      const std::string head = "POST " + std::string(x.path) + "?" + query + "&signature=";
      REQUIRE(wire.starts_with(head));
      const std::size_t end = wire.find(' ', head.size());
      const std::string base64 =
          posmode::test::percent_decoded(wire.substr(head.size(), end - head.size()));
      CHECK(base64.size() == 344);
      CHECK(posmode::test::verifies(rsa.get(), query, base64));
      CHECK(wire.substr(end) == set_wire(x.path, x.host, hedge, "").substr(head.size()));
    }
  }
}

TEST_CASE("asymmetric keys are refused where the row does not accept them, naming key_type") {
  for (const venue_facts* f : known_venues()) {
    CAPTURE(f->name);
    CHECK(f->accepts_asymmetric_keys == (f->family == "binance"));
    if (f->accepts_asymmetric_keys) continue;
    account_config c = account(f->id, {f->default_product}, api_key_type::ed25519);
    c.bitget_query_symbol = f->family == "bybit" ? "BTCUSDT" : "";
    const std::string why = refusal(c, key_credentials(posmode::test::e_key_pem));
    CHECK(why.starts_with("key_type: 'ed25519' is not accepted by " + std::string(f->name)));
  }
  CHECK(to_string(api_key_type::rsa) == "rsa");
  CHECK(parse_api_key_type("ed25519") == api_key_type::ed25519);
  CHECK_FALSE(parse_api_key_type("Ed25519").has_value());
}

TEST_CASE("bad private keys are refused naming the field, never quoting the key") {
  const auto rsa = posmode::test::rsa_key(2048);
  const auto short_rsa = posmode::test::rsa_key(1024);
  using posmode::test::pem_form;
  using posmode::test::pem_of;
  const account_config ed = account(venue::binance_usdm, {product::usdm}, api_key_type::ed25519);
  const account_config rs = account(venue::binance_usdm, {product::usdm}, api_key_type::rsa);
  struct bad {
    const account_config* config;
    std::string pem;
    std::string_view why;
  };
  const std::vector<bad> cases{
      {&ed, pem_of(rsa.get(), pem_form::public_key), "the PEM holds a public key or certificate"},
      {&ed, "just some text", "no PEM private key found"},
      {&ed, pem_of(rsa.get(), pem_form::pkcs8), "the key is rsa, key_type says ed25519"},
      {&rs, std::string(posmode::test::e_key_pem), "the key is ed25519, key_type says rsa"},
      {&rs, pem_of(rsa.get(), pem_form::pkcs8_encrypted), "the PEM is encrypted"},
      {&rs, pem_of(short_rsa.get(), pem_form::pkcs8), "an RSA key of 1024 bits"},
      {&ed, "", "empty"},
  };
  for (const bad& b : cases) {
    CAPTURE(b.why);
    const std::string direct = refusal(*b.config, key_credentials(b.pem));
    CHECK(direct.starts_with("private_key: "));
    CHECK(direct.find(b.why) != std::string::npos);
    const std::string configured = config_refusal(*b.config, key_credentials(b.pem));
    CHECK(configured.starts_with("accounts[0].creds.private_key: "));
    CHECK(configured.find(b.why) != std::string::npos);
    // Not a line of the PEM appears in either message.
    for (std::size_t at = 0; at < b.pem.size();) {
      const std::size_t nl = b.pem.find('\n', at);
      const std::string line = b.pem.substr(at, nl - at);
      if (line.size() > 8 && !line.starts_with("-----")) {
        CHECK(direct.find(line.substr(0, 16)) == std::string::npos);
        CHECK(configured.find(line.substr(0, 16)) == std::string::npos);
      }
      if (nl == std::string::npos) break;
      at = nl + 1;
    }
  }
  // A secret beside a private key, or a private key for an HMAC account, is refused too.
  credentials both = key_credentials(posmode::test::e_key_pem);
  both.secret = secret_string("NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j");
  CHECK(
      config_refusal(ed, both).starts_with("accounts[0].creds.secret: given, but key_type is "
                                           "ed25519"));
  account_config hmac = ed;
  hmac.key_type = api_key_type::hmac;
  CHECK(config_refusal(hmac, both)
            .starts_with("accounts[0].creds.private_key: given, but "
                         "key_type is hmac"));
}

TEST_CASE(
    "the refresh signs one asymmetric request per slice, and a moved clock marks them stale") {
  account_requests r(
      account(venue::binance_papi, {product::papi_um, product::papi_cm}, api_key_type::ed25519),
      key_credentials(posmode::test::e_key_pem));
  bool more = true;
  int slices = 0;
  do {
    REQUIRE_FALSE(r.refresh_slice(vector_time_ms, more));
    ++slices;
  } while (more);
  CHECK(slices == 4);  // UM and CM, hedge and one-way: one signature each
  for (const product p : {product::papi_um, product::papi_cm})
    for (const position_mode m : {position_mode::hedge, position_mode::one_way})
      CHECK(r.presigned(p, m)->age_ms(vector_time_ms) == 0);
  REQUIRE_FALSE(r.refresh_slice(vector_time_ms + 100, more));
  CHECK_FALSE(more);  // nothing due: no signature made
  REQUIRE_FALSE(r.clock_moved(vector_time_ms + 200));
  CHECK(r.presigned(product::papi_um, position_mode::hedge)->age_ms(vector_time_ms) == -1);
  std::error_code ec;
  bool signed_inline = false;
  (void)r.set_mode(product::papi_um, position_mode::hedge, vector_time_ms + 200, ec, signed_inline);
  CHECK_FALSE(ec);
  CHECK(signed_inline);
}

#if POSMODE_ALLOCATION_COUNTING
TEST_CASE("a fresh pre-signed Ed25519 set request is handed out without allocating") {
  account_requests r(account(venue::binance_usdm, {product::usdm}, api_key_type::ed25519),
                     key_credentials(posmode::test::e_key_pem));
  bool more = true;
  while (more)
    REQUIRE_FALSE(r.refresh_slice(vector_time_ms, more));
  std::error_code ec;
  bool signed_inline = true;
  posmode::test::allocation_scope scope;
  const auto bytes =
      r.set_mode(product::usdm, position_mode::hedge, vector_time_ms + 10, ec, signed_inline);
  CHECK(scope.count() == 0);
  CHECK(scope.c_count() == 0);
  CHECK_FALSE(ec);
  CHECK_FALSE(signed_inline);
  CHECK(std::string_view(bytes.data(), bytes.size()).find(e4) != std::string_view::npos);
}
#endif
