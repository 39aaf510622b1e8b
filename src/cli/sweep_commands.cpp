#include <iostream>
#include <thread>

#include "cli/commands.hpp"
#include "report/fig2.hpp"
#include "sweep/reproduce_configs.hpp"
#include "sweep/sweep_runner.hpp"
#include "sweep/table.hpp"
#include "util/atomic_file.hpp"
#include "util/error.hpp"

namespace modspec::cli {
namespace {

int64_t default_workers() { return std::max<int64_t>(1, int64_t(std::thread::hardware_concurrency())); }

void parse_shard(const std::string& text, SweepOptions& options) {
  const auto slash = text.find('/');
  try {
    if (slash == std::string::npos) throw std::invalid_argument("");
    options.shard = std::stoll(text.substr(0, slash));
    options.shards = std::stoll(text.substr(slash + 1));
  } catch (const std::logic_error&) {
    throw Error("--shard '" + text + "': expected i/N, e.g. 0/4");
  }
}

void write_table(const std::filesystem::path& dir) {
  write_file_atomic(dir / "table.csv", to_csv(sweep_table(dir)));
}

}  // namespace

void add_sweep_commands(CLI::App& app) {
  auto* sweep = app.add_subcommand("sweep", "train and measure every run of a sweep file (resumable)");
  auto file = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto shard = std::make_shared<std::string>();
  auto options = std::make_shared<SweepOptions>();
  options->workers = default_workers();
  sweep->add_option("sweep_file", *file, "sweep TOML file")->required();
  sweep->add_option("--out", *out, "sweep directory (runs in OUT/runs/<hash>, table in OUT/table.csv)")->required();
  sweep->add_option("--workers", options->workers, "worker threads, each on its own stack (default: cores)")
      ->check(CLI::Range(1, 1024));
  sweep->add_option("--shard", *shard, "i/N: run only the i-th of N shares of the stacks (job arrays)");
  sweep->add_option("--data-dir", options->data_dir, "dataset directory (default: $MODSPEC_DATA or ~/.cache/modspec)");
  sweep->callback([file, out, shard, options]() {
    if (!shard->empty()) parse_shard(*shard, *options);
    const SweepSpec spec = SweepSpec::from_file(*file);
    const SweepReport r = run_sweep(spec, *out, *options);
    std::cout << "sweep: " << r.runs << " runs in this shard, " << r.skipped << " already done, " << r.trained
              << " trained in " << r.seconds << " s\n";
    if (options->shards == 1) {
      write_table(*out);
      std::cout << "table: " << (std::filesystem::path(*out) / "table.csv").string() << "\n";
    }
  });

  auto* table = app.add_subcommand("table", "assemble a sweep directory's tidy CSV (DIR/table.csv)");
  auto dir = std::make_shared<std::string>();
  table->add_option("dir", *dir, "sweep directory")->required();
  table->callback([dir]() {
    write_table(*dir);
    std::cout << (std::filesystem::path(*dir) / "table.csv").string() << "\n";
  });

  auto* reproduce = app.add_subcommand(
      "reproduce",
      "reproduce a figure of the paper: fig2 (quick scale: about 1 minute on 2 cores; paper scale: 65 networks "
      "of 30 epochs)");
  auto figure = std::make_shared<std::string>();
  auto scale = std::make_shared<std::string>("quick");
  auto rout = std::make_shared<std::string>();
  auto roptions = std::make_shared<SweepOptions>();
  roptions->workers = default_workers();
  reproduce->add_option("figure", *figure, "figure to reproduce")->required()->check(CLI::IsMember({"fig2"}));
  reproduce->add_option("--scale", *scale, "quick or paper")->check(CLI::IsMember({"quick", "paper"}));
  reproduce->add_option("--out", *rout, "output directory (default: out/<figure>-<scale>)");
  reproduce->add_option("--workers", roptions->workers, "worker threads (default: cores)")->check(CLI::Range(1, 1024));
  reproduce->add_option("--data-dir", roptions->data_dir, "dataset directory");
  reproduce->callback([figure, scale, rout, roptions]() {
    const std::string name = *figure + "-" + *scale;
    const std::filesystem::path dir = rout->empty() ? std::filesystem::path("out") / name : std::filesystem::path(*rout);
    const SweepSpec spec = SweepSpec::from_toml_text(reproduce_configs().at(name), "configs/reproduce/" + name + ".toml");
    const SweepReport r = run_sweep(spec, dir, *roptions);
    write_table(dir);
    const auto points = fig2_points(read_csv(dir / "table.csv"));
    draw_fig2(points, dir);
    std::cout << "specialization F at the last step (mean+-std over seeds), " << r.runs << " networks, "
              << r.trained << " trained now, " << r.seconds << " s:\n"
              << fig2_text(points) << "figure: " << (dir / "fig2.png").string() << " (and fig2.svg, fig2.dat, fig2.gp)\n";
  });
}

}  // namespace modspec::cli
