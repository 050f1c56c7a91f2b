#pragma once

// Raw latency samples to CSV, for plots (scripts/bench renders them with gnuplot). One file per
// variant, one sample per line in the order it was taken, in nanoseconds. Benchmark-only code.

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <system_error>

namespace posmode::bench {

/**
 * Writes `samples` to `dir`/`stem`.csv (header `latency_ns`), creating `dir` if needed.
 * @return an empty string on success, else what failed (with the path and the system's reason).
 */
inline std::string write_samples_csv(const std::string& dir, const std::string& stem,
                                     std::span<const std::int64_t> samples) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return "cannot create " + dir + ": " + ec.message();
  const std::string path = dir + "/" + stem + ".csv";
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return "cannot write " + path + ": " + std::strerror(errno);
  bool ok = std::fputs("latency_ns\n", f) >= 0;
  for (const std::int64_t v : samples)
    ok = ok && std::fprintf(f, "%lld\n", static_cast<long long>(v)) > 0;
  ok = std::fclose(f) == 0 && ok;
  return ok ? std::string() : "short write to " + path;
}

}  // namespace posmode::bench
