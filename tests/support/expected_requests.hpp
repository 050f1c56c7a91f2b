#pragma once

// Expected requests shared by the tests that check posmode's bytes from different sides: the
// request templates (tests/components) and the CLI's `sign` (tests/tools/cli). Signed with the
// docs/venues.md test credentials of each venue at 1700000000000.

#include <string_view>

#include "posmode/version.hpp"

namespace posmode::test {

/** Bitget USDT-FUTURES set-hedge: the docs/venues.md vector `2Gdz2auu...`. */
inline constexpr std::string_view bitget_usdt_set_hedge =
    "POST /api/v2/mix/account/set-position-mode HTTP/1.1\r\n"
    "Host: api.bitget.com\r\n"
    "User-Agent: posmode/" POSMODE_VERSION_STRING
    "\r\n"
    "ACCESS-KEY: bg_0123456789abcdef0123456789abcdef\r\n"
    "ACCESS-SIGN: 2Gdz2auu+jzKidxaH31F06Y3yfd6s3i4XPMpMQBosAQ=\r\n"
    "ACCESS-TIMESTAMP: 1700000000000\r\n"
    "ACCESS-PASSPHRASE: Passphrase1\r\n"
    "Content-Type: application/json\r\n"
    "locale: en-US\r\n"
    "Content-Length: 53\r\n"
    "\r\n"
    R"({"productType":"USDT-FUTURES","posMode":"hedge_mode"})";

/** Bitget USDT-FUTURES set-one-way. */
inline constexpr std::string_view bitget_usdt_set_one_way =
    "POST /api/v2/mix/account/set-position-mode HTTP/1.1\r\n"
    "Host: api.bitget.com\r\n"
    "User-Agent: posmode/" POSMODE_VERSION_STRING
    "\r\n"
    "ACCESS-KEY: bg_0123456789abcdef0123456789abcdef\r\n"
    "ACCESS-SIGN: m27b2wSpeFKnpEIhAQwiWufpE3hvXAAjlrLtytg2rnI=\r\n"
    "ACCESS-TIMESTAMP: 1700000000000\r\n"
    "ACCESS-PASSPHRASE: Passphrase1\r\n"
    "Content-Type: application/json\r\n"
    "locale: en-US\r\n"
    "Content-Length: 55\r\n"
    "\r\n"
    R"({"productType":"USDT-FUTURES","posMode":"one_way_mode"})";

/**
 * Bybit linear-USDT set-hedge: the docs/venues.md §6 vector `fa6b1e04...` (bybit-api's key order),
 * signed string `1700000000000XXXXXXXXXXXXXXXXXX5000{"category":"linear","coin":"USDT","mode":3}`.
 */
inline constexpr std::string_view bybit_usdt_set_hedge =
    "POST /v5/position/switch-mode HTTP/1.1\r\n"
    "Host: api.bybit.com\r\n"
    "User-Agent: posmode/" POSMODE_VERSION_STRING
    "\r\n"
    "X-BAPI-API-KEY: XXXXXXXXXXXXXXXXXX\r\n"
    "X-BAPI-TIMESTAMP: 1700000000000\r\n"
    "X-BAPI-RECV-WINDOW: 5000\r\n"
    "X-BAPI-SIGN: fa6b1e04895273fb5701eca48efb3bca9bf8ea9bc91e492570e7682b82c33cdc\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 44\r\n"
    "\r\n"
    R"({"category":"linear","coin":"USDT","mode":3})";

}  // namespace posmode::test
