#include "posmode/engine/host_name.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstring>

namespace posmode::engine {

namespace {

constexpr std::size_t max_name = 253;  // RFC 1035 §2.3.4, without the final dot
constexpr std::size_t max_label = 63;

bool is_label_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

// inet_pton needs a terminated string; an IPv6 literal is at most 45 characters.
bool parses_as(int family, std::string_view host) noexcept {
  std::array<char, 64> text{};
  if (host.size() >= text.size()) return false;
  std::memcpy(text.data(), host.data(), host.size());
  std::array<unsigned char, 16> address{};
  return ::inet_pton(family, text.data(), address.data()) == 1;
}

}  // namespace

bool is_ip_literal(std::string_view host) noexcept {
  return parses_as(AF_INET, host) || parses_as(AF_INET6, host);
}

std::string_view host_problem(std::string_view host) noexcept {
  if (host.empty()) return "empty";
  if (host.size() > max_name) return "longer than 253 bytes";
  for (const char c : host) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) return "contains a control, NUL or non-ASCII byte";
  }
  if (host.find('%') != std::string_view::npos)
    return "IPv6 zone ids are not supported (the certificate check cannot include them)";
  if (host.front() == '[') return "IPv6 literals are written without brackets";
  if (is_ip_literal(host)) return {};
  if (host.find(':') != std::string_view::npos)
    return "not a DNS name or IP literal (a port goes in its own setting)";
  std::size_t label = 0;
  for (std::size_t i = 0; i <= host.size(); ++i) {
    if (i == host.size() || host[i] == '.') {
      if (label == 0)
        return i == host.size() ? "ends with a dot or has an empty label" : "has an empty label";
      if (host[i - 1] == '-') return "a label ends with a hyphen";
      label = 0;
      continue;
    }
    if (!is_label_char(host[i]))
      return "contains a character a DNS name cannot hold (letters, digits, '-' and '.' only)";
    if (label == 0 && host[i] == '-') return "a label starts with a hyphen";
    if (++label > max_label) return "a label is longer than 63 characters";
  }
  return {};
}

}  // namespace posmode::engine
