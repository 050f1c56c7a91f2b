#pragma once

// Asymmetric keys the benchmarks sign with: fake, public, benchmark-only.

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace posmode::bench {

/** The Ed25519 key of docs/venues.md §1.6.5 (Binance's vectors E1-E8), PKCS#8 PEM. */
inline constexpr std::string_view ed25519_pem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIIJEYWtGBrhACmb9Dvy+qa8WEf0lQOl1s4CLIAB9m89u\n"
    "-----END PRIVATE KEY-----\n";

/** Its public half, for a mock that verifies what posmode signed. */
inline constexpr std::string_view ed25519_public_pem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAGUIKv9dSpWXBViXp2m6vAIb8QMFJYBgyFEQsFJlqgA0=\n"
    "-----END PUBLIC KEY-----\n";

/** A new RSA-2048 key as PKCS#8 PEM (a keygen: tens of milliseconds), or "" if OpenSSL failed. */
inline std::string rsa_2048_pem() {
  const std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(2048)), &EVP_PKEY_free);
  const std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (!key || !bio ||
      PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return {};
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace posmode::bench
