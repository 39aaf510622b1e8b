#include "util/progress.hpp"

#include <cstdio>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace modspec {

Progress::Progress(std::string what, int64_t total)
    : what_(std::move(what)), total_(total), tty_(::isatty(STDERR_FILENO)), start_(std::chrono::steady_clock::now()) {}

void Progress::update(int64_t done, const std::string& note) {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = elapsed > 0 ? double(done) / elapsed : 0;
  const double eta = rate > 0 ? double(total_ - done) / rate : 0;
  std::ostringstream line;
  line.setf(std::ios::fixed);
  line.precision(1);
  if (tty_) {
    constexpr int width = 24;
    const int filled = total_ > 0 ? int(width * done / total_) : width;
    line << "\r" << what_ << " [" << std::string(size_t(filled), '#') << std::string(size_t(width - filled), '.') << "] ";
  } else {
    line << what_ << " ";
  }
  line << done << "/" << total_ << "  " << elapsed << " s, ETA " << eta << " s";
  if (!note.empty()) line << "  " << note;
  if (tty_) line << "\033[K";
  else line << "\n";
  std::cerr << line.str() << std::flush;
}

void Progress::finish(const std::string& note) {
  if (tty_) std::cerr << "\n";
  if (!note.empty()) std::cerr << what_ << ": " << note << "\n";
}

}  // namespace modspec
