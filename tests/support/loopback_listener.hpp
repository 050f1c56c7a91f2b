#pragma once

// A listening TCP socket on 127.0.0.1 with a port the kernel picked. Nothing accepts on it unless
// the test does: connects still complete (the kernel queues them), and then nobody answers.

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>

namespace posmode::test {

struct loopback_listener {
  int fd = -1;
  std::uint16_t port = 0;
  sockaddr_in address{};

  loopback_listener() {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof address;
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(fd, 16) == 0);
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &len) == 0);
    port = ntohs(address.sin_port);
  }
  ~loopback_listener() {
    if (fd >= 0) ::close(fd);
  }
  loopback_listener(const loopback_listener&) = delete;
  loopback_listener& operator=(const loopback_listener&) = delete;
};

}  // namespace posmode::test
