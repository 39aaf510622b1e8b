// Training throughput on real MNIST (parity task, separate pathways, nb_steps 3, batch 256):
// pairs per second per network for stacks of K networks of n units, the FLOPs of one training
// step, the achieved GFLOP/s, and its fraction of this machine's single-thread sgemm rate,
// measured in the same run, and the LibTorch operator calls of one step (forward, backward and
// their nested calls), which set the cost at K = 1. With --workers 2, two threads each train
// their own stack (the docs/ARCHITECTURE.md way of using two cores); the figures are then for both together.
// --inputs times each presentation of the stimuli (paper 5.3) in turn, static first, and prints
// each one's time per network-epoch against the static one's at the same K and n (its "x static").
// --kernels pins the build of the input projection's kernels (runtime/foreground_kernels.hpp;
// default: the widest this CPU runs), to time what a CPU without AVX-512 or AVX2 would.
//
//   bench_train [--k 1,8,32] [--n 10,25,50] [--batches 60] [--workers 1] [--steps 3]
//               [--inputs static,noise,random_start] [--kernels avx512|avx2|baseline]
#include <ATen/record_function.h>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <torch/torch.h>
#include <vector>

#include "bench_support.hpp"
#include "env/environment.hpp"
#include "model/modular_rnn.hpp"
#include "model/stack_input.hpp"
#include "runtime/blas_kernel.hpp"
#include "runtime/foreground_kernels.hpp"
#include "runtime/threads.hpp"
#include "optim/adamw.hpp"
#include "train/step_flops.hpp"
#include "train/trainer.hpp"

using namespace modspec;
using Clock = std::chrono::steady_clock;

namespace {

std::vector<int64_t> parse_list(const std::string& s) {
  std::vector<int64_t> out;
  for (const auto& item : bench::split_commas(s)) out.push_back(std::stoll(item));
  return out;
}

// The operator calls (LibTorch's recorded functions and autograd nodes) that `run` makes on this
// thread; a CPU backward runs on the thread that calls it.
int64_t operator_calls(const std::function<void()>& run) {
  static thread_local int64_t count = 0;
  count = 0;
  auto handle = at::addThreadLocalCallback(
      at::RecordFunctionCallback([](const at::RecordFunction&) -> std::unique_ptr<at::ObserverContext> {
        ++count;
        return nullptr;
      }).scopes({at::RecordScope::FUNCTION, at::RecordScope::BACKWARD_FUNCTION}));
  run();
  at::removeCallback(handle);
  return count;
}

struct Timing {
  double seconds = 0;
  int64_t operators = 0;  // per step
};

// Trains `batches` optimizer steps of one stack; returns the seconds they took and the operator
// calls of one step (counted on a step outside the timed ones).
Timing time_stack(const Environment& env, const Architecture& arch, const std::vector<NetworkSpec>& specs,
                  const PairTable& pairs, int64_t batches, int64_t B, int64_t offset) {
  use_one_intra_op_thread();
  ModularRNN stack(arch, specs);
  FusedAdamW opt(stack->parameters(), {1e-3, 1e-5});
  auto step = [&](int64_t i) {
    const int64_t begin = ((i + offset) * B) % (pairs.size - B);
    auto loss = StackInput(*stack, env, pairs, Split::train, begin, begin + B, 0).loss(*stack);
    opt.zero_grad();
    loss.sum().backward();
    opt.step();
  };
  for (int64_t i = 0; i < 5; ++i) step(i);
  Timing timing;
  timing.operators = operator_calls([&] { step(5); });
  const auto t0 = Clock::now();
  for (int64_t i = 0; i < batches; ++i) step(i);
  timing.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return timing;
}

}  // namespace

int main(int argc, char** argv) {
  ensure_blas_kernel(argv);
  use_one_intra_op_thread();
  keep_freed_memory();
  std::vector<int64_t> ks{1, 8, 32}, ns{10, 25, 50};
  int64_t batches = 60, workers = 1, steps = 3;
  std::vector<std::string> inputs{"static"};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--k") ks = parse_list(value);
    else if (flag == "--n") ns = parse_list(value);
    else if (flag == "--batches") batches = std::stoll(value);
    else if (flag == "--workers") workers = std::stoll(value);
    else if (flag == "--steps") steps = std::stoll(value);
    else if (flag == "--inputs") inputs = bench::split_commas(value);
    else if (flag == "--kernels") {
      bool pinned = false;
      for (const kernels::Build build : kernels::runnable_builds())
        if (value == kernels::build_name(build)) {
          kernels::pin_build(build);
          pinned = true;
        }
      if (!pinned) {
        std::fprintf(stderr, "--kernels %s: not a build this CPU runs (avx512, avx2, baseline)\n", value.c_str());
        return 2;
      }
    } else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  Config config = Config::defaults();
  config.set_value("env.nb_steps", steps);
  const int64_t B = config.integer("train.batch_size");
  const double peak = bench::sgemm_gflops();
  std::printf("sgemm (1 thread, 1024^3): %.1f GFLOP/s; workers %lld; %lld steps\n", peak,
              static_cast<long long>(workers), static_cast<long long>(steps));
  // s/epoch: wall time for every network of the run to see one epoch; s/net-epoch: that time
  // divided by the number of networks trained at once (K per worker).
  std::printf("%-13s %4s %4s %12s %9s %12s %9s %11s %9s %9s %9s\n", "inputs", "K", "n", "pairs/s/net", "s/epoch",
              "s/net-epoch", "x static", "MFLOP/step", "GFLOP/s", "of sgemm", "ops/step");
  for (const auto& kind : inputs)
    if (kind != "static" && kind != "noise" && kind != "random_start") {
      std::fprintf(stderr, "unknown inputs %s (static, noise, random_start)\n", kind.c_str());
      return 2;
    }
  for (int64_t K : ks)
    for (int64_t n : ns) {
      double static_s = 0;
      for (const auto& kind : inputs) {
        Config c = config;
        c.set_value("env.noise_ratio", kind == "noise" ? 0.4 : 0.0);
        c.set_value("env.random_start", kind == "random_start");
        const Environment env(EnvSpec::from(c));
        const PairTable pairs = env.train_pairs(0);
        const Architecture arch = Architecture::from(c, env.n_stimuli(), env.pixels(), env.task().target_classes);
        std::vector<NetworkSpec> specs;
        for (int64_t k = 0; k < K; ++k) specs.push_back({n, 0.1, 0, uint64_t(k)});
        std::vector<Timing> timings(static_cast<size_t>(workers));
        std::vector<std::thread> threads;
        for (int64_t w = 0; w < workers; ++w)
          threads.emplace_back([&, w] { timings[size_t(w)] = time_stack(env, arch, specs, pairs, batches, B, w * 7); });
        for (auto& t : threads) t.join();
        double slowest = 0;
        for (const auto& t : timings) slowest = std::max(slowest, t.seconds);
        const double nets = double(K * workers);
        const double pps = double(batches * B) / slowest;  // per network
        const double epoch_s = double(pairs.size) / pps;
        const double flops = training_step_flops(arch, specs[0], B, kind != "static");
        const double gflops = flops * double(batches) * nets / slowest / 1e9;
        if (kind == "static") static_s = epoch_s;
        std::printf("%-13s %4lld %4lld %12.0f %9.3f %12.4f %9.2f %11.1f %9.1f %8.0f%% %9lld\n", kind.c_str(),
                    static_cast<long long>(K), static_cast<long long>(n), pps, epoch_s, epoch_s / nets,
                    static_s > 0 ? epoch_s / static_s : NAN, flops / 1e6, gflops,
                    100.0 * gflops / (peak * double(workers)), static_cast<long long>(timings[0].operators));
      }
    }
  return 0;
}
