#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/measure_report.hpp"
#include "env/environment.hpp"
#include "metrics/measure.hpp"
#include "rundir/run_dir.hpp"
#include "util/error.hpp"
#include "util/progress.hpp"

namespace modspec::cli {

void add_measure_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("measure", "measure the functional specialization of a trained network");
  auto dir = std::make_shared<std::string>();
  auto metrics = std::make_shared<std::vector<std::string>>();
  auto overrides = std::make_shared<std::vector<std::string>>();
  auto data_dir = std::make_shared<std::string>();
  cmd->add_option("run_dir", *dir, "run directory written by `modspec train`")->required();
  cmd->add_option("--metrics", *metrics, "comma-separated subset of retraining,ablation,correlation,masks")
      ->delimiter(',')
      ->check(CLI::IsMember(measure_names()));
  cmd->add_option("--set", *overrides, "override a metrics.* key, e.g. --set metrics.seed=1 (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--data-dir", *data_dir, "dataset directory (default: $MODSPEC_DATA or ~/.cache/modspec)");
  cmd->callback([dir, metrics, overrides, data_dir]() {
    const RunDir run_dir(*dir);
    LoadedRun run = run_dir.load();
    for (const auto& o : *overrides) {
      if (o.rfind("metrics.", 0) != 0)
        throw Error("--set " + o + ": a trained network's config is fixed; only metrics.* keys can change here");
      run.config.set(o);
    }
    if (!metrics->empty()) run.config.set_value("metrics.measures", *metrics);
    if (!data_dir->empty()) run.config.set_value("data.dir", *data_dir);
    Progress::stage("measure: reading the data of " + *dir);
    const Environment env(EnvSpec::from(run.config));
    const MetricSpec spec = MetricSpec::from(run.config);
    std::string names;
    for (const auto& m : spec.metrics) names += (names.empty() ? "" : ", ") + m;
    Progress::stage("measure: " + names + (spec.null_repeats > 0 ? ", each with " + std::to_string(spec.null_repeats) +
                                                                      " label-shuffled copies"
                                                                : std::string()));
    const auto result =
        measure(*run.network, env, spec, [](const std::string& stage) { Progress::stage("measure: " + stage); });
    run_dir.write_measures(result[0], spec);
    print_specialization(std::cout, result[0]);
    std::cout << "wrote " << (std::filesystem::path(*dir) / "metrics.csv").string() << " in " << std::fixed
              << std::setprecision(1) << result[0].seconds << " s\n";
  });
}

}  // namespace modspec::cli
