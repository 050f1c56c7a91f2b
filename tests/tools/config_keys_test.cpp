// The loader's key_type, private_key_file and private_key_env (Binance Ed25519 and RSA keys):
// accepted from an owner-only file or a variable, refused for other venues, with a secret, when
// missing, from a file others can read, and for every unusable PEM, each with the field named and
// nothing of the key printed.

#include <doctest/doctest.h>

#include <string>

#include "support/test_keys.hpp"
#include "tools/config_test_support.hpp"

using namespace posmode::test::config;
using posmode::components::api_key_type;
using posmode::tools::load_config;

namespace {

std::string keyed_account(std::string_view venue, std::string_view type, std::string_view rest) {
  return "[[account]]\nname = \"k\"\nvenue = \"" + std::string(venue) + "\"\nkey_type = \"" +
         std::string(type) + "\"\n" + std::string(rest);
}

std::string file_line(const fs::path& p) {
  return "private_key_file = \"" + p.string() + "\"\n";
}

// No line of the PEM body in `what`.
void check_no_key(const std::string& what, std::string_view pem) {
  for (std::size_t at = 0; at < pem.size();) {
    const std::size_t nl = pem.find('\n', at);
    const std::string_view line = pem.substr(at, nl - at);
    if (line.size() > 16 && !line.starts_with("-----"))
      CHECK(what.find(line.substr(0, 16)) == std::string::npos);
    if (nl == std::string_view::npos) break;
    at = nl + 1;
  }
}

}  // namespace

TEST_CASE("an Ed25519 key from an owner-only file, an RSA key from a variable: loaded") {
  const temp_dir dir;
  fake_env env;
  env.vars.erase("BINANCE_API_SECRET");  // an asymmetric account reads no secret
  const auto key = dir.write("ed.pem", posmode::test::e_key_pem, 0600);
  const auto ed = load_config(
      dir.write("c.toml", keyed_account("binance-usdm", "ed25519", file_line(key))), env.lookup());
  REQUIRE(ed.accounts.size() == 1);
  CHECK(ed.accounts[0].account.key_type == api_key_type::ed25519);
  CHECK(ed.accounts[0].creds.private_key.reveal() == posmode::test::e_key_pem);
  CHECK(ed.accounts[0].creds.secret.empty());

  const auto rsa = posmode::test::rsa_key(2048);
  env.vars["MY_RSA_PEM"] = posmode::test::pem_of(rsa.get(), posmode::test::pem_form::pkcs1);
  const auto rs = load_config(
      dir.write("c.toml",
                keyed_account("binance-papi", "rsa", "private_key_env = \"MY_RSA_PEM\"\n")),
      env.lookup());
  CHECK(rs.accounts.at(0).account.key_type == api_key_type::rsa);
  CHECK(rs.accounts.at(0).creds.private_key.reveal() == env.vars["MY_RSA_PEM"]);
}

TEST_CASE("key_type is refused where it does not belong, and its sources are checked") {
  const temp_dir dir;
  const fake_env env;
  const auto key = dir.write("ed.pem", posmode::test::e_key_pem, 0600);
  CHECK(error_of(dir.write("c.toml",
                           "[[account]]\nname = \"b\"\nvenue = \"bitget\"\nproducts = "
                           "[\"USDT-FUTURES\"]\nkey_type = \"ed25519\"\n" +
                               file_line(key)),
                 env) ==
        "accounts[0].key_type: 'ed25519' is not accepted by bitget (HMAC keys "
        "only; ed25519 and rsa are for Binance)");
  CHECK(error_of(dir.write("c.toml", keyed_account("binance-usdm", "Ed25519", file_line(key))),
                 env) ==
        "accounts[0].key_type: unknown key type 'Ed25519' (valid: hmac, ed25519, "
        "rsa)");
  CHECK(error_of(dir.write("c.toml", keyed_account("binance-usdm", "ed25519", "")), env) ==
        "accounts[0].private_key_file: is required with key_type = \"ed25519\" (or "
        "private_key_env)");
  CHECK(error_of(dir.write("c.toml", keyed_account("binance-usdm", "ed25519",
                                                   file_line(key) + "secret_env = \"X\"\n")),
                 env)
            .starts_with("accounts[0].secret_env: is for HMAC keys"));
  CHECK(error_of(dir.write("c.toml", keyed_account("binance-usdm", "hmac", file_line(key))), env)
            .starts_with("accounts[0].private_key_file: is for key_type = \"ed25519\" or \"rsa\""));
  CHECK(error_of(dir.write("c.toml", keyed_account("binance-usdm", "ed25519",
                                                   file_line(key) + "private_key_env = \"X\"\n")),
                 env) ==
        "accounts[0].private_key_file: give private_key_env or "
        "private_key_file, not both");
}

TEST_CASE("a key file readable by others is refused, as secret files are") {
  const temp_dir dir;
  const fake_env env;
  for (const mode_t mode : {mode_t{0644}, mode_t{0640}, mode_t{0604}}) {
    CAPTURE(mode);
    const auto key = dir.write("ed.pem", posmode::test::e_key_pem, mode);
    const std::string what = error_of(
        dir.write("c.toml", keyed_account("binance-coinm", "ed25519", file_line(key))), env);
    CHECK(what.starts_with("accounts[0].private_key_file: '" + key.string() +
                           "' is group- or world-readable"));
    check_no_key(what, posmode::test::e_key_pem);
  }
}

TEST_CASE("unusable PEMs are refused naming the field, and nothing of the key is printed") {
  const temp_dir dir;
  fake_env env;
  const auto rsa = posmode::test::rsa_key(2048);
  const auto short_rsa = posmode::test::rsa_key(1024);
  using posmode::test::pem_form;
  using posmode::test::pem_of;
  struct bad {
    std::string_view type;
    std::string pem;
    std::string why;
  };
  const bad cases[] = {
      {"ed25519", pem_of(rsa.get(), pem_form::public_key),
       "the PEM holds a public key or certificate, not a private key"},
      {"ed25519", "hello\nworld\n", "no PEM private key found"},
      {"ed25519", pem_of(rsa.get(), pem_form::pkcs8), "the key is rsa, key_type says ed25519"},
      {"rsa", std::string(posmode::test::e_key_pem), "the key is ed25519, key_type says rsa"},
      {"rsa", pem_of(rsa.get(), pem_form::pkcs8_encrypted), "the PEM is encrypted"},
      {"rsa", pem_of(short_rsa.get(), pem_form::pkcs8),
       "an RSA key of 1024 bits; Binance takes 2048 or 4096"},
  };
  for (const bad& b : cases) {
    CAPTURE(b.why);
    const auto key = dir.write("key.pem", b.pem, 0600);
    const std::string from_file =
        error_of(dir.write("c.toml", keyed_account("binance-usdm", b.type, file_line(key))), env);
    CHECK(from_file.starts_with("accounts[0].private_key_file: " + b.why));
    check_no_key(from_file, b.pem);
    env.vars["PEM_VAR"] = b.pem;
    const std::string from_env = error_of(
        dir.write("c.toml",
                  keyed_account("binance-usdm", b.type, "private_key_env = \"PEM_VAR\"\n")),
        env);
    CHECK(from_env.starts_with("accounts[0].private_key_env (PEM_VAR): " + b.why));
    check_no_key(from_env, b.pem);
  }
}

TEST_CASE("throwaway credentials for asymmetric accounts are fresh keys of the type") {
  const temp_dir dir;
  posmode::tools::load_options options;
  options.credentials = posmode::tools::credential_source::throwaway;
  const auto config = posmode::tools::parse_config(
      keyed_account("binance-usdm", "ed25519", "private_key_file = \"/nowhere\"\n"), "x.toml",
      options);
  const auto& creds = config.accounts.at(0).creds;
  CHECK(creds.secret.empty());
  CHECK(creds.private_key.reveal().starts_with("-----BEGIN PRIVATE KEY-----"));
  CHECK(posmode::tools::public_key_pem(creds.private_key.reveal())
            .starts_with("-----BEGIN PUBLIC KEY-----"));
}
