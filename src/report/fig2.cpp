#include "report/fig2.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "metrics/measure.hpp"
#include "report/gnuplot.hpp"
#include "report/last_step.hpp"
#include "util/atomic_file.hpp"
#include "util/error.hpp"

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
  }
  std::vector<Fig2Point> out;
  for (auto& [p, pt] : by_p) out.push_back(pt);
  return out;
}

void draw_fig2(const std::vector<Fig2Point>& points, const std::filesystem::path& dir) {
  std::ostringstream dat;
  dat << "# p Q";
  for (const auto& m : metric_names()) dat << " " << m << "_mean " << m << "_std";
  dat << " seeds\n" << std::setprecision(8);
  for (const auto& pt : points) {
    dat << pt.p << " " << pt.q;
    size_t seeds = 0;
    for (const auto& m : metric_names()) {
      auto it = pt.f.find(m);
      const auto [mean, sd] = mean_std(it == pt.f.end() ? std::vector<double>{} : it->second);
      dat << " " << mean << " " << sd;
      if (it != pt.f.end()) seeds = std::max(seeds, it->second.size());
    }
    dat << " " << seeds << "\n";
  }
  write_file_atomic(dir / "fig2.dat", dat.str());

  std::ostringstream gp;
  gp << "# Fig. 2: specialization F at the last step against Q (top) and p (bottom); mean +- std over seeds.\n"
     << "titles = \"retraining ablation correlation\"\n"
     << "do for [fmt in \"png svg\"] {\n"
     << "  " << gnuplot_terminal(1500, 900, 11)
     << "  set output 'fig2.'.fmt\n"
     << "  set multiplot layout 2,3\n"
     << "  set yrange [-0.05:1.05]; set grid; unset key\n"
     << "  do for [i=1:3] {\n"
     << "    set title word(titles, i); set xlabel 'structural modularity Q'; set ylabel 'specialization F'\n"
     << "    unset logscale x; set xrange [0:0.5]\n"
     << "    plot 'fig2.dat' using 2:(column(1+2*i)):(column(2+2*i)) with yerrorlines lw 2 pt 7 lc rgb '#1f77b4'\n"
     << "  }\n"
     << "  do for [i=1:3] {\n"
     << "    set title word(titles, i); set xlabel 'inter-module connection fraction p'; set ylabel 'specialization F'\n"
     << "    set logscale x; set autoscale x\n"
     << "    plot 'fig2.dat' using 1:(column(1+2*i)):(column(2+2*i)) with yerrorlines lw 2 pt 7 lc rgb '#d62728'\n"
     << "  }\n"
     << "  unset multiplot\n"
     << "}\n";
  write_file_atomic(dir / "fig2.gp", gp.str());
  run_gnuplot(dir / "fig2.gp");
}

std::string fig2_text(const std::vector<Fig2Point>& points) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(4) << std::setw(10) << "p" << std::setw(8) << "Q";
  for (const auto& m : metric_names()) out << std::setw(14) << ("F " + m.substr(0, 10));
  out << std::setw(7) << "seeds\n";
  for (const auto& pt : points) {
    out << std::setw(10) << pt.p << std::setw(8) << pt.q;
    size_t seeds = 0;
    for (const auto& m : metric_names()) {
      auto it = pt.f.find(m);
      const auto [mean, sd] = mean_std(it == pt.f.end() ? std::vector<double>{} : it->second);
      std::ostringstream cell;
      cell << std::fixed << std::setprecision(3) << mean << "+-" << std::setprecision(2) << sd;
      out << std::setw(14) << cell.str();
      if (it != pt.f.end()) seeds = std::max(seeds, it->second.size());
    }
    out << std::setw(6) << seeds << "\n";
  }
  return out.str();
}

}  // namespace modspec
