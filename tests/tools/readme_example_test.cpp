// The README's embedding example (extracted from README.md by CMake and built as it stands), run
// as a child process against the mock exchange: it connects, reads both PAPI modes, asks for
// hedge, prints every event, stops and exits 0; and the mock ends in hedge on UM and CM.

#include <doctest/doctest.h>

#include <string>

#include "posmode/mock/exchange.hpp"
#include "posmode/version.hpp"
#include "tools/cli/cli_process.hpp"

namespace {

constexpr const char* key = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
constexpr const char* secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

}  // namespace

TEST_CASE("the README's embedding example switches a PAPI account and exits cleanly") {
  namespace mock = posmode::mock;
  mock::exchange ex;
  mock::binance_account account;
  account.api_key = key;
  account.secret = secret;
  ex.add_binance_account(account);
  const posmode::test::temp_dir dir;
  const std::string ca = dir.write("ca.pem", ex.ca_pem(), 0644);

  const auto r = posmode::test::run_process(POSMODE_README_EXAMPLE_PATH, {},
                                            {{"BINANCE_API_KEY", key},
                                             {"BINANCE_API_SECRET", secret},
                                             {"POSMODE_HOST", "localhost"},
                                             {"POSMODE_PORT", std::to_string(ex.port())},
                                             {"POSMODE_CA_FILE", ca}});
  INFO("stdout: " << r.out);
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find(std::string("posmode ") + POSMODE_VERSION_STRING) != std::string::npos);
  CHECK(r.out.find("request 0 um: current_mode") != std::string::npos);
  CHECK(r.out.find("request 0 cm: current_mode") != std::string::npos);
  CHECK(r.out.find("request 1 cm: applied") != std::string::npos);
  CHECK(ex.binance_mode(key, mock::binance_product::papi_um) == mock::position_mode::hedge);
  CHECK(ex.binance_mode(key, mock::binance_product::papi_cm) == mock::position_mode::hedge);
}

TEST_CASE("the README's embedding example refuses to start without credentials") {
  const auto r = posmode::test::run_process(POSMODE_README_EXAMPLE_PATH, {}, {});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "set BINANCE_API_KEY and BINANCE_API_SECRET\n");
}
