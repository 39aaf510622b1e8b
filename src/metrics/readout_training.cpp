#include "metrics/readout_training.hpp"

#include <algorithm>
#include <optional>
#include <vector>

#include "metrics/permutation.hpp"
#include "metrics/readout_layout.hpp"
#include "util/seed.hpp"

namespace modspec {

namespace {

// The seed of label set c's block of readouts (c = 0: the measure's own, as it always was).
uint64_t block_seed(uint64_t seed, uint64_t kind, size_t c) {
  return c == 0 ? derive_seed({seed, kReadout, kind}) : derive_seed({seed, kReadout, kind, uint64_t(c)});
}

}  // namespace

std::vector<ReadoutCorrect> train_readouts(const torch::Tensor& train_in, const torch::Tensor& test,
                                           const std::vector<ReadoutLabels>& labels, int64_t C,
                                           const ReadoutSettings& settings, bool ablation, bool shared_over_steps) {
  const auto train = train_in.to(torch::kCPU, torch::kFloat32).contiguous();  // its rows are read in place
  const int64_t T = train.size(0), M = train.size(1), n = train.size(3), S = labels[0].train.size(1);
  const ReadoutLayout layout{shared_over_steps, T, M, S};
  const int64_t N = train.size(2), L = int64_t(labels.size());
  std::vector<uint64_t> seeds1, seeds2;
  for (size_t c = 0; c < labels.size(); ++c) {
    seeds1.push_back(block_seed(settings.seed, 1, c));
    seeds2.push_back(block_seed(settings.seed, 2, c));
  }
  ReadoutStack retrain(layout.module_inputs(), S, seeds1, n, C, settings);
  std::optional<ReadoutStack> joint;
  if (ablation) joint.emplace(layout.joint_inputs(), S, seeds2, M * n, C, settings);

  // Test inputs in the kernels' lanes, built once for all label sets and epochs: all test tuples.
  const auto test_cache = test.to(torch::kCPU, torch::kFloat32).contiguous();
  const auto all_rows = torch::arange(test.size(2), torch::kInt64);
  // The joint readouts read the module inputs' lanes too (ReadoutLayout::module_lanes).
  std::vector<float> test_lanes;
  const int64_t test_rows = layout.module_lanes(test_cache, all_rows, test_lanes);
  // Which test tuples label set c's readouts got right: classes [L, inputs, S, rows] -> per step.
  std::vector<torch::Tensor> y_test;  // [1, S, rows] per label set
  for (const auto& set : labels) y_test.push_back(layout.labels(set.test).unsqueeze(0));
  auto module_correct = [&](const torch::Tensor& classes, int64_t c) {
    return layout.module_per_step(classes[c].eq(y_test[size_t(c)])).to(torch::kFloat64);
  };
  auto joint_correct = [&](const torch::Tensor& classes, int64_t c) {
    return layout.joint_per_step(classes[c].eq(y_test[size_t(c)])).to(torch::kFloat64);
  };

  std::vector<ReadoutCorrect> best(labels.size());
  std::vector<torch::Tensor> done1(labels.size(), torch::zeros({T * M * S}, torch::kBool)),
      done2(labels.size(), torch::zeros({T * S}, torch::kBool));
  auto gen_seed = derive_seed({settings.seed, kReadout, 3});
  std::vector<float> lanes;  // a batch's inputs in the kernels' lanes, for both kinds of readouts
  for (int64_t epoch = 0; epoch < settings.epochs; ++epoch) {
    auto order = random_permutation(N, derive_seed({gen_seed, uint64_t(epoch)}));
    for (int64_t begin = 0; begin < N; begin += settings.batch) {
      auto rows = order.narrow(0, begin, std::min(settings.batch, N - begin));
      std::vector<torch::Tensor> y;  // [L, S, B'] or [L, S, T*B']
      for (const auto& set : labels) y.push_back(layout.labels(set.train.index_select(0, rows)));
      const auto yb = torch::stack(y);
      const int64_t rows_per_input = layout.module_lanes(train, rows, lanes);
      retrain.train_step_lanes(lanes.data(), rows_per_input, yb);
      if (joint) joint->train_step_lanes(lanes.data(), rows_per_input, yb);
    }
    // A readout's value is that of the first epoch at which it reaches the stop accuracy.
    const auto classes1 = retrain.predict_lanes(test_lanes.data(), test_rows);
    // The joint readouts on all modules' states, then with each module's states zeroed: [1 + M, ...].
    const auto joint_classes = joint ? joint->predict_lanes(test_lanes.data(), test_rows, M) : torch::Tensor();
    bool all_done = true;
    for (int64_t c = 0; c < L; ++c) {
      auto& b = best[size_t(c)];
      auto& d1 = done1[size_t(c)];
      auto& d2 = done2[size_t(c)];
      auto c1 = module_correct(classes1, c);
      b.retraining = epoch == 0 ? c1 : torch::where(d1.unsqueeze(1), b.retraining, c1);
      d1 = d1.logical_or(layout.reached(b.retraining.mean(1), settings.stop_accuracy));
      if (joint) {
        auto full = joint_correct(joint_classes[0], c);
        std::vector<torch::Tensor> ablated;
        for (int64_t m = 0; m < M; ++m) ablated.push_back(joint_correct(joint_classes[1 + m], c));
        auto all_ablated = torch::stack(ablated);  // [M, T*S, N_test]
        b.full = epoch == 0 ? full : torch::where(d2.unsqueeze(1), b.full, full);
        b.ablated = epoch == 0 ? all_ablated : torch::where(d2.view({1, T * S, 1}), b.ablated, all_ablated);
        d2 = d2.logical_or(layout.reached(b.full.mean(1), settings.stop_accuracy));
      }
      all_done = all_done && d1.all().item<bool>() && (!joint || d2.all().item<bool>());
    }
    if (all_done) break;
  }
  return best;
}

}  // namespace modspec
