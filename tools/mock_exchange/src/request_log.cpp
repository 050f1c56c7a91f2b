#include "posmode/mock/request_log.hpp"

#include <ctime>
#include <string>

namespace posmode::mock {

namespace {

// `2026-01-02T03:04:05.678Z`: UTC with milliseconds, as both log formats print it.
std::string utc_stamp(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const auto since_epoch = duration_cast<milliseconds>(time.time_since_epoch());
  const std::time_t seconds = static_cast<std::time_t>(since_epoch.count() / 1000);
  const auto millis = static_cast<int>(since_epoch.count() % 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[32];
  const std::size_t n = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
  std::string line(stamp, n);
  line += '.';
  line += static_cast<char>('0' + millis / 100);
  line += static_cast<char>('0' + millis / 10 % 10);
  line += static_cast<char>('0' + millis % 10);
  line += 'Z';
  return line;
}

// The target is the client's: any byte may be in it, and the line must stay valid JSON (and
// UTF-8) whatever it holds, so everything outside printable ASCII is written as \u00XX.
void append_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  for (const char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (b < 0x20 || b >= 0x7f) {
      out += "\\u00";
      out += hex[b >> 4];
      out += hex[b & 0xfU];
    } else {
      out += c;
    }
  }
  out += '"';
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out += out.size() == 1 ? "\"" : ",\"";
  out += name;
  out += "\":";
  if (value.empty())
    out += "null";
  else
    append_json_string(out, value);
}

}  // namespace

std::string mask_api_key(std::string_view api_key) {
  // Short keys would be mostly revealed by 4 + 4 characters.
  if (api_key.size() <= 12) return api_key.empty() ? std::string() : std::string("****");
  std::string out(api_key.substr(0, 4));
  out += "...";
  out += api_key.substr(api_key.size() - 4);
  return out;
}

std::string format_record(const request_record& record) {
  std::string line = utc_stamp(record.time);
  line += ' ';
  line += record.method;
  line += ' ';
  line += record.target;
  if (!record.api_key.empty()) {
    line += " key=";
    line += record.api_key;
  }
  line += " -> ";
  line += record.http_status == 0 ? std::string("---") : std::to_string(record.http_status);
  line += ' ';
  line += record.outcome;
  if (!record.fault.empty()) {
    line += " [fault ";
    line += record.fault;
    line += ']';
  }
  return line;
}

std::string format_record_json(const request_record& record) {
  const std::string_view target = record.target;
  const std::size_t question = target.find('?');
  std::string line = "{";
  append_field(line, "time", utc_stamp(record.time));
  append_field(line, "venue", record.venue);
  append_field(line, "method", record.method);
  append_field(line, "path", target.substr(0, question));
  append_field(
      line, "query",
      question == std::string_view::npos ? std::string_view{} : target.substr(question + 1));
  append_field(line, "key", record.api_key);
  line += ",\"http_status\":";
  line += record.http_status == 0 ? std::string("null") : std::to_string(record.http_status);
  append_field(line, "code", record.outcome == "-" ? std::string_view{} : record.outcome);
  append_field(line, "fault", record.fault);
  line += '}';
  return line;
}

}  // namespace posmode::mock
