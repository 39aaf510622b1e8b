// The weight-mask measure and the null baselines: the straight-through mask gradient against a
// finite difference of the relaxed mask (double precision), where the masked entries lie, the
// known answers on trained networks (synthetic digits), and the permutation null riding along
// without moving the measure itself.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <ATen/CPUGeneratorImpl.h>
#include <cmath>

#include "env/environment.hpp"
#include "fixtures.hpp"
#include "metrics/measure.hpp"
#include "metrics/measure_context.hpp"
#include "metrics/readout_training.hpp"
#include "metrics/weight_masks.hpp"
#include "train/trainer.hpp"

namespace modspec {
namespace {

Architecture small_arch(Readout readout = Readout::separate) {
  Architecture a = test::small_architecture(6, 3);
  a.readout = readout;
  return a;
}

TEST(WeightMasks, StraightThroughGradientIsTheRelaxedMasksFiniteDifference) {
  for (bool gumbel : {false, true})
    for (Readout readout : {Readout::separate, Readout::shared}) {
      ModularRNN net(small_arch(readout), std::vector<NetworkSpec>{{4, 0.5, 0, 1}, {3, 0.4, 0, 2}});
      test::to_double(*net);
      MaskSettings s;
      s.gumbel = gumbel;
      s.keep = 0.5;
      s.all_weights = true;
      MaskedWeights masks(*net, s);
      auto gen = at::make_generator<at::CPUGeneratorImpl>(5);
      masks.draw_noise(gen);
      torch::manual_seed(3);
      const auto x = torch::randn({2, 1, 9, 6}, torch::kFloat64);
      const auto y = torch::randint(0, 3, {9}, torch::kInt64);
      const StackWeights w = net->weights();
      auto loss_of = [&](const torch::Tensor& mask) {
        const auto logits = net->forward_with(masks.apply_mask(w, mask), x).logits[0];  // [K, B, 3]
        return torch::nn::functional::cross_entropy(logits.reshape({-1, 3}), y.repeat({2}));
      };
      // The straight-through gradient of the hard mask.
      auto& p = masks.parameters();
      const auto hard = masks.hard();
      const auto relaxed = masks.relaxation().detach().clone();  // top_k: the scores themselves, which move
      EXPECT_TRUE(torch::equal(hard, hard.round())) << "a mask of zeros and ones";
      loss_of(hard + masks.relaxation() - masks.relaxation().detach()).backward();
      const auto straight = p.grad().clone();
      // A finite difference of the relaxed mask around the hard one: hard + relax(p') - relax(p).
      torch::NoGradGuard no_grad;
      const double eps = 1e-6;
      int checked = 0;
      for (int64_t i = 0; i < masks.size(); i += std::max<int64_t>(1, masks.size() / 23)) {
        p[i] += eps;
        const double up = loss_of(hard + masks.relaxation() - relaxed).item<double>();
        p[i] -= 2 * eps;
        const double down = loss_of(hard + masks.relaxation() - relaxed).item<double>();
        p[i] += eps;
        EXPECT_NEAR(straight[i].item<double>(), (up - down) / (2 * eps), 1e-7 + 1e-5 * std::abs(straight[i].item<double>()))
            << (gumbel ? "gumbel" : "top_k") << " entry " << i;
        ++checked;
      }
      EXPECT_GT(checked, 10);
      EXPECT_GT(straight.abs().max().item<double>(), 0.0);
    }
}

// On the CPU in float, apply() is one autograd node (StraightThroughMask): its masked weights and
// its scores' gradient must be those of apply_mask at hard + relaxation - relaxation.detach(), the
// composition whose gradient the test above checks, for both methods and scopes.
TEST(WeightMasks, FusedStraightThroughEqualsTheOperators) {
  for (bool gumbel : {false, true})
    for (bool all_weights : {false, true})
      for (Readout readout : {Readout::separate, Readout::shared}) {
        ModularRNN net(small_arch(readout), std::vector<NetworkSpec>{{4, 0.5, 0, 1}, {3, 0.4, 0, 2}});
        for (auto& p : net->parameters()) p.requires_grad_(false);
        MaskSettings s;
        s.gumbel = gumbel;
        s.all_weights = all_weights;
        s.keep = 0.3;
        MaskedWeights masks(*net, s);
        auto gen = at::make_generator<at::CPUGeneratorImpl>(7);
        masks.draw_noise(gen);
        torch::manual_seed(3);
        const auto x = torch::randn({2, 1, 9, 6});
        const StackWeights w = net->weights();
        const std::string name = std::string(gumbel ? "gumbel" : "top_k") + (all_weights ? " all" : "");
        auto run = [&](bool fused) {
          masks.parameters().mutable_grad() = torch::Tensor();
          const auto relaxed = masks.relaxation();
          const auto masked = fused ? masks.apply(w) : masks.apply_mask(w, masks.hard() + relaxed - relaxed.detach());
          net->forward_with(masked, x).logits[0].pow(2).sum().backward();
          return std::make_pair(masked, masks.parameters().grad().clone());
        };
        const auto [fused, fused_grad] = run(true);
        const auto [ops, ops_grad] = run(false);
        // The composition's mask is hard + r - r in float: one within rounding, where the node's is exact.
        for (const auto& p : net->parameter_names())
          EXPECT_TRUE(torch::allclose(const_cast<StackWeights&>(fused).at(p), const_cast<StackWeights&>(ops).at(p),
                                      1e-6, 1e-7))
              << name << " " << p;
        EXPECT_LT((fused_grad - ops_grad).abs().max().item<double>(), 1e-6 * ops_grad.abs().max().item<double>())
            << name;
        EXPECT_GT(fused_grad.abs().max().item<double>(), 0.0) << name;
        EXPECT_GT(masks.hard().sum().item<double>(), 0.0) << name;
      }
}

// train_masks projects the inputs once per network and repeats the projection for the network's
// replicas (replicas_projection). The replicas' logits and the scores' gradients must be those of
// each replica projecting the inputs itself, for every cell and readout, padded stacks, static and
// changing inputs.
TEST(WeightMasks, ReplicasShareTheirNetworksProjection) {
  struct Case {
    const char* name;
    Readout readout;
    bool gru, two_rnn;
    int64_t bottleneck, input_steps;
  };
  for (const Case& c : {Case{"separate", Readout::separate, false, false, 0, 1},
                        Case{"shared", Readout::shared, false, false, 0, 1},
                        Case{"blockdiag", Readout::blockdiag, false, false, 0, 1},
                        Case{"gru", Readout::separate, true, false, 0, 1},
                        Case{"two_rnn", Readout::separate, false, true, 0, 1},
                        Case{"bottleneck", Readout::separate, false, false, 2, 1},
                        Case{"changing inputs", Readout::separate, false, false, 0, 3}}) {
    Architecture a = small_arch(c.readout);
    a.gru = c.gru;
    a.two_rnn = c.two_rnn;
    a.bottleneck = c.bottleneck;
    const std::vector<NetworkSpec> specs{{4, 0.5, 0, 1}, {3, 0.4, 0, 2}};  // different n: a padded stack
    ModularRNN net(a, specs);
    test::to_double(*net);
    const int64_t K = 2, R = 3 * K;
    std::vector<NetworkSpec> replica_specs;
    for (int64_t r = 0; r < R; ++r) replica_specs.push_back(specs[size_t(r % K)]);
    ModularRNN replicas(a, replica_specs);
    test::to_double(*replicas);
    for (int64_t r = 0; r < R; ++r) replicas->load_network_state(r, net->network_state(r % K));
    for (auto& p : replicas->parameters()) p.requires_grad_(false);  // frozen, as train_masks has them
    MaskSettings s;
    s.keep = 0.5;
    MaskedWeights masks(*replicas, s);  // each replica its own scores: its own masked weights
    torch::manual_seed(4);
    const int64_t B = 7;
    const auto x = torch::randn({2, c.input_steps, B, 6}, torch::kFloat64);
    const auto frozen = replicas->weights();
    auto run = [&](bool shared) {
      masks.parameters().mutable_grad() = torch::Tensor();
      const auto w = masks.apply(frozen);
      auto out = shared ? replicas->forward_projected(w, replicas_projection(*net, net->project(x), R), B)
                        : replicas->forward_with(w, x);
      out.logits[0].pow(2).sum().backward();
      return std::make_pair(out.logits[0].detach(), masks.parameters().grad().clone());
    };
    const auto [own_logits, own_grad] = run(false);
    const auto [shared_logits, shared_grad] = run(true);
    EXPECT_EQ(shared_logits.sizes(), own_logits.sizes()) << c.name;
    EXPECT_LT((shared_logits - own_logits).abs().max().item<double>(), 1e-12) << c.name;
    EXPECT_LT((shared_grad - own_grad).abs().max().item<double>(), 1e-12) << c.name;
    EXPECT_GT(own_grad.abs().max().item<double>(), 0.0) << c.name;
    // The replicas of one network differ only by their masks: without masks their logits agree.
    const auto plain = replicas->forward_projected(frozen, replicas_projection(*net, net->project(x), R), B).logits[0].detach();
    EXPECT_LT((plain[0] - plain[K]).abs().max().item<double>(), 1e-12) << c.name;
    EXPECT_GT((own_logits[0] - own_logits[K]).abs().max().item<double>(), 1e-6) << c.name << ": masks differ";
  }
}

TEST(WeightMasks, TopKKeepsTheFractionOfEachNetworkAndCountsByModule) {
  ModularRNN net(small_arch(), std::vector<NetworkSpec>{{5, 0.3, 0, 1}, {3, 0.2, 0, 2}});
  MaskSettings s;
  s.keep = 0.1;
  MaskedWeights masks(*net, s);
  // Entries: each module's recurrent matrix without its diagonal, readout weights and biases.
  const auto entries = masks.entries_per_module();
  EXPECT_EQ(entries[0][0].item<double>(), 5 * 4 + 6 * 5 + 6);
  EXPECT_EQ(entries[1][1].item<double>(), 3 * 2 + 6 * 3 + 6);
  EXPECT_TRUE(torch::equal(masks.entries_per_network(), entries.sum(1))) << "no entry outside a module";
  const auto kept = masks.kept_per_network(masks.hard());
  EXPECT_EQ(kept[0].item<double>(), std::round(0.1 * 2 * 56));
  EXPECT_EQ(kept[1].item<double>(), std::round(0.1 * 2 * 30));
  // With every weight in scope the edges (of no module) join the total only.
  s.all_weights = true;
  MaskedWeights all(*net, s);
  const int64_t edges0 = int64_t(net->edges(0).size());
  EXPECT_EQ(all.entries_per_network()[0].item<double>(),
            all.entries_per_module()[0].sum().item<double>() + double(edges0));
  EXPECT_GT(all.entries_per_module()[0][0].item<double>(), entries[0][0].item<double>() + 6 * 5);
}

// hard() keeps the top scores of each network as topk finds them, step after step, whether the
// scores moved a little (its last threshold still splits them), a lot, or into ties with the
// threshold, or all of them past it either way; keeping a tenth and nine tenths, so that the new
// threshold is both a few places (one pass finds it) and dozens of places (a partial sort does)
// from the old one, on either side of it.
TEST(WeightMasks, TopKFollowsTheScoresFromStepToStep) {
  for (double keep : {0.1, 0.9}) {
    ModularRNN net(small_arch(), std::vector<NetworkSpec>{{5, 0.3, 0, 1}, {3, 0.2, 0, 2}});
    MaskSettings s;
    s.keep = keep;
    MaskedWeights masks(*net, s);
    const auto counts = masks.entries_per_network();
    auto reference = [&]() {
      torch::NoGradGuard no_grad;
      std::vector<torch::Tensor> parts;
      for (int64_t k = 0, start = 0; k < 2; ++k) {
        const int64_t count = int64_t(counts[k].item<double>());
        const auto own = masks.parameters().narrow(0, start, count);
        const int64_t kept = std::max<int64_t>(1, std::llround(keep * double(count)));
        parts.push_back(own.ge(std::get<0>(own.topk(kept)).min()).to(own.scalar_type()));
        start += count;
      }
      return torch::cat(parts);
    };
    if (keep > 0.5) {
      EXPECT_GT(std::llround(keep * counts[0].item<double>()), 32) << "past the one-pass search";
    }
    torch::manual_seed(4);
    for (int step = 0; step < 30; ++step) {
      {
        torch::NoGradGuard no_grad;
        auto& p = masks.parameters();
        if (step % 10 == 9) p.copy_(torch::randn_like(p));            // a new ranking
        else if (step % 10 == 5) p.copy_(p.mul(4).round().div(4));    // ties
        else if (step % 10 == 3) p.add_(10.0);                         // every score above the threshold
        else if (step % 10 == 7) p.sub_(20.0);                         // every score below it
        else p.add_(torch::randn_like(p) * 1e-3);                      // small moves
      }
      EXPECT_TRUE(torch::equal(masks.hard(), reference())) << "keep " << keep << ", step " << step;
    }
  }
}

// A network trained a few epochs on the synthetic digits, then measured.
NetworkMetrics trained_and_measured(const std::vector<std::string>& overrides,
                                    const std::function<void(ModularRNNImpl&)>& edit = {}) {
  Config config = test::synthetic_config();
  for (const auto& o : {"train.epochs=6", "train.lr=0.005", "env.asymmetry_fix=false", "metrics.mask_epochs=8",
                        "metrics.measures=[\"masks\", \"retraining\"]", "metrics.null_repeats=2"})
    config.set(o);
  for (const auto& o : overrides) config.set(o);
  const Environment env(EnvSpec::from(config));
  const Architecture arch = Architecture::from(config, env.n_stimuli(), env.pixels(), env.task().target_classes);
  ModularRNN net(arch, std::vector<NetworkSpec>{NetworkSpec::from(config)});
  if (edit) edit(*net);
  Trainer trainer(env, net, TrainSpec::from(config));
  const auto outcome = trainer.run();
  net->load_network_state(0, outcome[0].weights);
  if (edit) edit(*net);
  return measure(*net, env, MetricSpec::from(config))[0];
}

const SpecializationRow& row_of(const NetworkMetrics& m, const std::string& metric) {
  for (const auto& r : m.specialization)
    if (r.metric == metric && r.starts == kAllTuples && r.step == 2) return r;
  throw std::runtime_error("no " + metric + " row");
}

// The masks measured beside the readout measures read the training and test tuples' projection
// the states were made from (MeasureContext); alone they project their batches themselves. Both
// give the same masks, to the last digit, for a stack of two.
TEST(WeightMasks, TheStatesProjectionGivesTheSameMasks) {
  Config config = test::synthetic_config();
  config.set("metrics.null_repeats=1");
  const Environment env(EnvSpec::from(config));
  const Architecture arch = Architecture::from(config, env.n_stimuli(), env.pixels(), env.task().target_classes);
  ModularRNN net(arch, std::vector<NetworkSpec>{{8, 0.2, 0, 1}, {6, 0.3, 0, 2}});
  MetricSpec alone = MetricSpec::from(config), beside = alone;
  alone.metrics = {"masks"};
  beside.metrics = {"masks", "retraining"};
  {
    MeasureContext ctx(*net, env, beside);
    ASSERT_TRUE(ctx.train_projection.defined());
    ASSERT_EQ(ctx.test_projection.size(0), env.test_pairs().size);
    MeasureContext none(*net, env, alone);
    EXPECT_FALSE(none.train_projection.defined()) << "no training states, no projection of them";
  }
  const auto a = measure(*net, env, alone), b = measure(*net, env, beside);
  for (size_t k = 0; k < a.size(); ++k) {
    std::vector<MeasureRow> masks_b;
    for (const auto& r : b[k].rows)
      if (r.metric == "masks") masks_b.push_back(r);
    ASSERT_EQ(a[k].rows.size(), masks_b.size());
    for (size_t i = 0; i < masks_b.size(); ++i) {
      EXPECT_EQ(a[k].rows[i].value, masks_b[i].value) << "network " << k << " row " << i;
      EXPECT_EQ(a[k].rows[i].decoder_accuracy, masks_b[i].decoder_accuracy) << "network " << k << " row " << i;
    }
  }
}

TEST(WeightMasks, SeparatePathwaysWithoutEdgesKeepEachDigitInItsModule) {
  const NetworkMetrics m = trained_and_measured({"model.p=0", "model.n=20"});
  const auto& masks = row_of(m, "masks");
  EXPECT_TRUE(masks.informative);
  EXPECT_GE(masks.network, 0.5);
  EXPECT_GT(masks.module[0], 0.3) << "digit 0's mask lives in module 0";
  EXPECT_LT(masks.module[1], -0.3) << "digit 1's mask lives in module 1";
  for (const auto& r : m.rows)
    if (r.metric == "masks") {
      EXPECT_GT(r.decoder_accuracy, 0.5) << "the masked network still tells digit " << r.digit;
      EXPECT_DOUBLE_EQ(r.base, 0.5);
    }
  // The permutation null: masks and readouts that learn shuffled labels find no specialization.
  EXPECT_LT(masks.null_mean, masks.network - 0.3);
  EXPECT_LT(row_of(m, "retraining").null_mean, 0.05);
}

// Shared inputs and a shared readout, module 1 a copy of module 0 (its input and recurrent weights,
// and its columns of the readout): whatever a mask keeps in one module it may as well keep in the
// other. (With separate readouts the competitive decision breaks the tie: a mask's readout
// weights pile up in whichever module ends up deciding, at random, so twins need not score 0.)
TEST(WeightMasks, IdenticalModulesOnSharedInputsAreNotSpecialized) {
  const NetworkMetrics m =
      trained_and_measured({"model.p=0", "model.n=20", "model.input=shared", "model.readout=shared"}, [](ModularRNNImpl& net) {
        auto state = net.network_state(0);
        for (const char* name : {"w_in", "b_in", "w_rec"}) state[name][1].copy_(state[name][0]);
        auto columns = state["w_out"].view({state["w_out"].size(0), 2, -1});  // [C, M, n]
        columns.select(1, 1).copy_(columns.select(1, 0));
        net.load_network_state(0, state);
      });
  EXPECT_LT(row_of(m, "masks").network, 0.1);
}

TEST(NullBaselines, ShuffledLabelSetsNeverMoveTheMeasuresOwnReadouts) {
  torch::manual_seed(4);
  const auto train = torch::randn({2, 2, 300, 5}), test = torch::randn({2, 2, 100, 5});
  const auto y_train = torch::randint(0, 3, {300, 2}, torch::kInt64), y_test = torch::randint(0, 3, {100, 2}, torch::kInt64);
  ReadoutSettings s;
  s.epochs = 2;
  s.batch = 64;
  const auto alone = train_readouts(train, test, {{y_train, y_test}}, 3, s, true, false);
  const auto with_null = train_readouts(
      train, test, {{y_train, y_test}, {y_train.flip(0), y_test.flip(0)}, {y_train.roll(1, 0), y_test}}, 3, s, true, false);
  ASSERT_EQ(with_null.size(), 3u);
  EXPECT_TRUE(torch::equal(alone[0].retraining, with_null[0].retraining));
  EXPECT_TRUE(torch::equal(alone[0].full, with_null[0].full));
  EXPECT_TRUE(torch::equal(alone[0].ablated, with_null[0].ablated));
  EXPECT_FALSE(torch::equal(with_null[1].retraining, with_null[0].retraining));
}

}  // namespace
}  // namespace modspec
