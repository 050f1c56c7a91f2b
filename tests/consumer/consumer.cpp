// A host program using posmode the way an engine would link it: through posmode::engine and
// posmode::components (and, with POSMODE_CONSUMER_TOOLS_CONFIG, the tools' TOML loader).
#include <cstdio>
#include <posmode/components/account_requests.hpp>
#include <posmode/engine/hmac_signer.hpp>
#include <posmode/engine/spsc_ring.hpp>
#include <posmode/version.hpp>
#include <string_view>
#ifdef POSMODE_CONSUMER_TOOLS_CONFIG
#include <optional>
#include <posmode/tools/config.hpp>
#include <string>
#endif

int main() {
  posmode::engine::spsc_ring<int> ring(4);
  if (!ring.try_push(7)) return 1;
  int value = 0;
  if (!ring.try_pop(value) || value != 7) return 2;

  // Binance documentation vector B1.
  posmode::engine::hmac_signer signer(
      "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j");
  char hex[posmode::engine::hmac_signer::hex_size];
  if (!signer.sign_hex("symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&"
                       "recvWindow=5000&timestamp=1499827319559",
                       hex)) {
    return 3;
  }
  const std::string_view expected =
      "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71";
  if (std::string_view(hex, sizeof hex) != expected) return 4;

  // A pre-signed Binance request, as the component keeps it (docs/venues.md §6 vector a32912a3...).
  posmode::components::account_config config;
  config.id = "consumer";
  config.venue_kind = posmode::components::venue::binance_usdm;
  config.products = {posmode::components::product::usdm};
  posmode::components::credentials creds;
  creds.api_key = "key";
  creds.secret = posmode::components::secret_string(
      "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j");
  posmode::components::account_requests requests(config, creds);
  std::error_code ec;
  const auto bytes =
      requests.set_mode(posmode::components::product::usdm,
                        posmode::components::position_mode::one_way, 1700000000000, ec);
  const std::string_view request(bytes.data(), bytes.size());
  if (ec || request.find("a32912a3e10cf6eedb7c887756f4b5eb7878077e1f50d1fcac3681b75a0ad171") ==
                std::string_view::npos) {
    return 5;
  }
#ifdef POSMODE_CONSUMER_TOOLS_CONFIG
  // The installed TOML loader reads the same file format as the CLI, credentials injected.
  const auto env = [](std::string_view name) -> std::optional<std::string> {
    if (name == "BINANCE_API_KEY") return std::string("key");
    if (name == "BINANCE_API_SECRET") return std::string("secret");
    return std::nullopt;
  };
  const auto loaded = posmode::tools::parse_config(
      "[[account]]\nname = \"um\"\nvenue = \"binance-usdm\"\n", "consumer.toml", env);
  if (loaded.accounts.size() != 1 || loaded.accounts[0].account.id != "um") return 6;
  std::puts("consumer: posmode::tools_config linked; a TOML file read");
#endif
  if (posmode::version_string != POSMODE_VERSION_STRING || POSMODE_VERSION < 200) return 7;
  std::printf("consumer: posmode %s; engine and components linked; ring, signer, request work\n",
              POSMODE_VERSION_STRING);
  return 0;
}
