// Process plumbing of the anvil integration tests: where the pinned tools are, child processes that are always
// stopped (RAII, whole process group), a free loopback port. anvil_node.hpp builds the shared anvil node on it.
// Test support only: failures throw std::runtime_error (Catch2 reports them).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace causeway::testing::anvil {

namespace fs = std::filesystem;

// $CAUSEWAY_TOOLS, else <repo>/tools (CAUSEWAY_TOOLS_DIR_DEFAULT, fixed at configure time).
fs::path tools_dir();
// The anvil binary the pinned npm package ships (deploy/install-deps.sh documents the layout).
fs::path anvil_binary(const fs::path& tools);
// tools/ holds anvil, solc-js and @ethereumjs/trie.
bool tools_present(const fs::path& tools);
// `node` from $CAUSEWAY_NODE or the PATH.
std::string node_program();

// A fresh private directory under the system temp dir; removed by the destructor unless
// CAUSEWAY_KEEP_TEST_TMP=1 (logs stay for post-mortems then).
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const noexcept { return path_; }

 private:
  fs::path path_;
};

// A loopback TCP port that was free a moment ago (bind 127.0.0.1:0, read the port, close).
std::uint16_t free_loopback_port();

// A child process in its own process group, stdout and stderr to `log`. The destructor stops it (SIGTERM
// to the group, SIGKILL after a grace period) — also when a test fails. The child also gets SIGKILL if
// this process dies (PR_SET_PDEATHSIG), so no anvil outlives a crashed test.
class Process {
 public:
  Process(const std::vector<std::string>& argv, const fs::path& log);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const noexcept { return pid_; }
  // Whether the child is still running (reaps it if it exited).
  bool running();
  // Stops the process group; idempotent.
  void stop() noexcept;

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
};

// Runs argv to completion with stdout → out and stderr → err, killing it after `timeout`.
// Returns the exit status; throws on timeout or abnormal termination.
int run(const std::vector<std::string>& argv, const fs::path& out, const fs::path& err,
        std::chrono::seconds timeout);

// The last `max_bytes` of a text file (for failure messages).
std::string tail(const fs::path& file, std::size_t max_bytes = 4000);

}  // namespace causeway::testing::anvil
