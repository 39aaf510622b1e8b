// Wall time of the specialization measures per network (n = 25, nb_steps 3, parity task on full
// MNIST, untrained networks: the cost does not depend on the weights): each measure alone, the
// weight masks, and the permutation null riding along, in a stack of K networks. The variants run
// interleaved, `--runs` rounds, and each prints its median and its ratio to the first variant's
// (retraining unless --variants says otherwise), measured in the same rounds, and against the floor
// that the variant's FLOPs (the readouts' and the masks' training, bench/measure_flops.hpp) set at
// the sgemm rate measured before and after the rounds. Prints the machine's load first: read
// ratios, not seconds.
//
// --variants keeps the variants whose names (as printed, e.g. "all four") are listed.
//
//   bench_measure [--runs 5] [--n 25] [--k 1] [--variants "retraining,three measures"]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "measure_flops.hpp"
#include "env/environment.hpp"
#include "metrics/measure.hpp"
#include "runtime/blas_kernel.hpp"
#include "runtime/threads.hpp"

using namespace modspec;

namespace {

struct Variant {
  std::string name;
  std::vector<std::string> measures;
  int64_t nulls;
};

}  // namespace

int main(int argc, char** argv) {
  ensure_blas_kernel(argv);
  use_one_intra_op_thread();
  keep_freed_memory();
  int runs = 5;
  int64_t n = 25, K = 1;
  std::vector<std::string> chosen;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--runs") runs = std::stoi(argv[i + 1]);
    else if (flag == "--n") n = std::stoll(argv[i + 1]);
    else if (flag == "--k") K = std::stoll(argv[i + 1]);
    else if (flag == "--variants") chosen = bench::split_commas(argv[i + 1]);
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  Config config = Config::defaults();
  config.set_value("model.n", n);
  const Environment env(EnvSpec::from(config));
  const Architecture arch = Architecture::from(config, env.n_stimuli(), env.pixels(), env.task().target_classes);
  std::vector<NetworkSpec> specs;
  for (int64_t k = 0; k < K; ++k) specs.push_back({n, 0.1, 0, uint64_t(k)});
  ModularRNN net(arch, specs);
  std::vector<Variant> variants{
      {"retraining", {"retraining"}, 0},
      {"ablation", {"ablation"}, 0},
      {"correlation", {"correlation"}, 0},
      {"masks", {"masks"}, 0},
      {"retraining + 5 nulls", {"retraining"}, 5},
      {"masks + 5 nulls", {"masks"}, 5},
      {"three measures", {"retraining", "ablation", "correlation"}, 0},
      {"three measures + 5 nulls", {"retraining", "ablation", "correlation"}, 5},
      {"all four", {"retraining", "ablation", "correlation", "masks"}, 0},
      {"all four + 5 nulls", {"retraining", "ablation", "correlation", "masks"}, 5},
  };
  if (!chosen.empty()) {
    std::vector<Variant> kept;
    for (const auto& v : variants)
      if (std::find(chosen.begin(), chosen.end(), v.name) != chosen.end()) kept.push_back(v);
    if (kept.size() != chosen.size()) {
      std::fprintf(stderr, "--variants: unknown variant name among the listed ones\n");
      return 2;
    }
    variants = kept;
  }
  std::printf("load average before: %s\n", bench::load_average().c_str());
  // One untimed measurement first, so that what a process does once (indexing the images' pixels
  // off the background, the allocator's first pages) is not charged to the first variant.
  {
    MetricSpec warm = MetricSpec::from(config);
    warm.metrics = {"retraining"};
    warm.null_repeats = 0;
    measure(*net, env, warm);
  }
  std::vector<double> sgemm{bench::sgemm_gflops()};
  std::vector<std::vector<double>> seconds(variants.size());
  for (int r = 0; r < runs; ++r)
    for (size_t v = 0; v < variants.size(); ++v) {
      MetricSpec spec = MetricSpec::from(config);
      spec.metrics = variants[v].measures;
      spec.null_repeats = variants[v].nulls;
      const auto t0 = std::chrono::steady_clock::now();
      measure(*net, env, spec);
      seconds[v].push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / double(K));
    }
  sgemm.push_back(bench::sgemm_gflops());
  const double flop_seconds = 1 / (bench::median(sgemm) * 1e9);
  std::printf("sgemm (1 thread, 1024^3): %.1f GFLOP/s, median of the samples before and after the rounds\n",
              bench::median(sgemm));
  std::printf("seconds per network, n = %lld, stack of %lld, %lld train + %lld test tuples, median of %d rounds:\n",
              static_cast<long long>(n), static_cast<long long>(K), static_cast<long long>(env.train_pairs(0).size),
              static_cast<long long>(env.test_pairs().size), runs);
  const double base = bench::median(seconds[0]);
  std::printf("  %-24s %9s   %-22s %9s  %s\n", "variant", "seconds", "against the first", "floor", "x floor");
  for (size_t v = 0; v < variants.size(); ++v) {
    MetricSpec spec = MetricSpec::from(config);
    spec.metrics = variants[v].measures;
    spec.null_repeats = variants[v].nulls;
    const double floor = bench::measure_flops(spec, config.integer("env.n_classes"), arch, specs[0], env.train_pairs(0).size,
                                              env.spec().dynamic()) *
                         flop_seconds;
    const double sec = bench::median(seconds[v]);
    // The correlation trains nothing: no floor.
    char against[32] = "-";
    if (floor > 0) std::snprintf(against, sizeof against, "%.2fx", sec / floor);
    std::printf("  %-24s %7.3f s   %5.2fx %-15s %7.3f s  %7s\n", variants[v].name.c_str(), sec, sec / base,
                variants[0].name.c_str(), floor, against);
  }
  std::printf("load average after: %s\n", bench::load_average().c_str());
  return 0;
}
