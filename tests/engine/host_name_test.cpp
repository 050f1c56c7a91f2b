// host_problem: what may go into DNS, SNI, the certificate check and the Host header.

#include "posmode/engine/host_name.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

using posmode::engine::host_problem;
using posmode::engine::is_ip_literal;

TEST_CASE("DNS names and IP literals are accepted") {
  for (const std::string_view host :
       {"papi.binance.com", "api.bitget.com", "localhost", "a", "x-1.example", "127.0.0.1", "::1",
        "2001:db8::7", "fe80::1", "A.B.C", "0.example"}) {
    CAPTURE(host);
    CHECK(host_problem(host).empty());
  }
  CHECK(is_ip_literal("127.0.0.1"));
  CHECK(is_ip_literal("::1"));
  CHECK_FALSE(is_ip_literal("localhost"));
  CHECK_FALSE(is_ip_literal("::1%1"));
}

TEST_CASE("a host with anything DNS, SNI or a Host header cannot carry is refused with why") {
  struct bad {
    std::string host;
    std::string_view reason;
  };
  const std::string label64(64, 'a');
  std::string long_name;
  while (long_name.size() < 254)
    long_name += "abcdefghi.";
  long_name += "x";
  for (const bad& b : {
           bad{"", "empty"},
           bad{long_name, "longer than 253"},
           bad{std::string("api\0.x", 6), "control"},
           bad{"api.bitget.com\r\nX: 1", "control"},
           bad{"api\tx", "control"},
           bad{"caf\xc3\xa9.example", "non-ASCII"},
           bad{"::1%1", "zone"},
           bad{"fe80::1%eth0", "zone"},
           bad{"[::1]", "brackets"},
           bad{"host:443", "port"},
           bad{"user@host", "DNS name cannot hold"},
           bad{"host?x", "DNS name cannot hold"},
           bad{"host#x", "DNS name cannot hold"},
           bad{"host/x", "DNS name cannot hold"},
           bad{"a b", "DNS name cannot hold"},
           bad{"under_score.example", "DNS name cannot hold"},
           bad{"-lead.example", "starts with a hyphen"},
           bad{"trail-.example", "ends with a hyphen"},
           bad{"a..b", "empty label"},
           bad{".a", "empty label"},
           bad{"example.com.", "ends with a dot"},
           bad{label64 + ".example", "longer than 63"},
       }) {
    CAPTURE(b.host);
    const std::string_view why = host_problem(b.host);
    CHECK(why.find(b.reason) != std::string_view::npos);
    // The reason never repeats the host: it may hold bytes a terminal would act on.
    CHECK(why.find("\r") == std::string_view::npos);
  }
}

TEST_CASE("a 253-byte name with 63-byte labels is the longest accepted") {
  std::string name;
  while (name.size() + 64 <= 253)
    name += std::string(63, 'b') + ".";
  name += std::string(253 - name.size(), 'c');
  REQUIRE(name.size() == 253);
  CHECK(host_problem(name).empty());
  CHECK_FALSE(host_problem(name + "c").empty());
}
