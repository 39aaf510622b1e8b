// Functional specialization: the arithmetic from raw measures to F on hand-worked values, and
// the three measures on networks whose answer is known by construction (synthetic digits).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "data/data_dir.hpp"
#include "fixtures.hpp"
#include "env/environment.hpp"
#include "metrics/hidden_states.hpp"
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

// The measures' cache of states holds every network's own units, module by module, for every
// tuple and step, as the stack's forward gives them: a padded stack (n = 4, 5, 6) over a table
// of 2,037 tuples, a whole chunk of 2,000 (cache_states runs the stack on chunks) and 37 more, so
// that every chunk must land in its own rows.
TEST(Metrics, CachedStatesAreTheForwardsStates) {
  Config config = test::synthetic_config();
  const Environment env(EnvSpec::from(config));
  const Architecture arch = Architecture::from(config, env.n_stimuli(), env.pixels(), env.task().target_classes);
  PairTable table = env.train_pairs(0);
  ASSERT_GE(table.size, 2037);
  table.size = 2037;
  ModularRNN stack(arch, std::vector<NetworkSpec>{{4, 0.2, 0, 1}, {6, 0.3, 1, 2}, {5, 0.1, 0, 3}});
  const StateCache cache = cache_states(*stack, env, table, Split::train, 0);
  const int64_t K = 3, M = arch.n_modules, N = stack->padded_n(), T = arch.nb_steps;
  torch::NoGradGuard no_grad;
  const auto states = stack->forward(env.batch(table, Split::train, 0, table.size, 0).x, true).states;  // [M*K, N, B]
  for (int64_t k = 0; k < K; ++k) {
    const int64_t n = stack->specs()[size_t(k)].n;
    ASSERT_EQ(cache[size_t(k)].sizes(), (std::vector<int64_t>{T, M, table.size, n}));
    for (int64_t t = 0; t < T; ++t)
      for (int64_t m = 0; m < M; ++m) {
        const auto expected = states[size_t(t)].view({M, K, N, table.size})[m][k].narrow(0, 0, n).t();
        // The batch of pixels and the pixels off the background sum in other orders: 3e-6 apart.
        EXPECT_TRUE(torch::allclose(cache[size_t(k)][t][m], expected, 1e-5, 1e-5))
            << "network " << k << " step " << t << " module " << m;
      }
  }
}

// A stack wider than kMeasureWidth is measured kMeasureWidth networks at a time: each network's
// results are those of measuring its part of the stack as a stack of its own, in stack order.
TEST(Metrics, AWideStackIsMeasuredInParts) {
  Config config = test::synthetic_config();
  config.set("metrics.null_repeats=1");
  config.set_value("metrics.measures", std::vector<std::string>{"retraining", "correlation"});
  config.set("metrics.readout_epochs=1");
  const Environment env(EnvSpec::from(config));
  const Architecture arch = Architecture::from(config, env.n_stimuli(), env.pixels(), env.task().target_classes);
  std::vector<NetworkSpec> specs;
  const int64_t K = kMeasureWidth + 2;
  for (int64_t k = 0; k < K; ++k) specs.push_back({4 + k % 3, 0.1, k % 2, uint64_t(k)});
  ModularRNN stack(arch, specs);
  std::vector<std::string> stages;
  const auto whole = measure(*stack, env, MetricSpec::from(config), [&](const std::string& s) { stages.push_back(s); });
  ASSERT_EQ(int64_t(whole.size()), K);
  EXPECT_EQ(stages.front().rfind("networks 1-8 of 10: ", 0), 0u) << stages.front();
  EXPECT_EQ(stages.back().rfind("networks 9-10 of 10: ", 0), 0u) << stages.back();
  std::vector<int64_t> first, last;
  for (int64_t k = 0; k < K; ++k) (k < kMeasureWidth ? first : last).push_back(k);
  auto parts = measure(*sub_stack(*stack, first), env, MetricSpec::from(config));
  for (auto& r : measure(*sub_stack(*stack, last), env, MetricSpec::from(config))) parts.push_back(std::move(r));
  for (int64_t k = 0; k < K; ++k) {
    const auto& a = whole[size_t(k)];
    const auto& b = parts[size_t(k)];
    ASSERT_EQ(a.rows.size(), b.rows.size());
    for (size_t i = 0; i < a.rows.size(); ++i) EXPECT_EQ(a.rows[i].value, b.rows[i].value) << "network " << k;
    ASSERT_EQ(a.specialization.size(), b.specialization.size());
    for (size_t i = 0; i < a.specialization.size(); ++i) {
      EXPECT_EQ(a.specialization[i].network, b.specialization[i].network) << "network " << k;
      EXPECT_EQ(a.specialization[i].null_mean, b.specialization[i].null_mean) << "network " << k;
    }
  }
  // Networks of different seeds and sizes measure differently, so a mixed-up order would show.
  EXPECT_NE(whole[0].rows[0].value, whole[1].rows[0].value);
}

}  // namespace
}  // namespace modspec
