// The input projection of a training step on real digits: forward and weight gradient of
// u[m] = w[m] x[m]^T for a stack of K networks of n units per module (w [M, K*n, 784], a batch of
// 256 tuples), over the pixels off the background (model/input_projection.hpp) against the plain
// batched product LibTorch computes (bmm and its autograd backward), alternated in the same
// rounds. Prints microseconds per step (medians), the speed-up, the digits' foreground fraction,
// and the dense product's FLOPs against the sgemm rate measured in the same run. Below
// kForegroundMinOutputs outputs (K n) project_pixels takes the plain product itself: 1.0x there.
// The last columns: the same rows read from the images' index instead of a batch of pixels
// (Environment::foreground, then project_pixel_rows forward and backward), getting them included.
//
// Then the passes without a gradient (the measures' states, test accuracy): 2,000 test tuples'
// forward projection, from the batch of pixels (Environment::batch, then project_pixels) against
// straight from the images' pixels off the background (Environment::foreground, then
// project_pixel_rows), each timed with the work of getting its inputs.
//
//   bench_projection [--rounds 7] [--k 1,8] [--n 10,25,100] [--reps 20]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

#include "bench_support.hpp"
#include "config/config.hpp"
#include "env/environment.hpp"
#include "model/input_projection.hpp"
#include "runtime/blas_kernel.hpp"
#include "runtime/threads.hpp"

using namespace modspec;
using Clock = std::chrono::steady_clock;

namespace {

// Seconds per forward + backward, over `reps` repetitions.
template <class Projection>
double time_projection(Projection project, const torch::Tensor& w0, const torch::Tensor& x, const torch::Tensor& g,
                       int64_t reps) {
  auto w = w0.clone().requires_grad_(true);
  const auto t0 = Clock::now();
  for (int64_t r = 0; r < reps; ++r) {
    auto u = project(w, x);
    u.backward(g);
  }
  return std::chrono::duration<double>(Clock::now() - t0).count() / double(reps);
}

}  // namespace

int main(int argc, char** argv) {
  ensure_blas_kernel(argv);
  use_one_intra_op_thread();
  keep_freed_memory();
  int64_t rounds = 7, reps = 20;
  std::vector<int64_t> Ks{1, 8}, ns{10, 25, 100};
  auto integers = [](const std::string& s) {
    std::vector<int64_t> v;
    for (const auto& part : bench::split_commas(s)) v.push_back(std::stoll(part));
    return v;
  };
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--rounds") rounds = std::stoll(argv[i + 1]);
    else if (flag == "--reps") reps = std::stoll(argv[i + 1]);
    else if (flag == "--k") Ks = integers(argv[i + 1]);
    else if (flag == "--n") ns = integers(argv[i + 1]);
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  std::printf("load average before: %s\n", bench::load_average().c_str());
  const double sgemm = bench::sgemm_gflops();
  const Environment env(EnvSpec::from(Config::defaults()));
  const PairTable pairs = env.train_pairs(0);
  const int64_t B = 256;
  const auto x = env.batch(pairs, Split::train, 0, B, 0).x.squeeze(1);  // [S, B, P]
  const int64_t M = x.size(0), P = x.size(2);
  const double density = (x != kPixelBackground).sum().item<double>() / double(x.numel());
  std::printf("sgemm (1 thread, 1024^3): %.1f GFLOP/s; batch %lld, %lld pixels, %.1f%% off the background\n", sgemm,
              static_cast<long long>(B), static_cast<long long>(P), 100 * density);
  std::printf("%4s %5s %14s %17s %9s %16s %16s %10s\n", "K", "n", "bmm (us)", "foreground (us)", "speed-up",
              "bmm of sgemm", "index rows (us)", "speed-up");
  auto dense = [](const torch::Tensor& w, const torch::Tensor& xs) { return torch::bmm(w, xs.transpose(1, 2)); };
  auto sparse = [](const torch::Tensor& w, const torch::Tensor& xs) { return project_pixels(w, xs, kPixelBackground); };
  // The same batch's rows read from the index, the work of getting them included.
  auto indexed_rows = [&](const torch::Tensor& w, const torch::Tensor&) {
    return project_pixel_rows(w, *env.foreground(pairs, Split::train, 0, B), /*shared=*/false);
  };
  for (int64_t K : Ks)
    for (int64_t n : ns) {
      const auto w = torch::randn({M, K * n, P}) * 0.03;
      const auto g = torch::randn({M, K * n, B});
      std::vector<double> plain, foreground, indexed;
      for (int64_t r = 0; r < rounds; ++r) {
        plain.push_back(time_projection(dense, w, x, g, reps));
        foreground.push_back(time_projection(sparse, w, x, g, reps));
        indexed.push_back(time_projection(indexed_rows, w, x, g, reps));
      }
      const double a = bench::median(plain), b = bench::median(foreground), c = bench::median(indexed);
      const double flops = 2.0 * 2.0 * double(M * K * n * P * B);  // forward and weight gradient
      std::printf("%4lld %5lld %14.1f %17.1f %8.2fx %15.0f%% %16.1f %9.2fx\n", static_cast<long long>(K),
                  static_cast<long long>(n), a * 1e6, b * 1e6, a / b, 100 * flops / a / (sgemm * 1e9), c * 1e6, a / c);
    }

  // Without a gradient: the inputs' cost counted, as a pass over a table pays it.
  torch::NoGradGuard no_grad;
  const PairTable& test = env.test_pairs();
  const int64_t rows = std::min<int64_t>(2000, test.size);
  const auto t_index = Clock::now();
  env.foreground(test, Split::test, 0, 1);  // indexes the test images, once per environment
  std::printf("\nindex of the %lld test images' pixels off the background: %.1f ms, built once\n",
              static_cast<long long>(env.images(0, Split::test).count),
              1e3 * std::chrono::duration<double>(Clock::now() - t_index).count());
  std::printf("without a gradient, %lld test tuples, inputs included (median us):\n", static_cast<long long>(rows));
  std::printf("%4s %5s %22s %22s %9s\n", "K", "n", "pixels + product", "pixels off background", "speed-up");
  for (int64_t K : Ks)
    for (int64_t n : ns) {
      const auto w = torch::randn({M, K * n, P}) * 0.03;
      std::vector<double> batch, rows_only;
      for (int64_t r = 0; r < rounds; ++r) {
        auto t0 = Clock::now();
        const auto xs = env.batch(test, Split::test, 0, rows, 0).x.squeeze(1);
        project_pixels(w, xs, kPixelBackground);
        batch.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
        t0 = Clock::now();
        project_pixel_rows(w, *env.foreground(test, Split::test, 0, rows), /*shared=*/false);
        rows_only.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
      }
      const double a = bench::median(batch), b = bench::median(rows_only);
      std::printf("%4lld %5lld %22.1f %22.1f %8.2fx\n", static_cast<long long>(K), static_cast<long long>(n), a * 1e6,
                  b * 1e6, a / b);
    }
  std::printf("load average after: %s\n", bench::load_average().c_str());
  return 0;
}
