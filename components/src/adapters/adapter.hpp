#pragma once

// The internal interface between the venue-neutral parts of posmode::components and the venue
// families. Each family lives in one file (binance.cpp, bitget.cpp) and provides:
// - the request specs for an account (rendered once into engine::request_template);
// - the mapping of a parsed answer to a venue_reply.

#include <cstdint>

#include "posmode/components/account_config.hpp"
#include "posmode/components/account_requests.hpp"
#include "posmode/components/credentials.hpp"
#include "posmode/components/venue_reply.hpp"
#include "posmode/engine/http_request.hpp"
#include "posmode/version.hpp"
#include "reply_support.hpp"

namespace posmode::components::detail {

/** The three per-product requests of an account. */
struct product_specs {
  engine::request_spec set_hedge;
  engine::request_spec set_one_way;
  engine::request_spec query;
};

/** The account-wide requests and where they go. */
struct account_specs {
  engine::request_spec ping;
  engine::request_spec time;
  endpoint api;
  endpoint time_host;
};

/** `User-Agent` sent on every request. */
inline constexpr const char* user_agent = "posmode/" POSMODE_VERSION_STRING;

/** The Host header value: the host, with ":port" unless it is 443. */
std::string host_header(const std::string& host, std::uint16_t port);

product_specs binance_product_specs(const account_config& config, product p,
                                    const credentials& creds);
account_specs binance_account_specs(const account_config& config);
void classify_binance(const parsed_answer& answer, std::int64_t wall_now_ms,
                      venue_reply& reply) noexcept;

product_specs bitget_product_specs(const account_config& config, product p,
                                   const credentials& creds);
account_specs bitget_account_specs(const account_config& config);
void classify_bitget(const parsed_answer& answer, position_mode requested,
                     venue_reply& reply) noexcept;

}  // namespace posmode::components::detail
