#include "metrics/readout_training.hpp"

#include <algorithm>
#include <vector>

#include "metrics/permutation.hpp"
#include "metrics/readout_layout.hpp"
#include "train/adamw.hpp"
#include "util/seed.hpp"

namespace modspec {

ReadoutCorrect train_readouts(const torch::Tensor& train, const torch::Tensor& test, const torch::Tensor& y_train,
                              const torch::Tensor& y_test, int64_t C, const ReadoutSettings& settings, bool ablation,
                              bool shared_over_steps) {
  const int64_t T = train.size(0), M = train.size(1), n = train.size(3), S = y_train.size(1);
  const ReadoutLayout layout{shared_over_steps, T, M, S};
  const int64_t N = train.size(2), R1 = layout.module_readouts(), R2 = layout.joint_readouts();
  ReadoutSettings s1 = settings, s2 = settings;
  s1.seed = derive_seed({settings.seed, kReadout, 1});
  s2.seed = derive_seed({settings.seed, kReadout, 2});
  ReadoutStack retrain(R1, n, C, s1);
  ReadoutStack joint(ablation ? R2 : 1, M * n, C, s2);
  std::vector<torch::Tensor> params = retrain.parameters();
  if (ablation)
    for (auto& p : joint.parameters()) params.push_back(p);
  FusedAdamW opt(params, {settings.lr, 0.0});

  // Test inputs, built once: all test tuples.
  auto all_rows = torch::arange(test.size(2), torch::kInt64);
  auto x1_test = layout.module_inputs(test, all_rows);
  auto y1_test = layout.module_labels(y_test);
  torch::Tensor x2_test, y2_test;
  if (ablation) {
    x2_test = layout.joint_inputs(test, all_rows);
    y2_test = layout.joint_labels(y_test);
  }
  ReadoutCorrect best;
  torch::Tensor done1 = torch::zeros({T * M * S}, torch::kBool), done2 = torch::zeros({T * S}, torch::kBool);
  auto gen_seed = derive_seed({settings.seed, kReadout, 3});
  for (int64_t epoch = 0; epoch < settings.epochs; ++epoch) {
    auto order = random_permutation(N, derive_seed({gen_seed, uint64_t(epoch)}));
    for (int64_t begin = 0; begin < N; begin += settings.batch) {
      auto rows = order.narrow(0, begin, std::min(settings.batch, N - begin));
      auto yb = y_train.index_select(0, rows);  // [B, S]
      auto y1 = layout.module_labels(yb);
      auto logits = retrain.forward(layout.module_inputs(train, rows));
      auto loss = torch::nn::functional::cross_entropy(logits.reshape({-1, C}), y1.reshape(-1)) * double(R1);
      if (ablation) {
        auto l2 = joint.forward(layout.joint_inputs(train, rows));
        loss = loss + torch::nn::functional::cross_entropy(l2.reshape({-1, C}), layout.joint_labels(yb).reshape(-1)) *
                          double(R2);
      }
      opt.zero_grad();
      loss.backward();
      opt.step();
    }
    // A readout's value is that of the first epoch at which it reaches the stop accuracy.
    auto c1 = layout.module_per_step(retrain.correct(x1_test, y1_test));
    best.retraining = epoch == 0 ? c1 : torch::where(done1.unsqueeze(1), best.retraining, c1);
    done1 = done1.logical_or(layout.reached(best.retraining.mean(1), settings.stop_accuracy));
    if (ablation) {
      auto full = layout.joint_per_step(joint.correct(x2_test, y2_test));
      std::vector<torch::Tensor> ablated;
      for (int64_t m = 0; m < M; ++m) {
        auto x = x2_test.clone();
        x.view({x.size(0), x.size(1), M, n}).select(2, m).zero_();
        ablated.push_back(layout.joint_per_step(joint.correct(x, y2_test)));
      }
      auto all_ablated = torch::stack(ablated);  // [M, T*S, N_test]
      best.full = epoch == 0 ? full : torch::where(done2.unsqueeze(1), best.full, full);
      best.ablated = epoch == 0 ? all_ablated : torch::where(done2.view({1, T * S, 1}), best.ablated, all_ablated);
      done2 = done2.logical_or(layout.reached(best.full.mean(1), settings.stop_accuracy));
    }
    if (done1.all().item<bool>() && (!ablation || done2.all().item<bool>())) break;
  }
  return best;
}

}  // namespace modspec
