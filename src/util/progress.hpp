// Progress of long work on stderr. On a terminal: a bar redrawn in place (at most twice a
// second) with rate and ETA. Otherwise (a log file, Slurm, CI): a plain line at the first update,
// then at most one every 30 s, and the last. Progress::set_quiet(true) (--quiet) silences every
// Progress and every stage line. Thread-safe: the workers of a sweep share one.
#pragma once
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace modspec {

// "1 stack", "3 stacks": a count and its noun, plural by an s.
std::string count_of(int64_t n, const std::string& noun);

class Progress {
 public:
  // `unit` names what is counted ("network-epochs"); empty for plain counts.
  Progress(std::string what, int64_t total, std::string unit = "");
  // `done` units finished; `note` is shown after the counts (e.g. the latest accuracy).
  void update(int64_t done, const std::string& note = "");
  // `units` more finished.
  void add(int64_t units, const std::string& note = "");
  // Shows the counts with `note` now, unthrottled: for the rare moments the counts cannot tell
  // (a stack's measures after its last epoch), so a log never falls silent across them.
  void note(const std::string& note);
  void finish(const std::string& note = "");

  static void set_quiet(bool quiet);
  static bool quiet();
  // One line on stderr naming a stage of long work ("measure: caching states"), unless quiet.
  static void stage(const std::string& line);

 private:
  void show(const std::string& note, bool force);

  std::string what_, unit_;
  int64_t total_, done_ = 0;
  bool tty_, shown_ = false, complete_shown_ = false;
  std::chrono::steady_clock::time_point start_, last_shown_;
  std::mutex mutex_;
};

}  // namespace modspec
