// Wall time of all three specialization measures for one network (n = 25, nb_steps 3, parity
// task on full MNIST): run once over train and test, every readout trained on cached states.
// Target: at most 10 s on 2 cores. Prints each run and the median.
//
//   bench_measure [--runs 3] [--n 25]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "env/environment.hpp"
#include "metrics/measure.hpp"
#include "runtime/blas_kernel.hpp"
#include "runtime/threads.hpp"

using namespace modspec;

int main(int argc, char** argv) {
  ensure_blas_kernel(argv);
  use_one_intra_op_thread();
  keep_freed_memory();
  int runs = 3;
  int64_t n = 25;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--runs") runs = std::stoi(argv[i + 1]);
    else if (flag == "--n") n = std::stoll(argv[i + 1]);
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  Config config = Config::defaults();
  config.set_value("model.n", n);
  const Environment env(EnvSpec::from(config));
  const Architecture arch = Architecture::from(config, env.n_stimuli(), env.pixels(), env.task().target_classes);
  ModularRNN net(arch, std::vector<NetworkSpec>{NetworkSpec::from(config)});
  const MetricSpec spec = MetricSpec::from(config);
  std::vector<double> seconds;
  for (int r = 0; r < runs; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    measure(*net, env, spec);
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    std::printf("run %d: %.2f s\n", r + 1, seconds.back());
  }
  std::sort(seconds.begin(), seconds.end());
  std::printf("all three measures, n = %lld, %lld train + %lld test tuples: median %.2f s (target 10 s)\n",
              static_cast<long long>(n), static_cast<long long>(env.train_pairs(0).size),
              static_cast<long long>(env.test_pairs().size), seconds[seconds.size() / 2]);
  return 0;
}
