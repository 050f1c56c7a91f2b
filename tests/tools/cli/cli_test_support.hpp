#pragma once

// Shared by the CLI tests: the path of the `posmode` executable under test, the docs/venues.md test
// credentials, and a runner with a fixed environment.

#include <doctest/doctest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tools/cli/cli_process.hpp"

namespace posmode::test::cli {

/** docs/venues.md §6 Binance vector credentials (also tests/components/binance_test.cpp). */
inline constexpr const char* binance_key =
    "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
inline constexpr const char* binance_secret =
    "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
/** docs/venues.md §6 Bitget vector credentials (also tests/components/bitget_test.cpp). */
inline constexpr const char* bitget_key = "bg_0123456789abcdef0123456789abcdef";
inline constexpr const char* bitget_secret =
    "bgsecret0123456789abcdef0123456789abcdef0123456789abcdef01234567";
inline constexpr const char* bitget_passphrase = "Passphrase1";
/** docs/venues.md §6 Bybit vector credentials (also tests/components/bybit_test.cpp). */
inline constexpr const char* bybit_key = "XXXXXXXXXXXXXXXXXX";
inline constexpr const char* bybit_secret = "YYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYY";

/** Every credential variable the CLI reads by default, set to the vectors above. */
inline std::map<std::string, std::string> vector_env() {
  return {{"BINANCE_API_KEY", binance_key},
          {"BINANCE_API_SECRET", binance_secret},
          {"BITGET_API_KEY", bitget_key},
          {"BITGET_API_SECRET", bitget_secret},
          {"BITGET_API_PASSPHRASE", bitget_passphrase},
          {"BYBIT_API_KEY", bybit_key},
          {"BYBIT_API_SECRET", bybit_secret}};
}

/** Runs `posmode` (built next to the tests; path compiled in) with `args` and `env`. */
inline process_result run_cli(const std::vector<std::string>& args,
                              const std::map<std::string, std::string>& env = vector_env()) {
  return run_process(POSMODE_CLI_PATH, args, env);
}

/** True when `text` is exactly one line ending in '\n'. */
inline bool one_line(const std::string& text) {
  return !text.empty() && text.back() == '\n' && text.find('\n') == text.size() - 1;
}

/**
 * True when some line of `table` starts with `cells` as its first whitespace-separated words, so
 * that table checks do not depend on column widths.
 */
inline bool has_row(const std::string& table, const std::vector<std::string>& cells) {
  std::istringstream lines(table);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    bool match = true;
    for (const auto& cell : cells) {
      std::string word;
      if (!(words >> word) || word != cell) {
        match = false;
        break;
      }
    }
    if (match) return true;
  }
  return false;
}

/** Checks the contract for bad input: exit code 2, one line on stderr containing `what`, no
 * output on stdout. */
inline void check_usage_error(const process_result& r, const std::string& what) {
  INFO("stderr: " << r.err);
  INFO("stdout: " << r.out);
  CHECK(r.exit_code == 2);
  CHECK(one_line(r.err));
  CHECK(r.err.rfind("posmode: ", 0) == 0);
  CHECK(r.err.find(what) != std::string::npos);
  CHECK(r.out.empty());
}

}  // namespace posmode::test::cli
