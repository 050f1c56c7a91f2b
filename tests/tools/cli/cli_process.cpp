#include "tools/cli/cli_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace posmode::test {

namespace {

struct spawned {
  pid_t pid = -1;
  int out_fd = -1;
  int err_fd = -1;
};

spawned spawn(const std::string& program, const std::vector<std::string>& args,
              const std::map<std::string, std::string>& env) {
  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0)
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);

  std::vector<std::string> argv_text{program};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_text)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_text;
  for (const auto& [name, value] : env)
    env_text.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& e : env_text)
    envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (rc != 0) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    throw std::runtime_error("posix_spawn " + program + ": " + std::strerror(rc));
  }
  return {pid, out_pipe[0], err_pipe[0]};
}

// Reads whatever `fds` have (poll with `timeout_ms`); closes and marks -1 each that ended.
// Returns false when the wait timed out with nothing to read.
bool read_some(int* fds[2], std::string* sinks[2], int timeout_ms) {
  pollfd polled[2] = {{*fds[0], POLLIN, 0}, {*fds[1], POLLIN, 0}};
  int rc = 0;
  do {
    rc = ::poll(polled, 2, timeout_ms);
  } while (rc < 0 && errno == EINTR);
  if (rc <= 0) return false;
  for (int i = 0; i < 2; ++i) {
    if (polled[i].fd < 0 || polled[i].revents == 0) continue;
    char buffer[4096];
    const ssize_t n = ::read(polled[i].fd, buffer, sizeof buffer);
    if (n > 0) {
      sinks[i]->append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      ::close(polled[i].fd);
      *fds[i] = -1;
    }
  }
  return true;
}

int wait_exit(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

process_result run_process(const std::string& program, const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env) {
  spawned child = spawn(program, args, env);
  process_result result;
  int* fds[2] = {&child.out_fd, &child.err_fd};
  std::string* sinks[2] = {&result.out, &result.err};
  while (child.out_fd >= 0 || child.err_fd >= 0)
    (void)read_some(fds, sinks, -1);
  result.exit_code = wait_exit(child.pid);
  return result;
}

running_process::running_process(const std::string& program, const std::vector<std::string>& args,
                                 const std::map<std::string, std::string>& env) {
  const spawned child = spawn(program, args, env);
  pid_ = child.pid;
  out_fd_ = child.out_fd;
  err_fd_ = child.err_fd;
}

running_process::~running_process() {
  if (pid_ < 0) return;
  ::kill(pid_, SIGKILL);
  if (out_fd_ >= 0) ::close(out_fd_);
  if (err_fd_ >= 0) ::close(err_fd_);
  (void)wait_exit(pid_);
}

bool running_process::pump(int timeout_ms) {
  int* fds[2] = {&out_fd_, &err_fd_};
  std::string* sinks[2] = {&out_, &err_};
  return read_some(fds, sinks, timeout_ms);
}

std::optional<std::string> running_process::read_line(std::chrono::milliseconds bound) {
  const auto until = std::chrono::steady_clock::now() + bound;
  for (;;) {
    if (const std::size_t end = out_.find('\n'); end != std::string::npos) {
      std::string line = out_.substr(0, end);
      out_.erase(0, end + 1);
      return line;
    }
    if (out_fd_ < 0) return std::nullopt;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !pump(static_cast<int>(left.count()))) return std::nullopt;
  }
}

process_result running_process::stop(int signal) {
  process_result result;
  if (pid_ < 0) return result;
  ::kill(pid_, signal);
  // A child that ignores the signal is killed after a while instead of hanging the test.
  while (out_fd_ >= 0 || err_fd_ >= 0)
    if (!pump(30'000)) ::kill(pid_, SIGKILL);
  result.exit_code = wait_exit(pid_);
  pid_ = -1;
  result.out = std::move(out_);
  result.err = std::move(err_);
  return result;
}

temp_dir::temp_dir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/posmode-cli-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
  path_ = pattern;
}

temp_dir::~temp_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string temp_dir::write(const std::string& name, const std::string& text, unsigned mode) const {
  const std::string file = path_ + "/" + name;
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + file);
  }
  // Explicitly, whatever the umask: the secret-file tests depend on the exact bits.
  if (::chmod(file.c_str(), static_cast<mode_t>(mode)) != 0)
    throw std::runtime_error("chmod " + file + ": " + std::strerror(errno));
  return file;
}

}  // namespace posmode::test
