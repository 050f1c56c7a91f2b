#pragma once

// A stand-in venue for a CLI run without --mock: the mock exchange in the test's own process on
// 127.0.0.1, knowing the docs/venues.md vector credentials, with its CA in a file the configuration
// names. The CLI then reads real credentials (from its environment or files) and signs with them.

#include <string>

#include "posmode/mock/exchange.hpp"
#include "tools/cli/cli_process.hpp"
#include "tools/cli/cli_test_support.hpp"

namespace posmode::test::cli {

class vector_venue {
 public:
  /** Starts the exchange and writes its CA to `dir`/venue-ca.pem. */
  explicit vector_venue(const temp_dir& dir) : ca_file_(dir.path() + "/venue-ca.pem") {
    mock::binance_account b;
    b.api_key = binance_key;
    b.secret = binance_secret;
    exchange_.add_binance_account(std::move(b));
    mock::bitget_account g;
    g.api_key = bitget_key;
    g.secret = bitget_secret;
    g.passphrase = bitget_passphrase;
    exchange_.add_bitget_account(std::move(g));
    exchange_.write_ca_file(ca_file_);
  }

  /** The `host`, `port` and `ca_file` lines that point an [[account]] here. */
  [[nodiscard]] std::string account_lines() const {
    return "host = \"localhost\"\nport = " + std::to_string(exchange_.port()) + "\nca_file = \"" +
           ca_file_ + "\"\n";
  }

  [[nodiscard]] mock::exchange& exchange() noexcept { return exchange_; }

 private:
  mock::exchange exchange_;
  std::string ca_file_;
};

}  // namespace posmode::test::cli
