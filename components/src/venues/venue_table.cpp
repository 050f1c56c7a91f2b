#include "venues/venue_table.hpp"

#include <array>
#include <cassert>
#include <stdexcept>
#include <string>
#include <utility>

#include "posmode/components/response_classifier.hpp"

namespace posmode::components {
namespace detail {
namespace {

// In the order of `venue`'s values: find_row() indexes it and checks the row's id, so a row out
// of place is refused rather than answered for another venue (venue_table_test checks the order).
constexpr std::array<const venue_row*, 7> rows{
    &binance_papi_row,   // venue::binance_papi
    &binance_usdm_row,   // venue::binance_usdm
    &binance_coinm_row,  // venue::binance_coinm
    &bitget_row,         // venue::bitget
    &okx_row,            // venue::okx
    &bybit_row,          // venue::bybit
    &gate_row,           // venue::gate
};

// The facts of each row, for the public view of the table.
constexpr std::array<const venue_facts*, rows.size()> facts{
    &binance_papi_row.facts,   // venue::binance_papi
    &binance_usdm_row.facts,   // venue::binance_usdm
    &binance_coinm_row.facts,  // venue::binance_coinm
    &bitget_row.facts,         // venue::bitget
    &okx_row.facts,            // venue::okx
    &bybit_row.facts,          // venue::bybit
    &gate_row.facts,           // venue::gate
};

}  // namespace

const venue_row* find_row(venue v) noexcept {
  const auto index = static_cast<std::size_t>(v);
  if (index >= rows.size() || rows[index]->facts.id != v) return nullptr;
  return rows[index];
}

const venue_row& row_of(venue v) noexcept {
  const venue_row* row = find_row(v);
  assert(row != nullptr && "validate_account() refuses a venue the table does not know");
  return row != nullptr ? *row : *rows.front();
}

std::span<const venue_row* const> venue_rows() noexcept {
  return rows;
}

bool reads_back_on_error(venue v) noexcept {
  const venue_row* row = find_row(v);
  return row != nullptr && row->facts.read_back_on_error;
}

void refuse_field(std::string_view field, std::initializer_list<std::string_view> why) {
  // Appended to one reserved string: g++ 12 at -O3 reports a false -Wrestrict inside chains of
  // `const char* + std::string` (libstdc++'s operator+ inlined).
  std::size_t size = field.size() + 2;
  for (const std::string_view part : why)
    size += part.size();
  std::string message;
  message.reserve(size);
  message.append(field).append(": ");
  for (const std::string_view part : why)
    message.append(part);
  throw std::invalid_argument(message);
}

}  // namespace detail

const venue_facts* find_venue(venue v) noexcept {
  const detail::venue_row* row = detail::find_row(v);
  return row != nullptr ? &row->facts : nullptr;
}

const venue_facts& facts_of(venue v) noexcept {
  return detail::row_of(v).facts;
}

std::span<const venue_facts* const> known_venues() noexcept {
  return detail::facts;
}

const product_facts* find_product(product p) noexcept {
  for (const detail::venue_row* row : detail::rows)
    for (const product_facts& entry : row->facts.products)
      if (entry.id == p) return &entry;
  return nullptr;
}

std::optional<venue> venue_of(product p) noexcept {
  for (const detail::venue_row* row : detail::rows)
    for (const product_facts& entry : row->facts.products)
      if (entry.id == p) return row->facts.id;
  return std::nullopt;
}

engine::http_limits venue_http_limits(venue v, engine::http_limits base) noexcept {
  if (const venue_facts* f = find_venue(v)) {
    base.usage_header_prefixes = f->usage_header_prefixes;
    base.used_weight_header = f->used_weight_header;
  }
  return base;
}

}  // namespace posmode::components
