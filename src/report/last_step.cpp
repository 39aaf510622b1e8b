#include "report/last_step.hpp"

#include <cmath>
#include <set>

#include "metrics/measure.hpp"
#include "util/error.hpp"

namespace modspec {

std::vector<RunAtLastStep> runs_at_last_step(const Table& t) {
  const size_t c_run = t.column("run"), c_metric = t.column("metric"), c_step = t.column("step"),
               c_module = t.column("module"), c_f = t.column("network_specialization"), c_starts = t.column("starts"),
               c_informative = t.column("informative"), c_null = t.column("null_mean");
  std::map<std::string, int64_t> last;
  for (const auto& r : t.rows)
    if (!r[c_step].empty()) last[r[c_run]] = std::max<int64_t>(last[r[c_run]], std::stoll(r[c_step]));
  // F is a property of the network: module 0's rows carry it.
  std::map<std::string, RunAtLastStep> by_run;
  for (const auto& r : t.rows) {
    if (r[c_starts] != kAllTuples) continue;  // a start-time group, not all test tuples
    if (r[c_step].empty() || r[c_f].empty() || r[c_module] != "0" || std::stoll(r[c_step]) != last[r[c_run]]) continue;
    auto& run = by_run[r[c_run]];
    run.row = r;
    run.null_mean[r[c_metric]] = r[c_null].empty() ? NAN : std::stod(r[c_null]);
    if (r[c_informative] == "0") run.excluded[r[c_metric]] = 1;
    else run.f[r[c_metric]] = std::stod(r[c_f]);
  }
  if (by_run.empty()) throw Error("the sweep table has no measured runs");
  std::vector<RunAtLastStep> out;
  for (auto& [name, run] : by_run) out.push_back(std::move(run));
  return out;
}

std::vector<std::string> table_metrics(const Table& t) {
  std::set<std::string> present;
  const size_t c_metric = t.column("metric");
  for (const auto& r : t.rows) present.insert(r[c_metric]);
  std::vector<std::string> metrics;
  for (const auto& m : measure_names())
    if (present.count(m)) metrics.push_back(m);
  return metrics;
}

std::vector<std::string> figure_metrics(const Table& t) {
  std::vector<std::string> metrics{"mean"};
  for (const auto& m : table_metrics(t)) metrics.push_back(m);
  return metrics;
}

double mean_of(const std::vector<double>& v) {
  if (v.empty()) return NAN;
  double m = 0;
  for (double x : v) m += x / double(v.size());
  return m;
}

}  // namespace modspec
