#include "posmode/components/credentials.hpp"

#include <openssl/crypto.h>

#include <utility>

namespace posmode::components {

secret_string& secret_string::operator=(const secret_string& other) {
  if (this != &other) {
    wipe();
    value_ = other.value_;
  }
  return *this;
}

secret_string::secret_string(secret_string&& other) noexcept : value_(std::move(other.value_)) {
  // A moved-from short string keeps its bytes in the small-string buffer: wipe them.
  other.wipe();
}

secret_string& secret_string::operator=(secret_string&& other) noexcept {
  if (this != &other) {
    wipe();
    value_ = std::move(other.value_);
    other.wipe();
  }
  return *this;
}

secret_string::~secret_string() {
  wipe();
}

void secret_string::wipe() noexcept {
  // Cleanse the whole capacity: a shorter value may have left older bytes behind the terminator.
  if (value_.capacity() != 0) OPENSSL_cleanse(value_.data(), value_.capacity());
  value_.clear();
}

std::string credentials::masked_key() const {
  std::string masked = api_key;
  if (masked.size() <= 8) return std::string(masked.size(), '*');
  for (std::size_t i = 4; i + 4 < masked.size(); ++i)
    masked[i] = '*';
  return masked;
}

}  // namespace posmode::components
