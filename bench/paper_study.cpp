// The paper's whole study at its scale (configs/reproduce/*-paper.toml, as
// `modspec reproduce FIG --scale paper` plans it), projected before running it: per figure, the
// networks and stacks, the FLOPs of training (every configured epoch; early stops only shorten
// it) and of the measures' readouts and weight masks (the null copies included), the floor those
// FLOPs set on one core at the sgemm rate measured here (the median of samples taken between the
// figures), and the wall time projected on 1, 2 and N cores from a short calibration on this
// machine; then training and the measures apart, each against its own FLOPs' floor:
//   training  one optimizer step timed (median of 3) for every distinct stack shape of the plan
//             (architecture, presentation, the networks' sizes), times its steps;
//   measures  `measure` timed on one network per figure (at the n that splits the figure's
//             measure FLOPs in half), scaled to every network by its measure FLOPs.
// Stacks are dealt to the cores largest first (the sweep's own order, one stack per worker);
// the measures of a stack run on the worker that trained it.
//
//   bench_study [--cores 8] [--figures fig2,fig3,fig4a,fig4b,fig4c,fig5]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "measure_flops.hpp"
#include "env/environment_cache.hpp"
#include "metrics/measure.hpp"
#include "model/modular_rnn.hpp"
#include "runtime/blas_kernel.hpp"
#include "runtime/threads.hpp"
#include "sweep/calibration.hpp"
#include "sweep/reproduce_configs.hpp"
#include "sweep/run_plan.hpp"
#include "train/step_flops.hpp"
#include "train/train_spec.hpp"

using namespace modspec;
using Clock = std::chrono::steady_clock;

namespace {

struct Figure {
  std::string name;
  int64_t networks = 0, stacks = 0;
  double train_flops = 0, measure_flops = 0;
  std::vector<double> stack_seconds;  // projected, training and measures, per stack
  double train_seconds = 0, measure_seconds = 0;  // projected on one core, summed over stacks
};

}  // namespace

int main(int argc, char** argv) {
  ensure_blas_kernel(argv);
  use_one_intra_op_thread();
  keep_freed_memory();
  int64_t cores = 8;
  std::vector<std::string> figures{"fig2", "fig3", "fig4a", "fig4b", "fig4c", "fig5"};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--cores") cores = std::stoll(value);
    else if (flag == "--figures") figures = bench::split_commas(value);
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  std::printf("load average before: %s\n", bench::load_average().c_str());
  // The sgemm rate moves with the machine's neighbours over a run: sampled before and after every
  // figure's calibration, and the floor taken at the median.
  std::vector<double> sgemm_samples{bench::sgemm_gflops()};
  const auto t_start = Clock::now();
  std::vector<Figure> results;
  EnvironmentCache envs;
  for (const auto& name : figures) {
    const auto it = reproduce_configs().find(name + "-paper");
    if (it == reproduce_configs().end()) {
      std::fprintf(stderr, "no paper-scale sweep named %s\n", name.c_str());
      return 2;
    }
    const SweepSpec sweep = SweepSpec::from_toml_text(it->second, name + "-paper.toml");
    const SweepPlan plan = plan_sweep(sweep, "bench-study-unused");
    Figure fig;
    fig.name = name;
    fig.networks = int64_t(plan.runs.size());
    fig.stacks = int64_t(plan.stacks.size());
    std::map<std::string, double> step_seconds;  // per distinct stack shape
    std::map<int64_t, double> n_flops;            // the measures' FLOPs per network size
    std::vector<std::pair<double, double>> stack_work;  // per stack: training seconds, measure FLOPs
    for (const auto& stack : plan.stacks) {
      const Config& config = plan.runs[stack[0]].point.config;
      const Environment& env = envs.get(config);
      const Architecture arch = Architecture::from(config, env.n_stimuli(), env.pixels(), env.task().target_classes);
      const TrainSpec train = TrainSpec::from(config);
      const int64_t tuples = env.train_pairs(0).size;
      const double steps = double(train.epochs) * double((tuples + train.batch_size - 1) / train.batch_size);
      const MetricSpec metrics = MetricSpec::from(config);
      const int64_t classes = config.integer("env.n_classes");
      std::vector<NetworkSpec> specs;
      std::ostringstream shape;
      shape << arch.nb_steps << arch.shared_input << int(arch.readout) << arch.gru << arch.two_rnn << arch.bottleneck
            << env.spec().dynamic() << ":";
      double measure = 0;
      for (size_t i : stack) {
        const NetworkSpec spec = NetworkSpec::from(plan.runs[i].point.config);
        specs.push_back(spec);
        shape << spec.n << ",";
        fig.train_flops += steps * training_step_flops(arch, spec, train.batch_size, env.spec().dynamic());
        const double flops = bench::measure_flops(metrics, classes, arch, spec, tuples, env.spec().dynamic());
        n_flops[spec.n] += flops;
        measure += flops;
      }
      fig.measure_flops += measure;
      auto& step = step_seconds[shape.str()];
      if (step == 0) step = calibrate_step_seconds(env, config, specs);
      stack_work.emplace_back(step * steps, measure);
    }
    // The measures are timed on one network, measured as the sweep measures it, at the n that
    // splits the figure's measure FLOPs in half: their time per FLOP falls as n grows (wider
    // products), and most FLOPs are at the larger n.
    double total_flops = 0, below = 0;
    for (const auto& [n, f] : n_flops) total_flops += f;
    NetworkSpec one_spec = NetworkSpec::from(plan.runs[plan.stacks[0][0]].point.config);
    for (const auto& [n, f] : n_flops) {
      one_spec.n = n;
      if ((below += f) >= total_flops / 2) break;
    }
    const Config& first = plan.runs[plan.stacks[0][0]].point.config;
    const Environment& env = envs.get(first);
    const Architecture arch = Architecture::from(first, env.n_stimuli(), env.pixels(), env.task().target_classes);
    const MetricSpec metrics = MetricSpec::from(first);
    ModularRNN one(arch, std::vector<NetworkSpec>{one_spec});
    const auto t0 = Clock::now();
    modspec::measure(*one, env, metrics);
    const double measure_seconds_per_flop =
        std::chrono::duration<double>(Clock::now() - t0).count() /
        bench::measure_flops(metrics, first.integer("env.n_classes"), arch, one_spec, env.train_pairs(0).size,
                      env.spec().dynamic());
    for (const auto& [train_seconds, measure] : stack_work) {
      fig.stack_seconds.push_back(train_seconds + measure * measure_seconds_per_flop);
      fig.train_seconds += train_seconds;
      fig.measure_seconds += measure * measure_seconds_per_flop;
    }
    std::printf("  %s: %lld networks in %lld stacks, %zu stack shapes timed\n", name.c_str(),
                static_cast<long long>(fig.networks), static_cast<long long>(fig.stacks), step_seconds.size());
    std::fflush(stdout);
    results.push_back(fig);
    sgemm_samples.push_back(bench::sgemm_gflops());
  }
  const double peak = bench::median(sgemm_samples);
  std::printf("sgemm (1 thread, 1024^3): %.1f GFLOP/s, median of %zu samples over the calibration (%.1f to %.1f)\n",
              peak, sgemm_samples.size(), *std::min_element(sgemm_samples.begin(), sgemm_samples.end()),
              *std::max_element(sgemm_samples.begin(), sgemm_samples.end()));
  // The wall time of dealing stacks, largest first, to `workers` cores that each take the next
  // stack when free.
  auto makespan = [](std::vector<double> seconds, int64_t workers) {
    std::sort(seconds.rbegin(), seconds.rend());
    std::vector<double> busy(static_cast<size_t>(workers), 0.0);
    for (double s : seconds) *std::min_element(busy.begin(), busy.end()) += s;
    return *std::max_element(busy.begin(), busy.end());
  };
  std::printf("calibration took %.0f s\n", std::chrono::duration<double>(Clock::now() - t_start).count());
  std::printf("%-6s %8s %7s %12s %12s %10s %10s %10s %10s %11s %12s %12s\n", "figure", "networks", "stacks",
              "train TFLOP", "meas. TFLOP", "floor 1c h", "proj 1c h", "proj 2c h", "proj Nc h", "proj/floor",
              "train/floor", "meas./floor");
  Figure total;
  total.name = "all";
  for (const auto& f : results) {
    total.networks += f.networks;
    total.stacks += f.stacks;
    total.train_flops += f.train_flops;
    total.measure_flops += f.measure_flops;
    total.train_seconds += f.train_seconds;
    total.measure_seconds += f.measure_seconds;
    total.stack_seconds.insert(total.stack_seconds.end(), f.stack_seconds.begin(), f.stack_seconds.end());
  }
  results.push_back(total);
  const double flop_seconds = 1 / (peak * 1e9);
  for (const auto& f : results) {
    const double floor_h = (f.train_flops + f.measure_flops) * flop_seconds / 3600;
    const double one = makespan(f.stack_seconds, 1) / 3600;
    std::printf("%-6s %8lld %7lld %12.1f %12.1f %10.2f %10.2f %10.2f %10.2f %10.1fx %11.1fx %11.1fx\n",
                f.name.c_str(), static_cast<long long>(f.networks), static_cast<long long>(f.stacks),
                f.train_flops / 1e12, f.measure_flops / 1e12, floor_h, one, makespan(f.stack_seconds, 2) / 3600,
                makespan(f.stack_seconds, cores) / 3600, one / floor_h,
                f.train_seconds / (f.train_flops * flop_seconds), f.measure_seconds / (f.measure_flops * flop_seconds));
  }
  std::printf("N = %lld cores; floor: all FLOPs at the sgemm rate on one core; train/floor and meas./floor: the "
              "projected 1-core time of training and of the measures against their own FLOPs' floor\n",
              static_cast<long long>(cores));
  std::printf("load average after: %s\n", bench::load_average().c_str());
  return 0;
}
