#include "posmode/mock/request_log.hpp"

#include <ctime>
#include <string>

namespace posmode::mock {

std::string mask_api_key(std::string_view api_key) {
  // Short keys would be mostly revealed by 4 + 4 characters.
  if (api_key.size() <= 12) return api_key.empty() ? std::string() : std::string("****");
  std::string out(api_key.substr(0, 4));
  out += "...";
  out += api_key.substr(api_key.size() - 4);
  return out;
}

std::string format_record(const request_record& record) {
  using namespace std::chrono;
  const auto since_epoch = duration_cast<milliseconds>(record.time.time_since_epoch());
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
  line += "Z ";
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

}  // namespace posmode::mock
