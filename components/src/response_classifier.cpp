#include "posmode/components/response_classifier.hpp"

#include <simdjson.h>

#include <stdexcept>

#include "posmode/engine/error.hpp"
#include "venues/venue_table.hpp"

namespace posmode::components {

struct response_classifier::impl {
  simdjson::ondemand::parser json;
};

response_classifier::response_classifier(std::size_t max_body_bytes)
    : impl_(std::make_unique<impl>()) {
  // Reserve once so that no classification ever grows the parser's buffers.
  if (impl_->json.allocate(max_body_bytes) != simdjson::SUCCESS)
    throw std::runtime_error("response_classifier: cannot reserve the JSON parser's buffers");
}

response_classifier::~response_classifier() = default;

venue_reply response_classifier::classify(venue v, request_kind kind, position_mode requested,
                                          const engine::http_response_parser& response,
                                          std::int64_t wall_now_ms) noexcept {
  venue_reply reply;
  reply.kind = kind;
  const detail::venue_row* row = detail::find_row(v);
  if (row == nullptr) {
    // Configuration refuses such a venue; a caller that still passes one gets no guess.
    reply.result = outcome::venue_error;
    reply.verify_by_query = kind == request_kind::set_mode;
    reply.message.assign("no venue table row for this venue");
    return reply;
  }
  detail::parsed_answer answer;
  detail::read_answer(response, impl_->json, row->mode_answer, wall_now_ms, answer, reply);
  row->classify(answer, requested, wall_now_ms, reply);
  // The venue's open-outcome policy: an unrecognised answer to a set request is settled by
  // reading the mode back where the venue documents too few codes to trust one (Bitget).
  if (kind == request_kind::set_mode && row->facts.read_back_on_error &&
      reply.result == outcome::venue_error)
    reply.verify_by_query = true;
  return reply;
}

venue_reply response_classifier::parse_failure(
    request_kind kind, std::error_code error,
    const engine::http_response_parser& response) noexcept {
  venue_reply reply;
  reply.kind = kind;
  reply.result = outcome::malformed;
  reply.verify_by_query = kind == request_kind::set_mode;
  reply.parse_error = error.category() == engine::engine_category() ? error.value() : -1;
  if (response.header_done()) {
    reply.http_status = static_cast<std::int16_t>(response.status());
    reply.used_weight_1m = response.used_weight();
  }
  // The cause, as static text: no formatting, no allocation.
  reply.message.assign(engine::describe(error));
  return reply;
}

}  // namespace posmode::components
