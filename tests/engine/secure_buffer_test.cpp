// secure_buffer and secure_object: key material in pages of its own, out of core dumps.

#include "posmode/engine/secure_buffer.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <new>
#include <utility>

#include "posmode/engine/hmac_signer.hpp"
#include "posmode/engine/http_request.hpp"
#include "support/core_dump.hpp"

using posmode::engine::secure_buffer;
using posmode::engine::secure_object;
using posmode::test::excluded_from_core_dumps;

TEST_CASE("issue 11: a secure buffer is zeroed, page-aligned and left out of core dumps") {
  secure_buffer b(100);
  REQUIRE(b.data() != nullptr);
  CHECK(b.size() == 100);
  CHECK(reinterpret_cast<std::uintptr_t>(b.data()) % 4096 == 0);
  CHECK(std::all_of(b.data(), b.data() + b.size(), [](char c) { return c == 0; }));
  CHECK(b.dump_excluded());
  CHECK(excluded_from_core_dumps(b.data()));
  // An ordinary heap allocation is not: the check can tell the difference.
  const auto heap = std::make_unique<std::array<char, 64>>();
  CHECK_FALSE(excluded_from_core_dumps(heap->data()));
}

TEST_CASE("a moved secure buffer keeps its pages, and the moved-from one holds none") {
  secure_buffer a(10);
  std::memcpy(a.data(), "0123456789", 10);
  char* const pages = a.data();
  secure_buffer b(std::move(a));
  CHECK(b.data() == pages);
  CHECK(std::string_view(b.data(), b.size()) == "0123456789");
  CHECK(a.data() == nullptr);  // NOLINT(bugprone-use-after-move): the moved-from state is the test
  CHECK(a.size() == 0);
  secure_buffer c;
  CHECK(c.data() == nullptr);
  c = std::move(b);
  CHECK(c.data() == pages);
  CHECK(secure_buffer(0).data() == nullptr);
}

TEST_CASE("issue 11: a signer and a request template keep their key material out of core dumps") {
  const secure_object<posmode::engine::hmac_signer> signer("secret-key-for-test");
  CHECK(excluded_from_core_dumps(signer.get()));
  std::array<char, posmode::engine::hmac_signer::hex_size> out{};
  CHECK(signer->sign_hex("message", out));

  posmode::engine::request_spec spec;
  spec.method = "GET";
  spec.host = "example.test";
  spec.target = "/x";
  spec.headers.push_back({"ACCESS-PASSPHRASE", "Passphrase1"});
  const posmode::engine::request_template t(spec);
  CHECK(t.view().find("ACCESS-PASSPHRASE: Passphrase1") != std::string_view::npos);
  CHECK(excluded_from_core_dumps(t.bytes().data()));

  posmode::engine::wipe(spec);
  CHECK(spec.host.empty());
  CHECK(spec.headers.front().value.pieces().front().text.empty());
}
