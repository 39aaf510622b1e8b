// The fused competitive loss against its reference (stack_loss of competitive_decisions): loss
// values and gradients for two and three modules and two targets of different sizes, a
// diverged network that must not touch its stack-mates, a bad target, labels of each network's
// own, and the network's own loss() and first_target_loss() against its forward() for every
// readout kind.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "fixtures.hpp"
#include "model/modular_rnn.hpp"
#include "model/readout.hpp"

namespace modspec {
namespace {

struct ReadoutCase {
  int64_t M, K, H, B;
  std::vector<int64_t> classes;
  torch::Tensor z, w, b, targets;

  ReadoutCase(int64_t modules, int64_t K_, int64_t H_, int64_t B_, std::vector<int64_t> classes_)
      : M(modules), K(K_), H(H_), B(B_), classes(std::move(classes_)) {
    torch::manual_seed(3);
    int64_t C = 0;
    for (int64_t c : classes) C += c;
    z = torch::randn({M * K, H, B}).requires_grad_();
    w = torch::randn({M * K, C, H}).requires_grad_();
    b = torch::randn({M * K, 1, C}).requires_grad_();
    std::vector<torch::Tensor> y;
    for (int64_t c : classes) y.push_back(torch::randint(0, c, {B, 1}, torch::kInt64));
    targets = torch::cat(y, 1);
  }

  // Loss and the gradients of <loss, upstream> (a different weight per network, as the trainer's
  // masking of stopped networks gives).
  std::vector<torch::Tensor> run(bool fused) {
    for (auto* t : {&z, &w, &b})
      if (t->grad().defined()) t->mutable_grad().zero_();
    auto loss = fused ? competitive_loss(z, w, b, M, classes, targets)
                      : stack_loss(competitive_decisions(z, w, b, M, classes).logits, targets);
    auto upstream = torch::arange(1, K + 1, torch::kFloat32);
    (loss * upstream).sum().backward();
    return {loss.detach(), z.grad().clone(), w.grad().clone(), b.grad().clone()};
  }
};

std::vector<double> to_vector(const torch::Tensor& t) {
  auto d = t.detach().to(torch::kFloat64).contiguous();
  return std::vector<double>(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
}

// The competitive readout's loss as a plain double-precision loop (readout.cpp's math), weighted
// per network by `upstream`: no LibTorch autograd.
double plain_competitive_loss(const ReadoutCase& r, const std::vector<double>& z, const std::vector<double>& w,
                              const std::vector<double>& b, const std::vector<double>& upstream) {
  int64_t C = 0;
  for (int64_t c : r.classes) C += c;
  const auto y = r.targets.contiguous();
  double total = 0;
  for (int64_t k = 0; k < r.K; ++k) {
    double loss = 0;
    for (int64_t i = 0; i < r.B; ++i) {
      // out[m][c] = sum_h w[m*K + k][c][h] z[m*K + k][h][i] + b[m*K + k][c]
      std::vector<std::vector<double>> out(size_t(r.M), std::vector<double>(size_t(C)));
      for (int64_t m = 0; m < r.M; ++m)
        for (int64_t c = 0; c < C; ++c) {
          const int64_t blk = m * r.K + k;
          double v = b[size_t(blk * C + c)];
          for (int64_t h = 0; h < r.H; ++h) v += w[size_t((blk * C + c) * r.H + h)] * z[size_t((blk * r.H + h) * r.B + i)];
          out[size_t(m)][size_t(c)] = v;
        }
      int64_t offset = 0;
      for (size_t j = 0; j < r.classes.size(); ++j) {
        const int64_t Cj = r.classes[j];
        int64_t mu = 0;
        double best = -1e300;
        for (int64_t m = 0; m < r.M; ++m)
          for (int64_t c = 0; c < Cj; ++c)
            if (out[size_t(m)][size_t(offset + c)] > best) {
              best = out[size_t(m)][size_t(offset + c)];
              mu = m;
            }
        double top = -1e300, sum = 0;
        for (int64_t c = 0; c < Cj; ++c) top = std::max(top, out[size_t(mu)][size_t(offset + c)]);
        for (int64_t c = 0; c < Cj; ++c) sum += std::exp(out[size_t(mu)][size_t(offset + c)] - top);
        loss += top + std::log(sum) - out[size_t(mu)][size_t(offset + y[i][int64_t(j)].item<int64_t>())];
        offset += Cj;
      }
    }
    total += upstream[size_t(k)] * loss / double(r.B);
  }
  return total;
}

TEST(Readout, FusedGradientsMatchFiniteDifferencesInDouble) {
  ReadoutCase r(2, 3, 4, 11, {4, 3});
  const auto fused = r.run(true);  // the loss weighted by 1..K, and its gradients
  std::vector<double> upstream;
  for (int64_t k = 0; k < r.K; ++k) upstream.push_back(double(k + 1));
  std::vector<double> z = to_vector(r.z), w = to_vector(r.w), b = to_vector(r.b);
  const double eps = 1e-6;
  auto check = [&](std::vector<double>& x, const torch::Tensor& grad, const char* name) {
    const auto g = to_vector(grad);
    for (size_t i = 0; i < x.size(); i += 3) {
      const double keep = x[i];
      x[i] = keep + eps;
      const double up = plain_competitive_loss(r, z, w, b, upstream);
      x[i] = keep - eps;
      const double down = plain_competitive_loss(r, z, w, b, upstream);
      x[i] = keep;
      EXPECT_NEAR(g[i], (up - down) / (2 * eps), 2e-5) << name << " " << i;
    }
  };
  check(z, fused[1], "z");
  check(w, fused[2], "w");
  check(b, fused[3], "b");
  // The loss itself agrees too.
  double loss = 0;
  for (int64_t k = 0; k < r.K; ++k) loss += upstream[size_t(k)] * fused[0][k].item<double>();
  EXPECT_NEAR(loss, plain_competitive_loss(r, z, w, b, upstream), 1e-4);
}

TEST(Readout, FusedLossAndGradientsMatchTheReference) {
  for (int64_t M : {2, 3}) {
    ReadoutCase r(M, 3, 5, 37, {4, 3});
    const auto fused = r.run(true), reference = r.run(false);
    const char* names[] = {"loss", "grad z", "grad w_out", "grad b_out"};
    ASSERT_EQ(fused[0].sizes(), (std::vector<int64_t>{3}));
    for (size_t i = 0; i < fused.size(); ++i) {
      const double scale = reference[i].abs().max().item<double>();
      EXPECT_GT(scale, 1e-3) << names[i];
      EXPECT_LT((fused[i] - reference[i]).abs().max().item<double>() / scale, 2e-6) << names[i] << ", M = " << M;
    }
  }
}

TEST(Readout, ADivergedNetworkLeavesItsStackMatesAlone) {
  ReadoutCase r(2, 3, 4, 16, {10, 10});
  {
    torch::NoGradGuard no_grad;
    r.z.select(0, 1).fill_(std::numeric_limits<float>::quiet_NaN());  // module 0 of network 1
  }
  const auto fused = r.run(true), reference = r.run(false);
  EXPECT_TRUE(std::isnan(fused[0][1].item<float>()));
  for (int64_t k : {0, 2}) EXPECT_NEAR(fused[0][k].item<float>(), reference[0][k].item<float>(), 1e-5);
  for (int64_t block : {0, 2, 3, 5}) {  // the two modules of networks 0 and 2
    EXPECT_TRUE(torch::allclose(fused[2][block], reference[2][block], 1e-5, 1e-6)) << block;
    EXPECT_TRUE(torch::allclose(fused[1][block], reference[1][block], 1e-5, 1e-6)) << block;
  }
}

TEST(Readout, TargetOutsideItsClassesIsAnError) {
  ReadoutCase r(2, 1, 3, 4, {4, 3});
  r.targets[2][1] = 3;
  const auto message = test::error_message([&] { competitive_loss(r.z, r.w, r.b, 2, r.classes, r.targets); });
  EXPECT_TRUE(test::contains(message, "target 1 holds class 3, outside 0..2")) << message;
  // Labels of each network's own must come for every network.
  const auto wrong = test::error_message(
      [&] { competitive_loss(r.z, r.w, r.b, 2, r.classes, torch::zeros({2, r.B, 2}, torch::kInt64)); });
  EXPECT_TRUE(test::contains(wrong, "targets of shape [2, 4, 2] for 1 networks")) << wrong;
}

// Each network with labels of its own ([K, B, J], as the weight masks' replicas learn): the fused
// loss and gradients against the reference, and network k's loss the one it has when every
// network is given network k's labels.
TEST(Readout, EachNetworkWithLabelsOfItsOwn) {
  ReadoutCase r(2, 3, 5, 29, {4, 3});
  std::vector<torch::Tensor> own;
  for (int64_t k = 0; k < r.K; ++k) {
    std::vector<torch::Tensor> y;
    for (int64_t c : r.classes) y.push_back(torch::randint(0, c, {r.B, 1}, torch::kInt64));
    own.push_back(torch::cat(y, 1));
  }
  r.targets = torch::stack(own);  // [K, B, J]
  const auto fused = r.run(true), reference = r.run(false);
  for (size_t i = 0; i < fused.size(); ++i) {
    const double scale = reference[i].abs().max().item<double>();
    EXPECT_LT((fused[i] - reference[i]).abs().max().item<double>() / scale, 2e-6) << "output " << i;
  }
  for (int64_t k = 0; k < r.K; ++k) {
    r.targets = own[size_t(k)];
    EXPECT_NEAR(r.run(true)[0][k].item<float>(), fused[0][k].item<float>(), 1e-5) << "network " << k;
    EXPECT_NEAR(r.run(false)[0][k].item<float>(), fused[0][k].item<float>(), 1e-5) << "network " << k;
  }
}

TEST(Readout, NetworkLossIsTheLossOfItsDecisions) {
  for (int variant = 0; variant < 4; ++variant) {
    Architecture a = test::small_architecture(12, 4);
    a.readout = variant == 1 ? Readout::shared : variant == 3 ? Readout::blockdiag : Readout::separate;
    a.bottleneck = variant == 2 ? 3 : 0;
    ModularRNN model(a, std::vector<NetworkSpec>{{6, 0.2, 0, 1}, {4, 0.5, 0, 2}});
    torch::manual_seed(5);
    auto x = torch::randn({2, 1, 20, 12});
    auto y = torch::randint(0, 4, {20, 2});
    auto reference = stack_loss(model->forward(x).logits, y);
    EXPECT_TRUE(torch::allclose(model->loss(x, y), reference, 1e-5, 1e-6)) << "variant " << variant;
    // The first target alone, each network with labels of its own, and the gradient it sends to
    // the readout's weights (the weight masks' loss).
    const auto own = torch::randint(0, 4, {2, 20});
    const auto w = model->weights();
    const auto from_logits = model->forward(x).logits[0];  // [K, B, 4]
    std::vector<torch::Tensor> per;
    for (int64_t k = 0; k < 2; ++k) per.push_back(torch::nn::functional::cross_entropy(from_logits[k], own[k]));
    const auto expected = torch::stack(per);
    const auto got = model->first_target_loss(w, model->project_inputs(w, x), 20, own);
    EXPECT_TRUE(torch::allclose(got, expected, 1e-5, 1e-6)) << "variant " << variant;
    const auto g_expected = torch::autograd::grad({expected.sum()}, {model->named_tensors().at("w_out")})[0];
    const auto g_got = torch::autograd::grad({got.sum()}, {model->named_tensors().at("w_out")})[0];
    EXPECT_TRUE(torch::allclose(g_got, g_expected, 1e-4, 1e-6)) << "variant " << variant;
  }
}

}  // namespace
}  // namespace modspec
