#pragma once

// Throwaway TLS certificates for the mock exchange, made with the OpenSSL 3 API at start so that
// tests and the demo need no certificate files.

#include <string>
#include <string_view>

namespace posmode::mock {

/** A throwaway CA and two server certificates it signed, all PEM-encoded. */
struct certificate_set {
  std::string ca_pem;               ///< the CA certificate (basicConstraints CA:TRUE); trust this
  std::string server_cert_pem;      ///< SAN DNS:localhost, IP:127.0.0.1
  std::string server_key_pem;       ///< its private key (EC P-256, PKCS#8)
  std::string wrong_host_cert_pem;  ///< SAN DNS:wrong.example only, for the wrong-host fault
  std::string wrong_host_key_pem;   ///< its private key
};

/**
 * Makes a fresh CA (EC P-256, X.509 v3, valid from one hour ago for 7 days) and the two server
 * certificates it signs. Each call makes new keys.
 *
 * @throws std::runtime_error when an OpenSSL call fails (message names the call).
 * Allocates; any thread; takes a few milliseconds.
 */
[[nodiscard]] certificate_set make_certificates();

/**
 * Writes `pem` to `path`, replacing the file.
 *
 * @throws std::system_error when the file cannot be written.
 */
void write_pem_file(const std::string& path, std::string_view pem);

}  // namespace posmode::mock
