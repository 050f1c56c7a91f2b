#pragma once

// Private: the exchange's implementation object, shared by exchange.cpp (configuration, request
// processing) and session.cpp (one TLS connection).

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "posmode/mock/certificates.hpp"
#include "posmode/mock/exchange.hpp"
#include "state.hpp"

namespace posmode::mock {

struct exchange::impl {
  explicit impl(exchange_options opts);
  ~impl();
  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;

  void stop();
  void do_accept();

  /** The faults for a request carrying `api_key` (may be empty). Takes the lock. */
  [[nodiscard]] fault_set faults_for(std::string_view api_key) const;
  /**
   * Runs the venue logic and the reply-replacing faults for one request, logs it and calls the
   * observer. `received` is when its bytes had been read (before a delay fault). Returns nullopt
   * when the connection must be dropped without a reply.
   */
  [[nodiscard]] std::optional<detail::reply> serve(const detail::http_request& request,
                                                   const std::string& peer, const fault_set& faults,
                                                   std::chrono::steady_clock::time_point received);

  exchange_options options;
  certificate_set certificates;
  boost::asio::ssl::context server_tls{boost::asio::ssl::context::tls_server};
  boost::asio::ssl::context wrong_host_tls{boost::asio::ssl::context::tls_server};
  mutable std::mutex mutex;
  detail::state st;  // guarded by mutex
  // Destroyed (in stop()) before the TLS contexts: pending handlers own the sessions.
  std::optional<boost::asio::io_context> io;
  std::optional<boost::asio::ip::tcp::acceptor> acceptor;
  std::uint16_t port = 0;
  std::thread thread;
  // Connections accepted while silent, held open and never answered; server thread only.
  std::vector<boost::asio::ip::tcp::socket> silent_sockets;
};

namespace detail {

/** Starts serving one accepted connection: handshake, then requests until it closes. */
void start_session(exchange::impl& owner, boost::asio::ip::tcp::socket socket,
                   boost::asio::ssl::context& tls);

}  // namespace detail

}  // namespace posmode::mock
