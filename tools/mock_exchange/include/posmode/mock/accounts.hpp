#pragma once

// Accounts the mock exchange knows, with the state a test sets up and later inspects: the position
// mode per product and whether open positions or orders block a switch.

#include <cstdint>
#include <map>
#include <set>
#include <string>

namespace posmode::mock {

/** A futures position mode as the mock keeps it (Binance `dualSidePosition`, Bitget and OKX
 *  `posMode`). */
enum class position_mode {
  one_way,  ///< Binance `dualSidePosition=false`, Bitget `one_way_mode`, OKX `net_mode`
  hedge     ///< Binance `dualSidePosition=true`, Bitget `hedge_mode`, OKX `long_short_mode`
};

/**
 * The four Binance surfaces whose mode the mock keeps apart (docs/venues.md §1, §2).
 *
 * One mock account answers on all four, unlike the venue where a portfolio-margin account and a
 * classic futures account are separate surfaces; a test picks the paths it needs.
 */
enum class binance_product {
  papi_um,  ///< `/papi/v1/um/positionSide/dual`
  papi_cm,  ///< `/papi/v1/cm/positionSide/dual`; may not differ from `papi_um` (-4220)
  usdm,     ///< `/fapi/v1/positionSide/dual`
  coinm     ///< `/dapi/v1/positionSide/dual`
};

/** How a Binance API key signs (docs/venues.md §1.6): HMAC-SHA256 with the secret, or a private
 *  key whose public half the mock holds. */
enum class binance_key_type { hmac, ed25519, rsa };

/**
 * A Binance account: credentials, the mode of each product, and the flags that block a switch.
 *
 * With `key_type` ed25519 or rsa the `signature` parameter must be the base64 signature
 * (percent-encoded in the query) of the parameters before it, checked against
 * `public_key_pem` with OpenSSL's `EVP_DigestVerify` (pure Ed25519; RSASSA-PKCS1-v1_5 with
 * SHA-256); anything else answers -1022. `add_binance_account` refuses a public key that does
 * not parse as the named type. `secret` is then unused.
 *
 * `has_positions` makes a switch answer -4068 and `has_orders` -4067 (positions are checked
 * first), on every product of the account. `coin_has_positions` / `coin_has_orders` hold them on
 * the COIN-M side only (PAPI CM and dapi): they block a switch of COIN-M and, on a migrated
 * account, of USDⓈ-M too ("either side", docs/venues.md §2.1).
 *
 * `migrated`: the account went through the "CM migration" (docs/venues.md §2.1): COIN-M takes
 * USDⓈ-M's setting, so one set on either side switches both, PAPI UM with CM and fapi's usdm with
 * dapi's coinm, each change recorded; -4220 no longer arises. When the account is added, COIN-M
 * takes USDⓈ-M's mode (`papi_cm = papi_um`, `coinm = usdm`), as the migration did. Whether a COIN-M
 * set moves USDⓈ-M on the venue is open (§10); the mock's choice is one shared setting.
 */
struct binance_account {
  std::string api_key;  ///< sent in `X-MBX-APIKEY`; must be non-empty and unique per exchange
  std::string secret;   ///< the HMAC-SHA256 key of the signature (`key_type` hmac)
  binance_key_type key_type = binance_key_type::hmac;
  std::string public_key_pem;  ///< SubjectPublicKeyInfo PEM (`BEGIN PUBLIC KEY`), asymmetric keys
  position_mode papi_um = position_mode::one_way;
  position_mode papi_cm = position_mode::one_way;
  position_mode usdm = position_mode::one_way;
  position_mode coinm = position_mode::one_way;
  bool has_positions = false;
  bool has_orders = false;
  bool coin_has_positions = false;
  bool coin_has_orders = false;
  bool migrated = false;
};

/**
 * A Bitget v2 (classic account) account.
 *
 * Modes are kept per upper-case `productType` (`USDT-FUTURES`, `COIN-FUTURES`, `USDC-FUTURES`
 * and the `S`-prefixed demo types); a product type missing from `modes` is in one-way mode.
 * `demo_key` marks a demo-trading key: such a key must send `paptrading: 1` with the normal
 * product types, and a live key must not send that header (otherwise 40099, docs/venues.md §3.4).
 * `has_positions` or `has_orders` block a switch on every product type of the account.
 */
struct bitget_account {
  std::string api_key;     ///< sent in `ACCESS-KEY`; must be non-empty and unique per exchange
  std::string secret;      ///< the HMAC-SHA256 key of `ACCESS-SIGN`
  std::string passphrase;  ///< compared with `ACCESS-PASSPHRASE` (40012 when it differs)
  bool demo_key = false;
  std::map<std::string, position_mode, std::less<>> modes;
  bool has_positions = false;
  bool has_orders = false;
};

/**
 * An OKX v5 account. `posMode` is account-wide (one `mode`, one-way = `net_mode` by default).
 *
 * `demo_key` marks a demo-trading key: it must send `x-simulated-trading: 1`, and a live key must
 * not (otherwise 50101, docs/venues.md §4.3). `portfolio_margin` (acctLv 4) supports only
 * `net_mode`: a `long_short_mode` request is answered 51000 (OKX documents no code; the mock's
 * choice). A switch to the other mode is refused with 59000 while `has_positions`, `has_orders`
 * or `has_bots` (running trading bots, docs/venues.md §4.6; that text names bots), and with
 * 59001 while `has_borrowings`.
 */
struct okx_account {
  std::string api_key;     ///< sent in `OK-ACCESS-KEY`; must be non-empty and unique per exchange
  std::string secret;      ///< the HMAC-SHA256 key of `OK-ACCESS-SIGN`
  std::string passphrase;  ///< compared with `OK-ACCESS-PASSPHRASE` (50105 when it differs)
  bool demo_key = false;
  position_mode mode = position_mode::one_way;
  bool portfolio_margin = false;
  bool has_positions = false;
  bool has_orders = false;
  bool has_bots = false;
  bool has_borrowings = false;
  /// the key's permissions, as GET /api/v5/account/config answers them in `perm` (docs/venues.md
  /// §10 A-O1): comma-separated from `read_only`, `trade`, `withdraw`. Only the answer shows it:
  /// a set is not refused for it. Lower-case letters, `_` and `,` only (`add_okx_account`).
  std::string perm = "read_only,trade";
};

/**
 * A Bybit v5 (unified) account (docs/venues.md §5).
 *
 * Modes are kept per settle coin (`coin_modes`: `USDT`, `USDC`; the default of every symbol of
 * that coin) and per symbol (`symbol_modes`, which win over the coin's); anything never set is
 * one-way, Bybit's default. A symbol's settle coin is its suffix: `...USDT` → `USDT`, `...PERP`
 * and `...USDC` → `USDC`. `no_hedge` lists the coins and symbols whose hedge switch answers
 * 110029 ("Hedge mode is not supported for this symbol"); by default `USDC`, as UTA 2.0's USDC
 * perpetuals are one-way only (§5.1). `has_positions` (110024) or `has_orders` (110028) block a
 * switch of any scope of the account (positions are checked first). With
 * `coin_switch_skips_held`, a coin switch is not refused but, as Bybit documents, changes every
 * symbol of the coin except the one holding the positions or orders (`BTCUSDT`, `BTCPERP`), which
 * keeps its mode: the answer is 0 and only a read of that symbol shows what happened.
 */
struct bybit_account {
  std::string api_key;  ///< sent in `X-BAPI-API-KEY`; must be non-empty and unique per exchange
  std::string secret;   ///< the HMAC-SHA256 key of `X-BAPI-SIGN`
  std::map<std::string, position_mode, std::less<>> coin_modes;
  std::map<std::string, position_mode, std::less<>> symbol_modes;
  std::set<std::string, std::less<>> no_hedge{"USDC"};
  bool has_positions = false;
  bool has_orders = false;
  bool coin_switch_skips_held = false;
};

/** Gate's position modes per settle account: `position_mode` single | dual | dual_plus (split). */
enum class gate_mode : std::uint8_t {
  single,    ///< `single`, one-way (legacy `dual_mode=false`)
  dual,      ///< `dual`, hedge (legacy `dual_mode=true`; `in_dual_mode` true)
  dual_plus  ///< `dual_plus`, split positions; read back as `split` with `split_spelling`
};

/**
 * A Gate APIv4 futures account (docs/venues.md §5b).
 *
 * The mode is kept per settle account (`usdt`, `btc`: the only keys `modes` may hold; a missing
 * one is `single`), not per contract. A switch to a different mode is refused with HTTP 400
 * `POSITION_HOLDING` while `has_positions` or `has_orders` (Gate documents the precondition, not
 * the label: ccxt's label, the mock's choice), on every settle account of the key.
 */
struct gate_account {
  std::string api_key;  ///< sent in `KEY`; non-empty, unique per exchange
  std::string secret;   ///< the HMAC-SHA512 key of `SIGN`
  std::map<std::string, gate_mode, std::less<>> modes{{"usdt", gate_mode::single},
                                                      {"btc", gate_mode::single}};
  bool has_positions = false;
  bool has_orders = false;
  /// read the split mode back as "split" (Go SDK doc) instead of "dual_plus" (API doc)
  bool split_spelling = false;
};

}  // namespace posmode::mock
