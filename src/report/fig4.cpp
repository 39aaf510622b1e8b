#include "report/fig4.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>

#include "metrics/measure.hpp"
#include "report/gnuplot.hpp"
#include "report/last_step.hpp"
#include "util/atomic_file.hpp"
#include "util/error.hpp"

namespace modspec {
namespace {

struct Panel {
  std::string title;
  std::vector<int64_t> comms;       // A: steps with communication
  int64_t start0 = -1, start1 = -1;  // C: start steps of digits 0 and 1
  // (p_s, module, metric, step) -> own-digit specialization of each seed
  std::map<std::tuple<int64_t, int64_t, std::string, int64_t>, std::vector<double>> own;
  // (p_s, metric, step) -> network specialization F of each seed
  std::map<std::tuple<int64_t, std::string, int64_t>, std::vector<double>> network;
};

std::vector<int64_t> integers_in(const std::string& text) {
  std::vector<int64_t> out;
  std::string digits;
  for (char c : text + " ") {
    if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
    else if (!digits.empty()) {
      out.push_back(std::stoll(digits));
      digits.clear();
    }
  }
  return out;
}

std::string schedule_title(const std::vector<int64_t>& steps, int64_t last_step) {
  if (steps.empty()) return "communication at every step";
  if (steps.size() == 1) return "communication at step " + std::to_string(steps[0]) + " only";
  bool contiguous = steps.back() == last_step;
  for (size_t i = 1; i < steps.size(); ++i) contiguous = contiguous && steps[i] == steps[i - 1] + 1;
  if (contiguous) return "communication from step " + std::to_string(steps[0]);
  std::string s = "communication at steps";
  for (size_t i = 0; i < steps.size(); ++i) s += (i ? ", " : " ") + std::to_string(steps[i]);
  return s;
}

// Mean over seeds at a key, NaN where there is no run.
template <typename Map>
double mean_at(const Map& values, const typename Map::key_type& key) {
  auto it = values.find(key);
  return it == values.end() ? NAN : mean_of(it->second);
}

}  // namespace

std::string draw_fig4(Fig4Panel which, const Table& t, const std::filesystem::path& dir) {
  const std::string name = which == Fig4Panel::a ? "fig4a" : which == Fig4Panel::b ? "fig4b" : "fig4c";
  const size_t c_ps = t.column("p_s"), c_metric = t.column("metric"), c_starts = t.column("starts"),
               c_step = t.column("step"), c_module = t.column("module"), c_fm = t.column("module_specialization"),
               c_f = t.column("network_specialization");
  const size_t c_axis = which == Fig4Panel::a   ? t.column("axis_model.comms_steps")
                        : which == Fig4Panel::b ? t.column("axis_env.noise_ratio")
                                                : c_starts;
  if (std::find(t.columns.begin(), t.columns.end(), "normalised_digit2") != t.columns.end())
    throw Error(name + ": draws networks of two modules and two digits");
  int64_t last_step = 0;
  for (const auto& r : t.rows)
    if (!r[c_step].empty()) last_step = std::max<int64_t>(last_step, std::stoll(r[c_step]));

  std::map<std::vector<double>, Panel> panels;  // ordered by the panel's sort key
  std::set<int64_t> p_ss;
  for (const auto& r : t.rows) {
    if (r[c_metric].empty() || r[c_f].empty()) continue;
    if ((which == Fig4Panel::c) == r[c_starts].empty()) continue;  // C: groups only; A, B: all tuples only
    std::vector<double> key;
    Panel fresh;
    if (which == Fig4Panel::a) {
      fresh.comms = integers_in(r[c_axis]);
      fresh.title = schedule_title(fresh.comms, last_step);
      key = {fresh.comms.empty() ? 0.0 : double(fresh.comms[0]), -double(fresh.comms.size())};
    } else if (which == Fig4Panel::b) {
      const double ratio = std::stod(r[c_axis]);
      fresh.title = ratio == 0 ? "no noise" : "noise ratio " + gnuplot_number(ratio);
      key = {ratio};
    } else {
      const auto s = integers_in(r[c_axis]);
      fresh.start0 = s.at(0);
      fresh.start1 = s.at(1);
      fresh.title = "digit 0 on at step " + std::to_string(s[0]) + ", digit 1 at step " + std::to_string(s[1]);
      key = {double(s[0]), double(s[1])};
    }
    auto [it, added] = panels.emplace(key, fresh);
    Panel& panel = it->second;
    const int64_t p_s = std::stoll(r[c_ps]), module = std::stoll(r[c_module]), step = std::stoll(r[c_step]);
    // F^m > 0 means module m is linked to digit 0: module 1's own digit is the other one.
    const double fm = std::stod(r[c_fm]);
    p_ss.insert(p_s);
    panel.own[{p_s, module, r[c_metric], step}].push_back(module == 0 ? fm : -fm);
    if (module == 0) panel.network[{p_s, r[c_metric], step}].push_back(std::stod(r[c_f]));
  }
  if (panels.empty()) throw Error(name + ": the sweep table has no measured runs" +
                                  (which == Fig4Panel::c ? " with random start times" : ""));

  const std::vector<std::string> metrics = figure_metrics(t), measures = table_metrics(t);
  const std::vector<int64_t> ps(p_ss.begin(), p_ss.end());
  // Mean over seeds of one metric; "mean" averages the means of the measures the step has (the
  // weight masks are measured at the last step only).
  auto own_at = [&](const Panel& p, int64_t p_s, int64_t module, const std::string& metric, int64_t step) {
    if (metric != "mean") return mean_at(p.own, {p_s, module, metric, step});
    std::vector<double> means;
    for (const auto& m : measures)
      if (const double v = mean_at(p.own, {p_s, module, m, step}); !std::isnan(v)) means.push_back(v);
    return mean_of(means);
  };

  std::ostringstream dat;
  dat << "# one block per (panel, p_s), panels in the figure's order; columns: step, then per metric (";
  for (const auto& m : metrics) dat << m << (m == metrics.back() ? "" : " ");
  dat << ") the own-digit specialization of module 0 and module 1\n" << std::setprecision(6);
  for (const auto& [key, panel] : panels)
    for (int64_t p_s : ps) {
      dat << "# " << panel.title << ", p_s = " << p_s << "\n";
      for (int64_t step = 0; step <= last_step; ++step) {
        dat << step;
        for (const auto& m : metrics)
          for (int64_t module = 0; module < 2; ++module) {
            dat << " " << gnuplot_number(own_at(panel, p_s, module, m, step));
          }
        dat << "\n";
      }
      dat << "\n\n";
    }
  write_file_atomic(dir / (name + ".dat"), dat.str());

  // Layout: A and B in one row; C with a row per start of digit 0.
  std::set<int64_t> starts0, starts1;
  for (const auto& [key, panel] : panels) {
    starts0.insert(panel.start0);
    starts1.insert(panel.start1);
  }
  const size_t rows = which == Fig4Panel::c ? starts0.size() : 1;
  const size_t cols = which == Fig4Panel::c ? starts1.size() : panels.size();
  const std::vector<std::string> colours{"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};
  std::ostringstream gp;
  gp << "# " << name << ": each module's specialization on its own digit at every step, mean over seeds.\n"
     << "set xrange [-0.2:" << double(last_step) + 0.2 << "]; set xtics 1; set yrange [-1.05:1.05]; set grid\n"
     << "set xlabel 'step'; set ylabel 'own-digit specialization'\n"
     << "set key right center font 'sans,9'\n"
     << gnuplot_pictures_begin(name, metrics, int64_t(80 + 420 * cols), int64_t(80 + 330 * rows))
     << "    col0 = 2 * m; col1 = 2 * m + 1\n"
     << "    set multiplot layout " << rows << "," << cols
     << " title 'specialization on own digit ('.metric.'), module 0 solid, module 1 dashed'\n";
  size_t k = 0;
  for (const auto& [key, panel] : panels) {
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
    for (size_t j = 0; j < ps.size(); ++j) {
      const size_t block = k * ps.size() + j;
      const std::string colour = colours[j % colours.size()];
      gp << ", \\\n      '" << name << ".dat' index " << block << " using 1:(column(col0)) with linespoints lw 2 pt 7 lc rgb '"
         << colour << "' title 'p_s = " << ps[j] << "'"
         << ", \\\n      '' index " << block << " using 1:(column(col1)) with linespoints lw 2 pt 6 dt 2 lc rgb '" << colour
         << "' notitle";
    }
    gp << "\n";
    ++k;
  }
  gp << "    unset multiplot\n" << kGnuplotPicturesEnd;
  write_file_atomic(dir / (name + ".gp"), gp.str());
  run_gnuplot(dir / (name + ".gp"));

  std::ostringstream out;
  out << std::fixed << std::setprecision(2);
  // The printed table follows the paper, which shows the retraining measure; the pictures show all.
  if (which == Fig4Panel::c)
    out << "own-digit specialization of module 0 / module 1 per step (retraining)\n";
  else
    out << "network specialization F per step (retraining)\n";
  for (const auto& [key, panel] : panels)
    for (int64_t p_s : ps) {
      std::ostringstream label;
      label << panel.title << ", p_s = " << p_s;
      out << "  " << std::left << std::setw(54) << label.str() << std::right;
      for (int64_t step = 0; step <= last_step; ++step) {
        if (which == Fig4Panel::c) {
          out << "  " << std::showpos << own_at(panel, p_s, 0, "retraining", step) << "/"
              << own_at(panel, p_s, 1, "retraining", step) << std::noshowpos;
        } else {
          out << "  " << mean_at(panel.network, {p_s, "retraining", step});
        }
      }
      out << "\n";
    }
  return out.str();
}

}  // namespace modspec
