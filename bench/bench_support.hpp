// What the benches share: the machine's single-thread sgemm rate (the ceiling their FLOP rates
// are read against, measured in the same run since a shared machine's rate varies from run to
// run), its load average (printed before and after, so that a reader knows how loaded it was),
// medians of timed rounds, and comma-separated flag values.
#pragma once
#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <torch/torch.h>
#include <vector>

namespace modspec::bench {

// GFLOP/s of a 1024^3 single-precision product on the calling thread.
inline double sgemm_gflops() {
  auto a = torch::randn({1024, 1024}), b = torch::randn({1024, 1024});
  a.mm(b);
  const auto t0 = std::chrono::steady_clock::now();
  const int reps = 20;
  for (int i = 0; i < reps; ++i) a.mm(b);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return reps * 2.0 * 1024 * 1024 * 1024 / s / 1e9;
}

// The 1, 5 and 15 minute load averages of /proc/loadavg.
inline std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

// The median of timed rounds (the upper one of an even count).
inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

inline std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) out.push_back(item);
  return out;
}

}  // namespace modspec::bench
