#pragma once

#include <string>
#include <string_view>

namespace posmode::tools {

/**
 * `text` made safe to write to a terminal: C0 control bytes, DEL and the C1 controls as UTF-8
 * (U+0080..U+009F, which some terminals obey like ESC) are written as `\xNN`, so a venue's
 * message or a configuration value can never move the cursor, retitle the window or rewrite
 * earlier output. Printable ASCII and other UTF-8 pass unchanged. Allocates; any thread.
 */
[[nodiscard]] std::string printable(std::string_view text);

}  // namespace posmode::tools
