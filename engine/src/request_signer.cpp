#include "posmode/engine/request_signer.hpp"

namespace posmode::engine {

namespace {

std::variant<hmac_signer, hmac_sha512_signer> make_signer(signature_algorithm algorithm,
                                                          std::string_view secret,
                                                          hmac_signer::backend backend) {
  if (algorithm == signature_algorithm::hmac_sha512)
    return std::variant<hmac_signer, hmac_sha512_signer>(std::in_place_type<hmac_sha512_signer>,
                                                         secret);
  return std::variant<hmac_signer, hmac_sha512_signer>(std::in_place_type<hmac_signer>, secret,
                                                       backend);
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
