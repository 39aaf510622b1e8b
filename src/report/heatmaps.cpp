#include "report/heatmaps.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <set>
#include <sstream>

#include "metrics/measure.hpp"
#include "report/gnuplot.hpp"
#include "report/last_step.hpp"
#include "sweep/sweep_spec.hpp"
#include "util/atomic_file.hpp"
#include "util/csv.hpp"
#include "util/error.hpp"

namespace modspec {
namespace {

// Axes that place a run inside a variant's panels rather than make a variant.
bool is_grid_axis(const std::string& column) {
  static const std::set<std::string> grid{"axis_model_n", "axis_model_p", "axis_model_p_s", "axis_env_covariance",
                                          "axis_seed"};
  return grid.count(column) > 0;
}

// "axis_model_bottleneck" = "5" -> "bottleneck 5"; axis_env_datasets ["mnist", "fashion"] -> "datasets mnist x fashion".
std::string pretty(const std::string& column, const std::string& value) {
  if (column == "architecture" || column == "axis_architecture") return value;
  std::string x;
  for (char c : value) {
    if (c == ',') x += " x ";
    else if (c != '[' && c != ']' && c != '"' && c != '\'' && c != ' ') x += c;
  }
  std::string key = column.substr(5);  // after "axis_"
  for (const char* section : {"data_", "env_", "model_", "train_", "metrics_"})
    if (key.rfind(section, 0) == 0) key = key.substr(std::string(section).size());
  return key + " " + x;
}

// Orders a variant's parts: architectures in preset order, numbers by value, the rest as text.
std::pair<double, std::string> order_of(const std::string& column, const std::string& value) {
  if (column == "architecture" || column == "axis_architecture") {
    const auto& names = architecture_names();
    return {double(std::find(names.begin(), names.end(), value) - names.begin()), value};
  }
  char* end = nullptr;
  const double d = std::strtod(value.c_str(), &end);
  if (!value.empty() && end && *end == '\0') return {d, value};
  return {0.0, value};
}

template <typename T>
size_t index_of(const std::vector<T>& v, const T& x) {
  return size_t(std::find(v.begin(), v.end(), x) - v.begin());
}

}  // namespace

Heatmaps heatmaps_from(const Table& t) {
  const size_t c_n = t.column("n"), c_ps = t.column("p_s"), c_c = t.column("covariance");
  std::vector<std::string> variant_columns;
  for (const auto& c : t.columns)
    if (c.rfind("axis_", 0) == 0 && !is_grid_axis(c)) variant_columns.push_back(c);
  if (std::find(variant_columns.begin(), variant_columns.end(), "axis_architecture") == variant_columns.end())
    variant_columns.insert(variant_columns.begin(), "architecture");

  struct Run {
    std::vector<std::pair<double, std::string>> order;
    std::string variant;
    double c;
    int64_t n, p_s;
    std::map<std::string, double> f;
  };
  std::vector<Run> runs;
  std::set<double> cs;
  std::set<int64_t> ns, p_ss;
  for (const auto& r : runs_at_last_step(t)) {
    Run run{{}, "", std::stod(r.row[c_c]), std::stoll(r.row[c_n]), std::stoll(r.row[c_ps]), r.f};
    for (const auto& col : variant_columns) {
      const std::string& value = r.row[t.column(col)];
      run.order.push_back(order_of(col, value));
      run.variant += (run.variant.empty() ? "" : ", ") + pretty(col, value);
    }
    cs.insert(run.c);
    ns.insert(run.n);
    p_ss.insert(run.p_s);
    runs.push_back(std::move(run));
  }
  std::stable_sort(runs.begin(), runs.end(), [](const Run& a, const Run& b) { return a.order < b.order; });

  Heatmaps maps;
  maps.metrics = figure_metrics(t);
  maps.covariances.assign(cs.begin(), cs.end());
  maps.ns.assign(ns.begin(), ns.end());
  maps.p_ss.assign(p_ss.begin(), p_ss.end());
  for (const auto& run : runs) {
    if (index_of(maps.variants, run.variant) == maps.variants.size()) maps.variants.push_back(run.variant);
    const Heatmaps::Cell cell{index_of(maps.variants, run.variant), index_of(maps.covariances, run.c),
                              index_of(maps.ns, run.n), index_of(maps.p_ss, run.p_s)};
    double sum = 0;
    for (const auto& [metric, f] : run.f) {
      maps.f[metric][cell].push_back(f);
      sum += f;
    }
    maps.f["mean"][cell].push_back(sum / double(run.f.size()));
  }
  return maps;
}

void draw_heatmaps(const Heatmaps& maps, const std::filesystem::path& dir, const std::string& name) {
  const std::vector<std::string>& metrics = maps.metrics;
  const size_t rows = maps.variants.size(), cols = maps.covariances.size();

  // NAME.csv: a row per (panel, n, p_s) cell, every cell present (NaN where no run is), the
  // panels' rows consecutive (variant-major, then c) so the script picks a panel with `every`.
  Table data;
  data.columns = {"variant", "c", "p_s_index", "n_index", "p_s", "n"};
  for (const auto& m : metrics) data.columns.push_back("F_" + m);
  data.columns.push_back("seeds");
  for (size_t v = 0; v < rows; ++v)
    for (size_t c = 0; c < cols; ++c)
      for (size_t in = 0; in < maps.ns.size(); ++in)
        for (size_t ip = 0; ip < maps.p_ss.size(); ++ip) {
          std::vector<std::string> row{maps.variants[v], csv_number(maps.covariances[c]), std::to_string(ip),
                                       std::to_string(in), std::to_string(maps.p_ss[ip]), std::to_string(maps.ns[in])};
          size_t seeds = 0;
          for (const auto& m : metrics) {
            const auto& cells = maps.f.count(m) ? maps.f.at(m) : std::map<Heatmaps::Cell, std::vector<double>>{};
            auto it = cells.find({v, c, in, ip});
            row.push_back(csv_number(it == cells.end() ? NAN : mean_of(it->second)));
            if (it != cells.end()) seeds = std::max(seeds, it->second.size());
          }
          row.push_back(std::to_string(seeds));
          data.rows.push_back(std::move(row));
        }
  write_file_atomic(dir / (name + ".csv"), to_csv(data));

  std::ostringstream gp;
  gp << "# " << name << ": specialization F at the last step over p_s (x) and n (y), mean over seeds;\n"
     << "# one panel per covariance c (columns), one row per network variant.\n"
     << kGnuplotReadsCsv << "array panel[" << rows * cols << "]\n";
  for (size_t v = 0; v < rows; ++v)
    for (size_t c = 0; c < cols; ++c)
      gp << "panel[" << v * cols + c + 1 << "] = " << gnuplot_quote(maps.variants[v] + ", c = " + gnuplot_number(maps.covariances[c]))
         << "\n";
  gp << "set xtics (";
  for (size_t i = 0; i < maps.p_ss.size(); ++i) gp << (i ? ", " : "") << "\"" << maps.p_ss[i] << "\" " << i;
  gp << ")\nset ytics (";
  for (size_t i = 0; i < maps.ns.size(); ++i) gp << (i ? ", " : "") << "\"" << maps.ns[i] << "\" " << i;
  gp << ")\nset xrange [-0.5:" << double(maps.p_ss.size()) - 0.5 << "]; set yrange [-0.5:" << double(maps.ns.size()) - 0.5
     << "]\n"
     << "set xlabel 'inter-module synapses p_s'; set ylabel 'module size n'\n"
     << "set cbrange [0:1]; set palette defined (0 '#440154', 0.25 '#3b528b', 0.5 '#21918c', 0.75 '#5ec962', 1 '#fde725')\n"
     << "unset key; set tics out nomirror\n"
     << gnuplot_pictures_begin(name, metrics, int64_t(120 + 380 * cols), int64_t(60 + 320 * rows))
     << "    col = 6 + m; cells = " << maps.ns.size() * maps.p_ss.size() << "\n"
     << "    set multiplot layout " << rows << "," << cols << " title 'specialization F ('.metric.') at the last step'\n"
     << "    do for [k = 1:" << rows * cols << "] {\n"
     << "      set title panel[k]\n"
     << "      first = (k - 1) * cells; last = first + cells - 1\n"
     << "      plot '" << name << ".csv' every ::first::last using 3:4:(column(col)) with image, \\\n"
     << "           '' every ::first::last using 3:4:(column(col) == column(col) ? sprintf('%.2f', column(col)) : ''):"
        "(column(col) > 0.6 ? 0 : 0xffffff) with labels textcolor rgb variable font 'sans,9'\n"
     << "    }\n"
     << "    unset multiplot\n"
     << kGnuplotPicturesEnd;
  write_file_atomic(dir / (name + ".gp"), gp.str());
  run_gnuplot(dir / (name + ".gp"));
}

std::string heatmaps_text(const Heatmaps& maps) {
  std::ostringstream out;
  out << "F at the last step, mean of the measures (rows: n, columns: p_s)\n" << std::fixed;
  const auto& cells = maps.f.at("mean");
  for (size_t v = 0; v < maps.variants.size(); ++v) {
    out << maps.variants[v] << "\n" << std::setw(10) << "n \\ p_s";
    for (size_t c = 0; c < maps.covariances.size(); ++c) {
      std::ostringstream head;
      head << "c=" << gnuplot_number(maps.covariances[c]) << ":";
      out << "  " << std::setw(8) << head.str();
      for (int64_t ps : maps.p_ss) out << std::setw(6) << ps;
    }
    out << "\n";
    for (size_t in = 0; in < maps.ns.size(); ++in) {
      out << std::setw(10) << maps.ns[in];
      for (size_t c = 0; c < maps.covariances.size(); ++c) {
        out << "  " << std::setw(8) << "";
        for (size_t ip = 0; ip < maps.p_ss.size(); ++ip) {
          auto it = cells.find({v, c, in, ip});
          if (it == cells.end()) out << std::setw(6) << "-";
          else out << std::setw(6) << std::setprecision(2) << mean_of(it->second);
        }
      }
      out << "\n";
    }
  }
  return out.str();
}

}  // namespace modspec
