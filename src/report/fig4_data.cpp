#include "report/fig4_data.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "metrics/measure.hpp"
#include "report/gnuplot.hpp"
#include "report/last_step.hpp"
#include "util/error.hpp"

namespace modspec {
namespace {

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

template <typename Map>
double mean_at(const Map& values, const typename Map::key_type& key) {
  auto it = values.find(key);
  return it == values.end() ? NAN : mean_of(it->second);
}

}  // namespace

double Fig4Data::own(const Fig4Condition& panel, int64_t p_s, int64_t module, const std::string& metric,
                     int64_t step) const {
  if (metric != "mean") return mean_at(panel.own, {p_s, module, metric, step});
  std::vector<double> means;
  for (const auto& m : measures)
    if (const double v = mean_at(panel.own, {p_s, module, m, step}); !std::isnan(v)) means.push_back(v);
  return mean_of(means);
}

double Fig4Data::network(const Fig4Condition& panel, int64_t p_s, const std::string& metric, int64_t step) const {
  return mean_at(panel.network, {p_s, metric, step});
}

Fig4Data fig4_data(Fig4Panel which, const Table& t) {
  const std::string name = which == Fig4Panel::a ? "fig4a" : which == Fig4Panel::b ? "fig4b" : "fig4c";
  const size_t c_ps = t.column("p_s"), c_metric = t.column("metric"), c_starts = t.column("starts"),
               c_step = t.column("step"), c_module = t.column("module"), c_fm = t.column("module_specialization"),
               c_f = t.column("network_specialization");
  const size_t c_axis = which == Fig4Panel::a   ? t.column("axis_model_comms_steps")
                        : which == Fig4Panel::b ? t.column("axis_env_noise_ratio")
                                                : c_starts;
  if (std::find(t.columns.begin(), t.columns.end(), "normalised_digit2") != t.columns.end())
    throw Error(name + ": draws networks of two modules and two digits");
  int64_t last_step = 0;
  for (const auto& r : t.rows)
    if (!r[c_step].empty()) last_step = std::max<int64_t>(last_step, std::stoll(r[c_step]));

  std::map<std::vector<double>, Fig4Condition> panels;  // ordered by the panel's sort key
  std::set<int64_t> p_ss;
  for (const auto& r : t.rows) {
    if (r[c_metric].empty() || r[c_f].empty()) continue;
    if ((which == Fig4Panel::c) == (r[c_starts] == kAllTuples)) continue;  // C: groups only; A, B: all tuples only
    std::vector<double> key;
    Fig4Condition fresh;
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
    Fig4Condition& panel = it->second;
    const int64_t p_s = std::stoll(r[c_ps]), module = std::stoll(r[c_module]), step = std::stoll(r[c_step]);
    // F^m > 0 means module m is linked to digit 0: module 1's own digit is the other one.
    const double fm = std::stod(r[c_fm]);
    p_ss.insert(p_s);
    panel.own[{p_s, module, r[c_metric], step}].push_back(module == 0 ? fm : -fm);
    if (module == 0) panel.network[{p_s, r[c_metric], step}].push_back(std::stod(r[c_f]));
  }
  if (panels.empty()) throw Error(name + ": the sweep table has no measured runs" +
                                  (which == Fig4Panel::c ? " with random start times" : ""));

  Fig4Data data;
  data.which = which;
  data.name = name;
  for (auto& [key, panel] : panels) data.panels.push_back(std::move(panel));
  data.p_ss.assign(p_ss.begin(), p_ss.end());
  data.last_step = last_step;
  data.measures = table_metrics(t);
  data.pictures = figure_metrics(t);
  return data;
}

}  // namespace modspec
