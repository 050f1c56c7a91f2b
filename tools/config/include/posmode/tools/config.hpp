#pragma once

// The TOML configuration file of posmode's tools (the demo's `--config`, later the `posmode`
// CLI), turned into a `components::component_config`.
//
// Layout (every key not marked required is optional; unknown keys are refused, so that a typo is
// an error rather than a silently ignored setting):
//
//   [defaults]                        # durations are 1..3600000 ms (one hour)
//   attempt_timeout_ms = 2000         # one HTTP exchange (set, query, time)
//   request_deadline_ms = 8000        # request to final event, retries included
//   connect_timeout_ms = 2000         # resolve + TCP connect + TLS handshake of one attempt
//   verify_after_set = false          # per account unless the account says otherwise
//
//   [[account]]                       # one table per account; at least one
//   name = "pm-main"                  # required, unique: the account's id in logs and events
//   venue = "binance-papi"            # required: binance-papi | binance-usdm | binance-coinm |
//                                     #   bitget
//   products = ["um", "cm"]           # binance-papi: um, cm (default both); binance-usdm: usdm;
//                                     #   binance-coinm: coinm; bitget (required): USDT-FUTURES,
//                                     #   COIN-FUTURES, USDC-FUTURES, SUSDT-FUTURES, ...
//   environment = "production"        # production | testnet | demo (default production); picks
//                                     #   the default host: binance-usdm testnet
//                                     #   testnet.binancefuture.com, demo demo-fapi.binance.com;
//                                     #   binance-coinm testnet testnet.binancefuture.com, demo
//                                     #   demo-dapi.binance.com; bitget demo = api.bitget.com with
//                                     #   header paptrading: 1 and a demo key (normal product
//                                     #   types only). binance-papi has neither (refused), bitget
//                                     #   has no testnet (refused: use demo)
//   host = "papi.binance.com"         # default: the environment's host (above); a DNS name or an
//                                     #   IP literal (no port, no IPv6 zone id); overrides it
//   port = 443                        # 1..65535
//   ca_file = "/etc/ssl/certs/ca-certificates.crt"   # default: the system trust store
//   recv_window_ms = 5000             # Binance recvWindow, 1..60000
//   connections = 2                   # TLS connections per account, 1..16
//   verify_after_set = true           # query the mode after a successful change
//   expected_mode = "hedge"           # hedge | one_way (one-way too): the mode `posmode check`
//                                     #   expects every product in; nothing is changed by it
//   key_env = "BINANCE_API_KEY"       # environment variable holding the API key
//   secret_env = "BINANCE_API_SECRET" # ... the secret; or:
//   secret_file = "/path"             # a file holding it, owner-only (0600 or 0400), one line,
//                                     #   not in a world-writable directory, not under /proc
//   passphrase_env = "BITGET_API_PASSPHRASE"    # Bitget only; or:
//   passphrase_file = "/path"                   # owner-only likewise
//   key_type = "hmac"                 # hmac (default) | ed25519 | rsa: Binance venues only. An
//                                     #   ed25519 or rsa account signs with a private key, not a
//                                     #   secret (secret_env/secret_file are then refused):
//   private_key_file = "/path"        # unencrypted PEM (Ed25519 PKCS#8; RSA PKCS#8 or PKCS#1,
//                                     #   2048..4096 bits), owner-only as secret files; or:
//   private_key_env = "BINANCE_PRIVATE_KEY"    # a variable holding the PEM text
//   bitget_demo_key = false           # older spelling of environment = "demo" for Bitget (sends
//                                     #   paptrading: 1); true with another environment is refused
//
// Credentials never live in the file itself: the defaults are BINANCE_API_KEY and
// BINANCE_API_SECRET for the Binance venues, BITGET_API_KEY, BITGET_API_SECRET and
// BITGET_API_PASSPHRASE for Bitget. A secret file has its trailing line break removed. Paths are
// used as given (a relative one from the current directory, not from the file's).
//
// The Binance pre-sign age is not a key: it follows recv_window_ms (half of it, 1..1000 ms; see
// components::effective_presign_max_age_ms), so any recv_window_ms in 1..60000 is accepted.
//
// Which credentials are read is the caller's choice (`load_options`): every account's (the
// default), only those of the accounts it names, or none at all, with throwaway ones generated
// for a run against the mock exchange.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "posmode/components/component_config.hpp"

namespace posmode::tools {

/**
 * A configuration that cannot be used. The message is one line that starts with the place of the
 * problem, accounts numbered from 0 in file order: `accounts[1].venue: unknown venue 'bitgett'
 * (...)`, `accounts[0]: environment variable BINANCE_API_KEY is not set`, `config.toml:3:7:
 * <TOML syntax error>`, or `config.toml: cannot read: <reason>`. It never contains a secret, a
 * passphrase, or the content of a secret file.
 */
class config_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/**
 * A name given to `load_options::accounts` that no account in the file has. The message is
 * `<file>: no account named '<name>' (did you mean <nearest>?)`; `nearest()` is the account name
 * closest to it (`tools::nearest`), for a caller that words its own message.
 */
class unknown_account_error : public config_error {
 public:
  unknown_account_error(std::string_view source, std::string name, std::string nearest);
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] const std::string& nearest() const noexcept { return nearest_; }

 private:
  std::string name_;
  std::string nearest_;
};

/**
 * Where credentials are looked up: the value of an environment variable, or nothing when it is
 * not set. Injectable so that tests need not touch the process environment.
 */
using environment = std::function<std::optional<std::string>(std::string_view name)>;

/**
 * The process environment (`getenv`). Not safe against a concurrent `setenv` in another thread,
 * like `getenv` itself.
 */
[[nodiscard]] environment process_environment();

/** The environment variable names used when an account names none, per venue. */
struct default_env_names {
  std::string_view key;
  std::string_view secret;
  std::string_view passphrase;  ///< empty for a venue without a passphrase (Binance)
};

/**
 * The venue row's `credential_env` (`BINANCE_API_KEY`/`BINANCE_API_SECRET`, or
 * `BITGET_API_KEY`/`_SECRET`/`_PASSPHRASE`); all empty for a venue the table does not know.
 */
[[nodiscard]] default_env_names default_env(components::venue v) noexcept;

/** Where the loaded accounts' credentials come from. */
enum class credential_source : std::uint8_t {
  /** `key_env`, `secret_env`/`secret_file`, `passphrase_env`/`passphrase_file` or the defaults. */
  configured,
  /**
   * Nothing is read from the environment or from files: every loaded account gets random
   * credentials of its own (`throwaway_credentials`), new on each load. Only for a run against
   * the mock exchange, which is told them; a venue would refuse them.
   */
  throwaway,
};

/** What `load_config` / `parse_config` read besides the file itself. */
struct load_options {
  /**
   * The accounts to load, by name; empty: every account. Every account in the file is still
   * parsed and validated (keys, venue, products, environment, host, unique names, ...), but only
   * the named ones get credentials, and only they are in the result, in file order. The others'
   * credential keys are checked for form (not empty, not both `_env` and `_file`) but neither
   * their variables nor their files are read. A name that is not in the file is an
   * `unknown_account_error`.
   */
  std::vector<std::string> accounts;
  credential_source credentials = credential_source::configured;
  environment env = process_environment();  ///< for `configured` credentials
};

/**
 * Random credentials for an account of venue `v` (Bitget ones with a passphrase): hex from
 * `std::random_device`, the key starting with `throwaway-`. Allocates; any thread.
 */
[[nodiscard]] components::credentials throwaway_credentials(components::venue v);

/**
 * As above for an account with key type `type`: for ed25519 or rsa a fresh private key (RSA
 * 2048 bits) in `private_key` and no secret. The mock is told the public half
 * (`public_key_pem`). Allocates; may take ~0.1 s for RSA.
 * @throws std::runtime_error if OpenSSL cannot make the key.
 */
[[nodiscard]] components::credentials throwaway_credentials(components::venue v,
                                                            components::api_key_type type);

/**
 * Reads a private key's PEM text from `path` under the rules of secret files (a regular file
 * owned by this user, mode 0600 or 0400, not in a world-writable directory, not under /proc,
 * /sys or /dev; at most 16 kB). The key is not parsed here. Allocates.
 * @throws config_error starting with `field` (`--private-key-file`, `accounts[0].private_key_file`)
 *         that never quotes the file's content.
 */
[[nodiscard]] components::secret_string read_private_key_file(const std::string& path,
                                                              const std::string& field);

/**
 * The public key (`BEGIN PUBLIC KEY` PEM) of the private key PEM `private_pem`, e.g. to register
 * a throwaway key with the mock exchange. @throws std::invalid_argument if it holds none.
 */
[[nodiscard]] std::string public_key_pem(std::string_view private_pem);

/**
 * Reads the TOML file at `path` (layout above), resolves every account's credentials through
 * `env` and secret files, and checks the result with `components::validate_config`.
 *
 * The returned configuration keeps the component's defaults for everything the file cannot set
 * (rings, retries, keep-alives, clock, wake-up mode); a host may adjust those before
 * constructing the component.
 *
 * @throws config_error for an unreadable file, a TOML syntax error (with line and column), an
 *         unknown or mistyped key, an unknown venue or product, a bad port, a missing
 *         environment variable, a secret file that is not a regular file owned by the user with
 *         no group or world permissions (or that lies in a world-writable directory, under
 *         /proc, /sys or /dev, or holds more than one line), a duration outside 1 ms..1 h, and
 *         anything `validate_config` refuses.
 * Allocates; not for the hot path. Any thread, as long as `env` is safe to call there.
 */
[[nodiscard]] components::component_config load_config(
    const std::filesystem::path& path, const environment& env = process_environment());

/**
 * As `load_config(path, env)`, with the accounts and credential source of `options`.
 * @throws unknown_account_error for a name in `options.accounts` that the file lacks (after the
 *         file itself was found valid), and config_error as `load_config(path, env)`.
 */
[[nodiscard]] components::component_config load_config(const std::filesystem::path& path,
                                                       const load_options& options);

/**
 * As `load_config`, from TOML text already in memory; `source_name` stands for the file in
 * messages (`source_name:3:7: ...`). Secret files named by the text are still read from disk.
 */
[[nodiscard]] components::component_config parse_config(
    std::string_view toml_text, std::string_view source_name,
    const environment& env = process_environment());

/** As `parse_config(text, source, env)`, with the accounts and credentials of `options`. */
[[nodiscard]] components::component_config parse_config(std::string_view toml_text,
                                                        std::string_view source_name,
                                                        const load_options& options);

}  // namespace posmode::tools
