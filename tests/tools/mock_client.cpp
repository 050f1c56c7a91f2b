#include "tools/mock_client.hpp"

#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace posmode::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

// Generous for loopback, short enough that a hang fails quickly.
constexpr auto operation_limit = std::chrono::seconds(3);

std::array<unsigned char, 32> hmac(std::string_view secret, std::string_view message) {
  std::array<unsigned char, 32> mac{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac.data(), &length);
  return mac;
}

}  // namespace

std::string read_result::header(std::string_view name) const {
  const auto it = response.find(beast::string_view(name.data(), name.size()));
  if (it == response.end()) return {};
  return std::string(it->value().data(), it->value().size());
}

mock_client::mock_client(std::uint16_t port, const std::string& ca_pem, std::string host)
    : tls_(ssl::context::tls_client), stream_(io_, tls_), port_(port), host_(std::move(host)) {
  tls_.add_certificate_authority(asio::buffer(ca_pem));
  stream_.set_verify_mode(ssl::verify_peer);
  stream_.set_verify_callback(ssl::host_name_verification(host_));
  // SSL_set_tlsext_host_name is a macro with an old-style cast; this is what it expands to.
  SSL_ctrl(stream_.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
           const_cast<char*>(host_.c_str()));
}

template <typename Start>
error_code mock_client::run(Start start) {
  error_code result;
  bool done = false;
  start([&](error_code ec, auto&&...) {
    result = ec;
    done = true;
  });
  io_.restart();
  io_.run_for(operation_limit);
  if (done) return result;
  error_code ignored;
  stream_.lowest_layer().close(ignored);
  io_.restart();
  io_.run_for(std::chrono::seconds(1));
  return asio::error::timed_out;
}

error_code mock_client::connect() {
  const tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"), port_);
  if (auto ec = run([&](auto handler) { stream_.lowest_layer().async_connect(endpoint, handler); }))
    return ec;
  return run([&](auto handler) { stream_.async_handshake(ssl::stream_base::client, handler); });
}

error_code mock_client::send(std::string_view bytes) {
  return run([&](auto handler) {
    asio::async_write(stream_, asio::buffer(bytes.data(), bytes.size()), handler);
  });
}

read_result mock_client::read_response() {
  read_result out;
  http::response_parser<http::string_body> parser;
  while (!parser.is_done()) {
    out.ec = run([&](auto handler) { http::async_read_some(stream_, buffer_, parser, handler); });
    ++out.reads;
    if (out.ec) return out;
  }
  out.response = parser.release();
  return out;
}

read_result mock_client::request(std::string_view bytes) {
  const error_code ec = send(bytes);
  REQUIRE_MESSAGE(!ec, ec.message());
  return read_response();
}

std::string mock_client::read_until_end(error_code& ec) {
  std::string received(static_cast<const char*>(buffer_.data().data()), buffer_.size());
  buffer_.consume(buffer_.size());
  std::array<char, 4096> chunk{};
  while (true) {
    std::size_t got = 0;
    ec = run([&](auto handler) {
      stream_.async_read_some(asio::buffer(chunk), [&got, handler](error_code e, std::size_t n) {
        got = n;
        handler(e);
      });
    });
    received.append(chunk.data(), got);
    if (ec) return received;
  }
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string sign_hex(std::string_view secret, std::string_view message) {
  static constexpr std::string_view digits = "0123456789abcdef";
  std::string hex;
  for (const unsigned char byte : hmac(secret, message)) {
    hex += digits[byte >> 4U];
    hex += digits[byte & 0x0FU];
  }
  return hex;
}

std::string sign_base64(std::string_view secret, std::string_view message) {
  const auto mac = hmac(secret, message);
  std::array<unsigned char, 48> text{};
  const int n = EVP_EncodeBlock(text.data(), mac.data(), static_cast<int>(mac.size()));
  return {reinterpret_cast<const char*>(text.data()), static_cast<std::size_t>(n)};
}

std::string binance_request(std::string_view method, std::string_view path, std::string_view params,
                            std::string_view key, std::string_view secret) {
  std::string out(method);
  out += ' ';
  out += path;
  out += '?';
  out += params;
  out += "&signature=";
  out += sign_hex(secret, params);
  out += " HTTP/1.1\r\nHost: localhost\r\nX-MBX-APIKEY: ";
  out += key;
  out += "\r\nContent-Length: 0\r\n\r\n";
  return out;
}

std::string plain_get(std::string_view target) {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
}

std::string bitget_request_signed(std::string_view method, std::string_view target,
                                  std::string_view body, const bitget_credentials& credentials,
                                  std::int64_t timestamp_ms, std::string_view signature) {
  std::string out(method);
  out += ' ';
  out += target;
  out += " HTTP/1.1\r\nHost: localhost\r\nACCESS-KEY: " + credentials.key;
  out += "\r\nACCESS-SIGN: ";
  out += signature;
  out += "\r\nACCESS-TIMESTAMP: " + std::to_string(timestamp_ms);
  out += "\r\nACCESS-PASSPHRASE: " + credentials.passphrase;
  out += "\r\nContent-Type: application/json\r\nlocale: en-US\r\n";
  if (credentials.paptrading) out += "paptrading: 1\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  out += body;
  return out;
}

std::string bitget_request(std::string_view method, std::string_view path, std::string_view query,
                           std::string_view body, const bitget_credentials& credentials,
                           std::int64_t timestamp_ms) {
  std::string target(path);
  if (!query.empty()) {
    target += '?';
    target += query;
  }
  const std::string prehash =
      std::to_string(timestamp_ms) + std::string(method) + target + std::string(body);
  return bitget_request_signed(method, target, body, credentials, timestamp_ms,
                               sign_base64(credentials.secret, prehash));
}

std::string iso_timestamp(std::int64_t ms) {
  const auto seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  std::array<char, 64> text{};
  std::snprintf(text.data(), text.size(), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return text.data();
}

std::string okx_request_signed(std::string_view method, std::string_view target,
                               std::string_view body, const okx_credentials& credentials,
                               std::string_view timestamp, std::string_view signature,
                               std::string_view content_type) {
  std::string out(method);
  out += ' ';
  out += target;
  out += " HTTP/1.1\r\nHost: localhost\r\n";
  const auto add = [&out](std::string_view name, std::string_view value) {
    if (value.empty()) return;
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  };
  add("OK-ACCESS-KEY", credentials.key);
  add("OK-ACCESS-SIGN", signature);
  add("OK-ACCESS-TIMESTAMP", timestamp);
  add("OK-ACCESS-PASSPHRASE", credentials.passphrase);
  add("Content-Type", content_type);
  if (credentials.simulated) add("x-simulated-trading", "1");
  if (method == "POST" || !body.empty()) add("Content-Length", std::to_string(body.size()));
  out += "\r\n";
  out += body;
  return out;
}

std::string okx_request(std::string_view method, std::string_view path, std::string_view query,
                        std::string_view body, const okx_credentials& credentials,
                        std::int64_t timestamp_ms) {
  std::string target(path);
  if (!query.empty()) {
    target += '?';
    target += query;
  }
  const std::string timestamp = iso_timestamp(timestamp_ms);
  const std::string prehash = timestamp + std::string(method) + target + std::string(body);
  return okx_request_signed(method, target, body, credentials, timestamp,
                            sign_base64(credentials.secret, prehash),
                            body.empty() ? "" : "application/json");
}

}  // namespace posmode::test
