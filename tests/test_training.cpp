// Training on real MNIST (skipped when the data directory has none): per-network divergence,
// early stop, and the run directory's checkpoint read back into the same network.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "data/data_dir.hpp"
#include "env/environment.hpp"
#include "fixtures.hpp"
#include "train/run_dir.hpp"
#include "train/trainer.hpp"

namespace modspec {
namespace {

#define REQUIRE_MNIST() \
  if (!test::have_mnist()) GTEST_SKIP() << "no MNIST in the data directory (run bash scripts/setup.sh)"

struct TrainingSetup {
  Config config = Config::defaults();
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
  REQUIRE_MNIST();
  TrainingSetup s;
  ModularRNN stack(s.arch, std::vector<NetworkSpec>{NetworkSpec{25, 0.1, 0, 1}, NetworkSpec{25, 0.1, 0, 2}});
  auto poisoned = stack->network_state(1);
  poisoned["w_out"].fill_(std::numeric_limits<float>::quiet_NaN());
  stack->load_network_state(1, poisoned);
  Trainer trainer(*s.env, stack, TrainSpec::from(s.config));
  auto outcomes = trainer.run();
  EXPECT_EQ(outcomes[1].status, NetworkStatus::diverged);
  EXPECT_TRUE(outcomes[1].history.empty());
  EXPECT_EQ(outcomes[0].status, NetworkStatus::finished);
  ASSERT_EQ(outcomes[0].history.size(), 1u);
  EXPECT_TRUE(std::isfinite(outcomes[0].history[0].train_loss));
  // One epoch of the parity task lifts both targets well above chance (0.1).
  EXPECT_GT(outcomes[0].history[0].test.accuracy[0], 0.25);
  EXPECT_GT(outcomes[0].history[0].test.accuracy[1], 0.25);
}

TEST(Training, EarlyStopKeepsTheWeightsOfThatEpoch) {
  REQUIRE_MNIST();
  TrainingSetup s({"train.epochs=3", "train.stop_accuracy=0.05"});
  ModularRNN net(s.arch, std::vector<NetworkSpec>{NetworkSpec::from(s.config)});
  Trainer trainer(*s.env, net, TrainSpec::from(s.config));
  auto outcomes = trainer.run();
  EXPECT_EQ(outcomes[0].status, NetworkStatus::stopped_early);
  EXPECT_EQ(outcomes[0].history.size(), 1u);
}

TEST(Training, RunDirectoryRoundTrip) {
  REQUIRE_MNIST();
  test::TempDir tmp;
  TrainingSetup s({"model.p_s=3", "model.cell=gru", "model.bottleneck=4"});
  ModularRNN net(s.arch, std::vector<NetworkSpec>{NetworkSpec::from(s.config)});
  Trainer trainer(*s.env, net, TrainSpec::from(s.config));
  auto outcomes = trainer.run();
  write_run(tmp.path(), s.config, *net, 0, outcomes[0], s.env->task(), 1.0, 1.0);
  for (const char* f : {"config.toml", "model.pt", "epochs.csv", "summary.json"})
    EXPECT_TRUE(std::filesystem::exists(tmp / f)) << f;

  LoadedRun loaded = load_run(tmp.path());
  Batch b = s.env->batch(s.env->test_pairs(), Split::test, 0, 64, 0);
  torch::NoGradGuard no_grad;
  auto a = net->forward(b.x), c = loaded.network->forward(b.x);
  for (size_t j = 0; j < a.logits.size(); ++j) EXPECT_TRUE(torch::equal(a.logits[j], c.logits[j]));
}

TEST(Training, LoadRunRejectsADirectoryWithoutModel) {
  test::TempDir tmp;
  EXPECT_TRUE(test::contains(test::error_message([&] { load_run(tmp.path()); }), "not a run directory"));
}

}  // namespace
}  // namespace modspec
