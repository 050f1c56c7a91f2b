// Gate APIv4 perpetual futures: every fact posmode keeps about it (its row of the venue table:
// names, one scope per settle currency, hosts, windows, rate-limit headers, credentials), the
// request layout and the answer classification. Facts: docs/venues.md §5b; layout: §7.

#include <array>
#include <limits>
#include <string>

#include "posmode/engine/hmac_sha512_signer.hpp"
#include "venues/venue_table.hpp"

namespace posmode::components::detail {
namespace {

constexpr std::string_view futures_prefix = "/api/v4/futures/";
constexpr std::string_view time_path = "/api/v4/spot/time";

// SIGN = hex(HMAC-SHA512(secret, METHOD \n path \n query \n hex(SHA-512(body)) \n timestamp)),
// the timestamp in whole seconds, in the `Timestamp` header and in the signed string alike
// (docs/venues.md §5b.2). posmode's requests have no body, so the body hash is SHA-512 of the
// empty string: hashed here once, at construction, and never again on a re-sign.
engine::request_spec signed_request(const account_config& config, const credentials& creds,
                                    std::string_view method, const std::string& path,
                                    const std::string& query) {
  std::array<char, engine::hmac_sha512_signer::hex_size> empty_body_hash{};
  engine::sha512_hex({}, empty_body_hash);

  engine::request_spec spec;
  spec.method = std::string(method);
  spec.host = host_header(std::string(api_host(config)), config.port);
  // The mode is a query parameter, never a JSON body (§5b.1; ccxt's implicit method sends a body,
  // which the doc and the official SDKs do not).
  spec.target = engine::request_text(query.empty() ? path : path + "?" + query);
  spec.headers = {
      {"User-Agent", user_agent},
      {"Accept", "application/json"},
      {"Content-Type", "application/json"},
      {"KEY", creds.api_key},
      {"Timestamp", engine::request_text().timestamp()},
      {"SIGN", engine::request_text().signature()},
  };
  engine::request_text signed_text;
  signed_text.text(method)
      .text("\n")
      .text(path)
      .text("\n")
      .text(query)
      .text("\n")
      .text(std::string_view(empty_body_hash.data(), empty_body_hash.size()))
      .text("\n")
      .timestamp();
  spec.signed_text = std::move(signed_text);
  spec.encoding = engine::signature_encoding::hex_lower;
  spec.algorithm = engine::signature_algorithm::hmac_sha512;
  spec.time_format = engine::timestamp_format::epoch_s;
  return spec;
}

std::string settle_of(product p) {
  const product_facts* facts = find_product(p);
  return facts != nullptr ? std::string(facts->name) : std::string("usdt");
}

// `single` and `dual` are the modes posmode sets; `dual_plus` (split positions) it never sends.
product_specs product_specs_of(const account_config& config, product p, const credentials& creds) {
  const std::string base = std::string(futures_prefix) + settle_of(p);
  const std::string set_path = base + "/set_position_mode";
  return {signed_request(config, creds, "POST", set_path, "position_mode=dual"),
          signed_request(config, creds, "POST", set_path, "position_mode=single"),
          signed_request(config, creds, "GET", base + "/accounts", {})};
}

// Gate has no ping endpoint: the public time request (spot/time, milliseconds) is the keep-alive.
account_specs account_specs_of(const account_config& config) {
  return public_time_specs(config, time_path, {{"Accept", "application/json"}});
}

// The split mode is set as `dual_plus` and documented to read back as `dual_plus` or `split`
// (§5b.1): a real mode, but neither of the two posmode expresses.
bool is_split(std::string_view value) noexcept {
  return value == "dual_plus" || value == "split";
}

bool parse_mode(const parsed_answer& a, position_mode& out) noexcept {
  if (!a.has_mode_value) return false;
  if (a.mode_text == "dual") {
    out = position_mode::hedge;
    return true;
  }
  if (a.mode_text == "single") {
    out = position_mode::one_way;
    return true;
  }
  return false;
}

// Gate's error labels posmode reacts to (§5b.3, ccxt's table); any other label is venue_error,
// which the row's read_back_on_error settles by reading position_mode back.
struct label_rule {
  std::string_view label;
  outcome result;
};
constexpr std::array<label_rule, 12> gate_labels{{
    {"INVALID_SIGNATURE", outcome::bad_signature},
    {"REQUEST_EXPIRED", outcome::clock_skew},
    {"INVALID_KEY", outcome::key_or_permission},
    {"INVALID_CREDENTIALS", outcome::key_or_permission},
    {"MISSING_REQUIRED_HEADER", outcome::key_or_permission},
    {"IP_FORBIDDEN", outcome::key_or_permission},
    {"READ_ONLY", outcome::key_or_permission},
    {"FORBIDDEN", outcome::key_or_permission},
    {"USER_NOT_FOUND", outcome::key_or_permission},
    {"TOO_MANY_REQUESTS", outcome::rate_limited},
    // ccxt's label for open positions; Gate ties no label to the mode switch, and its one
    // prerequisite is "no holdings and no pending orders" (§5b.1): positions or orders, and the
    // mode is read back all the same.
    {"POSITION_HOLDING", outcome::blocked_positions_or_orders},
    // ccxt's "No change is made": not tied to the switch either; the read-back decides.
    {"NO_CHANGE", outcome::venue_error},
}};

outcome outcome_of_label(std::string_view label) noexcept {
  for (const label_rule& rule : gate_labels)
    if (rule.label == label) return rule.result;
  return outcome::venue_error;
}

// X-Gate-RateLimit-Reset-Timestamp: when the limit resets, in seconds (§5b.3).
constexpr std::string_view reset_header = "x-gate-ratelimit-reset-timestamp";

void retry_from_reset(const parsed_answer& a, std::int64_t wall_now_ms, venue_reply& r) noexcept {
  if (r.retry_after_ms >= 0) return;
  constexpr std::int64_t max_seconds = std::numeric_limits<std::int64_t>::max() / 1000;
  for (const engine::usage_header& h : a.usage)
    if (h.value >= 0 && iequals(h.name(), reset_header)) {
      r.retry_after_ms = bounded_wait_ms(
          h.value < max_seconds ? h.value * 1000 : std::numeric_limits<std::int64_t>::max(),
          wall_now_ms);
      return;
    }
}

// A mode posmode cannot express, kept as Gate named it: the event reports that value, never
// hedge or one-way.
void describe_split(std::string_view value, venue_reply& r) noexcept {
  r.message.assign("position_mode ");
  r.message.append(value);
  if (value != "split") r.message.append(" (split)");
  r.message.append(": neither single nor dual");
}

// A success whose account object names the other mode: the read-back decides, and the event
// keeps what the echo said (Gate's success carries no message of its own).
void describe_other_echo(std::string_view value, venue_reply& r) noexcept {
  r.message.assign("the answer's account names position_mode ");
  r.message.append(value);
}

void classify_success(const parsed_answer& a, position_mode requested, venue_reply& r) noexcept {
  position_mode reported{};
  const bool has_mode = parse_mode(a, reported);
  const bool split = a.has_mode_value && is_split(a.mode_text);
  switch (r.kind) {
    case request_kind::set_mode:
      // The answer is the account object after the switch (§5b.1): its position_mode is checked.
      r.has_mode = has_mode;
      r.mode = has_mode ? reported : requested;
      r.result = has_mode ? outcome::applied : outcome::malformed;
      if (split) describe_split(a.mode_text, r);
      if (has_mode && reported != requested) describe_other_echo(a.mode_text, r);
      break;
    case request_kind::query_mode:
      r.has_mode = has_mode;
      r.mode = reported;
      // Split is a mode read, not a failed read: reported, without a hedge/one-way value.
      r.result = has_mode || split ? outcome::mode_reported : outcome::malformed;
      if (split) describe_split(a.mode_text, r);
      break;
    case request_kind::server_time:
    case request_kind::ping:
      r.result = a.server_time > 0 ? outcome::ok : outcome::malformed;
      r.server_time_ms = a.server_time;
      break;
  }
}

void classify(const parsed_answer& a, position_mode requested, std::int64_t wall_now_ms,
              venue_reply& r) noexcept {
  const bool set = r.kind == request_kind::set_mode;
  // Gate's codes are text labels: `code_text` keeps the label, `code` stays 0.
  r.has_code = a.has_code && a.code_is_string;
  r.code = 0;
  const bool rate_label = r.has_code && a.code_text == "TOO_MANY_REQUESTS";

  if (a.status == 429 || rate_label) {
    r.result = outcome::rate_limited;
    retry_from_reset(a, wall_now_ms, r);
    if (!a.json) describe_non_json(a, r);
  } else if (a.status == 408) {
    r.result = outcome::unknown;
  } else if (!a.json) {
    // An HTML 5xx from a proxy says nothing of the request either way.
    r.result = a.status >= 500 ? outcome::unknown : outcome::malformed;
    describe_non_json(a, r);
  } else if (r.has_code) {
    r.result = outcome_of_label(a.code_text);
    if (!set && is_blocked(r.result)) r.result = outcome::venue_error;
    if (a.status >= 500 && r.result == outcome::venue_error) r.result = outcome::unknown;
  } else if (a.has_code || a.status != 200) {
    // A label that is not a string, or no label under another status than 200: not an answer
    // Gate documents. 202 ("accepted, not processed yet") and 5xx leave the outcome open.
    r.result = a.status >= 500 || a.status == 202 ? outcome::unknown
               : a.status < 300                   ? outcome::malformed
                                                  : outcome::venue_error;
  } else {
    classify_success(a, requested, r);
  }

  if (set) {
    // An echo naming the other mode (or split) proves nothing about the final state: read back.
    r.verify_by_query = r.result == outcome::unknown || r.result == outcome::malformed ||
                        (r.result == outcome::applied && r.has_mode && r.mode != requested);
  }
}

// Gate's demo is not a header (the testnet is its own host, §5b.3): Bitget's spelling of demo
// has no meaning here.
void check_account(const account_config& c, std::string_view where) {
  if (c.environment == venue_environment::demo)
    refuse_field("environment", {"Gate has no demo environment; its test environment is "
                                 "environment = testnet (fx-api-testnet.gateio.ws)",
                                 where});
  if (c.bitget_demo_key)
    refuse_field("bitget_demo_key",
                 {"is a Bitget setting; Gate's test environment is environment = testnet", where});
}

// The mode is per settle account, not per contract (§5b.1). `usd1` appears only in unsourced
// notes and is not offered.
constexpr product_facts products[] = {
    {.id = product::gate_usdt, .name = "usdt", .live_twin = product::gate_usdt},
    {.id = product::gate_btc, .name = "btc", .live_twin = product::gate_btc},
};
constexpr product defaults[] = {product::gate_usdt};

}  // namespace

constinit const venue_row gate_row{
    venue_facts{
        .id = venue::gate,
        .name = "gate",
        .display_name = "Gate",
        .family = "gate",
        .products = products,
        .default_products = defaults,
        .default_product = product::gate_usdt,
        // The Go SDK's production and testnet hosts (§5b.3); Gate has no header-style demo.
        .hosts = {"api.gateio.ws", "fx-api-testnet.gateio.ws", ""},
        .demo_by_header = false,
        .sends_recv_window = false,
        // Gate states no skew in the material read (§5b.2, §10): signatures are budgeted as if
        // it were Binance's default window, and a lost set is taken to stay executable for 60 s
        // after its timestamp, ahead or behind (assumption A-G1; the mock enforces the same).
        .assumed_window_ms = 5'000,
        .acceptance_window_ms = 60'000,
        .ahead_tolerance_ms = 60'000,
        .signature = engine::signature_algorithm::hmac_sha512,
        .needs_passphrase = false,
        // No label is documented for "positions or orders exist" or "already in that mode"
        // (§5b.1): every answer but success is settled by reading position_mode back.
        .read_back_on_error = true,
        // X-Gate-RateLimit-Requests-Remain, -Limit and -Reset-Timestamp (§5b.3): remaining
        // requests, not a used weight.
        .usage_header_prefixes = {"x-gate-ratelimit"},
        .used_weight_header = {},
        .credential_env = {"GATE_API_KEY", "GATE_API_SECRET", ""},
        .key_header = "KEY",
        .passphrase_header = {},
    },
    {.key = "position_mode",
     .in_data = false,
     .is_bool = false,
     .code_key = "label",
     .message_key = "message",
     .data_key = {},
     .time_key = "server_time"},
    product_specs_of,
    account_specs_of,
    check_account,
    classify,
    parse_mode,
};

}  // namespace posmode::components::detail
