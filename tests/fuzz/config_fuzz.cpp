// libFuzzer target for the tools' TOML loader (posmode::tools::parse_config).
//
// The input is the file's text. Every input either loads into a configuration that the component
// accepts (parse_config runs validate_config) or is refused with one config_error whose message is
// one line and holds none of the credentials the environment supplied (unless the input itself
// spells them). Nothing else may escape: no other exception, no crash, no hang.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "posmode/components/component_config.hpp"
#include "posmode/tools/config.hpp"

namespace {

constexpr std::string_view secrets[] = {"FuzzSecretBinance0123456789abcdef",
                                        "FuzzSecretBitget0123456789abcdef", "FuzzPassphrase01"};

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "config_fuzz: invariant violated: %s\n", what);
    std::abort();
  }
}

std::optional<std::string> fuzz_env(std::string_view name) {
  if (name == "BINANCE_API_KEY" || name == "BITGET_API_KEY" || name == "KEY")
    return std::string("fuzz-key-0123456789");
  if (name == "BINANCE_API_SECRET" || name == "SECRET") return std::string(secrets[0]);
  if (name == "BITGET_API_SECRET") return std::string(secrets[1]);
  if (name == "BITGET_API_PASSPHRASE") return std::string(secrets[2]);
  return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 16 * 1024) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto config = posmode::tools::parse_config(text, "fuzz.toml", fuzz_env);
    require(!config.accounts.empty(), "a loaded configuration has accounts");
    posmode::components::validate_config(config);  // must not throw: it was validated
  } catch (const posmode::tools::config_error& e) {
    const std::string_view what = e.what();
    require(!what.empty(), "a refusal says why");
    require(what.find('\n') == std::string_view::npos, "a refusal is one line");
    for (const auto secret : secrets)
      if (text.find(secret) == std::string_view::npos)
        require(what.find(secret) == std::string_view::npos, "no secret in a message");
  }
  return 0;
}
