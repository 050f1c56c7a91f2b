// libFuzzer target for account validation and request rendering
// (posmode::components::validate_account, account_requests).
//
// Input layout: byte 0 the venue, byte 1 a product bit set, byte 2 the demo-key flag, bytes 3-10
// recvWindow and the pre-sign age, then NUL-separated strings: id, host, Bitget query symbol and
// margin coin, API key, passphrase. validate_account either accepts (then rendering every request
// must succeed, host and headers must be clean, and a re-sign must work) or throws
// std::invalid_argument whose message starts with the field it names. Nothing else may happen.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "posmode/components/account_config.hpp"
#include "posmode/components/account_requests.hpp"
#include "posmode/engine/host_name.hpp"

namespace {

using namespace posmode::components;

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "account_validation_fuzz: invariant violated: %s\n", what);
    std::abort();
  }
}

std::int64_t read_i32(const std::uint8_t* p) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(p[0]) << 24 |
                                   static_cast<std::uint32_t>(p[1]) << 16 |
                                   static_cast<std::uint32_t>(p[2]) << 8 | p[3]);
}

std::vector<std::string> split(std::string_view rest, std::size_t n) {
  std::vector<std::string> out;
  while (out.size() < n) {
    const std::size_t nul = rest.find('\0');
    out.emplace_back(rest.substr(0, nul));
    rest = nul == std::string_view::npos ? std::string_view{} : rest.substr(nul + 1);
  }
  return out;
}

bool starts_with_field(std::string_view what) {
  for (const char* field : {"id", "products", "port", "host", "environment", "recv_window_ms",
                            "presign_max_age_ms", "bitget_demo_key", "bitget_query_symbol",
                            "bitget_query_margin_coin", "api_key", "secret", "passphrase"})
    if (what.starts_with(std::string(field) + ":")) return true;
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 11) return 0;
  account_config c;
  c.venue_kind = static_cast<venue>(data[0] % 5);
  // Products 8..9 with bit 1 of byte 2, Bybit's 10..12 with bit 4.
  for (int i = 0; i < 13; ++i)
    if ((data[1] >> (i % 8) & 1) != 0 && (i < 8 || (data[2] & 2) != 0) &&
        (i < 10 || (data[2] & 0x10) != 0))
      c.products.push_back(static_cast<product>(i));
  c.bitget_demo_key = (data[2] & 1) != 0;
  // Bits 2..3: production, testnet, demo, and one value outside the enum.
  c.environment = static_cast<venue_environment>(data[2] >> 2 & 3);
  c.recv_window_ms = read_i32(data + 3);
  c.presign_max_age_ms = read_i32(data + 7);
  const auto s = split(std::string_view(reinterpret_cast<const char*>(data + 11), size - 11), 6);
  c.id = s[0];
  c.host = s[1];
  c.bitget_query_symbol = s[2].empty() ? "BTCUSDT" : s[2];
  c.bitget_query_margin_coin = s[3].empty() ? "USDT" : s[3];
  c.port = 443;
  try {
    validate_account(c);
  } catch (const std::invalid_argument& e) {
    require(starts_with_field(e.what()), "a refusal names its field");
    return 0;
  }
  require(c.host.empty() || posmode::engine::host_problem(c.host).empty(), "an accepted host");
  credentials creds;
  creds.api_key = s[4].empty() ? "fuzzkey" : s[4];
  creds.secret = secret_string("fuzz-secret-0123456789");
  creds.passphrase = secret_string(s[5].empty() ? "pass" : s[5]);
  try {
    account_requests requests(c, creds);
    for (const product p : c.products) {
      std::error_code ec;
      const auto bytes = requests.set_mode(p, position_mode::hedge, 1'700'000'000'000, ec);
      require(!ec && !bytes.empty(), "an accepted account's set request renders and signs");
      const std::string_view wire(bytes.data(), bytes.size());
      const std::size_t head_end = wire.find("\r\n\r\n");
      require(head_end != std::string_view::npos, "one header block");
      // No header line may be split by a bare CR or LF (injection).
      for (std::size_t i = 0; i < head_end; ++i)
        if (wire[i] == '\r' || wire[i] == '\n')
          require(wire.substr(i, 2) == "\r\n" || (i > 0 && wire.substr(i - 1, 2) == "\r\n"),
                  "line breaks only as CRLF");
      (void)requests.query_mode(p, 1'700'000'000'000, ec);
      require(!ec, "the query renders");
    }
  } catch (const std::invalid_argument& e) {
    // Credentials with control bytes are refused by name, never echoed.
    require(starts_with_field(e.what()), "a credential refusal names its field");
  }
  return 0;
}
