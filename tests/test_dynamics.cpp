// Specialization over time: communication schedules from the config, and the measures
// evaluated per group of test tuples with the same start times (env.random_start).
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "env/environment.hpp"
#include "fixtures.hpp"
#include "metrics/measure.hpp"
#include "model/architecture.hpp"

namespace modspec {
namespace {

std::vector<bool> comms_of(const std::string& steps) {
  Config c = Config::defaults();
  c.set("env.nb_steps=5");
  c.set("model.comms_steps=" + steps);
  return Architecture::from(c, 2, 784, {2, 2}).comms;
}

TEST(Dynamics, CommunicationScheduleFromTheConfig) {
  EXPECT_EQ(comms_of("[]"), std::vector<bool>(5, true));
  EXPECT_EQ(comms_of("[2, 3, 4]"), (std::vector<bool>{false, false, true, true, true}));  // from step 2 on
  EXPECT_EQ(comms_of("[2]"), (std::vector<bool>{false, false, true, false, false}));      // a single step
  EXPECT_THROW(comms_of("[5]"), Error);
}

TEST(Dynamics, MeasuresPerStartGroupFollowTheStimuli) {
  // Untrained, separate inputs, no inter-module connections: module m only ever sees stimulus m,
  // which is pure noise before its start step. So within a group of test tuples, module m knows
  // digit m from the group's start of stimulus m on, and nothing about it before.
  Config config = test::synthetic_config();
  for (const char* o : {"model.p=0", "model.n=50", "env.asymmetry_fix=false", "env.nb_steps=5",
                        "env.random_start=true", "metrics.measures=[\"retraining\", \"correlation\"]", "metrics.readout_epochs=1",
                        "metrics.null_repeats=0"})
    config.set(o);
  const Environment env(EnvSpec::from(config));
  const Architecture arch = Architecture::from(config, env.n_stimuli(), env.pixels(), env.task().target_classes);
  ModularRNN net(arch, std::vector<NetworkSpec>{NetworkSpec::from(config)});
  const auto result = measure(*net, env, MetricSpec::from(config))[0];

  // mbar[metric][starts][step][module][digit]
  std::map<std::string, std::map<std::string, std::map<int64_t, std::map<int64_t, std::map<int64_t, double>>>>> mbar;
  for (const auto& r : result.rows) mbar[r.metric][r.starts][r.step][r.module][r.digit] = r.normalised;
  std::set<std::string> groups;
  for (const auto& [g, v] : mbar["retraining"]) groups.insert(g);
  // All tuples, then every pair of starts in 1..3.
  EXPECT_EQ(groups, (std::set<std::string>{"all", "1;1", "1;2", "1;3", "2;1", "2;2", "2;3", "3;1", "3;2", "3;3"}));
  for (const auto& [g, steps] : mbar["retraining"]) EXPECT_EQ(steps.size(), 5u) << g;

  for (const std::string g : {"1;3", "3;1", "2;2"}) {
    const int64_t start[2] = {g[0] - '0', g[2] - '0'};
    for (int64_t m = 0; m < 2; ++m)
      for (int64_t t = 0; t < 5; ++t) {
        const bool on = t >= start[m];
        // Retraining: a readout of module m knows digit m only once stimulus m is on.
        const double known = mbar["retraining"][g][t][m][m];
        if (on) EXPECT_GT(known, 0.3) << "group " << g << " module " << m << " step " << t;
        else EXPECT_LT(known, 0.1) << "group " << g << " module " << m << " step " << t;
        // Correlation: keeping digit m keeps module m's state whatever happens, so its
        // specialization comes from swapping the other stimuli. Before the start that swap must
        // change nothing either: the noise in stimulus m's place is the same in both tuples.
        auto& c = mbar["correlation"][g][t][m];
        const double own = c[m] - c[1 - m];
        if (on) EXPECT_GT(own, 0.3) << "group " << g << " module " << m << " step " << t;
        else EXPECT_NEAR(own, 0.0, 0.05) << "group " << g << " module " << m << " step " << t;
      }
  }
}

}  // namespace
}  // namespace modspec
