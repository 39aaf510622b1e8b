// The original implementation's choices, each behind its own configuration key (README,
// "Differences from the original implementation"): the masked common readout, the ratio formula
// with its normalisation, same-label correlation pairs, readouts shared over steps, T' trained
// twice, and what `reproduce --flavor` sets for each flavour.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <set>

#include "env/environment.hpp"
#include "env/pair_table.hpp"
#include "catalog/tasks.hpp"
#include "fixtures.hpp"
#include "metrics/correlation_pairs.hpp"
#include "metrics/measure.hpp"
#include "metrics/readout_layout.hpp"
#include "metrics/specialization.hpp"
#include "model/modular_rnn.hpp"
#include "model/readout.hpp"
#include "sweep/flavor.hpp"

namespace modspec {
namespace {

// Two modules, two networks, two targets of 3 classes each, 16 tuples.
struct BlockReadout {
  int64_t M = 2, K = 2, H = 5, B = 16;
  std::vector<int64_t> classes{3, 3};
  torch::Tensor z, w, b, targets;
  BlockReadout() {
    torch::manual_seed(11);
    z = torch::randn({M * K, H, B});
    w = torch::randn({M * K, 6, H});
    b = torch::randn({M * K, 1, 6});
    targets = torch::randint(0, 3, {B, 2}, torch::kInt64);
  }
};

TEST(Blockdiag, LogitsJoinEachModulesOutputsInItsOwnBlock) {
  BlockReadout r;
  const auto d = blockdiag_decisions(r.z, r.w, r.b, r.M, r.classes);
  auto out = torch::baddbmm(r.b, r.z.transpose(1, 2), r.w.transpose(1, 2)).view({r.M, r.K, r.B, 6});
  ASSERT_EQ(d.logits.size(), 2u);
  for (int64_t j = 0; j < 2; ++j) {
    ASSERT_EQ(d.logits[size_t(j)].sizes(), torch::IntArrayRef({r.K, r.B, 2 * 3}));
    for (int64_t m = 0; m < r.M; ++m)
      EXPECT_TRUE(torch::allclose(d.logits[size_t(j)].narrow(2, m * 3, 3), out[m].narrow(2, j * 3, 3)))
          << "target " << j << " module " << m;
    // The decider is the module whose block holds the largest logit.
    EXPECT_TRUE(torch::equal(d.decider[size_t(j)], d.logits[size_t(j)].argmax(2).div(3, "floor")));
  }
}

TEST(Blockdiag, GradientNeverReachesModuleOnesLogitsAsAnswers) {
  BlockReadout r;
  for (auto* t : {&r.z, &r.w, &r.b}) t->requires_grad_();
  auto d = blockdiag_decisions(r.z, r.w, r.b, r.M, r.classes);
  for (auto& l : d.logits) l.retain_grad();
  stack_loss(d.logits, r.targets).sum().backward();
  for (int64_t j = 0; j < 2; ++j) {
    const auto g = d.logits[size_t(j)].grad();  // [K, B, 2*3]
    // Module 1's logits only ever get their softmax probability: pushed down, never up.
    EXPECT_TRUE(g.narrow(2, 3, 3).ge(0).all().item<bool>()) << "target " << j;
    // The target's logit in module 0's block is the only one pulled up.
    auto y = r.targets.select(1, j);
    for (int64_t k = 0; k < r.K; ++k)
      for (int64_t i = 0; i < r.B; ++i)
        for (int64_t c = 0; c < 6; ++c) {
          const double v = g[k][i][c].item<double>();
          if (c == y[i].item<int64_t>()) EXPECT_LT(v, 0);
          else EXPECT_GE(v, 0);
        }
  }
}

TEST(Blockdiag, OnlyModuleZeroCanAnswer) {
  Architecture a = test::small_architecture(12, 4, 2);
  a.readout = Readout::blockdiag;
  ModularRNN net(a, std::vector<NetworkSpec>{{6, 0.2, 0, 1}});
  auto state = net->network_state(0);
  // Module 1's outputs dwarf module 0's: every decision falls in module 1's block, so none is right.
  state["b_out"][1].fill_(100.0);
  net->load_network_state(0, state);
  torch::NoGradGuard no_grad;
  auto x = torch::randn({2, 1, 30, 12});
  const auto out = net->forward(x);
  for (int64_t j = 0; j < 2; ++j) {
    EXPECT_TRUE(out.decider[size_t(j)].eq(1).all().item<bool>());
    EXPECT_TRUE(out.logits[size_t(j)].argmax(2).ge(4).all().item<bool>()) << "never an index 0..3 of a target";
  }
  auto y = torch::randint(0, 4, {30, 2});
  EXPECT_TRUE(torch::allclose(net->loss(x, y), stack_loss(out.logits, y)));
}

Architecture tiny_arch() {
  Architecture a = test::small_architecture(12, 4, 4);
  a.comms = {true, true, false, true};
  return a;
}

TEST(TwoRnn, StateIsTheSumOfAWithinModuleRnnAndAnEdgesOnlyRnn) {
  Architecture single = tiny_arch(), two = tiny_arch();
  two.two_rnn = true;
  const std::vector<NetworkSpec> specs{{6, 0.3, 0, 1}, {4, 0.5, 0, 2}};
  ModularRNN a(single, specs), b(two, specs);
  for (int64_t k = 0; k < 2; ++k) b->load_network_state(k, a->network_state(k));
  torch::manual_seed(2);
  const auto x = torch::randn({2, 1, 7, 12});
  torch::NoGradGuard no_grad;
  const auto out = b->forward(x, true);

  // The same sum by hand, from the single network's own pieces: with no edges the single network
  // is the within-module RNN; the edges-only RNN keeps the edges and drops the within-module weights.
  auto state = [&](bool with_edges, bool with_recurrence) {
    ModularRNN net(single, specs);
    for (int64_t k = 0; k < 2; ++k) {
      auto w = a->network_state(k);
      if (!with_edges) w["w_inter"].zero_();
      if (!with_recurrence) w["w_rec"].zero_();
      net->load_network_state(k, w);
    }
    return net->forward(x, true).states;
  };
  const auto within = state(false, true), between = state(true, false);
  ASSERT_EQ(out.states.size(), 4u);
  for (size_t t = 0; t < 4; ++t)
    EXPECT_TRUE(torch::allclose(out.states[t], within[t] + between[t], 1e-5, 1e-6)) << "step " << t;
  // And it differs from one RNN with both kinds of connections.
  EXPECT_FALSE(torch::allclose(out.states[3], a->forward(x, true).states[3], 1e-3, 1e-3));
}

TEST(OriginalInit, OneRnnOfAllUnitsAndNoInputBias) {
  Architecture a = tiny_arch();
  a.original_init = true;
  ModularRNN net(a, std::vector<NetworkSpec>{{9, 0.3, 0, 1}});
  const auto w = net->network_state(0);
  const double bound = 1.0 / std::sqrt(2.0 * 9.0);  // nn.RNN(2n): U(+-1/sqrt(2n))
  for (const char* name : {"w_in", "w_rec", "w_inter", "w_out", "b_out"}) {
    EXPECT_LE(w.at(name).abs().max().item<double>(), bound) << name;
    EXPECT_GT(w.at(name).abs().max().item<double>(), 0.8 * bound) << name;
  }
  EXPECT_EQ(w.at("b_in").abs().max().item<double>(), 0.0);
  // The bias is not trained: it has no gradient and stays at zero.
  auto y = torch::randint(0, 4, {5, 2});
  net->loss(torch::randn({2, 1, 5, 12}), y).sum().backward();
  EXPECT_FALSE(net->named_parameters()["b_in"].grad().defined());
  EXPECT_TRUE(net->named_parameters()["w_in"].grad().defined());
}

TEST(RatioFormula, HandWorkedValuesWithTheOriginalNormalisation) {
  // clip(M - 0.1 / (1 - 0.1), 1e-5, 1) = clip(M - 0.1111..., 1e-5, 1): not (M - 0.1) / 0.9.
  EXPECT_NEAR(normalise_ratio(0.9, 0.1, true), 0.9 - 1.0 / 9.0, 1e-12);
  EXPECT_NEAR(normalise_ratio(0.55, 0.1, true), 0.55 - 1.0 / 9.0, 1e-12);  // the paper's formula gives 0.5
  EXPECT_DOUBLE_EQ(normalise_ratio(0.1, 0.1, true), 1e-5);                // chance is clipped to 1e-5, not 0
  EXPECT_DOUBLE_EQ(normalise_ratio(1.5, 0.1, true), 1.0);
  // Correlations: (M - b) / (1 - b), unclipped.
  EXPECT_NEAR(normalise_ratio(0.2, 0.6, false), -1.0, 1e-12);
  EXPECT_NEAR(normalise_ratio(0.8, 0.6, false), 0.5, 1e-12);

  // Retraining accuracies 0.9 / 0.2 (module 0) and 0.15 / 0.85 (module 1):
  const double a = 0.9 - 1 / 9.0, b = 0.2 - 1 / 9.0, c = 0.15 - 1 / 9.0, d = 0.85 - 1 / 9.0;
  auto s = ratio_specialization({{a, b}, {c, d}});
  EXPECT_NEAR(s.module[0], 0.7 / (0.9 + 0.2 - 2 / 9.0), 1e-12);    // 0.7 / 0.8778 = 0.7975
  EXPECT_NEAR(s.module[1], -0.7 / (0.15 + 0.85 - 2 / 9.0), 1e-12);  // -0.7 / 0.7778 = -0.9
  EXPECT_NEAR(s.network, (0.797468 + 0.9) / 2, 1e-6);
  // Near chance on both digits, a module is "fully specialized": 0.10 and 0.12 give -0.998.
  const double lo = normalise_ratio(0.10, 0.1, true), hi = normalise_ratio(0.12, 0.1, true);
  EXPECT_NEAR(ratio_specialization({{lo, hi}, {lo, lo}}).module[0], -0.99775, 1e-4);
  EXPECT_THROW(ratio_specialization({{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}), Error);
}

TEST(CorrelationPairs, SameLabelPartnersShareTheClassNotTheImage) {
  EnvSpec spec;
  spec.datasets = {"mnist", "mnist"};
  spec.asymmetry_fix = false;
  std::vector<int64_t> labels(400);
  for (size_t i = 0; i < labels.size(); ++i) labels[i] = int64_t(i % 10);
  const PairTable t = draw_pairs(spec, {&labels, &labels}, 3);
  for (int64_t k = 0; k < 2; ++k) {
    const auto partner = same_label_partners(t, k, 7);
    std::set<int64_t> distinct;
    for (int64_t i = 0; i < t.size; ++i) {
      const int64_t j = partner[i].item<int64_t>();
      ASSERT_GE(j, 0);
      EXPECT_NE(j, i);
      EXPECT_EQ(t.digit[size_t(j * 2 + k)], t.digit[size_t(i * 2 + k)]);
      EXPECT_NE(t.image[size_t(j * 2 + k)], t.image[size_t(i * 2 + k)]);
      distinct.insert(j);
    }
    // Side 0 shows every image once, so its partners form a random cycle through each class.
    if (k == 0) {
      EXPECT_EQ(int64_t(distinct.size()), t.size) << "every tuple is someone's partner";
    }
  }
}

TEST(ReadoutLayout, SharedOverStepsTrainsOneReadoutOnEveryStep) {
  const int64_t T = 3, M = 2, S = 2, N = 4, n = 1;
  // Cache value = 100 t + 10 m + tuple, so every sample says where it came from.
  auto cache = torch::empty({T, M, N, n});
  for (int64_t t = 0; t < T; ++t)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t i = 0; i < N; ++i) cache[t][m][i][0] = double(100 * t + 10 * m + i);
  auto y = torch::tensor({0, 5, 1, 6, 2, 7, 3, 8}, torch::kInt64).view({N, S});  // digit k of tuple i: y[i][k]
  const auto rows = torch::tensor({2, 0}, torch::kInt64);
  const ReadoutLayout shared{true, T, M, S}, per_step{false, T, M, S};
  EXPECT_EQ(shared.module_readouts(), M * S);
  EXPECT_EQ(per_step.module_readouts(), T * M * S);

  const auto x = shared.module_inputs(cache, rows);         // [M, T*2, 1], read by S readouts each
  const auto labels = shared.labels(y.index_select(0, rows));  // [S, T*2], the same for every input
  ASSERT_EQ(x.sizes(), torch::IntArrayRef({M, T * 2, 1}));
  ASSERT_EQ(labels.sizes(), torch::IntArrayRef({S, T * 2}));
  for (int64_t m = 0; m < M; ++m)
    for (int64_t k = 0; k < S; ++k)
      for (int64_t t = 0; t < T; ++t)
        for (int64_t b = 0; b < 2; ++b) {
          const int64_t i = rows[b].item<int64_t>();
          EXPECT_EQ(x[m][t * 2 + b][0].item<double>(), double(100 * t + 10 * m + i));
          EXPECT_EQ(labels[k][t * 2 + b].item<int64_t>(), y[i][k].item<int64_t>());
        }
  // The joint readouts see every module of every step.
  const auto joint = shared.joint_inputs(cache, rows);  // [1, T*2, M]
  ASSERT_EQ(joint.sizes(), torch::IntArrayRef({1, T * 2, M}));
  EXPECT_EQ(joint[0][2 * 2 + 1][1].item<double>(), 200 + 10 + 0);
  // Per step, the S readouts of input (t, m) read step t of module m.
  const auto x_step = per_step.module_inputs(cache, rows);  // [T*M, 2, 1]
  EXPECT_EQ(x_step[2 * M + 1][0][0].item<double>(), 200 + 10 + 2);
  EXPECT_TRUE(torch::equal(per_step.labels(y.index_select(0, rows)), y.index_select(0, rows).t()));

  // Evaluated per step: row (t*M + m)*S + k holds readout (m, k) on step t.
  auto answers = torch::arange(M * S * T * N).view({M, S, T * N});  // as ReadoutStack::predict gives them
  const auto per = shared.module_per_step(answers);
  ASSERT_EQ(per.sizes(), torch::IntArrayRef({T * M * S, N}));
  for (int64_t t = 0; t < T; ++t)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t k = 0; k < S; ++k)
        EXPECT_TRUE(torch::equal(per[(t * M + m) * S + k], answers[m][k].narrow(0, t * N, N)));
  const auto joint_answers = torch::arange(S * T * N).view({1, S, T * N});
  const auto joint_per = shared.joint_per_step(joint_answers);
  ASSERT_EQ(joint_per.sizes(), torch::IntArrayRef({T * S, N}));
  EXPECT_TRUE(torch::equal(joint_per[2 * S + 1], joint_answers[0][1].narrow(0, 2 * N, N)));
  // A shared readout stops on its mean over the steps, all its rows together.
  // Readout means over the steps: 0.96, 0.2, 0.91, 0.9.
  const auto acc = torch::tensor({0.9, 0.2, 0.9, 0.9, 1.0, 0.2, 0.9, 0.9, 0.98, 0.2, 0.93, 0.9});  // [T*M*S]
  const auto expect = [](std::vector<int64_t> r) { return torch::tensor(r).repeat({3}).to(torch::kBool); };
  EXPECT_TRUE(torch::equal(shared.reached(acc, 0.95), expect({1, 0, 0, 0})));
  EXPECT_TRUE(torch::equal(shared.reached(acc, 0.905), expect({1, 0, 1, 0})));
}

TEST(Targets, TheOriginalTrainsTPrimeTwice) {
  const TaskShape all = task_shape("parity", 2, 10);
  const TaskShape twice = select_targets(all, {"T1", "T1"}, "parity");
  EXPECT_EQ(twice.target_names, (std::vector<std::string>{"T1", "T1_dup"}));
  EXPECT_EQ(twice.source, (std::vector<int64_t>{0, 0}));
  EXPECT_EQ(select_targets(all, {}, "parity").target_names, all.target_names);
  EXPECT_EQ(select_targets(all, {"T2"}, "parity").source, (std::vector<int64_t>{1}));
  EXPECT_TRUE(test::contains(test::error_message([&] { select_targets(all, {"T3"}, "parity"); }), "env.targets"));

  EnvSpec spec;
  spec.datasets = {"mnist", "mnist"};
  spec.targets = {"T1", "T1"};
  std::vector<int64_t> labels(200);
  for (size_t i = 0; i < labels.size(); ++i) labels[i] = int64_t(i % 10);
  const PairTable t = draw_pairs(spec, {&labels, &labels}, 1);
  ASSERT_EQ(t.n_targets, 2);
  for (int64_t i = 0; i < t.size; ++i) {
    const int64_t d0 = t.digit[size_t(2 * i)], d1 = t.digit[size_t(2 * i + 1)];
    const int64_t t_prime = (d0 + d1) % 2 ? d0 : d1;
    EXPECT_EQ(t.target[size_t(2 * i)], t_prime);
    EXPECT_EQ(t.target[size_t(2 * i + 1)], t_prime);
  }
}

TEST(Flavor, PublishedSetsTheOriginalsChoicesAndDescribedNothing) {
  const auto sweep_text = R"(
[axes]
architecture = ["separate", "fused", "shared"]
)";
  SweepSpec described = SweepSpec::from_toml_text(sweep_text, "t.toml");
  SweepSpec published = described;
  apply_flavor(described, Flavor::described);
  apply_flavor(published, Flavor::published);
  const Config defaults = Config::defaults();
  for (size_t i = 0; i < 3; ++i) {
    const Config& d = described.points[i].config;
    const Config& p = published.points[i].config;
    EXPECT_EQ(d.to_toml(), SweepSpec::from_toml_text(sweep_text, "t.toml").points[i].config.to_toml());
    EXPECT_EQ(d.string("metrics.formula"), "paper");
    EXPECT_EQ(p.string("metrics.formula"), "ratio");
    EXPECT_EQ(p.string("metrics.correlation_pairs"), "same_label");
    EXPECT_EQ(p.string("metrics.retraining_readout"), "shared_over_steps");
    EXPECT_EQ(p.strings("env.targets"), (std::vector<std::string>{"T1", "T1"}));
    EXPECT_EQ(p.string("model.recurrence"), "two_rnn");
    EXPECT_EQ(p.string("model.init"), "original");
  }
  // Fused pathways read out through the masked common readout; the others keep theirs.
  EXPECT_EQ(published.points[0].config.string("model.readout"), "separate");
  EXPECT_EQ(published.points[1].config.string("model.readout"), "blockdiag");
  EXPECT_EQ(published.points[2].config.string("model.readout"), "shared");
  EXPECT_EQ(architecture_of(published.points[1].config), "fused-blockdiag");
  EXPECT_THROW(flavor_named("original"), Error);
}

TEST(Flavor, SetOverridesTheBaseButNotAnAxis) {
  const auto s = SweepSpec::from_toml_text("[base]\ntrain.epochs = 4\n[axes]\n\"model.n\" = [5, 6]\n", "t.toml",
                                           {"train.epochs=2", "model.n=9"});
  for (const auto& p : s.points) EXPECT_EQ(p.config.integer("train.epochs"), 2);
  EXPECT_EQ(s.points[0].config.integer("model.n"), 5);
  EXPECT_EQ(s.points[1].config.integer("model.n"), 6);
}

// Both flavours' measures on networks whose answer is known by construction (synthetic digits).
std::vector<SpecializationRow> measure_with(const std::vector<std::string>& overrides, Flavor flavor,
                                            const std::function<void(ModularRNNImpl&)>& edit = {}) {
  Config config = test::synthetic_config();
  for (const auto& o : overrides) config.set(o);
  apply_flavor(config, flavor);
  const Environment env(EnvSpec::from(config));
  const Architecture arch = Architecture::from(config, env.n_stimuli(), env.pixels(), env.task().target_classes);
  ModularRNN net(arch, std::vector<NetworkSpec>{NetworkSpec::from(config)});
  if (edit) edit(*net);
  return measure(*net, env, MetricSpec::from(config))[0].specialization;
}

TEST(Flavor, BothFlavoursSeeSeparatePathwaysSpecializedAndTwinModulesNot) {
  for (Flavor flavor : {Flavor::described, Flavor::published}) {
    const char* name = flavor == Flavor::described ? "described" : "published";
    // Untrained separate pathways without connections: module m only ever sees digit m.
    for (const auto& row : measure_with({"model.p=0", "model.n=60", "env.asymmetry_fix=false"}, flavor))
      EXPECT_GE(row.network, 0.6) << name << " " << row.metric << " t=" << row.step;
    // Identical modules on shared inputs: whatever one knows, the other knows.
    const auto twins = measure_with({"model.p=0", "model.input=shared"}, flavor, [](ModularRNNImpl& net) {
      auto state = net.network_state(0);
      for (const char* name : {"w_in", "b_in", "w_rec"}) state[name][1].copy_(state[name][0]);
      net.load_network_state(0, state);
    });
    // The ratio divides by the sum of two accuracies near chance, so it magnifies the readouts' own
    // noise (twin readouts at 0.26 and 0.16 above chance give F^m = 0.24): a wider margin there.
    const double bound = flavor == Flavor::described ? 0.1 : 0.2;
    for (const auto& row : twins) EXPECT_LT(row.network, bound) << name << " " << row.metric << " t=" << row.step;
  }
}

}  // namespace
}  // namespace modspec
