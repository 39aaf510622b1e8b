// Training on the synthetic digits (tests/fixtures.hpp): per-network divergence, early stop that
// keeps the weights of its epoch while a stack-mate trains on, and the run directory's files
// read back into the same network.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "env/environment.hpp"
#include "fixtures.hpp"
#include "rundir/network_files.hpp"
#include "rundir/train_and_record.hpp"
#include "train/trainer.hpp"

namespace modspec {
namespace {

struct TrainingSetup {
  Config config = test::synthetic_config();
  std::unique_ptr<Environment> env;
  Architecture arch;
  explicit TrainingSetup(const std::vector<std::string>& overrides = {}) {
    config.set("train.epochs=1");
    for (const auto& o : overrides) config.set(o);
    env = std::make_unique<Environment>(EnvSpec::from(config));
    arch = Architecture::from(config, env->n_stimuli(), env->pixels(), env->task().target_classes);
  }
};

TEST(Training, DivergedNetworkStopsAndItsStackMateGoesOn) {
  TrainingSetup s({"train.epochs=2", "train.lr=0.005"});
  ModularRNN stack(s.arch, std::vector<NetworkSpec>{NetworkSpec{25, 0.1, 0, 1}, NetworkSpec{25, 0.1, 0, 2}});
  auto poisoned = stack->network_state(1);
  poisoned["w_out"].fill_(std::numeric_limits<float>::quiet_NaN());
  stack->load_network_state(1, poisoned);
  Trainer trainer(*s.env, stack, TrainSpec::from(s.config));
  auto outcomes = trainer.run();
  EXPECT_EQ(outcomes[1].status, NetworkStatus::diverged);
  EXPECT_TRUE(outcomes[1].history.empty());
  EXPECT_EQ(outcomes[0].status, NetworkStatus::finished);
  ASSERT_EQ(outcomes[0].history.size(), 2u);
  EXPECT_TRUE(std::isfinite(outcomes[0].history[1].train_loss));
  // Two epochs of the parity task lift both targets well above chance (0.1).
  EXPECT_GT(outcomes[0].history[1].test.accuracy[0], 0.25);
  EXPECT_GT(outcomes[0].history[1].test.accuracy[1], 0.25);
}

TEST(Training, EarlyStopKeepsTheWeightsOfThatEpochWhileAStackMateTrainsOn) {
  // A network of 30 units reaches the bar within a few epochs; one of 2 units cannot.
  TrainingSetup s({"train.epochs=6", "train.lr=0.005", "train.stop_accuracy=0.3"});
  ModularRNN stack(s.arch, std::vector<NetworkSpec>{NetworkSpec{30, 0.1, 0, 1}, NetworkSpec{2, 0.5, 0, 2}});
  Trainer trainer(*s.env, stack, TrainSpec::from(s.config));
  std::vector<NetworkState> after_epoch;  // network 0's weights after each epoch it trained
  auto outcomes = trainer.run([&](int64_t, const std::vector<NetworkOutcome>&) {
    if (trainer.stack()->stack_size() == 2) after_epoch.push_back(trainer.stack()->network_state(0));
  });
  ASSERT_EQ(outcomes[0].status, NetworkStatus::stopped_early);
  const size_t stopped = outcomes[0].history.size();
  ASSERT_EQ(stopped, after_epoch.size());
  ASSERT_LT(stopped, 6u) << "network 0 stopped before its stack-mate";
  EXPECT_EQ(outcomes[1].status, NetworkStatus::finished);
  EXPECT_EQ(outcomes[1].history.size(), 6u);
  EXPECT_GE(outcomes[0].history.back().test.mean_accuracy(), 0.3);
  // The weights kept are those of the epoch it stopped at; then it left the stack.
  for (const auto& [name, w] : outcomes[0].weights) EXPECT_TRUE(torch::equal(w, after_epoch.back().at(name))) << name;
  EXPECT_EQ(trainer.stack()->stack_size(), 1);
  EXPECT_EQ(trainer.stack()->padded_n(), 2);
}

// A stack repacked without a stopped network (here one that diverges in the first epoch, and
// the largest, so the padding shrinks too) trains the others exactly as a stack that never held
// it: their weights and AdamW moments move whole.
TEST(Training, AStackDropsItsStoppedNetworksAndTheOthersTrainAsBefore) {
  TrainingSetup s({"train.epochs=3", "train.lr=0.005"});
  const NetworkSpec a{12, 0.1, 0, 1}, poisoned{20, 0.1, 0, 2}, b{8, 0.2, 0, 3};
  ModularRNN with(s.arch, std::vector<NetworkSpec>{a, poisoned, b});
  auto state = with->network_state(1);
  state["w_out"].fill_(std::numeric_limits<float>::quiet_NaN());
  with->load_network_state(1, state);
  ModularRNN without(s.arch, std::vector<NetworkSpec>{a, b});
  Trainer repacked(*s.env, with, TrainSpec::from(s.config)), alone(*s.env, without, TrainSpec::from(s.config));
  const auto got = repacked.run(), want = alone.run();
  EXPECT_EQ(got[1].status, NetworkStatus::diverged);
  EXPECT_EQ(repacked.stack()->stack_size(), 2);
  EXPECT_EQ(repacked.stack()->padded_n(), 12);
  for (const auto& [g, w] : {std::pair{0, 0}, std::pair{2, 1}}) {
    const auto& x = got[size_t(g)];
    const auto& y = want[size_t(w)];
    ASSERT_EQ(x.history.size(), 3u);
    ASSERT_EQ(y.history.size(), 3u);
    for (size_t e = 0; e < 3; ++e) {
      EXPECT_NEAR(x.history[e].train_loss, y.history[e].train_loss, 1e-4) << "network " << g << ", epoch " << e;
      EXPECT_NEAR(x.history[e].test.mean_accuracy(), y.history[e].test.mean_accuracy(), 5e-3) << "network " << g;
    }
    for (const auto& [name, t] : x.weights)
      EXPECT_TRUE(torch::allclose(t, y.weights.at(name), 1e-4, 1e-4)) << "network " << g << ", " << name;
  }
}

TEST(Training, RunDirectoryRoundTrip) {
  test::TempDir tmp;
  TrainingSetup s({"model.p_s=3", "model.cell=gru", "model.bottleneck=4"});
  const RunDir dir(tmp.path());
  const auto recorded = train_and_record(*s.env, {{s.config, dir, {{"model.p_s", "3"}}}}, false);
  for (const char* f : {"config.toml", "model.pt", "epochs.csv", "summary.json", "axes.json"})
    EXPECT_TRUE(std::filesystem::exists(tmp / f)) << f;
  EXPECT_TRUE(dir.finished(false));
  EXPECT_FALSE(dir.finished(true));
  EXPECT_EQ(dir.axes(), (std::vector<std::pair<std::string, std::string>>{{"model.p_s", "3"}}));
  EXPECT_EQ(dir.config().to_toml(), s.config.to_toml());
  EXPECT_EQ(dir.summary()["epochs_run"], 1);

  // The network read back computes what the trained one computed.
  LoadedRun loaded = load_run(dir);
  ModularRNN net(s.arch, std::vector<NetworkSpec>{NetworkSpec::from(s.config)});
  net->load_network_state(0, recorded[0].outcome.weights);
  Batch b = s.env->batch(s.env->test_pairs(), Split::test, 0, 64, 0);
  torch::NoGradGuard no_grad;
  auto a = net->forward(b.x), c = loaded.network->forward(b.x);
  for (size_t j = 0; j < a.logits.size(); ++j) EXPECT_TRUE(torch::equal(a.logits[j], c.logits[j]));
}

TEST(Training, MeasuredRunWritesItsMeasuresLast) {
  test::TempDir tmp;
  TrainingSetup s({"metrics.measures=[\"retraining\"]", "metrics.null_repeats=1", "metrics.readout_epochs=1"});
  const RunDir dir(tmp.path());
  const auto recorded = train_and_record(*s.env, {{s.config, dir, {}}}, true);
  ASSERT_TRUE(recorded[0].metrics.has_value());
  EXPECT_TRUE(dir.finished(true));
  const Table spec = dir.specialization();
  EXPECT_EQ(spec.columns, (std::vector<std::string>{"metric", "starts", "step", "module", "module_specialization",
                                                    "network_specialization", "informative", "null_mean", "null_sd",
                                                    "z", "untrained"}));
  EXPECT_EQ(spec.rows.size(), 3u * 2u);  // 3 steps x 2 modules
  EXPECT_EQ(spec.rows[0][spec.column("null_sd")], "") << "one repeat has no spread";
  EXPECT_EQ(spec.rows[0][spec.column("untrained")], "") << "not asked for";
  EXPECT_EQ(dir.measures().rows.size(), 3u * 2u * 2u);  // steps x modules x digits
}

TEST(Training, RetrainingADirectoryLeavesNothingOfTheEarlierRun) {
  test::TempDir tmp;
  TrainingSetup s({"metrics.measures=[\"correlation\"]", "metrics.null_repeats=0"});
  const RunDir dir(tmp.path());
  train_and_record(*s.env, {{s.config, dir, {}}}, true);
  ASSERT_TRUE(dir.finished(true));
  // Another network into the same directory, not measured: the earlier measures must go, or the
  // directory would pass for a measured run of the new weights.
  s.config.set("model.seed=1");
  train_and_record(*s.env, {{s.config, dir, {}}}, false);
  EXPECT_FALSE(dir.finished(true));
  for (const char* f : {"metrics.json", "metrics.csv", "specialization.csv"})
    EXPECT_FALSE(std::filesystem::exists(tmp / f)) << f;
  EXPECT_EQ(dir.config().integer("model.seed"), 1);
}

TEST(Training, LoadRejectsADirectoryWithoutModel) {
  test::TempDir tmp;
  EXPECT_TRUE(test::contains(test::error_message([&] { load_run(RunDir(tmp.path())); }), "not a run directory"));
}

}  // namespace
}  // namespace modspec
