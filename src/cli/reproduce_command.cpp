#include <iostream>

#include "cli/command_list.hpp"
#include "cli/commands.hpp"
#include "cli/sweep_launch.hpp"
#include "report/fig2.hpp"
#include "report/fig4.hpp"
#include "report/heatmaps.hpp"
#include "report/last_step.hpp"
#include "config/toml_file.hpp"
#include "sweep/reproduce_configs.hpp"
#include "sweep/summary.hpp"
#include "sweep/table.hpp"
#include "util/error.hpp"
#include "util/progress.hpp"
#include "util/hash.hpp"

namespace modspec::cli {
namespace {

SweepSpec builtin_sweep(const std::string& name, const LaunchOptions& options) {
  return options.read_sweep(reproduce_configs().at(name), "configs/reproduce/" + name + ".toml");
}

// out/<figure>-<scale>, then -published for that flavour and -set-<hash> for --set overrides, so
// that differently configured sweeps never share a directory by default.
std::filesystem::path default_out(const std::string& figure, const std::string& scale, const std::string& flavor,
                                  const std::string& sweep_file, const std::vector<std::string>& overrides) {
  std::string name = figure + "-" + (sweep_file.empty() ? scale : "custom");
  if (flavor != "described") name += "-" + flavor;
  if (!overrides.empty()) {
    std::string joined;
    for (const auto& o : overrides) joined += o + "\n";
    name += "-set-" + content_hash(joined).substr(0, 8);
  }
  return std::filesystem::path("out") / name;
}

// Draws a sweep figure (fig2, fig3, fig5) from its table in dir; returns the text printed for it.
std::string draw_sweep_figure(const std::string& figure, const std::filesystem::path& dir) {
  const Table table = read_csv(dir / "table.csv");
  if (figure == "fig2") {
    const auto points = fig2_points(table);
    const auto metrics = table_metrics(table);
    draw_fig2(points, metrics, dir);
    return "specialization F at the last step (mean over seeds):\n" + fig2_text(points, metrics);
  }
  const Heatmaps maps = heatmaps_from(table);
  draw_heatmaps(maps, dir, figure);
  return heatmaps_text(maps);
}

}  // namespace

void add_reproduce_command(CLI::App& app) {
  auto* reproduce = add_command(app, "reproduce");
  auto figure = std::make_shared<std::string>();
  auto scale = std::make_shared<std::string>("quick");
  auto out = std::make_shared<std::string>();
  auto sweep_file = std::make_shared<std::string>();
  auto options = std::make_shared<LaunchOptions>();
  reproduce
      ->add_option("figure", *figure,
                   "fig2: F against Q and p; fig3: F over n x p_s per c and architecture; fig4: specialization over "
                   "time (A communication timing, B noise, C random starts); fig5: fig3 with bottlenecks and "
                   "digits x Fashion-MNIST")
      ->required()
      ->check(CLI::IsMember({"fig2", "fig3", "fig4", "fig5"}));
  reproduce->add_option("--scale", *scale, "quick (default) or paper")->check(CLI::IsMember({"quick", "paper"}));
  reproduce->add_option("--out", *out, "output directory (default: out/<figure>-<scale>[-published][-set-<hash>])");
  reproduce->add_option("--sweep", *sweep_file,
                        "fig2, fig3, fig5: draw from this sweep file instead of the built-in one (e.g. a copy of "
                        "configs/reproduce/fig5-quick.toml with [\"mnist\", \"emnist-letters\"] added)");
  options->add_to(*reproduce, false);
  reproduce->callback([figure, scale, out, sweep_file, options]() {
    const std::string name = *figure + "-" + *scale;
    const std::filesystem::path dir = !out->empty() ? std::filesystem::path(*out)
                                                    : default_out(*figure, *scale, options->flavor, *sweep_file,
                                                                  options->overrides);
    SweepReport r;
    if (*figure == "fig4") {
      // Three sweeps, one directory each: A (dir/a), B (dir/b), C (dir/c).
      if (!sweep_file->empty()) throw Error("--sweep: fig4 draws three built-in sweeps (configs/reproduce/fig4?-*.toml)");
      for (const auto& [part, which] : {std::pair{"a", Fig4Panel::a}, {"b", Fig4Panel::b}, {"c", Fig4Panel::c}}) {
        const std::string stem = "fig4" + std::string(part);
        const auto sub = dir / part;
        Progress::stage("reproduce " + stem + ": sweep " + stem + "-" + *scale + " into " + sub.string());
        if (!launch_sweep(builtin_sweep(stem + "-" + *scale, *options), sub, options->parsed(), r)) continue;
        write_sweep_table(sub);
        write_sweep_summary(sub, false);
        const Fig4Data data = fig4_data(which, read_csv(sub / "table.csv"));
        draw_fig4(data, sub);
        const std::string text = fig4_text(data);
        std::cout << "Fig. 4" << char(std::toupper(part[0])) << ", " << r.runs << " networks (" << r.trained
                  << " trained now, " << int(r.seconds) << " s): " << text << "figure: " << (sub / (stem + ".png")).string()
                  << "\n\n"
                  << std::flush;
      }
      return;
    }
    const SweepSpec spec = sweep_file->empty() ? builtin_sweep(name, *options)
                                               : options->read_sweep(read_text_file(*sweep_file, "sweep file"), *sweep_file);
    Progress::stage("reproduce " + *figure + ": sweep into " + dir.string());
    if (!launch_sweep(spec, dir, options->parsed(), r)) return;
    Progress::stage("reproduce " + *figure + ": tables and figure");
    write_sweep_table(dir);
    write_sweep_summary(dir, false);
    const std::string text = draw_sweep_figure(*figure, dir);
    std::cout << r.runs << " networks, " << r.trained << " trained now, " << r.seconds << " s\n"
              << text << "figure: " << (dir / (*figure + ".png")).string() << " (with .svg, .csv and .gp beside it)\n";
  });
}

}  // namespace modspec::cli
