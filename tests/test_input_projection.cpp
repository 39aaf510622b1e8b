// The input projection over the pixels off the background (model/input_projection.hpp): the
// sparse kernels against dense products, the fused node's values and gradient against bmm with
// autograd and against central differences of a double-precision loop, and a stack's projection
// of digit-like images against the dense product of its own weights.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "env/environment.hpp"
#include "finite_differences.hpp"
#include "fixtures.hpp"
#include "foreground_builds.hpp"
#include "model/input_projection.hpp"
#include "model/modular_rnn.hpp"
#include "runtime/foreground_kernels.hpp"

namespace modspec {
namespace {

constexpr float kBackground = -0.5f;

// [rows, P] pixels at the background but for a `density` fraction (and every pixel of row 1, and
// none of row 0 when there are several rows).
torch::Tensor digit_like(int64_t rows, int64_t P, double density, uint64_t seed,
                         torch::ScalarType type = torch::kFloat32) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  auto on = torch::rand({rows, P}, gen) < density;
  if (rows > 1) {
    on[0].fill_(false);
    on[1].fill_(true);
  }
  return torch::where(on, torch::randn({rows, P}, gen), torch::full({rows, P}, double(kBackground))).to(type);
}

TEST(ForegroundKernels, ProductsEqualDenseOnes) {
  // Every build the CPU runs, on batches and pixel counts that leave partial blocks of 4 and
  // outputs that leave partial panels (of 24 floats, or 48 with AVX-512).
  test::for_each_foreground_build([](const std::string& build) {
    for (int64_t R : {3, 8, 16, 24, 50, 104, 200})
      for (int64_t B : {1, 6, 37}) {
        const int64_t P = 61;
        const std::string where = "R = " + std::to_string(R) + ", B = " + std::to_string(B) + ", " + build;
        const auto x = digit_like(B, P, 0.2, uint64_t(R * 100 + B));
        const auto w = torch::randn({R, P});
        auto u = torch::full({R, B}, 7.0);
        kernels::project_foreground(x.data_ptr<float>(), B, P, kBackground, w.data_ptr<float>(), R, u.data_ptr<float>());
        const auto u_ref = torch::mm(w.to(torch::kFloat64), x.to(torch::kFloat64).t());
        EXPECT_LT((u.to(torch::kFloat64) - u_ref).abs().max().item<double>(), 1e-4) << where;

        const auto g = torch::randn({R, B});
        auto gw = torch::full({R, P}, 7.0);
        kernels::project_foreground_backward(x.data_ptr<float>(), B, P, kBackground, g.data_ptr<float>(), R,
                                             gw.data_ptr<float>());
        const auto gw_ref = torch::mm(g.to(torch::kFloat64), x.to(torch::kFloat64));
        EXPECT_LT((gw.to(torch::kFloat64) - gw_ref).abs().max().item<double>(), 1e-4) << where;
      }
  });
  const auto x = digit_like(9, 10, 0.3, 1);
  EXPECT_EQ(kernels::count_off_background(x.data_ptr<float>(), x.numel(), kBackground),
            (x != kBackground).sum().item<int64_t>());
}

TEST(InputProjection, ValuesAndGradientEqualBmm) {
  // Sparse enough for the fused node, then too dense for it, then too few outputs: all must equal bmm.
  for (const auto& [density, R] :
       {std::pair{0.15, int64_t(130)}, std::pair{0.9, int64_t(130)}, std::pair{0.15, int64_t(9)}}) {
    const int64_t M = 2, rows = 45, P = 60;
    const auto x = torch::stack({digit_like(rows, P, density, 1), digit_like(rows, P, density, 2)});  // [M, rows, P]
    const auto w0 = torch::randn({M, R, P}) * 0.1;
    const auto g = torch::randn({M, R, rows});
    auto w = w0.clone().requires_grad_(true);
    auto u = project_pixels(w, x, kBackground);
    (u * g).sum().backward();
    auto w_ref = w0.clone().requires_grad_(true);
    auto u_ref = torch::bmm(w_ref, x.transpose(1, 2));
    (u_ref * g).sum().backward();
    const bool fused = density < kernels::kForegroundMaxDensity && R >= kForegroundMinOutputs;
    EXPECT_EQ(u.grad_fn()->name().find("ForegroundProjection") != std::string::npos, fused) << u.grad_fn()->name();
    ASSERT_EQ(u.sizes(), u_ref.sizes());
    EXPECT_LT((u - u_ref).abs().max().item<float>(), 1e-5) << density << " " << R;
    EXPECT_LT((w.grad() - w_ref.grad()).abs().max().item<float>(), 1e-4) << density << " " << R;
  }
}

TEST(InputProjection, GradientMatchesFiniteDifferencesInDouble) {
  // L = sum_{m,j,b} g[m,j,b] u[m,j,b]: the node's gradient against central differences of the
  // same loss computed by a plain double-precision loop over every pixel.
  const int64_t M = 2, R = kForegroundMinOutputs, rows = 6, P = 11;
  const auto x = torch::stack({digit_like(rows, P, 0.3, 3), digit_like(rows, P, 0.3, 4)});
  const auto g = torch::randn({M, R, rows});
  auto w = (torch::randn({M, R, P}) * 0.1).requires_grad_(true);
  (project_pixels(w, x, kBackground) * g).sum().backward();
  const auto xd = x.to(torch::kFloat64), gd = g.to(torch::kFloat64);
  auto wd = w.detach().to(torch::kFloat64);
  auto loss = [&] { return (torch::bmm(wd, xd.transpose(1, 2)) * gd).sum().item<double>(); };
  test::expect_central_differences(w.grad(), wd, loss, 5, 1e-4, "w");
}

TEST(InputProjection, DoubleInputsTakeThePlainProduct) {
  const auto x = torch::stack({digit_like(5, 7, 0.2, 5, torch::kFloat64)});
  const auto w = torch::randn({1, 3, 7}, torch::kFloat64);
  EXPECT_TRUE(torch::allclose(project_pixels(w, x, kBackground), torch::bmm(w, x.transpose(1, 2))));
}

TEST(InputProjection, AStackProjectsDigitsAsItsDenseWeights) {
  // Digit-like images at the datasets' own background, through a padded stack of both input kinds.
  for (bool shared : {false, true}) {
    Architecture a = test::small_architecture(64, 4);
    a.shared_input = shared;
    ModularRNNImpl stack(a, {{50, 0.1, 0, 1}, {70, 0.1, 0, 2}});  // K N = 140 outputs per module
    const int64_t B = 30;
    auto x = torch::stack({digit_like(B, 64, 0.15, 6), digit_like(B, 64, 0.15, 7)}).unsqueeze(1);  // [S, 1, B, P]
    x = torch::where(x == kBackground, torch::full_like(x, double(kPixelBackground)), x);
    const auto u = stack.project(x);  // [M*K, N, B]
    const auto w = stack.weights();
    const int64_t K = 2, N = 70, M = 2;
    const auto xs = x.squeeze(1);  // [S, B, P]
    torch::Tensor dense;
    if (shared) {
      dense = torch::addmm(w.b_in.view({-1, 1}), w.w_in, xs.permute({1, 0, 2}).reshape({B, 2 * 64}).t());
    } else {
      dense = torch::baddbmm(w.b_in.view({M, K * N, 1}), w.w_in, xs.transpose(1, 2));
    }
    EXPECT_LT((u - dense.view({M * K, N, B})).abs().max().item<float>(), 1e-5) << (shared ? "shared" : "separate");
  }
}

}  // namespace
}  // namespace modspec
