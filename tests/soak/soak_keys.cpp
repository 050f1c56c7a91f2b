// The soak's asymmetric keys: one Ed25519 and one RSA-2048 key pair, made with OpenSSL when the
// soak starts (nothing stored in the repository), written as the PEM texts the component and the
// mock take.

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "soak.hpp"

namespace posmode::soak {
namespace {

using pkey_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

std::string pem_of(EVP_PKEY* key, bool private_key) {
  const std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  const int ok = bio && (private_key ? PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0,
                                                                nullptr, nullptr)
                                     : PEM_write_bio_PUBKEY(bio.get(), key));
  if (ok != 1) throw std::runtime_error("soak: cannot write a PEM key");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

key_pair make_pair(pkey_ptr key) {
  if (!key) throw std::runtime_error("soak: cannot make a key");
  return {pem_of(key.get(), true), pem_of(key.get(), false)};
}

}  // namespace

asymmetric_keys make_asymmetric_keys() {
  return {make_pair(pkey_ptr(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), &EVP_PKEY_free)),
          make_pair(pkey_ptr(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{2048}),
                             &EVP_PKEY_free))};
}

}  // namespace posmode::soak
