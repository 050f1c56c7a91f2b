#pragma once

// What a venue's file builds for an account: the request specs, rendered once into
// engine::request_template by account_requests. The venue's row (venue_table.hpp) points to its
// builders.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "posmode/components/account_config.hpp"
#include "posmode/components/account_requests.hpp"
#include "posmode/components/credentials.hpp"
#include "posmode/engine/http_request.hpp"
#include "posmode/version.hpp"

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

/** The Host header value: the host, with ":port" unless it is 443. Allocates. */
std::string host_header(const std::string& host, std::uint16_t port);

/**
 * The account-wide requests of a venue without a ping endpoint: its public time request on the
 * API host, which doubles as the keep-alive. `extra_headers` follow `User-Agent`. Allocates.
 */
account_specs public_time_specs(const account_config& config, std::string_view time_path,
                                std::vector<engine::request_header> extra_headers = {});

}  // namespace posmode::components::detail
