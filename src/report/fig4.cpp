#include "report/fig4.hpp"

#include <iomanip>
#include <set>
#include <sstream>

#include "report/gnuplot.hpp"
#include "util/atomic_file.hpp"
#include "util/csv.hpp"

namespace modspec {
namespace {

// NAME.csv: a row per (panel, p_s, step), in the figure's order, so that the rows of one curve
// are consecutive (the script picks them with `every`); per measure, the own-digit
// specialization of module 0 and of module 1.
void write_fig4_data(const Fig4Data& d, const std::filesystem::path& dir) {
  Table data;
  data.columns = {"panel", "p_s", "step"};
  for (const auto& m : d.pictures)
    for (const char* module : {"_module0", "_module1"}) data.columns.push_back("own_" + m + module);
  for (const auto& panel : d.panels)
    for (int64_t p_s : d.p_ss)
      for (int64_t step = 0; step <= d.last_step; ++step) {
        std::vector<std::string> row{panel.title, std::to_string(p_s), std::to_string(step)};
        for (const auto& m : d.pictures)
          for (int64_t module = 0; module < 2; ++module) row.push_back(csv_number(d.own(panel, p_s, module, m, step)));
        data.rows.push_back(std::move(row));
      }
  write_file_atomic(dir / (d.name + ".csv"), to_csv(data));
}

// NAME.gp: one picture per measure (and their mean), a panel per condition, a colour per p_s.
void write_fig4_script(const Fig4Data& d, const std::filesystem::path& dir) {
  // Layout: A and B in one row; C with a row per start of digit 0.
  std::set<int64_t> starts0, starts1;
  for (const auto& panel : d.panels) {
    starts0.insert(panel.start0);
    starts1.insert(panel.start1);
  }
  const size_t rows = d.which == Fig4Panel::c ? starts0.size() : 1;
  const size_t cols = d.which == Fig4Panel::c ? starts1.size() : d.panels.size();
  const std::vector<std::string> colours{"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};
  std::ostringstream gp;
  gp << "# " << d.name << ": each module's specialization on its own digit at every step, mean over seeds.\n"
     << kGnuplotReadsCsv << "set xrange [-0.2:" << double(d.last_step) + 0.2 << "]; set xtics 1; set yrange [-1.05:1.05]; set grid\n"
     << "set xlabel 'step'; set ylabel 'own-digit specialization'\n"
     << "set key right center font 'sans,9'\n"
     << gnuplot_pictures_begin(d.name, d.pictures, int64_t(80 + 420 * cols), int64_t(80 + 330 * rows))
     << "    col0 = 2 * m + 2; col1 = 2 * m + 3\n"
     << "    set multiplot layout " << rows << "," << cols
     << " title 'specialization on own digit ('.metric.'), module 0 solid, module 1 dashed'\n";
  size_t k = 0;
  for (const auto& panel : d.panels) {
    gp << "    unset arrow; set title " << gnuplot_quote(panel.title) << "\n";
    for (int64_t s : panel.comms)
      gp << "    set arrow from " << s << ", graph 0 to " << s << ", graph 1 nohead dt 3 lc rgb 'gray40'\n";
    if (panel.start0 >= 0) {
      gp << "    set arrow from " << panel.start0 << ", graph 0 to " << panel.start0
         << ", graph 0.15 head filled lw 2 lc rgb 'black'\n";
      gp << "    set arrow from " << panel.start1 << ", graph 1 to " << panel.start1
         << ", graph 0.85 head filled lw 2 lc rgb 'black'\n";
    }
    gp << "    plot 0 notitle lc rgb 'black' lw 0.5";
    for (size_t j = 0; j < d.p_ss.size(); ++j) {
      const size_t rows_per_curve = size_t(d.last_step) + 1, first = (k * d.p_ss.size() + j) * rows_per_curve;
      std::ostringstream curve;
      curve << "every ::" << first << "::" << first + rows_per_curve - 1;
      const std::string colour = colours[j % colours.size()];
      gp << ", \\\n      '" << d.name << ".csv' " << curve.str() << " using 3:(column(col0)) with linespoints lw 2 pt 7 lc rgb '"
         << colour << "' title 'p_s = " << d.p_ss[j] << "'"
         << ", \\\n      '' " << curve.str() << " using 3:(column(col1)) with linespoints lw 2 pt 6 dt 2 lc rgb '" << colour
         << "' notitle";
    }
    gp << "\n";
    ++k;
  }
  gp << "    unset multiplot\n" << kGnuplotPicturesEnd;
  write_file_atomic(dir / (d.name + ".gp"), gp.str());
}

}  // namespace

void draw_fig4(const Fig4Data& d, const std::filesystem::path& dir) {
  write_fig4_data(d, dir);
  write_fig4_script(d, dir);
  run_gnuplot(dir / (d.name + ".gp"));
}

std::string fig4_text(const Fig4Data& d) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(2);
  // The printed table follows the paper, which shows the retraining measure; the pictures show all.
  if (d.which == Fig4Panel::c)
    out << "own-digit specialization of module 0 / module 1 per step (retraining)\n";
  else
    out << "network specialization F per step (retraining)\n";
  for (const auto& panel : d.panels)
    for (int64_t p_s : d.p_ss) {
      std::ostringstream label;
      label << panel.title << ", p_s = " << p_s;
      out << "  " << std::left << std::setw(54) << label.str() << std::right;
      for (int64_t step = 0; step <= d.last_step; ++step) {
        if (d.which == Fig4Panel::c) {
          out << "  " << std::showpos << d.own(panel, p_s, 0, "retraining", step) << "/"
              << d.own(panel, p_s, 1, "retraining", step) << std::noshowpos;
        } else {
          out << "  " << d.network(panel, p_s, "retraining", step);
        }
      }
      out << "\n";
    }
  return out.str();
}

}  // namespace modspec
