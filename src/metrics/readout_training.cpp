#include "metrics/readout_training.hpp"

#include <algorithm>
#include <vector>

#include "metrics/permutation.hpp"
#include "metrics/readout_layout.hpp"
#include "optim/adamw.hpp"
#include "util/seed.hpp"

namespace modspec {

namespace {

// The seed of label set c's block of readouts (c = 0: the measure's own, as it always was).
uint64_t block_seed(uint64_t seed, uint64_t kind, size_t c) {
  return c == 0 ? derive_seed({seed, kReadout, kind}) : derive_seed({seed, kReadout, kind, uint64_t(c)});
}

}  // namespace

std::vector<ReadoutCorrect> train_readouts(const torch::Tensor& train, const torch::Tensor& test,
                                           const std::vector<ReadoutLabels>& labels, int64_t C,
                                           const ReadoutSettings& settings, bool ablation, bool shared_over_steps) {
  const int64_t T = train.size(0), M = train.size(1), n = train.size(3), S = labels[0].train.size(1);
  const ReadoutLayout layout{shared_over_steps, T, M, S};
  const int64_t N = train.size(2), R1 = layout.module_readouts(), R2 = layout.joint_readouts();
  const int64_t L = int64_t(labels.size());
  std::vector<uint64_t> seeds1, seeds2;
  for (size_t c = 0; c < labels.size(); ++c) {
    seeds1.push_back(block_seed(settings.seed, 1, c));
    seeds2.push_back(block_seed(settings.seed, 2, c));
  }
  ReadoutStack retrain(R1, seeds1, n, C, settings);
  ReadoutStack joint(ablation ? R2 : 1, seeds2, M * n, C, settings);
  std::vector<torch::Tensor> params = retrain.parameters();
  if (ablation)
    for (auto& p : joint.parameters()) params.push_back(p);
  FusedAdamW opt(params, {settings.lr, 0.0});

  // Test inputs, built once for all label sets: all test tuples.
  auto all_rows = torch::arange(test.size(2), torch::kInt64);
  const auto x1_test = layout.module_inputs(test, all_rows);
  const auto x2_test = ablation ? layout.joint_inputs(test, all_rows) : torch::Tensor();
  std::vector<torch::Tensor> x2_ablated;  // per module: the same with module m's states zeroed
  for (int64_t m = 0; ablation && m < M; ++m) {
    auto x = x2_test.clone();
    x.view({x.size(0), x.size(1), M, n}).select(2, m).zero_();
    x2_ablated.push_back(x);
  }
  std::vector<ReadoutCorrect> best(labels.size());
  std::vector<torch::Tensor> done1(labels.size(), torch::zeros({T * M * S}, torch::kBool)),
      done2(labels.size(), torch::zeros({T * S}, torch::kBool));
  auto gen_seed = derive_seed({settings.seed, kReadout, 3});
  for (int64_t epoch = 0; epoch < settings.epochs; ++epoch) {
    auto order = random_permutation(N, derive_seed({gen_seed, uint64_t(epoch)}));
    for (int64_t begin = 0; begin < N; begin += settings.batch) {
      auto rows = order.narrow(0, begin, std::min(settings.batch, N - begin));
      // Every label set's readouts see the same states: [L*R1, B', n] and [L*R2, B', M*n].
      const auto x1 = layout.module_inputs(train, rows);
      auto logits = retrain.forward(L == 1 ? x1 : x1.repeat({L, 1, 1}));
      torch::Tensor l2;
      if (ablation) {
        const auto x2 = layout.joint_inputs(train, rows);
        l2 = joint.forward(L == 1 ? x2 : x2.repeat({L, 1, 1}));
      }
      // Each label set's loss on its own, as if it were trained alone: the mean over its readouts'
      // samples times its number of readouts, i.e. the sum of every readout's mean loss.
      torch::Tensor loss;
      for (int64_t c = 0; c < L; ++c) {
        const auto yb = labels[size_t(c)].train.index_select(0, rows);  // [B', S]
        auto part = torch::nn::functional::cross_entropy(logits.narrow(0, c * R1, R1).reshape({-1, C}),
                                                          layout.module_labels(yb).reshape(-1)) *
                    double(R1);
        if (ablation)
          part = part + torch::nn::functional::cross_entropy(l2.narrow(0, c * R2, R2).reshape({-1, C}),
                                                              layout.joint_labels(yb).reshape(-1)) *
                            double(R2);
        loss = c == 0 ? part : loss + part;
      }
      opt.zero_grad();
      loss.backward();
      opt.step();
    }
    // A readout's value is that of the first epoch at which it reaches the stop accuracy.
    bool all_done = true;
    for (int64_t c = 0; c < L; ++c) {
      auto& b = best[size_t(c)];
      const auto& y_test = labels[size_t(c)].test;
      auto& d1 = done1[size_t(c)];
      auto& d2 = done2[size_t(c)];
      auto c1 = layout.module_per_step(retrain.correct(x1_test, layout.module_labels(y_test), c * R1, R1));
      b.retraining = epoch == 0 ? c1 : torch::where(d1.unsqueeze(1), b.retraining, c1);
      d1 = d1.logical_or(layout.reached(b.retraining.mean(1), settings.stop_accuracy));
      if (ablation) {
        const auto y2 = layout.joint_labels(y_test);
        auto full = layout.joint_per_step(joint.correct(x2_test, y2, c * R2, R2));
        std::vector<torch::Tensor> ablated;
        for (int64_t m = 0; m < M; ++m)
          ablated.push_back(layout.joint_per_step(joint.correct(x2_ablated[size_t(m)], y2, c * R2, R2)));
        auto all_ablated = torch::stack(ablated);  // [M, T*S, N_test]
        b.full = epoch == 0 ? full : torch::where(d2.unsqueeze(1), b.full, full);
        b.ablated = epoch == 0 ? all_ablated : torch::where(d2.view({1, T * S, 1}), b.ablated, all_ablated);
        d2 = d2.logical_or(layout.reached(b.full.mean(1), settings.stop_accuracy));
      }
      all_done = all_done && d1.all().item<bool>() && (!ablation || d2.all().item<bool>());
    }
    if (all_done) break;
  }
  return best;
}

}  // namespace modspec
