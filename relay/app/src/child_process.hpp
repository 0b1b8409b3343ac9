// A child process the CLI starts and always stops (`causeway bench e2e` runs two anvil nodes with it): its own
// process group, stdin from /dev/null, stdout and stderr appended to a log file, and SIGKILL from the kernel if
// this process dies first (PR_SET_PDEATHSIG), so no child outlives a crashed or killed `causeway`. The
// destructor stops it (RAII: also when the caller throws).
//
// Thread-safety: one owner thread per object.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace causeway::app {

class ChildProcess {
 public:
  // fork + execvp(argv[0], argv). Throws std::runtime_error when fork fails or argv is empty; an exec failure
  // shows as the child exiting with status 127 (running() turns false).
  ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& log);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const noexcept { return pid_; }
  // Whether the child is still running (reaps it when it has exited).
  bool running();
  // SIGTERM to the process group, SIGKILL to the group after `grace`; reaps the child. Idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000)) noexcept;

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
};

// A loopback TCP port that was free a moment ago (bind 127.0.0.1:0, read the port, close). Throws
// std::runtime_error when no socket can be bound.
std::uint16_t free_loopback_port();

}  // namespace causeway::app
