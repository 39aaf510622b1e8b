#include "cli/command_list.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <unistd.h>

#include "runtime/blas_kernel.hpp"

namespace modspec::cli {
namespace {

const std::map<std::string, std::string>& descriptions() {
  static const std::map<std::string, std::string> text{
      {"config", "print the resolved configuration, every key documented"},
      {"data", "inspect the datasets and the environment"},
      {"info", "datasets found, where, counts, class balance, measured P(D1 == D2)"},
      {"show", "draw a grid of stimulus tuples with their labels and targets"},
      {"train", "train one network and write its run directory"},
      {"measure", "measure the functional specialization of a trained network"},
      {"states", "write every module's state at every step for a run's test and training tuples, with their labels "
                 "(.npz)"},
      {"sweep", "train and measure every run of a sweep file (resumable; `mpirun -n N modspec sweep ...` shares it "
                "among N ranks)"},
      {"table", "assemble a sweep directory's tidy CSVs (DIR/table.csv, networks.csv, epochs.csv)"},
      {"reproduce",
       "reproduce a figure of the paper. Quick scale, measured on 2 cores shared with other work (load 2-4): fig2 3 "
       "minutes (four measures with their nulls), fig3 7-11 minutes, fig4 9-12 minutes, fig5 15-17 minutes; paper "
       "scale uses the paper's grids and seeds (hours). Resumable like `sweep`, and `mpirun -n N` shares it among N "
       "ranks"},
  };
  return text;
}

}  // namespace

// modspec-compute, beside this program: the path of this program's own file, not argv[0], which
// may be a name found on the PATH or a symbolic link.
void run_compute_program(char** argv) {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const auto compute = (ec ? std::filesystem::path(argv[0]) : self).parent_path() / "modspec-compute";
  // OpenBLAS reads its kernel choice when it loads: set here, it costs the compute program no restart.
  choose_blas_kernel();
  ::execv(compute.c_str(), argv);
  std::cerr << "modspec: cannot run " << compute.string() << " (" << std::strerror(errno)
            << "): the build makes it beside modspec; build the project again\n";
  std::exit(1);
}

CLI::App* add_command(CLI::App& parent, const std::string& name) {
  return parent.add_subcommand(name, descriptions().at(name));
}

void add_compute_command(CLI::App& parent, const std::string& name, char** argv) {
  auto* cmd = add_command(parent, name);
  // Every argument after the command's name is modspec-compute's, its --help too (which lists
  // every option): none is parsed here, nor falls through to the front's own --help.
  cmd->set_help_flag();
  cmd->fallthrough(false);
  cmd->allow_extras();
  cmd->prefix_command();
  cmd->callback([argv] { run_compute_program(argv); });
}

}  // namespace modspec::cli
