// The measures' readout kernel alone (runtime/mlp_kernels.hpp): microseconds per loss-and-gradient
// pass and per prediction of N tuples, for the readout shapes the measures train (d = n = 25 or
// 63 for one module, 2n for both; 256 rows per step, 768 when a readout is shared over 3 steps),
// as GFLOP/s and as a fraction of the machine's single-thread sgemm rate measured in the same
// run; the rows put in lanes (once per batch, for every label set) apart; and for the joint
// readouts (d = 2n) the predictions with each module silenced in turn, as one ablated prediction
// against three plain ones. Median of --runs rounds of --iters passes each.
//
//   bench_readout_kernel [--runs 5] [--iters 500]
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "runtime/blas_kernel.hpp"
#include "runtime/mlp_kernels.hpp"
#include "runtime/threads.hpp"

using namespace modspec;

int main(int argc, char** argv) {
  ensure_blas_kernel(argv);
  use_one_intra_op_thread();
  int runs = 5, iters = 500;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--runs") runs = std::stoi(argv[i + 1]);
    else if (flag == "--iters") iters = std::stoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  std::printf("load average before: %s\n", bench::load_average().c_str());
  const double sgemm = bench::sgemm_gflops();
  std::printf("single-thread sgemm: %.1f GFLOP/s\n", sgemm);
  std::printf("%-28s %10s %8s %8s %10s %12s %14s\n", "readouts (N, d, Q, h, C)", "us/pass", "GFLOP/s", "of sgemm",
              "lanes us", "predict us", "3 vs ablated");
  torch::manual_seed(0);
  for (const kernels::MlpShape s :
       {kernels::MlpShape{256, 25, 2, 30, 10}, kernels::MlpShape{256, 50, 2, 30, 10}, kernels::MlpShape{768, 25, 2, 30, 10},
        kernels::MlpShape{768, 50, 2, 30, 10}, kernels::MlpShape{256, 63, 2, 30, 10},
        kernels::MlpShape{256, 126, 2, 30, 10}}) {
    auto x = torch::randn({s.N, s.d});
    auto y = torch::randint(0, s.C, {s.Q, s.N}, torch::kInt64);
    auto w1 = torch::randn({s.d, s.Q * s.h}) * 0.2, b1 = torch::randn({s.Q * s.h}) * 0.2;
    auto w2 = torch::randn({s.Q, s.h, s.C}) * 0.2, b2 = torch::randn({s.Q, s.C}) * 0.2;
    auto gw1 = torch::empty_like(w1), gb1 = torch::empty_like(b1), gw2 = torch::empty_like(w2),
         gb2 = torch::empty_like(b2);
    auto classes = torch::empty({3, s.Q, s.N}, torch::kInt64);
    std::vector<float> xt(size_t(s.d * kernels::lanes_of(s.N)));
    const bool joint = s.d % 2 == 0;
    // Forward (two layers), the two weight gradients and the gradient to the hidden layer.
    const double flops = 2.0 * s.N * (2 * s.d * s.Q * s.h + 3 * s.Q * s.h * s.C);
    std::vector<double> pass, lanes, predict, ablated;
    auto seconds = [&](auto&& body) {
      const auto t0 = std::chrono::steady_clock::now();
      for (int i = 0; i < iters; ++i) body();
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / iters;
    };
    for (int r = 0; r < runs; ++r) {
      lanes.push_back(seconds([&] { kernels::mlp_rows_to_lanes(x.data_ptr<float>(), s.N, s.d, xt.data()); }));
      pass.push_back(seconds([&] {
        kernels::mlp_loss_and_gradients(s, xt.data(), y.data_ptr<int64_t>(), w1.data_ptr<float>(), b1.data_ptr<float>(),
                                        w2.data_ptr<float>(), b2.data_ptr<float>(), gw1.data_ptr<float>(),
                                        gb1.data_ptr<float>(), gw2.data_ptr<float>(), gb2.data_ptr<float>());
      }));
      predict.push_back(seconds([&] {
        kernels::mlp_predict(s, xt.data(), w1.data_ptr<float>(), b1.data_ptr<float>(), w2.data_ptr<float>(),
                             b2.data_ptr<float>(), classes.data_ptr<int64_t>());
      }));
      if (joint)
        ablated.push_back(seconds([&] {
          kernels::mlp_predict_ablated(s, 2, xt.data(), w1.data_ptr<float>(), b1.data_ptr<float>(),
                                       w2.data_ptr<float>(), b2.data_ptr<float>(), classes.data_ptr<int64_t>());
        }));
    }
    const double p = bench::median(pass);
    char name[64];
    std::snprintf(name, sizeof name, "(%lld, %lld, %lld, %lld, %lld)", (long long)s.N, (long long)s.d,
                  (long long)s.Q, (long long)s.h, (long long)s.C);
    char versus[32] = "";
    if (joint) std::snprintf(versus, sizeof versus, "%.1f / %.1f", 3 * bench::median(predict) * 1e6, bench::median(ablated) * 1e6);
    std::printf("%-28s %10.1f %8.1f %7.0f%% %10.1f %12.1f %14s\n", name, p * 1e6, flops / p * 1e-9,
                100 * flops / p * 1e-9 / sgemm, bench::median(lanes) * 1e6, bench::median(predict) * 1e6, versus);
  }
  std::printf("load average after: %s\n", bench::load_average().c_str());
}
