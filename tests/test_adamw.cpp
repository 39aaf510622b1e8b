// The fused AdamW kernel against LibTorch's own AdamW, step by step.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "optim/adamw.hpp"

namespace modspec {
namespace {

TEST(FusedAdamW, MatchesLibTorchAdamW) {
  torch::manual_seed(0);
  auto a = torch::randn({37, 11}).requires_grad_();
  auto b = torch::randn({5}).requires_grad_();
  auto a_ref = a.detach().clone().requires_grad_(), b_ref = b.detach().clone().requires_grad_();
  FusedAdamW ours({a, b}, {3e-3, 1e-2});
  torch::optim::AdamW ref({a_ref, b_ref}, torch::optim::AdamWOptions(3e-3).weight_decay(1e-2));
  for (int step = 0; step < 25; ++step) {
    auto target = torch::randn({37, 11});
    auto loss = [&](const torch::Tensor& x, const torch::Tensor& y) {
      return (x - target).pow(2).sum() + y.sin().sum() * double(step % 3);
    };
    ours.zero_grad();
    loss(a, b).backward();
    ours.step();
    ref.zero_grad();
    loss(a_ref, b_ref).backward();
    ref.step();
    if (step == 12) {  // the learning rate may change between steps (exponential decay)
      ours.set_lr(1e-3);
      static_cast<torch::optim::AdamWOptions&>(ref.param_groups()[0].options()).lr(1e-3);
    }
  }
  EXPECT_TRUE(torch::allclose(a, a_ref, 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(b, b_ref, 1e-5, 1e-6));
}

}  // namespace
}  // namespace modspec
