#include "posmode/components/response_classifier.hpp"

#include <simdjson.h>

#include <stdexcept>

#include "adapters/adapter.hpp"
#include "posmode/engine/error.hpp"

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
  detail::parsed_answer answer;
  detail::read_answer(response, impl_->json, wall_now_ms, answer, reply);
  if (is_binance(v))
    detail::classify_binance(answer, wall_now_ms, reply);
  else
    detail::classify_bitget(answer, requested, reply);
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
    reply.used_weight_1m = response.used_weight_1m();
  }
  // The cause, as static text: no formatting, no allocation.
  reply.message.assign(engine::describe(error));
  return reply;
}

}  // namespace posmode::components
