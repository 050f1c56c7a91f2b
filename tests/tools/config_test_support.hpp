#pragma once

// What the configuration loader's tests share: a temporary directory that writes files with an
// exact mode, a fake environment with one set of credentials per venue family, and the message
// of the error a file is refused with (checked to be one line naming no secret).

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "posmode/tools/config.hpp"

namespace posmode::test::config {

namespace fs = std::filesystem;

inline constexpr std::string_view binance_secret = "S3cr3t-B1nance-NeverPrint-0123456789abcdef";
inline constexpr std::string_view bitget_secret = "S3cr3t-B1tget-NeverPrint-0123456789abcdef";
inline constexpr std::string_view bitget_passphrase = "Pa55phrase-NeverPrint";
inline constexpr std::string_view file_secret = "F1le-S3cr3t-NeverPrint-0123456789";

// A directory of its own under the system temporary directory, removed with everything in it.
class temp_dir {
 public:
  temp_dir() {
    std::string pattern = (fs::temp_directory_path() / "posmode-config-test-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  // Writes `text` to `name` with exactly `mode` (chmod after writing, so the umask plays no part).
  [[nodiscard]] fs::path write(const std::string& name, std::string_view text,
                               mode_t mode = 0644) const {
    const fs::path file = path_ / name;
    {
      std::ofstream out(file, std::ios::binary | std::ios::trunc);
      out << text;
      REQUIRE(out.good());
    }
    REQUIRE(::chmod(file.c_str(), mode) == 0);
    return file;
  }

  [[nodiscard]] const fs::path& path() const noexcept { return path_; }

 private:
  fs::path path_;
};

// A fake process environment holding one set of credentials per venue family.
struct fake_env {
  std::map<std::string, std::string, std::less<>> vars{
      {"BINANCE_API_KEY", "binance-key-0123456789"},
      {"BINANCE_API_SECRET", std::string(binance_secret)},
      {"BITGET_API_KEY", "bitget-key-0123456789"},
      {"BITGET_API_SECRET", std::string(bitget_secret)},
      {"BITGET_API_PASSPHRASE", std::string(bitget_passphrase)},
  };

  [[nodiscard]] posmode::tools::environment lookup() const {
    return [this](std::string_view name) -> std::optional<std::string> {
      const auto it = vars.find(name);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
  }
};

// The message of the config_error that loading `file` throws; fails the test if none is thrown.
inline std::string error_of(const fs::path& file, const fake_env& env = {}) {
  try {
    (void)posmode::tools::load_config(file, env.lookup());
  } catch (const posmode::tools::config_error& e) {
    const std::string what = e.what();
    CHECK(what.find('\n') == std::string::npos);
    for (const auto secret : {binance_secret, bitget_secret, bitget_passphrase, file_secret})
      CHECK(what.find(secret) == std::string::npos);
    return what;
  }
  FAIL("loaded without error");
  return {};
}

inline constexpr std::string_view papi_account = R"(
[[account]]
name = "pm-main"
venue = "binance-papi"
)";

}  // namespace posmode::test::config
