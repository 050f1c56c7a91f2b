#include "posmode/components/credentials.hpp"

#include <cstring>

namespace posmode::components {

secret_string::secret_string(std::string_view value) : memory_(value.size()), size_(value.size()) {
  if (size_ != 0) std::memcpy(memory_.data(), value.data(), size_);
}

secret_string& secret_string::operator=(const secret_string& other) {
  if (this != &other) *this = secret_string(other.reveal());
  return *this;
}

std::string credentials::masked_key() const {
  std::string masked = api_key;
  if (masked.size() <= 8) return std::string(masked.size(), '*');
  for (std::size_t i = 4; i + 4 < masked.size(); ++i)
    masked[i] = '*';
  return masked;
}

}  // namespace posmode::components
