#include "util/progress.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace modspec {
namespace {

std::atomic<bool> g_quiet{false};

constexpr double kTerminalInterval = 0.5;  // seconds between redraws of a bar
constexpr double kLogInterval = 30;        // seconds between plain lines

}  // namespace

std::string count_of(int64_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

void Progress::set_quiet(bool quiet) { g_quiet = quiet; }
bool Progress::quiet() { return g_quiet; }

// Every line goes out in one write: std::cerr is unbuffered, and the ranks of an MPI sweep share
// one log, so a line written in pieces interleaves with another process's.
void Progress::stage(const std::string& line) {
  if (!g_quiet) std::cerr << (line + "\n") << std::flush;
}

Progress::Progress(std::string what, int64_t total, std::string unit)
    : what_(std::move(what)),
      unit_(std::move(unit)),
      total_(total),
      tty_(::isatty(STDERR_FILENO)),
      start_(std::chrono::steady_clock::now()),
      last_shown_(start_) {}

void Progress::update(int64_t done, const std::string& note) {
  std::lock_guard<std::mutex> lock(mutex_);
  done_ = done;
  show(note, done_ >= total_ && !complete_shown_);
}

void Progress::add(int64_t units, const std::string& note) {
  std::lock_guard<std::mutex> lock(mutex_);
  done_ += units;
  show(note, done_ >= total_ && !complete_shown_);
}

void Progress::note(const std::string& note) {
  std::lock_guard<std::mutex> lock(mutex_);
  show(note, true);
}

void Progress::show(const std::string& note, bool force) {
  if (g_quiet) return;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_shown_).count();
  if (shown_ && !force && since < (tty_ ? kTerminalInterval : kLogInterval)) return;
  shown_ = true;
  complete_shown_ = done_ >= total_;
  last_shown_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? double(done_) / elapsed : 0;
  const double eta = rate > 0 ? double(total_ - done_) / rate : 0;
  std::ostringstream line;
  line.setf(std::ios::fixed);
  line.precision(1);
  if (tty_) {
    constexpr int width = 24;
    const int filled = total_ > 0 ? int(width * std::min(done_, total_) / total_) : width;
    line << "\r" << what_ << " [" << std::string(size_t(filled), '#') << std::string(size_t(width - filled), '.') << "] ";
  } else {
    line << what_ << " ";
  }
  line << done_ << "/" << total_ << (unit_.empty() ? "" : " ") << unit_ << "  " << elapsed << " s";
  if (done_ > 0) {
    line.precision(2);
    line << ", " << rate << "/s";
    line.precision(1);
    if (done_ < total_) line << ", ETA " << eta << " s";
  }
  if (!note.empty()) line << "  " << note;
  if (tty_) line << "\033[K";
  else line << "\n";
  std::cerr << line.str() << std::flush;
}

void Progress::finish(const std::string& note) {
  if (g_quiet) return;
  std::lock_guard<std::mutex> lock(mutex_);
  std::string text = tty_ && shown_ ? "\n" : "";
  if (!note.empty()) text += what_ + ": " + note + "\n";
  std::cerr << text << std::flush;
}

}  // namespace modspec
