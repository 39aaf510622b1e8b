// Central differences of a double-precision loss, for checking a hand-written backward against
// the loss itself rather than against another implementation of the gradient.
#pragma once
#include <cstdint>
#include <functional>
#include <gtest/gtest.h>
#include <string>
#include <torch/torch.h>

namespace modspec::test {

// Expects grad to equal, at every `stride`-th entry of wd (a double tensor that loss() reads), the
// central difference (loss(wd + eps) - loss(wd - eps)) / (2 eps) to within `tolerance`.
inline void expect_central_differences(const torch::Tensor& grad, torch::Tensor& wd, const std::function<double()>& loss,
                                       int64_t stride, double tolerance, const std::string& what) {
  const double eps = 1e-6;
  for (int64_t i = 0; i < wd.numel(); i += stride) {
    auto entry = wd.view(-1)[i];
    const double keep = entry.item<double>();
    entry.fill_(keep + eps);
    const double up = loss();
    entry.fill_(keep - eps);
    const double down = loss();
    entry.fill_(keep);
    EXPECT_NEAR(grad.view(-1)[i].item<double>(), (up - down) / (2 * eps), tolerance) << what << " " << i;
  }
}

}  // namespace modspec::test
