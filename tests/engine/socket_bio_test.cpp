// The socket BIO behind every TLS connection: a reset peer gives an error, never SIGPIPE.

#include "socket_bio.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <string_view>

#include "support/loopback_listener.hpp"

namespace {

using posmode::engine::detail::make_socket_bio;

// A connected loopback TCP pair (client, server), both descriptors owned by the test.
struct tcp_pair {
  int client = -1;
  int server = -1;

  tcp_pair() {
    posmode::test::loopback_listener listener;
    client = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(::connect(client, reinterpret_cast<const sockaddr*>(&listener.address),
                      sizeof listener.address) == 0);
    server = ::accept(listener.fd, nullptr, nullptr);
    REQUIRE(server >= 0);
  }
  ~tcp_pair() {
    if (client >= 0) ::close(client);
    if (server >= 0) ::close(server);
  }
  tcp_pair(const tcp_pair&) = delete;
  tcp_pair& operator=(const tcp_pair&) = delete;

  // Closes the server side with a TCP reset (SO_LINGER 0) and waits until the client has it.
  void reset_server() {
    const linger abort_close{1, 0};
    REQUIRE(::setsockopt(server, SOL_SOCKET, SO_LINGER, &abort_close, sizeof abort_close) == 0);
    ::close(server);
    server = -1;
    pollfd p{client, POLLIN, 0};
    REQUIRE(::poll(&p, 1, 5000) == 1);
  }
};

struct bio_handle {
  BIO* bio;
  explicit bio_handle(int fd) : bio(make_socket_bio(fd)) { REQUIRE(bio != nullptr); }
  ~bio_handle() { BIO_free(bio); }
  bio_handle(const bio_handle&) = delete;
  bio_handle& operator=(const bio_handle&) = delete;
};

}  // namespace

TEST_CASE("writes to a reset peer fail with an error and raise no SIGPIPE") {
  // The default action kills the process: reaching the checks below is the test.
  const auto previous = std::signal(SIGPIPE, SIG_DFL);
  tcp_pair pair;
  bio_handle b(pair.client);
  pair.reset_server();
  // The first write reports the reset (ECONNRESET); from then on the socket is shut for sending
  // and write(2) would raise SIGPIPE (EPIPE): send(MSG_NOSIGNAL) must not.
  for (int i = 0; i < 4; ++i) {
    CAPTURE(i);
    errno = 0;
    CHECK(BIO_write(b.bio, "ping", 4) < 0);
    CHECK((errno == ECONNRESET || errno == EPIPE));
    CHECK_FALSE(BIO_should_retry(b.bio));
  }
  CHECK(BIO_puts(b.bio, "ping") < 0);
  std::signal(SIGPIPE, previous);
}

TEST_CASE(
    "bytes pass both ways, and an empty socket asks for a retry, and an orderly close is EOF") {
  tcp_pair pair;
  bio_handle b(pair.client);
  CHECK(BIO_write(b.bio, "abc", 3) == 3);
  char got[8] = {};
  REQUIRE(::recv(pair.server, got, sizeof got, 0) == 3);
  CHECK(std::string_view(got, 3) == "abc");

  REQUIRE(::send(pair.server, "xyz", 3, 0) == 3);
  pollfd p{pair.client, POLLIN, 0};
  REQUIRE(::poll(&p, 1, 5000) == 1);
  CHECK(BIO_read(b.bio, got, sizeof got) == 3);
  CHECK(std::string_view(got, 3) == "xyz");
  CHECK(BIO_eof(b.bio) == 0);

  // Nothing to read on a non-blocking socket: a retry, not an error and not EOF.
  REQUIRE(::fcntl(pair.client, F_SETFL, O_NONBLOCK) == 0);
  CHECK(BIO_read(b.bio, got, sizeof got) < 0);
  CHECK(BIO_should_retry(b.bio));
  CHECK(BIO_should_read(b.bio));
  CHECK(BIO_eof(b.bio) == 0);

  ::shutdown(pair.server, SHUT_WR);
  REQUIRE(::poll(&p, 1, 5000) == 1);
  CHECK(BIO_read(b.bio, got, sizeof got) == 0);
  CHECK_FALSE(BIO_should_retry(b.bio));
  CHECK(BIO_eof(b.bio) == 1);
}

TEST_CASE("the BIO does not own the descriptor") {
  tcp_pair pair;
  { bio_handle b(pair.client); }
  // Still open after BIO_free: writing works.
  CHECK(::send(pair.client, "a", 1, MSG_NOSIGNAL) == 1);
  CHECK(make_socket_bio(-1) == nullptr);
}
