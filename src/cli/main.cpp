// modspec: when do the modules of a network become functionally specialized?
#include <CLI/CLI.hpp>
#include <iostream>
#include <string>

#include "cli/commands.hpp"
#include "runtime/blas_kernel.hpp"
#include "runtime/provenance.hpp"
#include "runtime/threads.hpp"
#include "util/error.hpp"
#include "util/progress.hpp"

namespace {

// Whether the command runs networks. The others (--help, --version, config, table, data) never
// reach OpenBLAS and skip its kernel-choice restart, which would double their start-up.
bool computes(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.empty() || arg[0] == '-') continue;
    return arg == "train" || arg == "measure" || arg == "states" || arg == "sweep" || arg == "reproduce";
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  if (computes(argc, argv)) modspec::ensure_blas_kernel(argv);
  modspec::use_one_intra_op_thread();
  modspec::keep_freed_memory();
  CLI::App app{"modspec: functional specialization in modular recurrent networks"};
  app.require_subcommand(1);
  app.set_version_flag("--version", modspec::version_line());
  // Set as soon as it is read, before any subcommand runs; it may also follow the subcommand.
  app.add_flag_callback("--quiet,-q", [] { modspec::Progress::set_quiet(true); },
                        "no progress and no stage lines on stderr (errors and results still print)")
      ->trigger_on_parse();
  app.fallthrough();
  modspec::cli::add_config_command(app);
  modspec::cli::add_data_commands(app);
  modspec::cli::add_train_command(app);
  modspec::cli::add_measure_command(app);
  modspec::cli::add_states_command(app);
  modspec::cli::add_sweep_commands(app);
  modspec::cli::add_reproduce_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    // A usage error: one line, exit status 2 as for any command-line tool's misuse.
    std::cerr << "modspec: " << e.what() << " (see --help)\n";
    return 2;
  } catch (const modspec::Error& e) {
    std::cerr << "modspec: " << e.what() << "\n";
    return 1;
  } catch (const c10::Error& e) {
    // LibTorch's messages carry a backtrace: the first line is the one a user can act on.
    std::cerr << "modspec: internal error: " << e.what_without_backtrace() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "modspec: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
