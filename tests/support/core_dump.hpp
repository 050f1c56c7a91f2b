#pragma once

// Whether an address lies in memory the kernel leaves out of core dumps: the mapping that holds
// it carries the `dd` flag (MADV_DONTDUMP) in /proc/self/smaps.

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

namespace posmode::test {

inline bool excluded_from_core_dumps(const void* p) {
  const auto address = reinterpret_cast<std::uintptr_t>(p);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    // A mapping's first line: "start-end perms offset dev inode path".
    const auto dash = line.find('-');
    const auto space = line.find(' ');
    if (dash != std::string::npos && space != std::string::npos && dash < space &&
        line.find(':') > space) {
      const std::uintptr_t start = std::stoull(line.substr(0, dash), nullptr, 16);
      const std::uintptr_t end = std::stoull(line.substr(dash + 1, space - dash - 1), nullptr, 16);
      inside = address >= start && address < end;
      continue;
    }
    if (inside && line.rfind("VmFlags:", 0) == 0) {
      std::istringstream flags(line.substr(8));
      std::string flag;
      while (flags >> flag)
        if (flag == "dd") return true;
      return false;
    }
  }
  return false;
}

}  // namespace posmode::test
