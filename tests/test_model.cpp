// The modular network: wiring exactly as specified, structural modularity against hand-worked
// and analytic values, information flow through separate pathways and the communication
// schedule, and independence of stack-mates.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>

#include "fixtures.hpp"
#include "model/connectivity.hpp"
#include "model/modular_rnn.hpp"
#include "model/modularity.hpp"
#include "optim/adamw.hpp"
#include "train/trainer.hpp"

namespace modspec {
namespace {

Architecture small_arch(int64_t modules = 2) {
  return test::small_architecture(12, 4, 3, modules);
}

NetworkSpec net(int64_t n, double p, uint64_t seed, int64_t p_s = 0) { return {n, p, p_s, seed}; }

std::vector<int64_t> groups(int64_t modules, int64_t n) {
  std::vector<int64_t> g;
  for (int64_t m = 0; m < modules; ++m)
    for (int64_t i = 0; i < n; ++i) g.push_back(m);
  return g;
}

TEST(Modularity, HandWorkedGraphs) {
  // Two groups of two nodes, each group a 2-cycle, nothing between: Q = 1 - 1/g = 0.5.
  std::vector<uint8_t> A = {0, 1, 0, 0,  //
                            1, 0, 0, 0,  //
                            0, 0, 0, 1,  //
                            0, 0, 1, 0};
  EXPECT_DOUBLE_EQ(directed_modularity(A, {0, 0, 1, 1}), 0.5);
  // Add 0 -> 2: E = 5, within = 4, group out-degrees (3, 2), in-degrees (2, 3):
  // Q = (4 - (3*2 + 2*3)/5) / 5 = (4 - 2.4) / 5 = 0.32.
  A[0 * 4 + 2] = 1;
  EXPECT_NEAR(directed_modularity(A, {0, 0, 1, 1}), 0.32, 1e-12);
  // Everything in one group: Q = 0.
  EXPECT_NEAR(directed_modularity(A, {0, 0, 0, 0}), 0.0, 1e-12);
}

TEST(Modularity, MeasuredEqualsAnalyticWithSelfConnections) {
  // With n^2 connections inside each module, the paper's derivation is exact for any placement.
  for (int64_t modules : {2, 3}) {
    auto arch = small_arch(modules);
    arch.self_connections = true;
    for (int64_t p_s : {1, 7, 62, 200, 625}) {
      const auto spec = net(25, 0, 3, p_s);
      const double q = directed_modularity(recurrent_adjacency(arch, spec, draw_inter_edges(arch, spec)),
                                           groups(modules, 25));
      EXPECT_NEAR(q, analytic_modularity(spec.fraction(), modules), 1e-12) << "M=" << modules << " p_s=" << p_s;
    }
  }
  EXPECT_NEAR(analytic_modularity(0.0, 2), 0.5, 1e-15);
  EXPECT_NEAR(analytic_modularity(1.0, 2), 0.0, 1e-15);
  EXPECT_NEAR(analytic_modularity(0.1, 2), 0.9 / 2.2, 1e-15);
}

TEST(Modularity, ZeroDiagonalStaysCloseToAnalytic) {
  auto arch = small_arch();
  for (double p : {0.0016, 0.1, 0.5, 1.0}) {
    const auto spec = net(25, p, 1);
    const double q = directed_modularity(recurrent_adjacency(arch, spec, draw_inter_edges(arch, spec)), groups(2, 25));
    EXPECT_NEAR(q, analytic_modularity(spec.fraction(), 2), 0.02) << "p=" << p;
  }
}

TEST(Connectivity, EdgeCountsAreExactAndDistinct) {
  auto arch = small_arch(3);
  for (auto spec : {net(25, 0.1, 5), net(25, 0, 5, 1), net(10, 1.0, 5), net(25, 0.0, 5)}) {
    const auto edges = draw_inter_edges(arch, spec);
    const int64_t per = spec.p_s > 0 ? spec.p_s : int64_t(spec.p * spec.n * spec.n + 1e-9);
    EXPECT_EQ(int64_t(edges.size()), per * 3 * 2);
    std::set<std::tuple<int64_t, int64_t, int64_t, int64_t>> seen;
    for (const auto& e : edges) {
      EXPECT_NE(e.src_module, e.dst_module);
      EXPECT_LT(e.src_unit, spec.n);
      EXPECT_LT(e.dst_unit, spec.n);
      seen.insert({e.src_module, e.src_unit, e.dst_module, e.dst_unit});
    }
    EXPECT_EQ(seen.size(), edges.size());
  }
  EXPECT_EQ(net(25, 1.0 / 625, 0).connections_per_direction(), 1);
  EXPECT_EQ(net(25, 0.1, 0).connections_per_direction(), 62);
}

TEST(ModularRNN, RecurrentMaskHasZeroDiagonalUnlessAsked) {
  auto arch = small_arch();
  ModularRNN plain(arch, std::vector<NetworkSpec>{net(6, 0.1, 1)});
  auto w = plain->network_state(0)["w_rec"];  // [M, G*n, n]
  for (int64_t m = 0; m < 2; ++m) {
    EXPECT_EQ(w[m].diagonal().abs().sum().item<float>(), 0.0f);
    EXPECT_EQ((w[m] != 0).sum().item<int64_t>(), 6 * 5);
  }
  arch.self_connections = true;
  ModularRNN selfish(arch, std::vector<NetworkSpec>{net(6, 0.1, 1)});
  EXPECT_EQ((selfish->network_state(0)["w_rec"] != 0).sum().item<int64_t>(), 2 * 36);
}

TEST(ModularRNN, OutputShapesForEveryArchitecture) {
  for (bool gru : {false, true})
    for (bool shared_in : {false, true})
      for (Readout readout : {Readout::separate, Readout::shared, Readout::blockdiag})
        for (int64_t bn : {0, 3}) {
          auto arch = small_arch();
          arch.gru = gru;
          arch.shared_input = shared_in;
          arch.readout = readout;
          arch.bottleneck = bn;
          ModularRNN stack(arch, std::vector<NetworkSpec>{net(5, 0.2, 1), net(7, 0.1, 2), net(4, 0, 3, 2)});
          auto x = torch::randn({2, 1, 9, 12});
          auto out = stack->forward(x, true);
          ASSERT_EQ(out.logits.size(), 2u);
          // The masked common readout joins the 2 modules' 4 classes into one softmax of 8.
          EXPECT_EQ(out.logits[0].sizes(), torch::IntArrayRef({3, 9, readout == Readout::blockdiag ? 8 : 4}));
          EXPECT_EQ(out.decider.size(), readout == Readout::shared ? 0u : 2u);
          EXPECT_EQ(out.states.size(), 3u);
          EXPECT_EQ(out.states[0].sizes(), torch::IntArrayRef({2 * 3, 7, 9}));
          EXPECT_TRUE(out.logits[1].isfinite().all().item<bool>());
        }
}

TEST(ModularRNN, PaddedUnitsStaySilent) {
  auto arch = small_arch();
  ModularRNN stack(arch, std::vector<NetworkSpec>{net(3, 0.5, 1), net(8, 0.5, 2)});
  auto out = stack->forward(torch::randn({2, 1, 5, 12}), true);
  for (const auto& h : out.states) {
    auto v = h.view({2, 2, 8, 5});  // [M, K, N, B]
    EXPECT_EQ(v.select(1, 0).narrow(1, 3, 5).abs().max().item<float>(), 0.0f);
  }
}

// Module 0's state at each step after changing only stimulus 1.
std::vector<bool> module0_changes(const Architecture& arch, const NetworkSpec& spec) {
  ModularRNN model(arch, std::vector<NetworkSpec>{spec});
  auto x = torch::randn({2, 1, 4, 12});
  auto y = x.clone();
  y[1] += torch::randn({1, 4, 12});
  auto a = model->forward(x, true), b = model->forward(y, true);
  std::vector<bool> changed;
  for (size_t t = 0; t < a.states.size(); ++t)
    changed.push_back(!torch::allclose(a.states[t][0], b.states[t][0], 0, 1e-7));  // row block m*K+k = 0
  return changed;
}

TEST(ModularRNN, SeparateInputsWithoutConnectionsNeverMix) {
  EXPECT_EQ(module0_changes(small_arch(), net(6, 0.0, 1)), std::vector<bool>({false, false, false}));
  // With connections, stimulus 1 reaches module 0 from the second step on.
  EXPECT_EQ(module0_changes(small_arch(), net(6, 1.0, 1)), std::vector<bool>({false, true, true}));
}

TEST(ModularRNN, CommunicationScheduleGatesTheConnections) {
  auto arch = small_arch();
  arch.comms = {false, false, true};  // only the update to h_2 uses the inter-module edges
  EXPECT_EQ(module0_changes(arch, net(6, 1.0, 1)), std::vector<bool>({false, false, true}));
  arch.comms = {false, true, false};  // only h_1; h_2 still carries what arrived at step 1
  EXPECT_EQ(module0_changes(arch, net(6, 1.0, 1)), std::vector<bool>({false, true, true}));
  arch.comms = {false, false, false};
  EXPECT_EQ(module0_changes(arch, net(6, 1.0, 1)), std::vector<bool>({false, false, false}));
}

TEST(ModularRNN, MaxDecisionPicksTheMostConfidentModule) {
  auto arch = small_arch();
  ModularRNN model(arch, std::vector<NetworkSpec>{net(5, 0.2, 1)});
  auto out = model->forward(torch::randn({2, 1, 16, 12}), true);
  // Recompute the readouts by hand from the last state and check the decision.
  auto state = model->network_state(0);
  auto h = out.states.back();                                    // [M, n, B]
  auto r = torch::baddbmm(state["b_out"].unsqueeze(2), state["w_out"], h);  // [M, 8, B]
  auto part = r.narrow(1, 0, 4);                                 // target 0: [M, 4, B]
  auto who = std::get<0>(part.max(1)).argmax(0);                 // [B]
  EXPECT_TRUE(torch::equal(who, out.decider[0][0]));
  for (int64_t b = 0; b < 16; ++b)
    EXPECT_TRUE(torch::allclose(out.logits[0][0][b], part[who[b].item<int64_t>()].select(1, b), 1e-5, 1e-6));
}

// 20 AdamW steps of network `target` alone and inside a stack of 8 mates of other sizes,
// connection counts and seeds, on the same data: the weights must agree.
TEST(ModularRNN, StackMatesDoNotInfluenceEachOther) {
  auto arch = small_arch();
  arch.pixels = 40;
  const NetworkSpec target = net(25, 0.1, 7);
  std::vector<NetworkSpec> mates = {net(10, 0.5, 1), net(25, 0, 2, 1), target, net(40, 1.0, 3), net(25, 0.3, 4),
                                    net(5, 0.04, 5), net(25, 0.1, 6), net(30, 0.01, 8)};
  auto train = [&](std::vector<NetworkSpec> specs, int64_t k) {
    ModularRNN model(arch, specs);
    FusedAdamW opt(model->parameters(), {1e-2, 1e-5});
    for (int step = 0; step < 20; ++step) {
      torch::manual_seed(step);
      auto x = torch::randn({2, 1, 32, 40});
      auto y = torch::randint(0, 4, {32, 2});
      opt.zero_grad();
      model->loss(x, y).sum().backward();
      opt.step();
    }
    return model->network_state(k);
  };
  auto alone = train({target}, 0);
  auto stacked = train(mates, 2);
  for (const auto& [name, t] : alone) {
    const double rel = (t - stacked[name]).norm().item<double>() / (t.norm().item<double>() + 1e-12);
    EXPECT_LT(rel, 1e-4) << name;
  }
}

}  // namespace
}  // namespace modspec
