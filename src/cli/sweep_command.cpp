#include <iostream>

#include "cli/command_list.hpp"
#include "cli/commands.hpp"
#include "cli/sweep_launch.hpp"
#include "config/toml_file.hpp"
#include "sweep/table.hpp"

namespace modspec::cli {

void add_sweep_command(CLI::App& app, const SweepLauncher& launch) {
  auto* sweep = add_command(app, "sweep");
  auto file = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto options = std::make_shared<LaunchOptions>();
  sweep->add_option("sweep_file", *file, "sweep TOML file")->required();
  sweep->add_option("--out", *out, "sweep directory (runs in OUT/runs/<hash>, table in OUT/table.csv)")->required();
  options->add_to(*sweep, true);
  sweep->callback([file, out, options, launch]() {
    const SweepSpec spec = options->read_sweep(read_text_file(*file, "sweep file"), *file);
    SweepReport r;
    const bool writer = launch(spec, *out, options->parsed(), r);
    std::cout << "sweep: " << r.runs << " runs in this share, " << r.skipped << " already done, " << r.trained
              << " trained in " << r.seconds << " s\n";
    if (writer) std::cout << "table: " << write_sweep_table(*out).string() << "\n";
  });
}

}  // namespace modspec::cli
