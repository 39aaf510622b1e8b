#include "train/memory_estimate.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "util/error.hpp"

namespace modspec {

double stack_bytes(const Architecture& arch, const std::vector<NetworkSpec>& specs, const TrainSpec& train,
                   int64_t measured_tuples, int64_t measured_together) {
  int64_t n = 0;
  for (const auto& s : specs) n = std::max(n, s.n);
  const double K = double(specs.size()), N = double(n), M = double(arch.n_modules), G = double(arch.gates());
  const double T = double(arch.nb_steps), B = double(train.batch_size), S = double(arch.n_stimuli);
  const double P = double(arch.pixels), C = double(arch.total_classes());
  const double I = arch.shared_input ? S * P : P, R = double(measured_tuples), W = double(measured_together);
  const double floats =
      4 * K * M * G * N * (I + N + C) + 4 * T * K * B * M * G * N + T * B * S * P + 2 * (T + 1) * W * R * M * N;
  return 4 * floats;
}

double available_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string line;
  while (std::getline(meminfo, line))
    if (line.rfind("MemAvailable:", 0) == 0) {
      std::istringstream fields(line.substr(13));
      double kib = 0;
      fields >> kib;
      return kib * 1024;
    }
  return 0;
}

void require_memory_for_stack(const Architecture& arch, const std::vector<NetworkSpec>& specs, const TrainSpec& train,
                              int64_t measured_tuples, int64_t measured_together) {
  const double need = stack_bytes(arch, specs, train, measured_tuples, measured_together), have = available_bytes();
  if (have <= 0 || need <= have) return;
  std::ostringstream msg;
  msg.precision(3);
  msg << "a stack of " << specs.size() << (specs.size() == 1 ? " network" : " networks") << " with train.batch_size = "
      << train.batch_size << " needs about " << need / 1e9 << " GB and this machine has " << have / 1e9
      << " GB available: lower model.n or train.batch_size, or the sweep's stack";
  throw Error(msg.str());
}

}  // namespace modspec
