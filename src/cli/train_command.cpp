#include <chrono>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/measure_report.hpp"
#include "metrics/measure.hpp"
#include "env/environment.hpp"
#include "model/modular_rnn.hpp"
#include "train/run_dir.hpp"
#include "train/trainer.hpp"
#include "util/hash.hpp"
#include "util/progress.hpp"

namespace modspec::cli {

void add_train_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("train", "train one network and write its run directory");
  auto opts = std::make_shared<ConfigOptions>();
  opts->add_to(*cmd, true);
  auto out = std::make_shared<std::string>();
  auto and_measure = std::make_shared<bool>(false);
  cmd->add_option("--out", *out, "run directory to write (default: runs/<hash of the resolved config>)");
  cmd->add_flag("--measure", *and_measure, "measure specialization after training (as `modspec measure`)");
  cmd->callback([opts, out, and_measure]() {
    const auto t0 = std::chrono::steady_clock::now();
    const Config config = opts->resolve();
    const std::filesystem::path dir = out->empty() ? "runs/" + content_hash(config.to_toml()) : *out;
    const Environment env(EnvSpec::from(config));
    const TrainSpec spec = TrainSpec::from(config);
    const Architecture arch = Architecture::from(config, env.n_stimuli(), env.pixels(), env.task().target_classes);
    ModularRNN net(arch, std::vector<NetworkSpec>{NetworkSpec::from(config)}, torch::Device(spec.device));
    Trainer trainer(env, net, spec);
    Progress progress("train", spec.epochs);
    const auto outcomes = trainer.run([&](int64_t epoch, const std::vector<NetworkOutcome>& o) {
      std::ostringstream note;
      note << std::fixed << std::setprecision(3);
      if (!o[0].history.empty()) {
        const auto& r = o[0].history.back();
        note << "loss " << r.train_loss << "  test acc";
        for (double a : r.test.accuracy) note << " " << a;
      }
      progress.update(epoch + 1, note.str());
      write_epochs_csv(dir / "epochs.csv", arch, env.task(), o[0].history);
    });
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    write_run(dir, config, *net, 0, outcomes[0], env.task(), wall, trainer.pairs_per_second());
    progress.finish(std::string(status_name(outcomes[0].status)) + ", run directory " + dir.string());
    if (*and_measure) {
      const MetricSpec metric_spec = MetricSpec::from(config);
      net->load_network_state(0, outcomes[0].weights);
      const auto result = measure(*net, env, metric_spec);
      write_metrics(dir, result[0], metric_spec);
      print_specialization(std::cout, result[0]);
    }
  });
}

}  // namespace modspec::cli
