#include "posmode/engine/request_signer.hpp"

#include <stdexcept>
#include <string>

namespace posmode::engine {

namespace {

using any_signer = std::variant<hmac_signer, hmac_sha512_signer, asymmetric_signer>;

any_signer make_signer(signature_algorithm algorithm, std::string_view secret,
                       hmac_signer::backend backend) {
  switch (algorithm) {
    case signature_algorithm::hmac_sha512:
      return any_signer(std::in_place_type<hmac_sha512_signer>, secret);
    case signature_algorithm::ed25519:
    case signature_algorithm::rsa_sha256: {
      if (secret.empty()) throw key_error("private key: empty");
      any_signer s(std::in_place_type<asymmetric_signer>, secret,
                   algorithm == signature_algorithm::ed25519 ? key_algorithm::ed25519
                                                             : key_algorithm::rsa_sha256);
      // The templates' slots are sized for the widest signature posmode sends.
      if (const int bits = std::get<asymmetric_signer>(s).bits();
          algorithm == signature_algorithm::rsa_sha256 && bits > max_rsa_key_bits)
        throw key_error("private key: an RSA key of " + std::to_string(bits) +
                        " bits; Binance takes 2048 or 4096");
      return s;
    }
    case signature_algorithm::hmac_sha256:
      break;
  }
  return any_signer(std::in_place_type<hmac_signer>, secret, backend);
}

}  // namespace

request_signer::request_signer(signature_algorithm algorithm, std::string_view secret,
                               hmac_signer::backend sha256_backend)
    : signer_(make_signer(algorithm, secret, sha256_backend)), algorithm_(algorithm) {}

std::error_code request_signer::resign(request_template& request,
                                       std::int64_t timestamp_ms) noexcept {
  // The template refuses a signer of the other algorithm itself; no check is repeated here.
  return std::visit([&](auto& signer) { return request.resign(signer, timestamp_ms); }, signer_);
}

}  // namespace posmode::engine
