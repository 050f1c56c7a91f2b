// A host program using posmode the way an engine would link it: through posmode::engine only.
#include <cstdio>
#include <posmode/engine/hmac_signer.hpp>
#include <posmode/engine/spsc_ring.hpp>
#include <string_view>

int main() {
  posmode::engine::spsc_ring<int> ring(4);
  if (!ring.try_push(7)) return 1;
  int value = 0;
  if (!ring.try_pop(value) || value != 7) return 2;

  // Binance documentation vector B1.
  posmode::engine::hmac_signer signer(
      "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j");
  char hex[posmode::engine::hmac_signer::hex_size];
  if (!signer.sign_hex("symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&"
                       "recvWindow=5000&timestamp=1499827319559",
                       hex)) {
    return 3;
  }
  const std::string_view expected =
      "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71";
  if (std::string_view(hex, sizeof hex) != expected) return 4;
  std::puts("consumer: posmode::engine linked, ring and signer work");
  return 0;
}
