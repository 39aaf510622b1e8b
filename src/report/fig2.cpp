#include "report/fig2.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "report/gnuplot.hpp"
#include "report/last_step.hpp"
#include "util/atomic_file.hpp"
#include "util/csv.hpp"
#include "util/error.hpp"
#include "util/statistics.hpp"

namespace modspec {

std::vector<Fig2Point> fig2_points(const Table& t) {
  const size_t c_p = t.column("p"), c_q = t.column("q_analytic");
  std::map<double, Fig2Point> by_p;
  for (const auto& run : runs_at_last_step(t)) {
    const double p = std::stod(run.row[c_p]);
    auto& pt = by_p[p];
    pt.p = p;
    pt.q = std::stod(run.row[c_q]);
    for (const auto& [metric, f] : run.f) pt.f[metric].push_back(f);
    for (const auto& [metric, n] : run.excluded) pt.excluded[metric] += n;
    for (const auto& [metric, null] : run.null_mean)
      if (!std::isnan(null)) pt.null[metric].push_back(null);
  }
  std::vector<Fig2Point> out;
  for (auto& [p, pt] : by_p) out.push_back(pt);
  return out;
}

namespace {

const std::vector<double>& values_of(const std::map<std::string, std::vector<double>>& m, const std::string& key) {
  static const std::vector<double> none;
  auto it = m.find(key);
  return it == m.end() ? none : it->second;
}

}  // namespace

void draw_fig2(const std::vector<Fig2Point>& points, const std::vector<std::string>& metrics,
               const std::filesystem::path& dir) {
  // fig2.csv: a row per p; p, Q, then per measure F's mean, its 95% interval (the mean when one
  // seed gives none), the permutation null's mean and the number of seeds.
  Table data;
  data.columns = {"p", "Q"};
  for (const auto& m : metrics)
    for (const char* part : {"_mean", "_low", "_high", "_null", "_seeds"}) data.columns.push_back("F_" + m + part);
  for (const auto& pt : points) {
    std::vector<std::string> row{csv_number(pt.p), csv_number(pt.q)};
    for (const auto& m : metrics) {
      const Interval ci = t_interval(values_of(pt.f, m));
      const bool spread = ci.n > 1;
      for (double x : {ci.mean, spread ? ci.low : ci.mean, spread ? ci.high : ci.mean, mean_of(values_of(pt.null, m)),
                       double(ci.n)})
        row.push_back(csv_number(x));
    }
    data.rows.push_back(std::move(row));
  }
  write_file_atomic(dir / "fig2.csv", to_csv(data));

  const size_t cols = metrics.size();
  std::string titles;
  for (const auto& m : metrics) titles += (titles.empty() ? "" : " ") + m;
  std::ostringstream gp;
  gp << "# Fig. 2: specialization F at the last step against Q (top) and p (bottom); mean and 95% confidence\n"
     << "# interval over seeds, the permutation null's mean dashed.\n"
     << kGnuplotReadsCsv << "titles = \"" << titles << "\"\n"
     << "do for [fmt in \"png svg\"] {\n"
     << "  " << gnuplot_terminal(int64_t(500 * cols), 900, 11)
     << "  set output 'fig2.'.fmt\n"
     << "  set multiplot layout 2," << cols << "\n"
     << "  set yrange [-0.05:1.05]; set grid; unset key\n"
     << "  do for [i=1:" << cols << "] {\n"
     << "    c = 3 + 5 * (i - 1)\n"
     << "    set title word(titles, i); set xlabel 'structural modularity Q'; set ylabel 'specialization F'\n"
     << "    unset logscale x; set xrange [0:0.5]\n"
     << "    plot 'fig2.csv' using 2:(column(c)):(column(c+1)):(column(c+2)) with yerrorlines lw 2 pt 7 lc rgb '#1f77b4', \\\n"
     << "         '' using 2:(column(c+3)) with lines dt 2 lw 1.5 lc rgb 'gray40'\n"
     << "  }\n"
     << "  do for [i=1:" << cols << "] {\n"
     << "    c = 3 + 5 * (i - 1)\n"
     << "    set title word(titles, i); set xlabel 'inter-module connection fraction p'; set ylabel 'specialization F'\n"
     << "    set logscale x; set autoscale x\n"
     << "    plot 'fig2.csv' using 1:(column(c)):(column(c+1)):(column(c+2)) with yerrorlines lw 2 pt 7 lc rgb '#d62728', \\\n"
     << "         '' using 1:(column(c+3)) with lines dt 2 lw 1.5 lc rgb 'gray40'\n"
     << "  }\n"
     << "  unset multiplot\n"
     << "}\n";
  write_file_atomic(dir / "fig2.gp", gp.str());
  run_gnuplot(dir / "fig2.gp");
}

std::string fig2_text(const std::vector<Fig2Point>& points, const std::vector<std::string>& metrics) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(4) << std::setw(10) << "p" << std::setw(8) << "Q";
  for (const auto& m : metrics) out << std::setw(20) << ("F " + m.substr(0, 11));
  out << std::setw(7) << "seeds\n";
  bool any_excluded = false;
  for (const auto& pt : points) {
    out << std::setw(10) << pt.p << std::setw(8) << pt.q;
    int64_t seeds = 0;
    for (const auto& m : metrics) {
      const Interval ci = t_interval(values_of(pt.f, m));
      std::ostringstream cell;
      cell << std::fixed << std::setprecision(3) << ci.mean;
      if (ci.n > 1) cell << " [" << std::setprecision(2) << ci.low << "," << ci.high << "]";
      auto excluded = pt.excluded.find(m);
      if (excluded != pt.excluded.end() && excluded->second > 0) {
        cell << "*";
        any_excluded = true;
      }
      out << std::setw(20) << cell.str();
      seeds = std::max(seeds, ci.n);
    }
    out << std::setw(6) << seeds << "\n";
  }
  out << "  [95% confidence interval of the mean over seeds, Student's t]";
  if (any_excluded) out << "; * some seeds left out: a value behind their F is at chance";
  out << "\n";
  // The permutation null: what each measure gives when the digit labels are shuffled.
  for (const auto& m : metrics) {
    double lo = INFINITY, hi = -INFINITY;
    for (const auto& pt : points) {
      const double null = mean_of(values_of(pt.null, m));
      if (std::isnan(null)) continue;
      lo = std::min(lo, null);
      hi = std::max(hi, null);
    }
    if (lo <= hi)
      out << "  null F of " << m << " (labels shuffled): " << std::setprecision(3) << lo << " to " << hi << " over p\n";
  }
  return out.str();
}

}  // namespace modspec
