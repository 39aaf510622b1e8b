// The fused tanh recurrence against its reference: the vectorized tanh and exp against the C
// library, and states and gradients of the one-node unroll against the same unroll built from
// LibTorch operators, on shapes that leave vector tails (B = 19, N = 7), three modules, a
// communication schedule with a gap, static and per-step inputs, and a stack without edges.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <string>
#include <vector>

#include "model/recurrence.hpp"
#include "runtime/kernels.hpp"

namespace modspec {
namespace {

TEST(Recurrence, TanhMatchesTheLibraryToSevenDigits) {
  std::vector<float> x;
  for (int i = -40000; i <= 40000; ++i) x.push_back(float(i) * 5e-4f);  // [-20, 20]
  for (int i = 1; i <= 1000; ++i) {  // tiny values, where 1 - e^(-2a) would cancel
    x.push_back(float(i) * 1e-7f);
    x.push_back(-float(i) * 1e-7f);
  }
  x.push_back(0.0f);
  auto y = x;
  kernels::tanh_in_place(y.data(), int64_t(y.size()));
  double worst_abs = 0, worst_rel = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double exact = std::tanh(double(x[i])), err = std::fabs(double(y[i]) - exact);
    worst_abs = std::max(worst_abs, err);
    if (exact != 0) worst_rel = std::max(worst_rel, err / std::fabs(exact));
    ASSERT_EQ(std::signbit(y[i]), std::signbit(x[i])) << "x = " << x[i];
  }
  EXPECT_LT(worst_abs, 2e-7);
  EXPECT_LT(worst_rel, 3e-7);
  EXPECT_EQ(y.back(), 0.0f);
  // Infinities saturate; NaN stays NaN, so that a diverged network is still seen to diverge.
  std::vector<float> special{INFINITY, -INFINITY, NAN};
  kernels::tanh_in_place(special.data(), 3);
  EXPECT_EQ(special[0], 1.0f);
  EXPECT_EQ(special[1], -1.0f);
  EXPECT_TRUE(std::isnan(special[2]));
}

TEST(Recurrence, ExpMatchesTheLibraryToSevenDigits) {
  std::vector<float> x;
  for (int i = 0; i <= 100000; ++i) x.push_back(-float(i) * 8.6e-4f);  // [-86, 0]
  auto y = x;
  kernels::exp_nonpositive_in_place(y.data(), int64_t(y.size()));
  double worst_rel = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double exact = std::exp(double(x[i]));
    worst_rel = std::max(worst_rel, std::fabs(double(y[i]) - exact) / exact);
  }
  EXPECT_LT(worst_rel, 3e-7);
  std::vector<float> special{-INFINITY, NAN, 2.0f};
  kernels::exp_nonpositive_in_place(special.data(), 3);
  EXPECT_LT(special[0], 1e-37f);
  EXPECT_TRUE(std::isnan(special[1]));
  EXPECT_EQ(special[2], 1.0f);  // positive values are read as 0
}

struct Case {
  const char* name;
  int64_t MK, N, B, E;
  std::vector<bool> comms;
  bool per_step;
};

// GoogleTest names a parameter by this instead of dumping its bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

// A random network of `c`'s shape: drive u, masked recurrent weights and E edges between rows of
// different blocks, all leaves that want a gradient.
struct Problem {
  torch::Tensor u, w_rec, w_inter;
  InterEdges edges;

  explicit Problem(const Case& c) {
    torch::manual_seed(7);
    const int64_t T = int64_t(c.comms.size());
    u = torch::randn({c.MK, c.N, c.per_step ? T * c.B : c.B}).requires_grad_();
    auto mask = 1 - torch::eye(c.N).expand({c.MK, c.N, c.N});
    w_rec = (torch::randn({c.MK, c.N, c.N}) * 0.4 * mask).requires_grad_();
    w_inter = (torch::randn({1, c.E}) * 0.5).requires_grad_();
    auto src_block = torch::randint(0, c.MK, {c.E}, torch::kInt64);
    auto dst_block = (src_block + torch::randint(1, c.MK, {c.E}, torch::kInt64)) % c.MK;
    edges.src_row = src_block * c.N + torch::randint(0, c.N, {c.E}, torch::kInt64);
    edges.dst_row = dst_block * c.N + torch::randint(0, c.N, {c.E}, torch::kInt64);
    edges.weight = w_inter;
  }

  // States and the gradients of a loss that reads every step's state: sum(states * R).
  std::vector<torch::Tensor> run(bool fused, const Case& c) {
    for (auto* t : {&u, &w_rec, &w_inter})
      if (t->grad().defined()) t->mutable_grad().zero_();
    auto states = torch::stack(fused ? tanh_recurrence(u, w_rec, edges, c.comms, c.B)
                                     : tanh_recurrence_reference(u, w_rec, edges, c.comms, c.B));
    torch::manual_seed(11);
    (states * torch::randn(states.sizes())).sum().backward();
    return {states.detach(), u.grad().clone(), w_rec.grad().clone(), w_inter.grad().clone()};
  }
};

class FusedAgainstReference : public ::testing::TestWithParam<Case> {};

TEST_P(FusedAgainstReference, StatesAndGradientsAgree) {
  const Case c = GetParam();
  Problem p(c);
  const auto fused = p.run(true, c), reference = p.run(false, c);
  const char* names[] = {"states", "grad u", "grad w_rec", "grad w_inter"};
  ASSERT_EQ(fused[0].sizes(), (std::vector<int64_t>{int64_t(c.comms.size()), c.MK, c.N, c.B}));
  for (size_t i = 0; i < fused.size(); ++i) {
    ASSERT_EQ(fused[i].sizes(), reference[i].sizes()) << names[i];
    if (fused[i].numel() == 0) continue;
    const double scale = reference[i].abs().max().item<double>() + 1e-12;
    EXPECT_LT((fused[i] - reference[i]).abs().max().item<double>() / scale, 2e-6) << names[i];
  }
  // Where edges carry signal (after step 0), their gradient is not trivially zero.
  if (c.E > 0 && c.comms.size() > 1) {
    EXPECT_GT(fused[3].abs().sum().item<double>(), 1e-3);
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, FusedAgainstReference,
                         ::testing::Values(Case{"ThreeModulesStatic", 6, 7, 19, 20, {true, true, true}, false},
                                           Case{"ScheduleGapPerStep", 6, 7, 19, 20, {true, false, true, true}, true},
                                           Case{"PaperSize", 4, 25, 256, 60, {true, true, true}, false},
                                           Case{"NoEdges", 2, 5, 3, 0, {true, true}, false},
                                           Case{"OneStep", 2, 5, 33, 4, {true}, true}),
                         [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

// The fused backward against central finite differences of a plain double-precision loop of the
// forward math (recurrence.cpp): no LibTorch autograd on either side.
struct PlainRecurrence {
  Case c;
  std::vector<double> w_rec, w_inter;  // [MK, N, N], [E]
  std::vector<int64_t> src, dst;       // [E] rows of the state, as in InterEdges
  std::vector<double> R;               // [T, MK, N, B] the loss's weights: L = sum_t <R_t, h_t>

  double loss(const std::vector<double>& u) const {
    const int64_t T = int64_t(c.comms.size()), rows = c.MK * c.N, cols = c.per_step ? T * c.B : c.B;
    std::vector<double> h(size_t(rows * c.B), 0.0), a(h.size());
    double L = 0;
    for (int64_t t = 0; t < T; ++t) {
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t b = 0; b < c.B; ++b) a[size_t(r * c.B + b)] = u[size_t(r * cols + (c.per_step ? t * c.B : 0) + b)];
      if (t > 0) {
        for (int64_t blk = 0; blk < c.MK; ++blk)
          for (int64_t i = 0; i < c.N; ++i)
            for (int64_t j = 0; j < c.N; ++j)
              for (int64_t b = 0; b < c.B; ++b)
                a[size_t((blk * c.N + i) * c.B + b)] +=
                    w_rec[size_t((blk * c.N + i) * c.N + j)] * h[size_t((blk * c.N + j) * c.B + b)];
        if (c.comms[size_t(t)])
          for (size_t e = 0; e < w_inter.size(); ++e)
            for (int64_t b = 0; b < c.B; ++b) a[size_t(dst[e] * c.B + b)] += w_inter[e] * h[size_t(src[e] * c.B + b)];
      }
      for (size_t i = 0; i < h.size(); ++i) {
        h[i] = std::tanh(a[i]);
        L += R[size_t(t) * h.size() + i] * h[i];
      }
    }
    return L;
  }
};

std::vector<double> to_vector(const torch::Tensor& t) {
  auto d = t.detach().to(torch::kFloat64).contiguous();
  return std::vector<double>(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
}

TEST(Recurrence, FusedGradientsMatchFiniteDifferencesInDouble) {
  for (const Case& c : {Case{"Static", 4, 5, 3, 6, {true, true, true}, false},
                        Case{"PerStepWithGap", 4, 5, 3, 6, {true, false, true, true}, true}}) {
    Problem p(c);
    const int64_t T = int64_t(c.comms.size());
    torch::manual_seed(11);
    const auto R = torch::randn({T, c.MK, c.N, c.B});
    auto states = torch::stack(tanh_recurrence(p.u, p.w_rec, p.edges, c.comms, c.B));
    (states * R).sum().backward();
    PlainRecurrence plain{c, to_vector(p.w_rec), to_vector(p.w_inter), {}, {}, to_vector(R)};
    for (int64_t e = 0; e < c.E; ++e) {
      plain.src.push_back(p.edges.src_row[e].item<int64_t>());
      plain.dst.push_back(p.edges.dst_row[e].item<int64_t>());
    }
    const std::vector<double> u = to_vector(p.u);
    const double eps = 1e-6;
    // dL/du
    const auto gu = to_vector(p.u.grad());
    for (size_t i = 0; i < u.size(); i += 7) {
      auto up = u, down = u;
      up[i] += eps;
      down[i] -= eps;
      EXPECT_NEAR(gu[i], (plain.loss(up) - plain.loss(down)) / (2 * eps), 2e-5) << c.name << " u " << i;
    }
    // The central difference of the loss in one weight of `weights` (plain.w_rec or plain.w_inter).
    auto difference = [&](std::vector<double>& weights, size_t i) {
      const double keep = weights[i];
      weights[i] = keep + eps;
      const double up = plain.loss(u);
      weights[i] = keep - eps;
      const double down = plain.loss(u);
      weights[i] = keep;
      return (up - down) / (2 * eps);
    };
    // dL/dW (off the diagonal, which the caller's mask keeps at zero) and dL/dw_e
    const auto gw = to_vector(p.w_rec.grad());
    for (size_t i = 0; i < plain.w_rec.size(); i += 5) {
      if ((i / size_t(c.N)) % size_t(c.N) == i % size_t(c.N)) continue;
      EXPECT_NEAR(gw[i], difference(plain.w_rec, i), 2e-5) << c.name << " w_rec " << i;
    }
    const auto ge = to_vector(p.w_inter.grad());
    for (size_t e = 0; e < plain.w_inter.size(); ++e)
      EXPECT_NEAR(ge[e], difference(plain.w_inter, e), 2e-5) << c.name << " w_inter " << e;
  }
}

// A loss that reads one step's state only: the other steps get no gradient tensor at all.
TEST(Recurrence, ReadingOneStepGivesTheSameGradients) {
  const Case c{"OneStepRead", 4, 6, 17, 10, {true, true, true}, false};
  Problem p(c);
  for (size_t read = 0; read < c.comms.size(); ++read) {
    std::vector<torch::Tensor> grads[2];
    for (int fused = 0; fused < 2; ++fused) {
      for (auto* t : {&p.u, &p.w_rec, &p.w_inter})
        if (t->grad().defined()) t->mutable_grad().zero_();
      auto states = fused ? tanh_recurrence(p.u, p.w_rec, p.edges, c.comms, c.B)
                          : tanh_recurrence_reference(p.u, p.w_rec, p.edges, c.comms, c.B);
      states[read].pow(2).sum().backward();
      // Reading step 0, the reference leaves the recurrent weights without a gradient at all.
      auto grad = [](const torch::Tensor& t) { return t.grad().defined() ? t.grad().clone() : torch::zeros_like(t); };
      grads[fused] = {grad(p.u), grad(p.w_rec), grad(p.w_inter)};
    }
    for (size_t i = 0; i < 3; ++i)
      EXPECT_TRUE(torch::allclose(grads[0][i], grads[1][i], 1e-5, 1e-6)) << "step " << read << ", gradient " << i;
  }
}

}  // namespace
}  // namespace modspec
