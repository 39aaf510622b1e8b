// modspec-compute: the commands that run networks, started by the front program `modspec` with
// the user's arguments (cli/command_list.hpp). It links LibTorch; the front does not.
#include <CLI/CLI.hpp>
#include <exception>
#include <string>

#include "cli/app.hpp"
#include "cli/command_list.hpp"
#include "cli/commands.hpp"
#include "runtime/blas_kernel.hpp"
#include "runtime/threads.hpp"
#include "sweep/launch.hpp"

namespace {

// LibTorch's messages carry a backtrace: the first line is the one a user can act on.
std::string describe(const std::exception& e) {
  if (const auto* torch_error = dynamic_cast<const c10::Error*>(&e))
    return std::string("internal error: ") + torch_error->what_without_backtrace();
  return e.what();
}

}  // namespace

int main(int argc, char** argv) {
  // Started by the front, the kernel is already chosen and this does nothing; started directly,
  // it restarts the program once.
  modspec::ensure_blas_kernel(argv);
  modspec::use_one_intra_op_thread();
  modspec::keep_freed_memory();
  CLI::App app{"modspec: functional specialization in modular recurrent networks"};
  modspec::cli::add_common_options(app);
  auto* data = modspec::cli::add_command(app, "data");
  data->require_subcommand(1);
  modspec::cli::add_data_show_command(*data);
  modspec::cli::add_train_command(app);
  modspec::cli::add_measure_command(app);
  modspec::cli::add_states_command(app);
  modspec::cli::add_sweep_command(app, modspec::launch_sweep);
  modspec::cli::add_reproduce_command(app);
  return modspec::cli::run_app(app, argc, argv, describe);
}
