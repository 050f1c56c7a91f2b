#pragma once

// Keys for the asymmetric-signature tests: the published Ed25519 key of Binance's vectors E1-E8
// (docs/venues.md §1.6.5) and RSA keys made on the spot, written as PEM in each form the loader
// meets, plus an independent OpenSSL verification of a base64 signature.

#include <doctest/doctest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace posmode::test {

/** The key of vectors E1-E8 (PKCS#8). */
inline constexpr std::string_view e_key_pem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIIJEYWtGBrhACmb9Dvy+qa8WEf0lQOl1s4CLIAB9m89u\n"
    "-----END PRIVATE KEY-----\n";
/** Its public key. */
inline constexpr std::string_view e_public_pem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAGUIKv9dSpWXBViXp2m6vAIb8QMFJYBgyFEQsFJlqgA0=\n"
    "-----END PUBLIC KEY-----\n";

using pkey_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

/** A fresh RSA key of `bits`. */
inline pkey_ptr rsa_key(unsigned bits) {
  pkey_ptr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits)),
               &EVP_PKEY_free);
  REQUIRE(key);
  return key;
}

enum class pem_form { pkcs8, pkcs1, pkcs8_encrypted, public_key };

/** `key` written as PEM in `form` (the encrypted form with a passphrase). */
inline std::string pem_of(EVP_PKEY* key, pem_form form) {
  const std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  char pass[] = "correct horse";
  int ok = 0;
  switch (form) {
    case pem_form::pkcs8:
      ok = PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
      break;
    case pem_form::pkcs1:
      ok = PEM_write_bio_PrivateKey_traditional(bio.get(), key, nullptr, nullptr, 0, nullptr,
                                                nullptr);
      break;
    case pem_form::pkcs8_encrypted:
      ok = PEM_write_bio_PKCS8PrivateKey(bio.get(), key, EVP_aes_256_cbc(), pass,
                                         static_cast<int>(sizeof pass - 1), nullptr, nullptr);
      break;
    case pem_form::public_key:
      ok = PEM_write_bio_PUBKEY(bio.get(), key);
      break;
  }
  REQUIRE(ok == 1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

/** The key in `pem` (public or private), or null. */
inline pkey_ptr read_key(std::string_view pem) {
  const std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) {
    BIO_reset(bio.get());
    key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  }
  return pkey_ptr(key, &EVP_PKEY_free);
}

/** `base64` with `%2B` `%2F` `%3D` decoded. */
inline std::string percent_decoded(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && s.substr(i, 3) == "%2B") {
      out += '+';
      i += 2;
    } else if (s[i] == '%' && s.substr(i, 3) == "%2F") {
      out += '/';
      i += 2;
    } else if (s[i] == '%' && s.substr(i, 3) == "%3D") {
      out += '=';
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

/** OpenSSL's own check of a base64 signature of `message` by `key` (Ed25519: pure; RSA:
 *  PKCS#1 v1.5 with SHA-256). */
inline bool verifies(EVP_PKEY* key, std::string_view message, std::string_view base64) {
  std::vector<unsigned char> raw(base64.size());
  const int n = EVP_DecodeBlock(raw.data(), reinterpret_cast<const unsigned char*>(base64.data()),
                                static_cast<int>(base64.size()));
  if (n <= 0) return false;
  // EVP_DecodeBlock counts each '=' of padding as a zero byte.
  const std::size_t padding = base64.size() - base64.find_last_not_of('=') - 1;
  const std::size_t len = static_cast<std::size_t>(n) - padding;
  const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                    &EVP_MD_CTX_free);
  const EVP_MD* md = EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519 ? nullptr : EVP_sha256();
  return EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) == 1 &&
         EVP_DigestVerify(ctx.get(), raw.data(), len,
                          reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

}  // namespace posmode::test
