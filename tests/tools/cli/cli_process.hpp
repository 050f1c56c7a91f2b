#pragma once

// Runs the `posmode` executable as a child process with an exact environment and captures what it
// prints, so that the CLI tests check exit codes and output as an operator's shell would see them.

#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <map>
#include <optional>
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

/**
 * A child left running while the test talks to it (the mock exchange as a program): its stdout
 * is read line by line, stderr collected alongside, and `stop` signals it and collects the rest.
 * The destructor kills and reaps a child that is still running.
 */
class running_process {
 public:
  /** Starts `program` as `run_process` does. @throws std::runtime_error when it cannot. */
  running_process(const std::string& program, const std::vector<std::string>& args,
                  const std::map<std::string, std::string>& env);
  ~running_process();
  running_process(const running_process&) = delete;
  running_process& operator=(const running_process&) = delete;

  /**
   * The next line of stdout, without its '\n'; nullopt when stdout ended, or when no whole line
   * came within `bound` (a guard against a hung child, not a measurement).
   */
  std::optional<std::string> read_line(std::chrono::milliseconds bound);
  /**
   * Sends `signal`, reads both streams to their end and waits for the exit. `out` holds what
   * `read_line` had not returned yet.
   */
  process_result stop(int signal = SIGTERM);

 private:
  /** Reads what is there (waiting at most `timeout_ms`, -1: until something); false at the end. */
  bool pump(int timeout_ms);

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_;
  std::string err_;
};

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
