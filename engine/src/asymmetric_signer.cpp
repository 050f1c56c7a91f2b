#include "posmode/engine/asymmetric_signer.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <array>
#include <memory>
#include <utility>

#include "posmode/engine/encoding.hpp"

namespace posmode::engine {
namespace {

constexpr int min_rsa_bits = 2048;  // Binance takes 2048 and 4096 (docs/venues.md §1.6.1)

struct pem_password_probe {
  bool asked = false;
};

// Called by OpenSSL only for an encrypted PEM: note it and supply no passphrase.
int refuse_passphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* user) {
  static_cast<pem_password_probe*>(user)->asked = true;
  return -1;
}

bool is_public_only(std::string_view pem) {
  return pem.find("-----BEGIN PUBLIC KEY-----") != std::string_view::npos ||
         pem.find("-----BEGIN RSA PUBLIC KEY-----") != std::string_view::npos ||
         pem.find("-----BEGIN CERTIFICATE-----") != std::string_view::npos;
}

}  // namespace

std::string_view to_string(key_algorithm a) noexcept {
  return a == key_algorithm::ed25519 ? "ed25519" : "rsa";
}

asymmetric_signer::asymmetric_signer(std::string_view pem, key_algorithm expected)
    : algorithm_(expected) {
  const std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (!bio) throw key_error("private key: OpenSSL could not open a memory buffer");
  pem_password_probe probe;
  key_ = PEM_read_bio_PrivateKey(bio.get(), nullptr, &refuse_passphrase, &probe);
  if (key_ == nullptr) {
    if (probe.asked || pem.find("ENCRYPTED") != std::string_view::npos)
      throw key_error(
          "private key: the PEM is encrypted; give an unencrypted key in a file only "
          "its owner can read");
    if (is_public_only(pem))
      throw key_error("private key: the PEM holds a public key or certificate, not a private key");
    throw key_error(
        "private key: no PEM private key found (PKCS#8 'BEGIN PRIVATE KEY', or "
        "'BEGIN RSA PRIVATE KEY' for RSA)");
  }
  const int id = EVP_PKEY_get_base_id(key_);
  const bool matches =
      expected == key_algorithm::ed25519 ? id == EVP_PKEY_ED25519 : id == EVP_PKEY_RSA;
  if (!matches) {
    const char* found = id == EVP_PKEY_ED25519 ? "ed25519"
                        : id == EVP_PKEY_RSA   ? "rsa"
                                               : "another type";
    EVP_PKEY_free(std::exchange(key_, nullptr));
    throw key_error(std::string("private key: the key is ") + found + ", key_type says " +
                    std::string(to_string(expected)));
  }
  bits_ = EVP_PKEY_get_bits(key_);
  if (expected == key_algorithm::rsa_sha256 && bits_ < min_rsa_bits) {
    const int bits = bits_;
    EVP_PKEY_free(std::exchange(key_, nullptr));
    throw key_error("private key: an RSA key of " + std::to_string(bits) +
                    " bits; Binance takes 2048 or 4096");
  }
  signature_size_ = static_cast<std::size_t>(EVP_PKEY_get_size(key_));
}

asymmetric_signer::~asymmetric_signer() {
  EVP_PKEY_free(key_);
}

asymmetric_signer::asymmetric_signer(asymmetric_signer&& other) noexcept
    : key_(std::exchange(other.key_, nullptr)),
      algorithm_(other.algorithm_),
      signature_size_(other.signature_size_),
      bits_(other.bits_) {}

asymmetric_signer& asymmetric_signer::operator=(asymmetric_signer&& other) noexcept {
  if (this != &other) {
    EVP_PKEY_free(std::exchange(key_, std::exchange(other.key_, nullptr)));
    algorithm_ = other.algorithm_;
    signature_size_ = other.signature_size_;
    bits_ = other.bits_;
  }
  return *this;
}

std::size_t asymmetric_signer::base64_size() const noexcept {
  return base64_encoded_size(signature_size_);
}

std::size_t asymmetric_signer::sign_base64(std::string_view message,
                                           std::span<char> out) const noexcept {
  if (key_ == nullptr || out.size() < base64_size()) return 0;
  const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                    &EVP_MD_CTX_free);
  // Ed25519 is "pure": no digest is named; RSA's default padding is PKCS#1 v1.5.
  const EVP_MD* md = algorithm_ == key_algorithm::ed25519 ? nullptr : EVP_sha256();
  std::array<unsigned char, 512> raw{};  // up to RSA-4096
  std::size_t len = raw.size();
  if (!ctx || signature_size_ > raw.size() ||
      EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key_) != 1 ||
      EVP_DigestSign(ctx.get(), raw.data(), &len,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      len != signature_size_) {
    return 0;
  }
  return encode_base64({raw.data(), len}, out);
}

std::size_t percent_encode_base64(std::string_view base64, std::span<char> out) noexcept {
  std::size_t n = 0;
  for (const char c : base64) {
    const char* escaped = c == '+' ? "%2B" : c == '/' ? "%2F" : c == '=' ? "%3D" : nullptr;
    const std::size_t width = escaped != nullptr ? 3 : 1;
    if (n + width > out.size()) return 0;
    if (escaped != nullptr) {
      out[n] = escaped[0];
      out[n + 1] = escaped[1];
      out[n + 2] = escaped[2];
    } else {
      out[n] = c;
    }
    n += width;
  }
  return n;
}

}  // namespace posmode::engine
