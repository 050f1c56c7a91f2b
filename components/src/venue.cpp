#include "posmode/components/venue.hpp"

#include "ascii.hpp"
#include "posmode/components/venue_facts.hpp"
#include "posmode/components/venue_reply.hpp"

namespace posmode::components {

// Venue and product names are the venue table's (each venue's file declares its own).
std::string_view to_string(venue v) noexcept {
  const venue_facts* f = find_venue(v);
  return f != nullptr ? f->name : "?";
}

std::string_view to_string(product p) noexcept {
  const product_facts* f = find_product(p);
  return f != nullptr ? f->name : "?";
}

std::string_view to_string(position_mode m) noexcept {
  return m == position_mode::hedge ? "hedge" : "one-way";
}

std::string_view to_string(request_kind k) noexcept {
  switch (k) {
    case request_kind::set_mode:
      return "set_mode";
    case request_kind::query_mode:
      return "query_mode";
    case request_kind::ping:
      return "ping";
    case request_kind::server_time:
      return "server_time";
  }
  return "?";
}

std::string_view to_string(outcome o) noexcept {
  switch (o) {
    case outcome::applied:
      return "applied";
    case outcome::already_in_mode:
      return "already_in_mode";
    case outcome::mode_reported:
      return "mode_reported";
    case outcome::ok:
      return "ok";
    case outcome::blocked_positions:
      return "blocked_positions";
    case outcome::blocked_orders:
      return "blocked_orders";
    case outcome::blocked_um_cm_mismatch:
      return "blocked_um_cm_mismatch";
    case outcome::blocked_positions_or_orders:
      return "blocked_positions_or_orders";
    case outcome::clock_skew:
      return "clock_skew";
    case outcome::bad_signature:
      return "bad_signature";
    case outcome::key_or_permission:
      return "key_or_permission";
    case outcome::wrong_environment:
      return "wrong_environment";
    case outcome::rate_limited:
      return "rate_limited";
    case outcome::ip_banned:
      return "ip_banned";
    case outcome::unknown:
      return "unknown";
    case outcome::venue_error:
      return "venue_error";
    case outcome::mode_not_supported:
      return "mode_not_supported";
    case outcome::malformed:
      return "malformed";
  }
  return "?";
}

std::optional<venue> parse_venue(std::string_view name) noexcept {
  for (const venue_facts* f : known_venues())
    if (f->name == name) return f->id;
  return std::nullopt;
}

std::optional<product> parse_product(std::string_view name) noexcept {
  for (const venue_facts* f : known_venues())
    for (const product_facts& p : f->products)
      if (detail::iequals(p.name, name)) return p.id;
  return std::nullopt;
}

std::optional<position_mode> parse_position_mode(std::string_view name) noexcept {
  if (name == "hedge") return position_mode::hedge;
  if (name == "one-way" || name == "one_way") return position_mode::one_way;
  return std::nullopt;
}

}  // namespace posmode::components
