#pragma once

// Private helpers on bytes: HMAC, query strings, headers, response rendering. Independent of
// posmode's engine on purpose (the mock must not share the code it checks).

#include <boost/beast/http.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace posmode::mock::detail {

struct reply;

/** Lowercase hex of HMAC-SHA256(`key`, `message`), by OpenSSL's one-shot `HMAC()`. */
[[nodiscard]] std::string hmac_sha256_hex(std::string_view key, std::string_view message);
/** Base64 of HMAC-SHA256(`key`, `message`), by OpenSSL's one-shot `HMAC()`. */
[[nodiscard]] std::string hmac_sha256_base64(std::string_view key, std::string_view message);

/**
 * True when `base64` (standard alphabet, padded) is a valid signature of `message` by the public
 * key in `public_pem` (pure Ed25519 for an Ed25519 key; RSASSA-PKCS1-v1_5 with SHA-256 for RSA),
 * by OpenSSL's `EVP_DigestVerify`. False for anything that does not parse.
 */
[[nodiscard]] bool verify_base64_signature(std::string_view public_pem, std::string_view message,
                                           std::string_view base64);
/** The base id (`EVP_PKEY_ED25519`, `EVP_PKEY_RSA`) of the public key in `public_pem`, 0 if none;
 *  `bits` gets its size. */
[[nodiscard]] int public_key_type(std::string_view public_pem, int& bits);

/** Lowercase hex (128 characters) of HMAC-SHA512(`key`, `message`), OpenSSL one-shot `HMAC()`. */
[[nodiscard]] std::string hmac_sha512_hex(std::string_view key, std::string_view message);
/** Lowercase hex (128 characters) of SHA-512(`data`), OpenSSL one-shot `EVP_Digest()`. */
[[nodiscard]] std::string sha512_hex(std::string_view data);
/**
 * `text` with `%XX` escapes decoded and `+` read as a space (Go's `url.QueryUnescape`, what Gate's
 * SDK signs); a `%` not followed by two hex digits is kept as it is.
 */
[[nodiscard]] std::string query_unescape(std::string_view text);

/** ASCII case-insensitive equality. */
[[nodiscard]] bool iequals(std::string_view a, std::string_view b) noexcept;
/** ASCII upper-case copy. */
[[nodiscard]] std::string to_upper(std::string_view s);

/**
 * The value of the first `name=value` pair of an `&`-separated string (no percent-decoding: the
 * parameters of these endpoints never need it); nullopt when absent.
 */
[[nodiscard]] std::optional<std::string_view> find_param(std::string_view params,
                                                         std::string_view name) noexcept;
/** Parses a whole non-negative decimal; nullopt on anything else (empty, sign, junk, overflow). */
[[nodiscard]] std::optional<std::int64_t> parse_int(std::string_view s) noexcept;

/** The media type of a `Content-Type` value: what precedes any `;` parameter, spaces trimmed. */
[[nodiscard]] std::string_view media_type(std::string_view content_type) noexcept;

/** A header's value as a std::string_view (empty when absent). */
[[nodiscard]] std::string_view header(const boost::beast::http::fields& fields,
                                      std::string_view name) noexcept;

/**
 * The whole HTTP/1.1 response for `r`: status line, `Content-Type`, `Content-Length`,
 * `Connection`, `r.headers`, body.
 */
[[nodiscard]] std::string render(const reply& r, bool keep_alive);

}  // namespace posmode::mock::detail
