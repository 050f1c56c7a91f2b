// The mock exchange's throwaway certificates and the TLS handshake against them.

#include "posmode/mock/certificates.hpp"

#include <doctest/doctest.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>

#include "posmode/mock/exchange.hpp"
#include "tools/mock_client.hpp"

namespace {

using namespace posmode;

struct x509_deleter {
  void operator()(X509* p) const noexcept { X509_free(p); }
};
using x509_ptr = std::unique_ptr<X509, x509_deleter>;

x509_ptr parse(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  x509_ptr cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return cert;
}

bool verifies(X509* ca, X509* leaf) {
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf, nullptr);
  const bool ok = X509_verify_cert(ctx) == 1;
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return ok;
}

}  // namespace

TEST_CASE("make_certificates makes a CA and server certificates that chain to it") {
  const mock::certificate_set set = mock::make_certificates();
  const x509_ptr ca = parse(set.ca_pem);
  const x509_ptr server = parse(set.server_cert_pem);
  const x509_ptr wrong = parse(set.wrong_host_cert_pem);
  REQUIRE(ca);
  REQUIRE(server);
  REQUIRE(wrong);
  CHECK(X509_check_ca(ca.get()) == 1);
  CHECK(X509_check_ca(server.get()) == 0);
  CHECK(X509_get_version(server.get()) == X509_VERSION_3);
  CHECK(verifies(ca.get(), server.get()));
  CHECK(verifies(ca.get(), wrong.get()));
  CHECK(X509_check_host(server.get(), "localhost", 0, 0, nullptr) == 1);
  CHECK(X509_check_ip_asc(server.get(), "127.0.0.1", 0) == 1);
  CHECK(X509_check_host(wrong.get(), "wrong.example", 0, 0, nullptr) == 1);
  CHECK(X509_check_host(wrong.get(), "localhost", 0, 0, nullptr) == 0);
  CHECK(set.server_key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
  // Each call makes a new CA.
  CHECK(mock::make_certificates().ca_pem != set.ca_pem);
}

TEST_CASE("the exchange listens on 127.0.0.1 only") {
  mock::exchange_options options;
  options.bind_address = "0.0.0.0";
  CHECK_THROWS_AS(mock::exchange{options}, std::invalid_argument);
}

TEST_CASE("a client trusting the mock's CA completes the handshake for localhost and 127.0.0.1") {
  mock::exchange ex;
  CHECK(ex.port() != 0);
  test::mock_client by_name(ex.port(), ex.ca_pem(), "localhost");
  const auto ec = by_name.connect();
  CHECK_MESSAGE(!ec, ec.message());
  test::mock_client by_ip(ex.port(), ex.ca_pem(), "127.0.0.1");
  CHECK(!by_ip.connect());
  // A client trusting another CA refuses the mock.
  test::mock_client stranger(ex.port(), mock::make_certificates().ca_pem);
  CHECK(stranger.connect());
}

TEST_CASE("the wrong-host certificate fault makes host-name verification fail") {
  mock::exchange ex;
  ex.set_wrong_host_certificate(true);
  test::mock_client client(ex.port(), ex.ca_pem());
  const auto ec = client.connect();
  CHECK(ec);
  CHECK(ec.category() == boost::asio::error::get_ssl_category());
  // The certificate itself is valid: only the name is wrong.
  test::mock_client other_name(ex.port(), ex.ca_pem(), "wrong.example");
  CHECK(!other_name.connect());
  ex.set_wrong_host_certificate(false);
  test::mock_client after(ex.port(), ex.ca_pem());
  CHECK(!after.connect());
}

TEST_CASE("write_ca_file writes the CA certificate") {
  mock::exchange ex;
  const std::string path = "/tmp/posmode_mock_ca_test_" + std::to_string(::getpid()) + ".pem";
  ex.write_ca_file(path);
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text == ex.ca_pem());
  std::remove(path.c_str());
  CHECK_THROWS_AS(ex.write_ca_file("/nonexistent-dir/ca.pem"), std::system_error);
}
