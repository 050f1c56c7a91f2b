// The CLI's log hook: the component's records on stderr, as text after the CLI's `posmode: `
// prefix, or as JSON lines for a log shipper.

#include <array>
#include <cstdio>

#include "cli.hpp"

namespace posmode::cli {

namespace pc = posmode::components;

void install_log_hook(pc::position_mode_component& c, bool verbose, bool json) {
  c.set_log_hook(
      [json](const pc::log_record& r) {
        std::array<char, pc::log_format_capacity> line{};
        if (json) {
          const std::size_t n = pc::format_json(r, line);
          std::fprintf(stderr, "%.*s\n", static_cast<int>(n), line.data());
        } else {
          const std::size_t n = pc::format_text(r, line, {.time = false});
          std::fprintf(stderr, "posmode: %.*s\n", static_cast<int>(n), line.data());
        }
      },
      verbose ? pc::log_level::debug : pc::log_level::warning);
}

}  // namespace posmode::cli
