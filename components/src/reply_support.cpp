#include "reply_support.hpp"

#include <algorithm>
#include <limits>
#include <utility>

namespace posmode::components::detail {

static_assert(engine::body_padding >= simdjson::SIMDJSON_PADDING,
              "the parser's body buffer must carry simdjson's padding");

namespace {

using simdjson::ondemand::json_type;

// Bitget and OKX send some numbers as strings ("serverTime":"1700111073740", "ts":"...");
// accept both.
bool read_int(simdjson::ondemand::value& value, std::int64_t& out) noexcept {
  json_type type{};
  if (value.type().get(type)) return false;
  if (type == json_type::number) return !value.get_int64().get(out);
  if (type == json_type::string) {
    std::string_view text;
    return !value.get_string().get(text) && parse_decimal(text, out);
  }
  return false;
}

// The row's mode field, with the type the row says; another type fails the walk.
bool read_mode(simdjson::ondemand::value& value, const mode_field& mode,
               parsed_answer& a) noexcept {
  a.has_mode_value =
      mode.is_bool ? !value.get_bool().get(a.mode_flag) : !value.get_string().get(a.mode_text);
  return a.has_mode_value;
}

// The `rows` form: every element of the array must be an object; the mode key, where a row has
// it, must be an integer. An empty array is a valid answer that names no mode.
bool walk_rows(simdjson::ondemand::value& rows, const mode_field& mode, parsed_answer& a) noexcept {
  simdjson::ondemand::array array;
  if (rows.get_array().get(array)) return false;
  for (auto element_result : array) {
    simdjson::ondemand::object row;
    if (element_result.get_object().get(row)) return false;
    for (auto field_result : row) {
      simdjson::ondemand::field field;
      std::string_view key;
      if (std::move(field_result).get(field) || field.unescaped_key().get(key)) return false;
      if (key != mode.key) continue;
      std::int64_t value = 0;
      if (!read_int(field.value(), value)) return false;
      ++a.mode_rows;
      a.has_mode_value = true;
      if (value >= 0 && value < 32)
        a.row_values |= std::uint32_t{1} << value;
      else
        a.row_value_other = true;
    }
  }
  return true;
}

bool walk_data_object(simdjson::ondemand::object& object, const mode_field& mode,
                      parsed_answer& a) noexcept {
  for (auto field_result : object) {
    simdjson::ondemand::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) return false;
    if (!mode.rows.empty() && key == mode.rows) {
      if (!walk_rows(field.value(), mode, a)) return false;
    } else if (mode.rows.empty() && mode.in_data && key == mode.key) {
      if (!read_mode(field.value(), mode, a)) return false;
    } else if (key == mode.time_key) {
      if (!read_int(field.value(), a.server_time)) return false;
    } else if (!mode.permission_key.empty() && key == mode.permission_key) {
      // Only the preflight reads it; a value of another type must not cost the mode read.
      std::string_view text;
      if (!field.value().get_string().get(text)) {
        a.has_permissions = true;
        a.permissions = text;
      }
    }
  }
  return true;
}

bool walk_data(simdjson::ondemand::value& data, const mode_field& mode, parsed_answer& a) noexcept {
  json_type type{};
  if (data.type().get(type)) return false;
  simdjson::ondemand::object object;
  if (type == json_type::array) {
    // OKX wraps every result in an array ("data":[{"posMode":...}], "data":[{"ts":...}]); only
    // the first element carries what posmode reads. The others are skipped unread.
    simdjson::ondemand::array array;
    if (data.get_array().get(array)) return false;
    bool first = true;
    for (auto element_result : array) {
      simdjson::ondemand::value element;
      if (std::move(element_result).get(element)) return false;
      if (!first) continue;
      first = false;
      json_type element_type{};
      if (element.type().get(element_type)) return false;
      if (element_type != json_type::object) continue;
      if (element.get_object().get(object) || !walk_data_object(object, mode, a)) return false;
    }
    return true;
  }
  if (type != json_type::object) return true;  // null or "success" (Bitget): nothing to read
  if (data.get_object().get(object)) return false;
  return walk_data_object(object, mode, a);
}

bool walk(simdjson::ondemand::document& doc, const mode_field& mode, parsed_answer& a) noexcept {
  simdjson::ondemand::object object;
  if (auto e = doc.get_object().get(object)) {
    a.json_error = e;
    return false;
  }
  for (auto field_result : object) {
    simdjson::ondemand::field field;
    std::string_view key;
    if (auto e = std::move(field_result).get(field)) {
      a.json_error = e;
      return false;
    }
    if (auto e = field.unescaped_key().get(key)) {
      a.json_error = e;
      return false;
    }
    simdjson::ondemand::value& value = field.value();
    bool ok = true;
    if (key == mode.code_key) {
      a.has_code = true;
      json_type type{};
      ok = !value.type().get(type);
      if (ok && type == json_type::string) {
        a.code_is_string = true;
        ok = !value.get_string().get(a.code_text);
        if (ok) a.code_numeric = parse_decimal(a.code_text, a.code);
      } else if (ok) {
        ok = !value.get_int64().get(a.code);
        a.code_numeric = ok;
      }
    } else if (key == mode.message_key) {
      json_type type{};
      ok = !value.type().get(type);
      if (ok && type == json_type::string) ok = !value.get_string().get(a.msg);
    } else if (!mode.in_data && mode.rows.empty() && key == mode.key) {
      ok = read_mode(value, mode, a);
    } else if (key == mode.time_key) {
      ok = read_int(value, a.server_time);
    } else if (key == mode.data_key) {
      ok = walk_data(value, mode, a);
    }
    if (!ok) {
      a.json_error = simdjson::INCORRECT_TYPE;
      return false;
    }
  }
  // On Demand reads lazily: make sure nothing but whitespace follows the object (past the end,
  // current_location() reports OUT_OF_BOUNDS).
  if (doc.current_location().error() == simdjson::SUCCESS) {
    a.json_error = simdjson::TRAILING_CONTENT;
    return false;
  }
  return true;
}

std::string_view trim(std::string_view s) noexcept {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_space(s.back()))
    s.remove_suffix(1);
  return s;
}

}  // namespace

void read_answer(const engine::http_response_parser& response, simdjson::ondemand::parser& json,
                 const mode_field& mode, std::int64_t wall_now_ms, parsed_answer& answer,
                 venue_reply& reply) noexcept {
  answer.status = response.status();
  answer.body = response.body();
  answer.content = response.content_type();
  answer.usage = response.usage_headers();
  reply.http_status = static_cast<std::int16_t>(answer.status);
  reply.used_weight_1m = response.used_weight();
  constexpr std::int64_t max_seconds = max_retry_after_ms / 1000;
  if (const std::int64_t s = response.retry_after_seconds(); s >= 0) {
    reply.retry_after_ms = std::min(s, max_seconds) * 1000;
  } else if (const std::int64_t at = response.retry_after_epoch_seconds(); at >= 0) {
    // An IMF-fixdate is at most year 9999, so its milliseconds fit; the clock may be anything.
    reply.retry_after_ms = bounded_wait_ms(at * 1000, wall_now_ms);
  }

  const std::string_view body = trim(answer.body);
  if (body.empty() || body.front() != '{') {
    answer.json_error = simdjson::TAPE_ERROR;
    return;
  }
  simdjson::ondemand::document doc;
  if (auto e = json.iterate(answer.body.data(), answer.body.size(),
                            answer.body.size() + engine::body_padding)
                   .get(doc)) {
    answer.json_error = e;
    return;
  }
  answer.json = walk(doc, mode, answer);
  if (!answer.json) return;
  // Kept as sent, for every venue: the string code (Bitget) and the message.
  if (answer.has_code && answer.code_is_string) reply.code_text.assign(answer.code_text);
  reply.message.assign(answer.msg);
}

void describe_non_json(const parsed_answer& answer, venue_reply& reply) noexcept {
  std::string_view body = answer.body;
  // An HTML error page names itself in <title>; that is the most useful line to keep.
  const auto open = body.find("<title>");
  if (open != std::string_view::npos) {
    const auto start = open + 7;
    const auto close = body.find("</title>", start);
    if (close != std::string_view::npos) {
      reply.message.assign(trim(body.substr(start, close - start)));
      return;
    }
  }
  reply.message.assign(trim(body));
}

}  // namespace posmode::components::detail
