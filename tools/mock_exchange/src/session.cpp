// One TLS connection of the mock exchange, in Beast's async shape (STYLE.md 15): handshake, read
// a request, wait the fault delay, reply (whole, or dripped a byte at a time), then read the next
// request, close gracefully, or drop the TCP connection, as the faults and keep-alive say.

#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "server.hpp"
#include "wire.hpp"

namespace posmode::mock::detail {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
using asio::ip::tcp;
using boost::system::error_code;

// Enough for every request these endpoints take; bigger ones are not venue traffic.
constexpr std::uint32_t body_limit = 64 * 1024;
// A peer that never answers our close_notify must not hold the session forever.
constexpr auto shutdown_timeout = std::chrono::milliseconds(500);

class session : public std::enable_shared_from_this<session> {
 public:
  session(exchange::impl& owner, tcp::socket socket, ssl::context& tls)
      : owner_(owner), stream_(std::move(socket), tls), timer_(stream_.get_executor()) {}

  void start() {
    error_code ec;
    const auto remote = beast::get_lowest_layer(stream_).remote_endpoint(ec);
    peer_ = ec ? std::string("?") : remote.address().to_string();
    beast::get_lowest_layer(stream_).set_option(tcp::no_delay(true), ec);
    stream_.async_handshake(ssl::stream_base::server,
                            beast::bind_front_handler(&session::on_handshake, shared_from_this()));
  }

 private:
  void on_handshake(error_code ec) {
    if (ec) return drop();
    do_read();
  }

  void do_read() {
    parser_.emplace();
    parser_->body_limit(body_limit);
    beast::http::async_read(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&session::on_read, shared_from_this()));
  }

  void on_read(error_code ec, std::size_t /*bytes*/) {
    // end_of_stream: the client closed between requests, the normal end of a keep-alive
    // connection; anything else (truncation, parse error) is just dropped.
    if (ec == beast::http::error::end_of_stream) return close_gracefully();
    if (ec) return drop();
    received_ = std::chrono::steady_clock::now();
    const auto& request = parser_->get();
    std::string_view key = header(request, "X-MBX-APIKEY");
    if (key.empty()) key = header(request, "ACCESS-KEY");
    if (key.empty()) key = header(request, "X-BAPI-API-KEY");
    faults_ = owner_.faults_for(key);
    if (faults_.sets_only && request.method() != beast::http::verb::post) faults_ = {};
    keep_alive_ = request.keep_alive();
    if (faults_.delay.count() > 0) {
      timer_.expires_after(faults_.delay);
      timer_.async_wait(beast::bind_front_handler(&session::on_delay, shared_from_this()));
      return;
    }
    respond();
  }

  void on_delay(error_code ec) {
    if (ec) return drop();
    respond();
  }

  void respond() {
    const auto reply = owner_.serve(parser_->get(), peer_, faults_, received_);
    if (!reply) return drop();
    if (faults_.connection_close) keep_alive_ = false;
    out_ = render(*reply, keep_alive_);
    if (faults_.drip) {
      written_ = 0;
      return drip();
    }
    asio::async_write(stream_, asio::buffer(out_),
                      beast::bind_front_handler(&session::on_write, shared_from_this()));
  }

  // One TLS record per byte, so the client's parser sees the reply split at every position.
  void drip() {
    asio::async_write(stream_, asio::buffer(out_.data() + written_, 1),
                      beast::bind_front_handler(&session::on_drip_write, shared_from_this()));
  }

  void on_drip_write(error_code ec, std::size_t /*bytes*/) {
    if (ec) return drop();
    if (++written_ == out_.size()) return on_write(ec, out_.size());
    timer_.expires_after(faults_.drip_interval);
    timer_.async_wait([self = shared_from_this()](error_code wait_ec) {
      if (wait_ec) return self->drop();
      self->drip();
    });
  }

  void on_write(error_code ec, std::size_t /*bytes*/) {
    if (ec || faults_.drop_after_reply) return drop();
    if (!keep_alive_) return close_gracefully();
    do_read();
  }

  // TLS close_notify, then TCP close; bounded by shutdown_timeout.
  void close_gracefully() {
    timer_.expires_after(shutdown_timeout);
    timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec) self->drop();
    });
    stream_.async_shutdown([self = shared_from_this()](error_code /*ec*/) {
      self->timer_.cancel();
      self->drop();
    });
  }

  // Closes the TCP connection without a TLS close_notify: what a crashed or cut-off server does.
  // With the `reset` fault, by a TCP reset (SO_LINGER 0), as a killed process or a middlebox.
  void drop() {
    auto& socket = beast::get_lowest_layer(stream_);
    error_code ignored;
    if (faults_.reset) {
      socket.set_option(asio::socket_base::linger(true, 0), ignored);
    } else {
      socket.shutdown(tcp::socket::shutdown_both, ignored);
    }
    socket.close(ignored);
  }

  exchange::impl& owner_;
  ssl::stream<tcp::socket> stream_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<beast::http::request_parser<beast::http::string_body>> parser_;
  std::string peer_;
  fault_set faults_;
  std::chrono::steady_clock::time_point received_;
  std::string out_;
  std::size_t written_ = 0;
  bool keep_alive_ = true;
};

}  // namespace

void start_session(exchange::impl& owner, tcp::socket socket, ssl::context& tls) {
  std::make_shared<session>(owner, std::move(socket), tls)->start();
}

}  // namespace posmode::mock::detail
