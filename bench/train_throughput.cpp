// Training throughput on real MNIST (parity task, separate pathways, nb_steps 3, batch 256):
// pairs per second per network for stacks of K networks of n units, the FLOPs of one training
// step, the achieved GFLOP/s, and its fraction of this machine's single-thread sgemm rate,
// measured in the same run, and the LibTorch operator calls of one step (forward, backward and
// their nested calls), which set the cost at K = 1. With --workers 2, two threads each train
// their own stack (the docs/ARCHITECTURE.md way of using two cores); the figures are then for both together.
//
//   bench_train [--k 1,8,32] [--n 10,25,50] [--batches 60] [--workers 1]
#include <ATen/record_function.h>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <torch/torch.h>
#include <vector>

#include "env/environment.hpp"
#include "model/modular_rnn.hpp"
#include "runtime/blas_kernel.hpp"
#include "runtime/threads.hpp"
#include "optim/adamw.hpp"
#include "train/trainer.hpp"

using namespace modspec;
using Clock = std::chrono::steady_clock;

namespace {

std::vector<int64_t> parse_list(const std::string& s) {
  std::vector<int64_t> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) out.push_back(std::stoll(item));
  return out;
}

// Single-thread sgemm rate on a large product: the ceiling the training step is compared to.
double sgemm_gflops() {
  auto a = torch::randn({1024, 1024}), b = torch::randn({1024, 1024});
  a.mm(b);
  const auto t0 = Clock::now();
  const int reps = 20;
  for (int i = 0; i < reps; ++i) a.mm(b);
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  return reps * 2.0 * 1024 * 1024 * 1024 / s / 1e9;
}

// Multiply-add FLOPs of one training step (forward + backward) of one network. Forward: input
// projection, T-1 recurrent products (the first step has h = 0), inter-module edges, readout.
// Backward: twice the forward for every product whose input needs a gradient; the input
// projection needs only its weight gradient.
double step_flops(const Architecture& a, const NetworkSpec& s, int64_t B) {
  const double n = double(s.n), M = double(a.n_modules), G = double(a.gates()), T = double(a.nb_steps);
  const double E = M * (M - 1) * double(s.connections_per_direction());
  const double proj = 2.0 * B * a.pixels * M * G * n;
  const double rec = (T - 1) * (2.0 * B * M * G * n * n + 2.0 * B * G * E);
  const double out = 2.0 * B * M * n * double(a.total_classes());
  return 2 * proj + 3 * (rec + out);
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
    Batch b = env.batch(pairs, Split::train, begin, begin + B, 0);
    auto loss = stack->loss(b.x, b.targets);
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
  int64_t batches = 60, workers = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--k") ks = parse_list(value);
    else if (flag == "--n") ns = parse_list(value);
    else if (flag == "--batches") batches = std::stoll(value);
    else if (flag == "--workers") workers = std::stoll(value);
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  Config config = Config::defaults();
  const Environment env(EnvSpec::from(config));
  const PairTable pairs = env.train_pairs(0);
  const int64_t B = config.integer("train.batch_size");
  const double peak = sgemm_gflops();
  std::printf("sgemm (1 thread, 1024^3): %.1f GFLOP/s; epoch = %lld pairs; workers %lld\n", peak,
              static_cast<long long>(pairs.size), static_cast<long long>(workers));
  // s/epoch: wall time for every network of the run to see one epoch; s/net-epoch: that time
  // divided by the number of networks trained at once (K per worker).
  std::printf("%4s %4s %12s %9s %12s %11s %9s %9s %9s\n", "K", "n", "pairs/s/net", "s/epoch", "s/net-epoch",
              "MFLOP/step", "GFLOP/s", "of sgemm", "ops/step");
  for (int64_t K : ks)
    for (int64_t n : ns) {
      Architecture arch = Architecture::from(config, env.n_stimuli(), env.pixels(), env.task().target_classes);
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
      const double flops = step_flops(arch, specs[0], B);
      const double gflops = flops * double(batches) * nets / slowest / 1e9;
      std::printf("%4lld %4lld %12.0f %9.3f %12.4f %11.1f %9.1f %8.0f%% %9lld\n", static_cast<long long>(K),
                  static_cast<long long>(n), pps, epoch_s, epoch_s / nets, flops / 1e6, gflops,
                  100.0 * gflops / (peak * double(workers)), static_cast<long long>(timings[0].operators));
    }
  return 0;
}
