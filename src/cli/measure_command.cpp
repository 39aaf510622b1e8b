#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli/command_list.hpp"
#include "cli/commands.hpp"
#include "cli/measure_report.hpp"
#include "rundir/train_and_record.hpp"
#include "util/progress.hpp"

namespace modspec::cli {

void add_measure_command(CLI::App& app) {
  auto* cmd = add_command(app, "measure");
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
    const NetworkMetrics result =
        remeasure(RunDir(*dir), *overrides, *metrics, *data_dir,
                  [](const std::string& stage) { Progress::stage("measure: " + stage); });
    print_specialization(std::cout, result);
    std::cout << "wrote " << (std::filesystem::path(*dir) / "metrics.csv").string() << " in " << std::fixed
              << std::setprecision(1) << result.seconds << " s\n";
  });
}

}  // namespace modspec::cli
