#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli/command_list.hpp"
#include "cli/commands.hpp"
#include "cli/measure_report.hpp"
#include "env/environment.hpp"
#include "rundir/train_and_record.hpp"
#include "sweep/run_plan.hpp"
#include "util/progress.hpp"

namespace modspec::cli {

void add_train_command(CLI::App& app) {
  auto* cmd = add_command(app, "train");
  auto opts = std::make_shared<ConfigOptions>();
  opts->add_to(*cmd, true);
  auto out = std::make_shared<std::string>();
  auto and_measure = std::make_shared<bool>(false);
  cmd->add_option("--out", *out, "run directory to write (default: runs/<hash of the keys that change results>)");
  cmd->add_flag("--measure", *and_measure, "measure specialization after training (as `modspec measure`)");
  cmd->callback([opts, out, and_measure]() {
    const Config config = opts->resolve();
    const RunDir dir(out->empty() ? "runs/" + run_hash(config) : *out);
    const Environment env(EnvSpec::from(config));
    Progress progress("train", config.integer("train.epochs"));
    const auto recorded = train_and_record(env, {{config, dir, {}}}, *and_measure,
                                           [&](int64_t epoch, const std::vector<NetworkOutcome>& o) {
                                             std::ostringstream note;
                                             note << std::fixed << std::setprecision(3);
                                             if (!o[0].history.empty()) {
                                               const auto& r = o[0].history.back();
                                               note << "loss " << r.train_loss << "  test acc";
                                               for (double a : r.test.accuracy) note << " " << a;
                                             }
                                             progress.update(epoch + 1, note.str());
                                           });
    progress.finish(std::string(status_name(recorded[0].outcome.status)) + ", run directory " + dir.path().string());
    if (recorded[0].metrics) print_specialization(std::cout, *recorded[0].metrics);
  });
}

}  // namespace modspec::cli
