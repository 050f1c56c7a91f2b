// Google Benchmark microbenchmarks of posmode's request and response path, each against the way a
// trading engine usually does the same work, measured in the same run on the same machine:
//
// - Re-signing a request (Binance PAPI UM set-hedge, USDⓈ-M set-one-way, the PAPI UM mode query,
//   Bitget USDT-FUTURES set-hedge, OKX set-hedge with its ISO-8601 timestamp, Bybit set-hedge,
//   Gate set-hedge with HMAC-SHA512 and the body's SHA-512): posmode's
//   `account_requests`, which patches the timestamp and
//   signature slots of a pre-rendered template, vs building the same bytes from scratch per call
//   (fmt::format of the signed string, OpenSSL one-shot HMAC(), hex or EVP_EncodeBlock, fmt::format
//   of the whole HTTP/1.1 request). Both produce byte-identical requests (checked once per run).
// - Parse + classify one whole captured venue response (engine::http_response_parser plus
//   components::response_classifier), with the expected outcome checked once.
// - Parsing alone: posmode's parser vs Boost.Beast's response_parser<string_body>.
//
// - Binance key types (issue 15): a USD-M set handed out fresh from its pre-signed copy, and the
//   same set signed inline (the trigger found no fresh copy) with HMAC, Ed25519 and RSA-2048
//   keys, all through account_requests::set_mode: what `position_event::signed_inline` costs.
//
// The credentials are the documented fake test inputs; they sign nothing real.

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "bench_keys.hpp"
#include "posmode/components/account_requests.hpp"
#include "posmode/components/response_classifier.hpp"
#include "posmode/engine/hmac_signer.hpp"
#include "posmode/engine/http_response.hpp"
#include "posmode/version.hpp"
#include "support/venue_responses.hpp"

namespace {

namespace pc = posmode::components;
namespace http = boost::beast::http;
using posmode::engine::http_response_parser;
using posmode::test::venue_response;

constexpr std::int64_t t0 = 1700000000000;
// One more than the automatic pre-sign age at recvWindow 5000 (`default_presign_max_age_ms`):
// every set_mode() call must re-sign in place.
constexpr std::int64_t resign_step_ms = pc::default_presign_max_age_ms + 1;

constexpr std::string_view binance_key =
    "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
constexpr std::string_view binance_secret =
    "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
constexpr std::string_view bitget_key = "bg_0123456789abcdef0123456789abcdef";
constexpr std::string_view bitget_secret =
    "bgsecret0123456789abcdef0123456789abcdef0123456789abcdef01234567";
constexpr std::string_view bitget_passphrase = "Passphrase1";
constexpr std::string_view okx_key = "37c541a1-0000-4000-8000-10fe7a038418";
constexpr std::string_view okx_secret = "22582BD0CFF14C41EDBF1AB98506286D";
constexpr std::string_view okx_passphrase = "Passphrase1";
constexpr std::string_view gate_key = "gatekey0123456789abcdef0123456789";
constexpr std::string_view gate_secret =
    "gatesecret0123456789abcdef0123456789abcdef0123456789abcdef0123";
constexpr std::string_view bybit_key = "XXXXXXXXXXXXXXXXXX";
constexpr std::string_view bybit_secret = "YYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYY";

// ---------------------------------------------------------------------------------------------
// Re-signing: posmode's templates vs building each request from scratch.

struct resign_case {
  std::string_view name;
  pc::venue venue;
  pc::product product;
  pc::position_mode mode;
  bool query;  // query_mode() instead of set_mode()
  // What the baseline needs to render the same request.
  std::string_view host;
  std::string_view path;
  std::string_view binance_params;  // before recvWindow, with its '&'; empty for the query
  std::string_view bitget_product;  // Bitget productType; empty for Binance
};

constexpr std::array resign_cases{
    resign_case{"binance_papi_um_set_hedge", pc::venue::binance_papi, pc::product::papi_um,
                pc::position_mode::hedge, false, "papi.binance.com",
                "/papi/v1/um/positionSide/dual", "dualSidePosition=true&", ""},
    resign_case{"binance_usdm_set_one_way", pc::venue::binance_usdm, pc::product::usdm,
                pc::position_mode::one_way, false, "fapi.binance.com", "/fapi/v1/positionSide/dual",
                "dualSidePosition=false&", ""},
    resign_case{"binance_papi_um_query", pc::venue::binance_papi, pc::product::papi_um,
                pc::position_mode::hedge, true, "papi.binance.com", "/papi/v1/um/positionSide/dual",
                "", ""},
    resign_case{"bitget_usdt_set_hedge", pc::venue::bitget, pc::product::usdt_futures,
                pc::position_mode::hedge, false, "api.bitget.com",
                "/api/v2/mix/account/set-position-mode", "", "USDT-FUTURES"},
    resign_case{"okx_set_hedge", pc::venue::okx, pc::product::okx_account, pc::position_mode::hedge,
                false, "www.okx.com", "/api/v5/account/set-position-mode", "", ""},
    resign_case{"bybit_usdt_set_hedge", pc::venue::bybit, pc::product::bybit_linear_usdt,
                pc::position_mode::hedge, false, "api.bybit.com", "/v5/position/switch-mode", "",
                ""},
    resign_case{"gate_usdt_set_hedge", pc::venue::gate, pc::product::gate_usdt,
                pc::position_mode::hedge, false, "api.gateio.ws",
                "/api/v4/futures/usdt/set_position_mode", "", ""},
};

pc::account_requests make_requests(const resign_case& c) {
  pc::account_config config;
  config.id = "bench";
  config.venue_kind = c.venue;
  config.products = {c.product};
  pc::credentials creds;
  if (c.venue == pc::venue::bitget) {
    creds.api_key = std::string(bitget_key);
    creds.secret = pc::secret_string(bitget_secret);
    creds.passphrase = pc::secret_string(bitget_passphrase);
  } else if (c.venue == pc::venue::bybit) {
    creds.api_key = std::string(bybit_key);
    creds.secret = pc::secret_string(bybit_secret);
  } else if (c.venue == pc::venue::gate) {
    creds.api_key = std::string(gate_key);
    creds.secret = pc::secret_string(gate_secret);
  } else if (c.venue == pc::venue::okx) {
    creds.api_key = std::string(okx_key);
    creds.secret = pc::secret_string(okx_secret);
    creds.passphrase = pc::secret_string(okx_passphrase);
  } else {
    creds.api_key = std::string(binance_key);
    creds.secret = pc::secret_string(binance_secret);
  }
  return pc::account_requests(config, creds);
}

std::span<const char> posmode_request(pc::account_requests& r, const resign_case& c,
                                      std::int64_t now_ms, std::error_code& ec) noexcept {
  return c.query ? r.query_mode(c.product, now_ms, ec) : r.set_mode(c.product, c.mode, now_ms, ec);
}

const unsigned char* bytes_of(std::string_view s) noexcept {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// "The usual way": everything from scratch per request, as most connectors do it. Returns an
// empty string if HMAC() fails.
std::string baseline_request(const resign_case& c, std::int64_t now_ms) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_len = 0;
  const auto to_hex = [&] {
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    for (unsigned int i = 0; i < mac_len; ++i) {
      hex += digits[mac[i] >> 4U];
      hex += digits[mac[i] & 0xfU];
    }
    return hex;
  };
  if (c.venue == pc::venue::bybit) {
    // timestamp + key + recvWindow + body, lowercase hex (docs/venues.md §5.2).
    const std::string body = fmt::format(R"({{"category":"linear","coin":"USDT","mode":{}}})",
                                         c.mode == pc::position_mode::hedge ? 3 : 0);
    const std::string prehash = fmt::format("{}{}{}{}", now_ms, bybit_key, 5000, body);
    if (HMAC(EVP_sha256(), bybit_secret.data(), static_cast<int>(bybit_secret.size()),
             bytes_of(prehash), prehash.size(), mac.data(), &mac_len) == nullptr) {
      return {};
    }
    return fmt::format("POST {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: posmode/" POSMODE_VERSION_STRING
                       "\r\nX-BAPI-API-KEY: {}\r\nX-BAPI-TIMESTAMP: {}\r\nX-BAPI-RECV-WINDOW: "
                       "5000\r\nX-BAPI-SIGN: {}\r\nContent-Type: application/json\r\n"
                       "Content-Length: {}\r\n\r\n{}",
                       c.path, c.host, bybit_key, now_ms, to_hex(), body.size(), body);
  }
  if (c.venue == pc::venue::gate) {
    // METHOD \n path \n query \n hex(SHA-512(body)) \n seconds, HMAC-SHA512 in hex (docs/venues.md
    // §5b.2): the usual way hashes the (empty) body on every request, as the SDKs do.
    const std::string query =
        c.mode == pc::position_mode::hedge ? "position_mode=dual" : "position_mode=single";
    std::array<unsigned char, EVP_MAX_MD_SIZE> body_hash{};
    unsigned int body_hash_len = 0;
    if (EVP_Digest("", 0, body_hash.data(), &body_hash_len, EVP_sha512(), nullptr) != 1) return {};
    std::string body_hex;
    static constexpr char digits[] = "0123456789abcdef";
    for (unsigned int i = 0; i < body_hash_len; ++i) {
      body_hex += digits[body_hash[i] >> 4U];
      body_hex += digits[body_hash[i] & 0xfU];
    }
    const std::int64_t seconds = now_ms / 1000;
    const std::string prehash =
        fmt::format("POST\n{}\n{}\n{}\n{}", c.path, query, body_hex, seconds);
    if (HMAC(EVP_sha512(), gate_secret.data(), static_cast<int>(gate_secret.size()),
             bytes_of(prehash), prehash.size(), mac.data(), &mac_len) == nullptr) {
      return {};
    }
    return fmt::format(
        "POST {}?{} HTTP/1.1\r\nHost: {}\r\nUser-Agent: posmode/" POSMODE_VERSION_STRING
        "\r\nAccept: application/json\r\nContent-Type: application/json\r\nKEY: "
        "{}\r\nTimestamp: {}\r\nSIGN: {}\r\nContent-Length: 0\r\n\r\n",
        c.path, query, c.host, gate_key, seconds, to_hex());
  }
  if (c.venue != pc::venue::bitget && c.venue != pc::venue::okx) {
    const std::string query =
        fmt::format("{}recvWindow={}&timestamp={}", c.binance_params, 5000, now_ms);
    if (HMAC(EVP_sha256(), binance_secret.data(), static_cast<int>(binance_secret.size()),
             bytes_of(query), query.size(), mac.data(), &mac_len) == nullptr) {
      return {};
    }
    const std::string hex = to_hex();
    return fmt::format(
        "{} {}?{}&signature={} HTTP/1.1\r\nHost: {}\r\nUser-Agent: posmode/" POSMODE_VERSION_STRING
        "\r\n"
        "X-MBX-APIKEY: {}\r\n{}\r\n",
        c.query ? "GET" : "POST", c.path, query, hex, c.host, binance_key,
        c.query ? "" : "Content-Length: 0\r\n");
  }
  if (c.venue == pc::venue::okx) {
    // OKX signs an ISO-8601 timestamp: the usual way formats it per request (gmtime_r + fmt).
    const auto seconds = static_cast<std::time_t>(now_ms / 1000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    const std::string timestamp =
        fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, now_ms % 1000);
    const std::string body = c.mode == pc::position_mode::hedge ? R"({"posMode":"long_short_mode"})"
                                                                : R"({"posMode":"net_mode"})";
    const std::string prehash = fmt::format("{}POST{}{}", timestamp, c.path, body);
    if (HMAC(EVP_sha256(), okx_secret.data(), static_cast<int>(okx_secret.size()),
             bytes_of(prehash), prehash.size(), mac.data(), &mac_len) == nullptr) {
      return {};
    }
    std::array<unsigned char, 4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1> b64{};
    const int b64_len = EVP_EncodeBlock(b64.data(), mac.data(), static_cast<int>(mac_len));
    const std::string_view sign(reinterpret_cast<const char*>(b64.data()),
                                static_cast<std::size_t>(b64_len));
    return fmt::format("POST {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: posmode/" POSMODE_VERSION_STRING
                       "\r\nOK-ACCESS-KEY: {}\r\nOK-ACCESS-SIGN: {}\r\nOK-ACCESS-TIMESTAMP: {}\r\n"
                       "OK-ACCESS-PASSPHRASE: {}\r\nContent-Type: "
                       "application/json\r\nContent-Length: {}\r\n\r\n{}",
                       c.path, c.host, okx_key, sign, timestamp, okx_passphrase, body.size(), body);
  }
  const std::string body =
      fmt::format(R"({{"productType":"{}","posMode":"{}"}})", c.bitget_product,
                  c.mode == pc::position_mode::hedge ? "hedge_mode" : "one_way_mode");
  const std::string prehash = fmt::format("{}POST{}{}", now_ms, c.path, body);
  if (HMAC(EVP_sha256(), bitget_secret.data(), static_cast<int>(bitget_secret.size()),
           bytes_of(prehash), prehash.size(), mac.data(), &mac_len) == nullptr) {
    return {};
  }
  std::array<unsigned char, 4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1> b64{};
  const int b64_len = EVP_EncodeBlock(b64.data(), mac.data(), static_cast<int>(mac_len));
  const std::string_view sign(reinterpret_cast<const char*>(b64.data()),
                              static_cast<std::size_t>(b64_len));
  return fmt::format(
      "POST {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: posmode/" POSMODE_VERSION_STRING
      "\r\nACCESS-KEY: {}\r\n"
      "ACCESS-SIGN: {}\r\nACCESS-TIMESTAMP: {}\r\nACCESS-PASSPHRASE: {}\r\n"
      "Content-Type: application/json\r\nlocale: en-US\r\nContent-Length: {}\r\n\r\n{}",
      c.path, c.host, bitget_key, sign, now_ms, bitget_passphrase, body.size(), body);
}

// Both ways must produce the same bytes for the same timestamp, or the comparison is void.
const char* check_same_bytes(pc::account_requests& r, const resign_case& c, std::int64_t now_ms) {
  std::error_code ec;
  const std::span<const char> ours = posmode_request(r, c, now_ms, ec);
  if (ec) return "posmode failed to sign the request";
  if (std::string_view(ours.data(), ours.size()) != baseline_request(c, now_ms)) {
    return "baseline bytes differ from posmode's for the same timestamp";
  }
  return nullptr;
}

void bm_resign_posmode(benchmark::State& state, const resign_case& c) {
  std::optional<pc::account_requests> requests;
  try {
    requests.emplace(make_requests(c));
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  const posmode::engine::presigned_request* presigned =
      c.query ? nullptr : requests->presigned(c.product, c.mode);
  if (!c.query && presigned == nullptr) {
    state.SkipWithError("product not configured");
    return;
  }
  const std::uint64_t resigns_before = c.query ? 0 : presigned->inline_resigns();
  std::int64_t now_ms = t0;
  std::error_code ec;
  for (auto _ : state) {
    now_ms += resign_step_ms;
    const std::span<const char> bytes = posmode_request(*requests, c, now_ms, ec);
    benchmark::DoNotOptimize(bytes.data());
    benchmark::ClobberMemory();
    if (ec) {
      state.SkipWithError("signing failed inside the loop");
      return;
    }
  }
  const auto iterations = static_cast<std::uint64_t>(state.iterations());
  if (!c.query && presigned->inline_resigns() - resigns_before != iterations) {
    state.SkipWithError("set_mode did not re-sign on every call");
  } else if (const char* error = check_same_bytes(*requests, c, now_ms + resign_step_ms)) {
    state.SkipWithError(error);
  }
  state.SetItemsProcessed(state.iterations());
}

void bm_resign_baseline(benchmark::State& state, const resign_case& c) {
  try {
    pc::account_requests requests = make_requests(c);
    if (const char* error = check_same_bytes(requests, c, t0)) {
      state.SkipWithError(error);
      return;
    }
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  std::int64_t now_ms = t0;
  for (auto _ : state) {
    now_ms += resign_step_ms;
    const std::string request = baseline_request(c, now_ms);
    benchmark::DoNotOptimize(request.data());
    benchmark::ClobberMemory();
    if (request.empty()) {
      state.SkipWithError("HMAC() failed inside the loop");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

// ---------------------------------------------------------------------------------------------
// Responses: parse + classify, and parsing alone against Beast.

struct classify_case {
  const venue_response* response;
  pc::venue venue;
  pc::outcome expected;
};

const std::array classify_cases{
    classify_case{&posmode::test::binance_success, pc::venue::binance_papi, pc::outcome::applied},
    classify_case{&posmode::test::binance_already, pc::venue::binance_papi,
                  pc::outcome::already_in_mode},
    classify_case{&posmode::test::binance_positions, pc::venue::binance_papi,
                  pc::outcome::blocked_positions},
    classify_case{&posmode::test::bitget_success, pc::venue::bitget, pc::outcome::applied},
    classify_case{&posmode::test::binance_rate_limited, pc::venue::binance_papi,
                  pc::outcome::rate_limited},
    classify_case{&posmode::test::bitget_rate_limited, pc::venue::bitget,
                  pc::outcome::rate_limited},
    classify_case{&posmode::test::html_502, pc::venue::binance_papi, pc::outcome::malformed},
    classify_case{&posmode::test::okx_success, pc::venue::okx, pc::outcome::applied},
    classify_case{&posmode::test::okx_blocked, pc::venue::okx,
                  pc::outcome::blocked_positions_or_orders},
    classify_case{&posmode::test::bybit_success, pc::venue::bybit, pc::outcome::applied},
    classify_case{&posmode::test::bybit_already, pc::venue::bybit, pc::outcome::already_in_mode},
    classify_case{&posmode::test::gate_success, pc::venue::gate, pc::outcome::applied},
    classify_case{&posmode::test::gate_position_holding, pc::venue::gate,
                  pc::outcome::blocked_positions_or_orders},
};

void set_response_counters(benchmark::State& state, const venue_response& r) {
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(r.bytes.size()));
}

// One whole response in one put(), as it arrives in a single TLS record.
bool parse_once(http_response_parser& parser, std::string_view bytes) noexcept {
  parser.reset();
  std::error_code ec;
  const std::size_t used = parser.put(bytes, ec);
  benchmark::DoNotOptimize(used);
  return !ec && parser.done();
}

void bm_parse_classify(benchmark::State& state, const classify_case& c) {
  const venue_response& r = *c.response;
  // Configured as the component's connections to the venue are: its usage headers recorded.
  http_response_parser parser(pc::venue_http_limits(c.venue));
  pc::response_classifier classifier;
  if (!parse_once(parser, r.bytes)) {
    state.SkipWithError("the parser rejected the response");
    return;
  }
  const pc::venue_reply first = classifier.classify(c.venue, pc::request_kind::set_mode,
                                                    pc::position_mode::hedge, parser, t0);
  if (first.result != c.expected || first.http_status != r.status) {
    state.SkipWithError(fmt::format("classified as {} (HTTP {}), expected {}",
                                    pc::to_string(first.result), first.http_status,
                                    pc::to_string(c.expected))
                            .c_str());
    return;
  }
  for (auto _ : state) {
    if (!parse_once(parser, r.bytes)) {
      state.SkipWithError("the parser rejected the response inside the loop");
      return;
    }
    pc::venue_reply reply = classifier.classify(c.venue, pc::request_kind::set_mode,
                                                pc::position_mode::hedge, parser, t0);
    benchmark::DoNotOptimize(reply);
  }
  set_response_counters(state, r);
}

void bm_parse_posmode(benchmark::State& state, const venue_response& r) {
  http_response_parser parser;
  if (!parse_once(parser, r.bytes) || parser.status() != r.status || parser.body() != r.body) {
    state.SkipWithError("posmode's parser disagrees with the captured status or body");
    return;
  }
  for (auto _ : state) {
    const bool ok = parse_once(parser, r.bytes);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(parser.body().data());
  }
  set_response_counters(state, r);
}

// Beast cannot reset a parser: a fresh one per message is its documented usage.
bool parse_beast(std::string_view bytes,
                 std::optional<http::response_parser<http::string_body>>& parser) {
  parser.emplace();
  parser->eager(true);
  boost::beast::error_code ec;
  std::size_t offset = 0;
  while (!parser->is_done() && offset < bytes.size()) {
    const std::size_t used =
        parser->put(boost::asio::const_buffer(bytes.data() + offset, bytes.size() - offset), ec);
    if (ec || used == 0) return false;
    offset += used;
  }
  return parser->is_done();
}

void bm_parse_beast(benchmark::State& state, const venue_response& r) {
  std::optional<http::response_parser<http::string_body>> parser;
  if (!parse_beast(r.bytes, parser) ||
      parser->get().result_int() != static_cast<unsigned>(r.status) ||
      parser->get().body() != r.body) {
    state.SkipWithError("Beast's parser disagrees with the captured status or body");
    return;
  }
  for (auto _ : state) {
    const bool ok = parse_beast(r.bytes, parser);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(parser->get().body().data());
  }
  set_response_counters(state, r);
}

void register_benchmarks() {
  for (const resign_case& c : resign_cases) {
    const std::string prefix = "BM_resign_" + std::string(c.name);
    benchmark::RegisterBenchmark((prefix + "_posmode").c_str(),
                                 [&c](benchmark::State& st) { bm_resign_posmode(st, c); });
    benchmark::RegisterBenchmark((prefix + "_baseline").c_str(),
                                 [&c](benchmark::State& st) { bm_resign_baseline(st, c); });
  }
  for (const classify_case& c : classify_cases) {
    benchmark::RegisterBenchmark(("BM_parse_classify_" + std::string(c.response->name)).c_str(),
                                 [&c](benchmark::State& st) { bm_parse_classify(st, c); });
  }
  for (const venue_response* r : {&posmode::test::binance_success, &posmode::test::bitget_success,
                                  &posmode::test::gate_success}) {
    const std::string suffix = std::string(r->name);
    benchmark::RegisterBenchmark(("BM_parse_only_" + suffix + "_posmode").c_str(),
                                 [r](benchmark::State& st) { bm_parse_posmode(st, *r); });
    benchmark::RegisterBenchmark(("BM_parse_only_" + suffix + "_beast").c_str(),
                                 [r](benchmark::State& st) { bm_parse_beast(st, *r); });
  }
}

// -- Binance key types: inline signing vs a fresh pre-signed request ---------------------------

// `inline_sign`: every call comes past the maximum age, so set_mode signs on the spot (what a
// trigger pays with signed_inline set); otherwise the time stands still and the pre-signed copy
// is handed out as it is.
void bm_binance_key_set(benchmark::State& state, pc::api_key_type type, bool inline_sign) {
  pc::account_config config;
  config.id = "bench";
  config.venue_kind = pc::venue::binance_usdm;
  config.products = {pc::product::usdm};
  config.key_type = type;
  pc::credentials creds;
  creds.api_key = std::string(binance_key);
  if (type == pc::api_key_type::hmac) creds.secret = pc::secret_string(binance_secret);
  if (type == pc::api_key_type::ed25519)
    creds.private_key = pc::secret_string(posmode::bench::ed25519_pem);
  if (type == pc::api_key_type::rsa)
    creds.private_key = pc::secret_string(posmode::bench::rsa_2048_pem());
  std::optional<pc::account_requests> requests;
  try {
    requests.emplace(config, creds);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  if (requests->resign_all(t0)) {
    state.SkipWithError("signing failed");
    return;
  }
  std::int64_t now_ms = t0;
  std::uint64_t signed_inline_count = 0;
  for (auto _ : state) {
    if (inline_sign) now_ms += resign_step_ms;
    std::error_code ec;
    bool signed_inline = false;
    const auto bytes =
        requests->set_mode(pc::product::usdm, pc::position_mode::hedge, now_ms, ec, signed_inline);
    benchmark::DoNotOptimize(bytes.data());
    benchmark::ClobberMemory();
    signed_inline_count += signed_inline ? 1 : 0;
    if (ec) {
      state.SkipWithError("set_mode failed");
      return;
    }
  }
  const auto expected = inline_sign ? static_cast<std::uint64_t>(state.iterations()) : 0;
  if (signed_inline_count != expected) state.SkipWithError("signed_inline not as expected");
  state.SetItemsProcessed(state.iterations());
}

void register_key_type_benchmarks() {
  for (const auto& [name, type] :
       {std::pair{"hmac", pc::api_key_type::hmac}, std::pair{"ed25519", pc::api_key_type::ed25519},
        std::pair{"rsa2048", pc::api_key_type::rsa}}) {
    const pc::api_key_type t = type;
    benchmark::RegisterBenchmark(
        (std::string("BM_binance_set_") + name + "_presigned_fresh").c_str(),
        [t](benchmark::State& st) { bm_binance_key_set(st, t, false); });
    benchmark::RegisterBenchmark((std::string("BM_binance_set_") + name + "_signed_inline").c_str(),
                                 [t](benchmark::State& st) { bm_binance_key_set(st, t, true); });
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  register_benchmarks();
  register_key_type_benchmarks();
  benchmark::AddCustomContext("posmode_cpu_has_sha_ni",
                              posmode::engine::hmac_signer::cpu_has_sha_ni() ? "yes" : "no");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
