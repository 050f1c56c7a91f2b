// The ISO-8601 timestamp slot (OKX's OK-ACCESS-TIMESTAMP): the calendar arithmetic against the C
// library's gmtime_r, the template's re-sign against OpenSSL and the published OKX vectors
// (docs/venues.md §6), and no allocation on re-sign.

#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cstdint>
#include <ctime>
#include <random>
#include <string>

#include "posmode/engine/encoding.hpp"
#include "posmode/engine/error.hpp"
#include "posmode/engine/http_request.hpp"
#include "posmode/engine/presigned_request.hpp"
#include "support/allocation_counter.hpp"

using namespace posmode::engine;

namespace {

constexpr std::string_view okx_secret = "22582BD0CFF14C41EDBF1AB98506286D";

std::string iso(std::int64_t ms) {
  std::string out(iso8601_timestamp_size, '?');
  write_timestamp(timestamp_format::iso8601_ms, ms, out.data());
  return out;
}

// The same text the slow, independent way: gmtime_r and snprintf.
std::string libc_iso(std::int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  REQUIRE(gmtime_r(&seconds, &tm) != nullptr);
  std::array<char, 96> text{};
  std::snprintf(text.data(), text.size(), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return text.data();
}

std::string openssl_base64(std::string_view secret, std::string_view message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &size);
  std::string out(44, '?');
  encode_base64({digest, size}, out);
  return out;
}

request_spec okx_like(std::string body) {
  request_spec spec;
  spec.method = "POST";
  spec.host = "www.okx.com";
  spec.target = request_text("/api/v5/account/set-position-mode");
  spec.headers = {{"OK-ACCESS-SIGN", request_text().signature()},
                  {"OK-ACCESS-TIMESTAMP", request_text().timestamp()}};
  request_text signed_text;
  signed_text.timestamp().text("POST/api/v5/account/set-position-mode").text(body);
  spec.signed_text = signed_text;
  spec.body = std::move(body);
  spec.encoding = signature_encoding::base64;
  spec.time_format = timestamp_format::iso8601_ms;
  return spec;
}

}  // namespace

TEST_CASE("ISO-8601 timestamps: known dates, the slot's bounds, leap days") {
  CHECK(iso(1700000000000) == "2023-11-14T22:13:20.000Z");
  CHECK(iso(min_slot_timestamp_ms) == "2001-09-09T01:46:40.000Z");
  CHECK(iso(max_slot_timestamp_ms) == "2286-11-20T17:46:39.999Z");
  CHECK(iso(1709164800000) == "2024-02-29T00:00:00.000Z");  // a leap day
  CHECK(iso(4107542399999) == "2100-02-28T23:59:59.999Z");  // 2100 is not a leap year
  CHECK(iso(4107542400000) == "2100-03-01T00:00:00.000Z");
  CHECK(iso(1607418537715) == "2020-12-08T09:08:57.715Z");  // OKX's doc example
  std::string epoch(timestamp_digits, '?');
  write_timestamp(timestamp_format::epoch_ms, 1700000000000, epoch.data());
  CHECK(epoch == "1700000000000");
  CHECK(timestamp_width(timestamp_format::epoch_ms) == 13);
  CHECK(timestamp_width(timestamp_format::iso8601_ms) == 24);
}

TEST_CASE("ISO-8601 timestamps match gmtime_r over the whole slot range") {
  std::mt19937_64 rng(20261207);
  std::uniform_int_distribution<std::int64_t> ts(min_slot_timestamp_ms, max_slot_timestamp_ms);
  for (int i = 0; i < 20'000; ++i) {
    const std::int64_t ms = ts(rng);
    CAPTURE(ms);
    REQUIRE(iso(ms) == libc_iso(ms));
  }
  // Every day boundary of four centuries around now, to the millisecond either side.
  for (std::int64_t day = 11'575; day < 11'575 + 400 * 366; day += 1) {
    const std::int64_t ms = day * 86'400'000;
    REQUIRE(iso(ms) == libc_iso(ms));
    REQUIRE(iso(ms - 1) == libc_iso(ms - 1));
  }
}

TEST_CASE("an ISO-8601 template signs the OKX vectors and re-signs every slot in place") {
  hmac_signer signer(okx_secret);
  request_template hedge(okx_like(R"({"posMode":"long_short_mode"})"));
  CHECK(hedge.time_format() == timestamp_format::iso8601_ms);
  CHECK(hedge.timestamp_size() == 24);
  REQUIRE_FALSE(hedge.resign(signer, 1700000000000));
  CHECK(
      hedge.signed_view() ==
      R"(2023-11-14T22:13:20.000ZPOST/api/v5/account/set-position-mode{"posMode":"long_short_mode"})");
  CHECK(hedge.signature_view() == "HrKhP4rlz0P43dreIt36x9wWzb+WpG9ZnfHKR9g21YU=");
  CHECK(hedge.view().find("OK-ACCESS-TIMESTAMP: 2023-11-14T22:13:20.000Z\r\n") !=
        std::string_view::npos);
  CHECK(hedge.timestamp_ms() == 1700000000000);

  request_template net(okx_like(R"({"posMode":"net_mode"})"));
  REQUIRE_FALSE(net.resign(signer, 1700000000000));
  CHECK(net.signature_view() == "LyOPapOy5STno7xqwO/QgU5t79CqmsE4PL0JHMtdxlM=");

  std::mt19937_64 rng(7);
  std::uniform_int_distribution<std::int64_t> ts(min_slot_timestamp_ms, max_slot_timestamp_ms);
  for (int i = 0; i < 2'000; ++i) {
    const std::int64_t now = ts(rng);
    REQUIRE_FALSE(hedge.resign(signer, now));
    const std::string stamp = libc_iso(now);
    REQUIRE(hedge.view().substr(hedge.wire_timestamp_offsets()[0], 24) == stamp);
    REQUIRE(hedge.signed_view().starts_with(stamp));
    REQUIRE(hedge.signature_view() == openssl_base64(okx_secret, hedge.signed_view()));
  }
  // The range check is the same as the epoch slot's.
  CHECK(hedge.resign(signer, 999'999'999'999) == errc::timestamp_out_of_range);
}

TEST_CASE("a pre-signed ISO-8601 request refreshes by its millisecond age") {
  request_signer signer(signature_algorithm::hmac_sha256, okx_secret);
  presigned_request p(request_template(okx_like(R"({"posMode":"net_mode"})")), signer, 1000);
  REQUIRE_FALSE(p.refresh(1700000000000));
  REQUIRE_FALSE(p.refresh(1700000000501));
  CHECK(p.request().timestamp_ms() == 1700000000501);
  std::error_code ec;
  const auto bytes = p.acquire(1700000001502, ec);
  REQUIRE_FALSE(ec);
  CHECK(std::string_view(bytes.data(), bytes.size()).find("2023-11-14T22:13:21.502Z") !=
        std::string_view::npos);
  CHECK(p.inline_resigns() == 1);
}

#if POSMODE_ALLOCATION_COUNTING
TEST_CASE("re-signing an ISO-8601 template allocates nothing") {
  if (!hmac_signer::cpu_has_sha_ni()) return;  // OpenSSL 3's EVP copy allocates; see hmac_signer
  request_template t(okx_like(R"({"posMode":"net_mode"})"));
  hmac_signer signer(okx_secret);
  posmode::test::allocation_scope scope;
  for (std::int64_t i = 0; i < 1000; ++i)
    REQUIRE_FALSE(t.resign(signer, 1700000000000 + i * 997));
  CHECK(scope.count() == 0);
}
#endif
