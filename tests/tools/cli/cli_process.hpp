#pragma once

// Runs the `posmode` executable as a child process with an exact environment and captures what it
// prints, so that the CLI tests check exit codes and output as an operator's shell would see them.

#include <map>
#include <string>
#include <vector>

namespace posmode::test {

/** What a finished child printed and how it ended. */
struct process_result {
  int exit_code = -1;  ///< the exit status; 128 + signal number when killed by a signal
  std::string out;     ///< everything written to stdout
  std::string err;     ///< everything written to stderr
};

/**
 * Runs `program` with `args` (argv[1..]) and exactly the variables in `env`, and waits for it.
 * Both output streams are drained concurrently so that neither pipe can fill up and block it.
 * @throws std::runtime_error when the process cannot be started.
 */
process_result run_process(const std::string& program, const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env);

/** A fresh directory under $TMPDIR (or /tmp), removed with its files on destruction. */
class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  /** Writes `text` to `name` in the directory with permissions `mode`; returns the full path. */
  std::string write(const std::string& name, const std::string& text, unsigned mode = 0600) const;
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
};

}  // namespace posmode::test
