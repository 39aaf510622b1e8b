// Functional specialization: the arithmetic from raw measures to F on hand-worked values, and
// the three measures on networks whose answer is known by construction (synthetic digits).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "data/data_dir.hpp"
#include "fixtures.hpp"
#include "env/environment.hpp"
#include "metrics/measure.hpp"
#include "metrics/specialization.hpp"

namespace modspec {
namespace {

TEST(Specialization, HandWorkedValues) {
  EXPECT_DOUBLE_EQ(normalise(0.55, 0.1), 0.5);
  EXPECT_DOUBLE_EQ(normalise(0.05, 0.1), 0.0);
  EXPECT_DOUBLE_EQ(normalise(1.2, 0.1), 1.0);

  auto s = specialization({{1.0, 0.0}, {0.0, 1.0}});
  EXPECT_DOUBLE_EQ(s.network, 1.0);
  EXPECT_DOUBLE_EQ(s.module[0], 1.0);
  EXPECT_DOUBLE_EQ(s.module[1], -1.0);
  // Specialized on the other digits: still fully specialized (|F^0 - F^1| / 2).
  EXPECT_DOUBLE_EQ(specialization({{0.0, 0.9}, {0.8, 0.0}}).network, 0.85);
  // Both modules know both digits equally: none.
  EXPECT_DOUBLE_EQ(specialization({{0.7, 0.7}, {0.7, 0.7}}).network, 0.0);
  // Paper: F^0 = 0.6 - 0.2 = 0.4, F^1 = 0.3 - 0.5 = -0.2, F = 0.3.
  s = specialization({{0.6, 0.2}, {0.3, 0.5}});
  EXPECT_NEAR(s.network, 0.3, 1e-12);
  EXPECT_NEAR(s.module[0], 0.4, 1e-12);
  EXPECT_NEAR(s.module[1], -0.2, 1e-12);
}

TEST(Specialization, ThreeModulesMatchDigitsOneToOne) {
  // Module 0 on digit 2, module 1 on digit 0, module 2 on digit 1, perfectly.
  auto s = specialization({{0, 0, 1}, {1, 0, 0}, {0, 1, 0}});
  EXPECT_DOUBLE_EQ(s.network, 1.0);
  EXPECT_EQ(s.assigned, std::vector<int64_t>({2, 0, 1}));
  // Everyone on digit 0: the matching can give only one module digit 0.
  // scores: own 0 -> 1 - 0 = 1, own 1 or 2 -> 0 - 0.5 = -0.5; best mean (1 - 0.5 - 0.5) / 3 = 0.
  EXPECT_NEAR(specialization({{1, 0, 0}, {1, 0, 0}, {1, 0, 0}}).network, 0.0, 1e-12);
}

struct Measured {
  std::map<std::string, std::vector<double>> F;  // per metric, per step
  std::map<std::string, std::vector<std::vector<double>>> Fm;
};

Measured run_measure(const std::vector<std::string>& overrides, uint64_t readout_seed,
                     const std::function<void(ModularRNNImpl&)>& edit = {}) {
  Config config = test::synthetic_config();
  config.set("metrics.null_repeats=0");  // the null baselines have tests of their own (test_masks.cpp)
  for (const auto& o : overrides) config.set(o);
  const Environment env(EnvSpec::from(config));
  Architecture arch = Architecture::from(config, env.n_stimuli(), env.pixels(), env.task().target_classes);
  ModularRNN net(arch, std::vector<NetworkSpec>{NetworkSpec::from(config)});
  if (edit) edit(*net);
  MetricSpec spec = MetricSpec::from(config);
  spec.readout.seed = readout_seed;
  Measured m;
  const auto result = measure(*net, env, spec);
  for (const auto& s : result[0].specialization) {
    m.F[s.metric].push_back(s.network);
    m.Fm[s.metric].push_back(s.module);
  }
  return m;
}

TEST(Metrics, SeparatePathwaysWithoutConnectionsAreSpecialized) {
  // Untrained, separate inputs, no inter-module connections: module m only ever sees digit m.
  // Independent digits (no asymmetry fix, whose excluded pairs would let a module guess a little
  // about the other digit), and 100 units so that random features carry most of a digit.
  auto m = run_measure({"model.p=0", "model.n=100", "env.asymmetry_fix=false"}, 0);
  for (const std::string metric : {"retraining", "correlation", "ablation"})
    for (size_t t = 0; t < 3; ++t) {
      EXPECT_GE(m.F[metric][t], 0.6) << metric << " t=" << t;
      EXPECT_GT(m.Fm[metric][t][0], 0.5) << metric << " t=" << t << ": module 0 should be on digit 0";
      EXPECT_LT(m.Fm[metric][t][1], -0.5) << metric << " t=" << t << ": module 1 should be on digit 1";
    }
}

TEST(Metrics, IdenticalModulesOnSharedInputsAreNotSpecialized) {
  auto m = run_measure({"model.p=0", "model.input=shared"}, 0, [](ModularRNNImpl& net) {
    auto state = net.network_state(0);
    for (const char* name : {"w_in", "b_in", "w_rec"}) state[name][1].copy_(state[name][0]);
    net.load_network_state(0, state);
  });
  for (const std::string metric : {"retraining", "correlation", "ablation"})
    for (size_t t = 0; t < 3; ++t) EXPECT_LT(m.F[metric][t], 0.1) << metric << " t=" << t;
}

TEST(Metrics, ReadoutSeedBarelyMoves) {
  // A network with partial specialization (one synapse each way, untrained), measured twice.
  auto a = run_measure({"model.p_s=1"}, 1), b = run_measure({"model.p_s=1"}, 2);
  for (const std::string metric : {"retraining", "correlation", "ablation"})
    for (size_t t = 0; t < 3; ++t) EXPECT_LT(std::abs(a.F[metric][t] - b.F[metric][t]), 0.05) << metric << " t=" << t;
}

}  // namespace
}  // namespace modspec
