// Progress of long work on stderr: a bar redrawn in place with rate and ETA on a terminal,
// plain lines otherwise (logs, CI).
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace modspec {

class Progress {
 public:
  Progress(std::string what, int64_t total);
  // `done` units finished; `note` is shown after the bar (e.g. the latest accuracy).
  void update(int64_t done, const std::string& note = "");
  void finish(const std::string& note = "");

 private:
  std::string what_;
  int64_t total_;
  bool tty_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace modspec
