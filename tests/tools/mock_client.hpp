#pragma once

// A small TLS client for the mock exchange tests: it verifies the mock's certificate like a real
// client (verify_peer, the mock's CA, SNI and host-name verification) and sends raw HTTP/1.1 the
// tests build and sign themselves with OpenSSL's one-shot HMAC(), so nothing of posmode's signer,
// templates or parser is involved. Every operation runs the client's own io_context with a time
// limit, so a misbehaving server fails a test instead of hanging it.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace posmode::test {

/** The outcome of reading one response. */
struct read_result {
  boost::system::error_code ec;  ///< set when no complete response arrived
  boost::beast::http::response<boost::beast::http::string_body> response;
  std::size_t reads = 0;  ///< read completions it took (many for a dripped reply)

  [[nodiscard]] unsigned status() const { return response.result_int(); }
  [[nodiscard]] std::string header(std::string_view name) const;
};

/** One TLS connection to the mock on 127.0.0.1, driven synchronously from the test thread. */
class mock_client {
 public:
  /** `host` is both the SNI name and the name the certificate must carry. */
  mock_client(std::uint16_t port, const std::string& ca_pem, std::string host = "localhost");

  /** TCP connect and TLS handshake; the error when either fails. */
  boost::system::error_code connect();
  /** Writes all of `bytes`. */
  boost::system::error_code send(std::string_view bytes);
  /** Reads one whole response. */
  read_result read_response();
  /** `send` then `read_response`, failing the test if sending fails. */
  read_result request(std::string_view bytes);
  /** Reads until the connection ends; returns the bytes and sets `ec` to how it ended. */
  std::string read_until_end(boost::system::error_code& ec);

 private:
  template <typename Start>
  boost::system::error_code run(Start start);

  boost::asio::io_context io_;
  boost::asio::ssl::context tls_;
  boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream_;
  boost::beast::flat_buffer buffer_;
  std::uint16_t port_;
  std::string host_;
};

/** Wall-clock milliseconds since the epoch (what a venue's server time is based on). */
[[nodiscard]] std::int64_t now_ms();

/** Lowercase hex HMAC-SHA256, OpenSSL one-shot. */
[[nodiscard]] std::string sign_hex(std::string_view secret, std::string_view message);
/** Base64 HMAC-SHA256, OpenSSL one-shot. */
[[nodiscard]] std::string sign_base64(std::string_view secret, std::string_view message);

/**
 * A Binance signed request: `params` (without signature) plus `&signature=<hex>` in the query
 * string, an empty body, `X-MBX-APIKEY: key`.
 */
[[nodiscard]] std::string binance_request(std::string_view method, std::string_view path,
                                          std::string_view params, std::string_view key,
                                          std::string_view secret);
/** An unsigned GET with no headers beyond Host. */
[[nodiscard]] std::string plain_get(std::string_view target);

/** Bitget credentials and the environment header. */
struct bitget_credentials {
  std::string key;
  std::string secret;
  std::string passphrase;
  bool paptrading = false;
};

/**
 * A Bitget signed request: `ACCESS-SIGN` = base64(HMAC(ts + method + path [+ ?query] + body)).
 * `query` excludes the `?`.
 */
[[nodiscard]] std::string bitget_request(std::string_view method, std::string_view path,
                                         std::string_view query, std::string_view body,
                                         const bitget_credentials& credentials,
                                         std::int64_t timestamp_ms);

/** A Bitget request whose `ACCESS-SIGN` is given rather than computed. */
[[nodiscard]] std::string bitget_request_signed(std::string_view method, std::string_view target,
                                                std::string_view body,
                                                const bitget_credentials& credentials,
                                                std::int64_t timestamp_ms,
                                                std::string_view signature);

/** OKX credentials and the demo header. */
struct okx_credentials {
  std::string key;
  std::string secret;
  std::string passphrase;
  bool simulated = false;  ///< sends `x-simulated-trading: 1`
};

/** `ms` as OKX's `OK-ACCESS-TIMESTAMP`: `2023-11-14T22:13:20.000Z`, by gmtime_r. */
[[nodiscard]] std::string iso_timestamp(std::int64_t ms);

/**
 * An OKX request with the headers as given: `OK-ACCESS-*` (an empty value leaves the header
 * out), `Content-Type` when not empty, the demo header, the body.
 */
[[nodiscard]] std::string okx_request_signed(std::string_view method, std::string_view target,
                                             std::string_view body,
                                             const okx_credentials& credentials,
                                             std::string_view timestamp, std::string_view signature,
                                             std::string_view content_type = "application/json");

/**
 * An OKX signed request: `OK-ACCESS-SIGN` = base64(HMAC(isoTs + method + path [+ ?query] +
 * body)); `Content-Type: application/json` when there is a body.
 */
[[nodiscard]] std::string okx_request(std::string_view method, std::string_view path,
                                      std::string_view query, std::string_view body,
                                      const okx_credentials& credentials,
                                      std::int64_t timestamp_ms);

}  // namespace posmode::test
