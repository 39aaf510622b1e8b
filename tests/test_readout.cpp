// The fused competitive loss against its reference (stack_loss of competitive_decisions): loss
// values and gradients for two and three modules and two targets of different sizes, a
// diverged network that must not touch its stack-mates, a bad target, and the network's own
// loss() against its forward() for every readout kind.
#include <gtest/gtest.h>
#include <torch/torch.h>

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
}

TEST(Readout, NetworkLossIsTheLossOfItsDecisions) {
  for (int variant = 0; variant < 4; ++variant) {
    Architecture a;
    a.n_modules = 2;
    a.n_stimuli = 2;
    a.pixels = 12;
    a.nb_steps = 3;
    a.comms.assign(3, true);
    a.target_classes = {4, 4};
    a.readout = variant == 1 ? Readout::shared : variant == 3 ? Readout::blockdiag : Readout::separate;
    a.bottleneck = variant == 2 ? 3 : 0;
    ModularRNN model(a, std::vector<NetworkSpec>{{6, 0.2, 0, 1}, {4, 0.5, 0, 2}});
    torch::manual_seed(5);
    auto x = torch::randn({2, 1, 20, 12});
    auto y = torch::randint(0, 4, {20, 2});
    auto reference = stack_loss(model->forward(x).logits, y);
    EXPECT_TRUE(torch::allclose(model->loss(x, y), reference, 1e-5, 1e-6)) << "variant " << variant;
  }
}

}  // namespace
}  // namespace modspec
