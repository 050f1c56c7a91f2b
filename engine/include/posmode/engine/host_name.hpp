#pragma once

#include <string_view>

namespace posmode::engine {

/**
 * Why `host` cannot name a connection's peer, or an empty view when it can. A host is either an
 * IP literal (IPv4 dotted quad, or IPv6 without brackets and without a zone id) or a DNS name as
 * RFC 1123 §2.1 allows it: at most 253 bytes, dot-separated labels of 1 to 63 letters, digits or
 * hyphens, no label starting or ending with a hyphen, no trailing dot.
 *
 * The host goes into DNS, TLS SNI, the certificate check and the HTTP `Host:` header, so anything
 * else (control bytes, NUL, spaces, `@`, `?`, `#`, `/`, `:` outside an IPv6 literal) is refused
 * before it reaches any of them. A zone id (`fe80::1%eth0`) is refused because the certificate
 * check cannot include it (OpenSSL's IP check rejects it, and skipping the check would fail open).
 *
 * The reason is a static text that never repeats the host (it may be unprintable). Any thread; no
 * allocation; never throws.
 */
[[nodiscard]] std::string_view host_problem(std::string_view host) noexcept;

/** True when `host` is an IP literal that `host_problem` accepts. No allocation. */
[[nodiscard]] bool is_ip_literal(std::string_view host) noexcept;

}  // namespace posmode::engine
