// A one-line progress bar on stderr for long CLI work. Drawn only when stderr is a terminal (logs and
// pipes stay clean); at most ~10 redraws per second. Not thread-safe: one owner thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace causeway::app {

class Progress {
 public:
  Progress(std::string label, std::uint64_t total);
  // Sets the count of items done so far (0..total) and redraws when due.
  void update(std::uint64_t done);
  // Draws the final state and ends the line.
  void finish();

 private:
  void draw(std::uint64_t done);
  std::string label_;
  std::uint64_t total_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace causeway::app
