// posmode sign --key-type ed25519|rsa --private-key-file F: the exact bytes (vector E4 for the
// published Ed25519 key, an RSA signature verified by OpenSSL), the key never printed, and bad
// keys and options refused with exit code 2 and one line; and posmode set --mock with Ed25519
// and RSA accounts, the mock verifying each signature.

#include <doctest/doctest.h>

#include <string>

#include "posmode/version.hpp"
#include "support/test_keys.hpp"
#include "tools/cli/cli_test_support.hpp"

using posmode::test::temp_dir;
using posmode::test::cli::check_usage_error;
using posmode::test::cli::has_row;
using posmode::test::cli::run_cli;
using posmode::test::cli::vector_env;

namespace {

std::map<std::string, std::string> key_only_env() {
  auto env = vector_env();
  env.erase("BINANCE_API_SECRET");  // an asymmetric key needs none
  return env;
}

constexpr const char* e4 =
    "drjAMt1cuw%2B3ajUlXuTdYtou5UEbId%2Fef7KcIKu7fe3Xuo7l%2FLAWdYSPKW3jE%2F%2FbeEQ8q1ZwLYlBEhpxw1m4"
    "AQ%3D%3D";

void check_no_key(const std::string& text, std::string_view pem) {
  for (std::size_t at = 0; at < pem.size();) {
    const std::size_t nl = pem.find('\n', at);
    const std::string_view line = pem.substr(at, nl - at);
    if (line.size() > 16 && !line.starts_with("-----"))
      CHECK(text.find(line.substr(0, 16)) == std::string::npos);
    if (nl == std::string_view::npos) break;
    at = nl + 1;
  }
}

}  // namespace

TEST_SUITE("cli_sign") {
  TEST_CASE(
      "sign --key-type ed25519 prints vector E4 percent-encoded, and the key is never printed") {
    const temp_dir dir;
    const std::string key = dir.write("ed.pem", std::string(posmode::test::e_key_pem), 0600);
    const auto r =
        run_cli({"sign", "--venue", "binance-usdm", "--mode", "hedge", "--timestamp",
                 "1700000000000", "--key-type", "ed25519", "--private-key-file", key, "--show-key"},
                key_only_env());
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out ==
          "POST /fapi/v1/positionSide/dual?dualSidePosition=true&recvWindow=5000"
          "&timestamp=1700000000000&signature=" +
              std::string(e4) +
              " HTTP/1.1\r\nHost: fapi.binance.com\r\nUser-Agent: "
              "posmode/" POSMODE_VERSION_STRING "\r\nX-MBX-APIKEY: " +
              posmode::test::cli::binance_key + "\r\nContent-Length: 0\r\n\r\n");
    check_no_key(r.out + r.err, posmode::test::e_key_pem);
    // Masked by default: the signature is the same, the key header is not.
    const auto masked =
        run_cli({"sign", "--venue", "binance-papi-cm", "--mode", "hedge", "--timestamp",
                 "1700000000000", "--key-type", "ed25519", "--private-key-file", key},
                key_only_env());
    CHECK(masked.exit_code == 0);
    CHECK(masked.out.find(std::string("&signature=") + e4 + " HTTP/1.1") != std::string::npos);
    CHECK(masked.out.find(posmode::test::cli::binance_key) == std::string::npos);
  }

  TEST_CASE("sign --key-type rsa prints a signature OpenSSL verifies") {
    const temp_dir dir;
    const auto rsa = posmode::test::rsa_key(2048);
    const std::string pem = posmode::test::pem_of(rsa.get(), posmode::test::pem_form::pkcs8);
    const std::string key = dir.write("rsa.pem", pem, 0400);
    const auto r = run_cli({"sign", "--venue", "binance-coinm", "--mode", "one-way", "--timestamp",
                            "1700000000000", "--key-type", "rsa", "--private-key-file", key},
                           key_only_env());
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const std::string head =
        "POST /dapi/v1/positionSide/dual?dualSidePosition=false&recvWindow=5000"
        "&timestamp=1700000000000&signature=";
    REQUIRE(r.out.starts_with(head));
    const std::string encoded =
        r.out.substr(head.size(), r.out.find(' ', head.size()) - head.size());
    CHECK(posmode::test::verifies(rsa.get(),
                                  "dualSidePosition=false&recvWindow=5000&timestamp=1700000000000",
                                  posmode::test::percent_decoded(encoded)));
    check_no_key(r.out + r.err, pem);
  }

  TEST_CASE("sign refuses bad keys and key options: exit 2, one line, nothing of the key") {
    const temp_dir dir;
    const auto rsa = posmode::test::rsa_key(2048);
    const std::string encrypted =
        posmode::test::pem_of(rsa.get(), posmode::test::pem_form::pkcs8_encrypted);
    const std::vector<std::string> base{"sign",  "--venue",     "binance-usdm", "--mode",
                                        "hedge", "--timestamp", "1700000000000"};
    auto with = [&](std::vector<std::string> extra) {
      std::vector<std::string> args = base;
      args.insert(args.end(), extra.begin(), extra.end());
      return run_cli(args, key_only_env());
    };
    const std::string readable = dir.write("open.pem", std::string(posmode::test::e_key_pem), 0644);
    check_usage_error(with({"--key-type", "ed25519", "--private-key-file", readable}),
                      "--private-key-file: '" + readable + "' is group- or world-readable");
    const std::string enc = dir.write("enc.pem", encrypted, 0600);
    const auto r_enc = with({"--key-type", "rsa", "--private-key-file", enc});
    check_usage_error(r_enc, "--private-key-file: the PEM is encrypted");
    check_no_key(r_enc.err, encrypted);
    const std::string ed = dir.write("ed.pem", std::string(posmode::test::e_key_pem), 0600);
    check_usage_error(with({"--key-type", "rsa", "--private-key-file", ed}),
                      "--private-key-file: the key is ed25519, key_type says rsa");
    check_usage_error(with({"--key-type", "ed25519"}),
                      "--private-key-file: required with --key-type ed25519");
    check_usage_error(with({"--key-type", "ed448", "--private-key-file", ed}),
                      "--key-type: unknown key type 'ed448'");
    check_usage_error(run_cli({"sign", "--venue", "bitget", "--mode", "hedge", "--timestamp",
                               "1700000000000", "--key-type", "ed25519", "--private-key-file", ed},
                              key_only_env()),
                      "--key-type: ed25519 is not accepted by Bitget (HMAC keys only)");
  }
}

TEST_SUITE("cli_set") {
  TEST_CASE("set --mock with Ed25519 and RSA accounts: the mock verifies their signatures") {
    const temp_dir dir;
    const std::string config = dir.write("keys.toml", R"([[account]]
name = "ed"
venue = "binance-usdm"
key_type = "ed25519"
private_key_file = "/not/read/with/mock"

[[account]]
name = "rs"
venue = "binance-papi"
key_type = "rsa"
private_key_env = "NOT_READ_WITH_MOCK"
)");
    for (const char* account : {"ed", "rs"}) {
      CAPTURE(account);
      const auto r =
          run_cli({"set", "--config", config, "--mock", "--account", account, "--mode", "hedge"},
                  key_only_env());
      INFO(r.out << r.err);
      CHECK(r.exit_code == 0);
      CHECK(r.out.ends_with(std::string(account) + " hedge -> applied (exit 0)\n"));
    }
  }
}
