#pragma once

// Expected requests shared by the tests that check posmode's bytes from different sides: the
// request templates (tests/components) and the CLI's `sign` (tests/tools/cli). Signed with the
// docs/venues.md test credentials of each venue at 1700000000000 (OKX: 2023-11-14T22:13:20.000Z).

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

/** OKX set-hedge (`long_short_mode`): the docs/venues.md §6 vector `HrKhP4rl...`. */
inline constexpr std::string_view okx_set_hedge =
    "POST /api/v5/account/set-position-mode HTTP/1.1\r\n"
    "Host: www.okx.com\r\n"
    "User-Agent: posmode/" POSMODE_VERSION_STRING
    "\r\n"
    "OK-ACCESS-KEY: 37c541a1-0000-4000-8000-10fe7a038418\r\n"
    "OK-ACCESS-SIGN: HrKhP4rlz0P43dreIt36x9wWzb+WpG9ZnfHKR9g21YU=\r\n"
    "OK-ACCESS-TIMESTAMP: 2023-11-14T22:13:20.000Z\r\n"
    "OK-ACCESS-PASSPHRASE: Passphrase1\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 29\r\n"
    "\r\n"
    R"({"posMode":"long_short_mode"})";

/** OKX set-one-way (`net_mode`): the docs/venues.md §6 vector `LyOPapOy...`. */
inline constexpr std::string_view okx_set_one_way =
    "POST /api/v5/account/set-position-mode HTTP/1.1\r\n"
    "Host: www.okx.com\r\n"
    "User-Agent: posmode/" POSMODE_VERSION_STRING
    "\r\n"
    "OK-ACCESS-KEY: 37c541a1-0000-4000-8000-10fe7a038418\r\n"
    "OK-ACCESS-SIGN: LyOPapOy5STno7xqwO/QgU5t79CqmsE4PL0JHMtdxlM=\r\n"
    "OK-ACCESS-TIMESTAMP: 2023-11-14T22:13:20.000Z\r\n"
    "OK-ACCESS-PASSPHRASE: Passphrase1\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 22\r\n"
    "\r\n"
    R"({"posMode":"net_mode"})";

/** OKX account configuration query: the docs/venues.md §6 vector `bCn8zVlT...`. */
inline constexpr std::string_view okx_query =
    "GET /api/v5/account/config HTTP/1.1\r\n"
    "Host: www.okx.com\r\n"
    "User-Agent: posmode/" POSMODE_VERSION_STRING
    "\r\n"
    "OK-ACCESS-KEY: 37c541a1-0000-4000-8000-10fe7a038418\r\n"
    "OK-ACCESS-SIGN: bCn8zVlTJqoobCkHSywuaN0ys4sP75zNhIiys58mkkU=\r\n"
    "OK-ACCESS-TIMESTAMP: 2023-11-14T22:13:20.000Z\r\n"
    "OK-ACCESS-PASSPHRASE: Passphrase1\r\n"
    "\r\n";

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

/** Gate set-hedge (`position_mode=dual`, USDT settle): venues.md §5b.5 vector G4. */
inline constexpr std::string_view gate_set_hedge =
    "POST /api/v4/futures/usdt/set_position_mode?position_mode=dual HTTP/1.1\r\n"
    "Host: api.gateio.ws\r\n"
    "User-Agent: posmode/" POSMODE_VERSION_STRING
    "\r\n"
    "Accept: application/json\r\n"
    "Content-Type: application/json\r\n"
    "KEY: gatekey0123456789abcdef0123456789\r\n"
    "Timestamp: 1700000000\r\n"
    "SIGN: "
    "b3580438412d68e259b897e5b2f6728f3d5f4f9283d9b6f2d210fad4d88918a40962cd8b844ea25ebddcb53c01e"
    "045045c439b9c0243ca695170f7214b618125\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

/** Gate set-one-way (`position_mode=single`, USDT settle): vector G3. */
inline constexpr std::string_view gate_set_one_way =
    "POST /api/v4/futures/usdt/set_position_mode?position_mode=single HTTP/1.1\r\n"
    "Host: api.gateio.ws\r\n"
    "User-Agent: posmode/" POSMODE_VERSION_STRING
    "\r\n"
    "Accept: application/json\r\n"
    "Content-Type: application/json\r\n"
    "KEY: gatekey0123456789abcdef0123456789\r\n"
    "Timestamp: 1700000000\r\n"
    "SIGN: "
    "e84ae8b01c6367a4f9bb340640577087fb7de4937c90d2c31fb85095ede440cfcaf3f1f848ea8d01c00ac70cdba"
    "4099476d4212c6fd6af9e6c26234708307c38\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

/** Gate mode query (the USDT futures account): vector G6; a GET has no Content-Length. */
inline constexpr std::string_view gate_query =
    "GET /api/v4/futures/usdt/accounts HTTP/1.1\r\n"
    "Host: api.gateio.ws\r\n"
    "User-Agent: posmode/" POSMODE_VERSION_STRING
    "\r\n"
    "Accept: application/json\r\n"
    "Content-Type: application/json\r\n"
    "KEY: gatekey0123456789abcdef0123456789\r\n"
    "Timestamp: 1700000000\r\n"
    "SIGN: "
    "394a0e61636fdd539c408affb234965147e950121c0aebc08780407d0cf3edc15e4dfd7213ed1e4bde380a307f3"
    "2eb19e022fd838e74a3619d1b745dfaa88a83\r\n"
    "\r\n";

}  // namespace posmode::test
