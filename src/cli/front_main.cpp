// modspec: when do the modules of a network become functionally specialized?
// The program a user calls. It links no LibTorch, so that --help, --version, config, data info,
// table and a rerun of a finished sweep start in milliseconds; the commands that run networks are
// modspec-compute's (cli/command_list.hpp), which this program executes with the same arguments.
#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>

#include "cli/app.hpp"
#include "cli/command_list.hpp"
#include "cli/commands.hpp"
#include "runtime/launcher.hpp"
#include "sweep/sweep_share.hpp"

namespace {

// A rerun of a finished sweep ends here: planning it and finding every run of this share finished
// needs no LibTorch. With anything left to train, or under mpirun (rank 0 writes the table once
// every rank is done), the sweep is modspec-compute's.
bool finish_or_compute(char** argv, const modspec::SweepSpec& spec, const std::filesystem::path& out,
                       const modspec::LaunchSettings& settings, modspec::SweepReport& report) {
  const auto t0 = std::chrono::steady_clock::now();
  if (modspec::launched_ranks() > 1) modspec::cli::run_compute_program(argv);
  modspec::SweepOptions options = settings.sweep;
  if (!settings.shard.empty()) modspec::apply_shard(settings.shard, options);
  const modspec::SweepShare share = modspec::plan_share(spec, out, options);
  if (!share.pending.empty()) modspec::cli::run_compute_program(argv);
  modspec::announce_share(share, options, 1);
  report = share.report;
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return options.shards == 1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace modspec::cli;
  CLI::App app{"modspec: functional specialization in modular recurrent networks"};
  add_common_options(app);
  add_config_command(app);
  auto* data = add_command(app, "data");
  data->require_subcommand(1);
  add_data_info_command(*data);
  add_compute_command(*data, "show", argv);
  for (const char* name : {"train", "measure", "states"}) add_compute_command(app, name, argv);
  add_sweep_command(app, [argv](const modspec::SweepSpec& spec, const std::filesystem::path& out,
                                const modspec::LaunchSettings& settings, modspec::SweepReport& report) {
    return finish_or_compute(argv, spec, out, settings, report);
  });
  add_table_command(app);
  add_compute_command(app, "reproduce", argv);
  return run_app(app, argc, argv);
}
