// request_signer and the SHA-512 / epoch-seconds side of request_template: Gate's layout signed
// byte for byte against the vectors of docs/venues.md §5b.5, the algorithm guard, and no
// allocation on a re-sign.

#include "posmode/engine/request_signer.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "posmode/engine/error.hpp"
#include "posmode/engine/presigned_request.hpp"
#include "support/allocation_counter.hpp"

using namespace posmode::engine;

namespace {

constexpr std::string_view gate_secret =
    "gatesecret0123456789abcdef0123456789abcdef0123456789abcdef0123";
constexpr std::string_view empty_body_hash =
    "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec"
    "2f63b931bd47417a81a538327af927da3e";
constexpr std::int64_t vector_time_ms = 1'700'000'000'000;  // Timestamp 1700000000

// A Gate-shaped request: the query in the target, KEY, Timestamp and SIGN headers, the signed
// string rebuilt beside the wire bytes.
request_spec gate_like(std::string_view method, std::string_view path, std::string_view query) {
  request_spec spec;
  spec.method = std::string(method);
  spec.host = "api.gateio.ws";
  spec.target = request_text(query.empty() ? std::string(path)
                                           : std::string(path) + "?" + std::string(query));
  spec.headers = {{"KEY", "gatekey0123456789abcdef0123456789"},
                  {"Timestamp", request_text().timestamp()},
                  {"SIGN", request_text().signature()}};
  request_text signed_text;
  signed_text.text(method).text("\n").text(path).text("\n").text(query).text("\n");
  signed_text.text(empty_body_hash).text("\n").timestamp();
  spec.signed_text = std::move(signed_text);
  spec.algorithm = signature_algorithm::hmac_sha512;
  spec.time_format = timestamp_format::epoch_s;
  return spec;
}

std::string header_value(std::string_view wire, std::string_view name) {
  const std::string key = "\r\n" + std::string(name) + ": ";
  const auto at = wire.find(key);
  REQUIRE(at != std::string_view::npos);
  const auto start = at + key.size();
  return std::string(wire.substr(start, wire.find("\r\n", start) - start));
}

}  // namespace

TEST_CASE("Gate's set and query templates sign the venues.md vectors G3, G4 and G6 byte for byte") {
  struct vector {
    const char* name;
    const char* method;
    const char* path;
    const char* query;
    const char* sign;
  };
  const vector vectors[] = {
      {"G3", "POST", "/api/v4/futures/usdt/set_position_mode", "position_mode=single",
       "e84ae8b01c6367a4f9bb340640577087fb7de4937c90d2c31fb85095ede440cfcaf3f1f848ea8d01c00ac70cdba"
       "4099476d4212c6fd6af9e6c26234708307c38"},
      {"G4", "POST", "/api/v4/futures/usdt/set_position_mode", "position_mode=dual",
       "b3580438412d68e259b897e5b2f6728f3d5f4f9283d9b6f2d210fad4d88918a40962cd8b844ea25ebddcb53c01e"
       "045045c439b9c0243ca695170f7214b618125"},
      {"G6", "GET", "/api/v4/futures/usdt/accounts", "",
       "394a0e61636fdd539c408affb234965147e950121c0aebc08780407d0cf3edc15e4dfd7213ed1e4bde380a307f3"
       "2eb19e022fd838e74a3619d1b745dfaa88a83"},
  };
  request_signer signer(signature_algorithm::hmac_sha512, gate_secret);
  CHECK(signer.algorithm() == signature_algorithm::hmac_sha512);
  for (const vector& v : vectors) {
    const std::string_view name = v.name;
    CAPTURE(name);
    request_template t(gate_like(v.method, v.path, v.query));
    CHECK(t.algorithm() == signature_algorithm::hmac_sha512);
    CHECK(t.timestamp_size() == 10);
    REQUIRE_FALSE(signer.resign(t, vector_time_ms + 999));  // the milliseconds are cut, not rounded
    CHECK(t.is_signed());
    CHECK(t.timestamp_ms() == vector_time_ms + 999);
    CHECK(t.signature_view() == v.sign);
    CHECK(header_value(t.view(), "SIGN") == v.sign);
    CHECK(header_value(t.view(), "Timestamp") == "1700000000");
    CHECK(t.signed_view() == std::string(v.method) + "\n" + v.path + "\n" + v.query + "\n" +
                                 std::string(empty_body_hash) + "\n1700000000");
  }
}

TEST_CASE("epoch-seconds slots write whole seconds across the slot's range") {
  request_spec spec = gate_like("GET", "/api/v4/futures/usdt/accounts", "");
  request_template t(spec);
  request_signer signer(signature_algorithm::hmac_sha512, gate_secret);
  REQUIRE_FALSE(signer.resign(t, min_slot_timestamp_ms));
  CHECK(header_value(t.view(), "Timestamp") == "1000000000");
  REQUIRE_FALSE(signer.resign(t, max_slot_timestamp_ms));
  CHECK(header_value(t.view(), "Timestamp") == "9999999999");
  // Out of range: refused before any slot is touched.
  CHECK(signer.resign(t, min_slot_timestamp_ms - 1) == errc::timestamp_out_of_range);
  CHECK(header_value(t.view(), "Timestamp") == "9999999999");
}

TEST_CASE("a template refuses the signer of the other algorithm and stays unsigned") {
  request_template gate(gate_like("GET", "/api/v4/futures/usdt/accounts", ""));
  hmac_signer sha256(gate_secret);
  CHECK(gate.resign(sha256, vector_time_ms) == errc::signing_failed);
  CHECK_FALSE(gate.is_signed());

  request_spec binance;
  binance.method = "GET";
  binance.host = "fapi.binance.com";
  binance.target = request_text("/fapi/v1/positionSide/dual?")
                       .begin_signed()
                       .text("timestamp=")
                       .timestamp()
                       .end_signed()
                       .text("&signature=")
                       .signature();
  request_template sha256_template(binance);
  CHECK(sha256_template.signature_view().size() == hmac_signer::hex_size);
  request_signer sha512(signature_algorithm::hmac_sha512, gate_secret);
  CHECK(sha512.resign(sha256_template, vector_time_ms) == errc::signing_failed);
  CHECK_FALSE(sha256_template.is_signed());
  request_signer matching(signature_algorithm::hmac_sha256, gate_secret);
  CHECK_FALSE(matching.resign(sha256_template, vector_time_ms));
  CHECK(sha256_template.is_signed());
}

TEST_CASE("HMAC-SHA512 in base64 is refused when rendering, and an empty secret when keying") {
  request_spec spec = gate_like("GET", "/api/v4/futures/usdt/accounts", "");
  spec.encoding = signature_encoding::base64;
  CHECK_THROWS_AS(request_template{spec}, std::invalid_argument);
  CHECK_THROWS_AS(request_signer(signature_algorithm::hmac_sha512, ""), std::invalid_argument);
  CHECK_THROWS_AS(request_signer(signature_algorithm::hmac_sha256, ""), std::invalid_argument);
}

#if POSMODE_ALLOCATION_COUNTING
TEST_CASE("a pre-signed Gate request re-signs with no allocation") {
  request_signer signer(signature_algorithm::hmac_sha512, gate_secret);
  presigned_request p(request_template(gate_like("POST", "/api/v4/futures/usdt/set_position_mode",
                                                 "position_mode=dual")),
                      signer, 2'500);
  std::error_code ec;
  posmode::test::allocation_scope scope;
  for (std::int64_t i = 0; i < 100; ++i) {
    REQUIRE_FALSE(p.resign(vector_time_ms + i * 1'000));
    const auto bytes = p.acquire(vector_time_ms + i * 1'000, ec);
    REQUIRE_FALSE(ec);
    REQUIRE_FALSE(bytes.empty());
  }
  CHECK(scope.count() == 0);
}
#endif
