#include "sweep/table.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "rundir/run_dir.hpp"
#include "sweep/sweep_spec.hpp"
#include "util/error.hpp"

namespace modspec {
namespace {

std::string num(const nlohmann::json& v) { return v.is_null() ? "" : csv_number(v.get<double>()); }

// What the table needs of one run, each file read once.
struct RunFiles {
  std::string name;
  std::vector<std::pair<std::string, std::string>> axes;
  nlohmann::json summary;
  Config config;
  bool measured = false;
  Table measures, specialization;
};

}  // namespace

Table sweep_table(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir / "runs")) throw Error(dir.string() + ": no runs/ folder (not a sweep directory)");
  std::vector<std::filesystem::path> dirs;
  for (const auto& e : std::filesystem::directory_iterator(dir / "runs"))
    if (RunDir(e.path()).has_summary()) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  std::vector<RunFiles> runs;
  for (const auto& d : dirs) {
    const RunDir run(d);
    RunFiles f{d.filename().string(), run.axes(), run.summary(), run.config()};
    f.measured = run.has_measures();
    if (f.measured) {
      f.measures = run.measures();
      f.specialization = run.specialization();
    }
    runs.push_back(std::move(f));
  }

  // Axis names in first-seen order over all runs.
  std::vector<std::string> axes;
  for (const auto& r : runs)
    for (const auto& [key, value] : r.axes)
      if (std::find(axes.begin(), axes.end(), key) == axes.end()) axes.push_back(key);
  int64_t max_digits = 0;
  Table t;
  t.columns = {"run"};
  for (const auto& a : axes) t.columns.push_back("axis_" + a);
  for (const char* c : {"architecture", "n", "p", "p_s", "covariance", "seed", "q_analytic", "q_measured", "status", "epochs_run",
                        "test_accuracy_mean"})
    t.columns.push_back(c);
  // Accuracy per target and the per-digit measures: their count depends on the task.
  std::vector<std::string> targets;
  for (const auto& r : runs) {
    const auto& s = r.summary;
    if (s.contains("test_accuracy"))
      for (auto it = s["test_accuracy"].begin(); it != s["test_accuracy"].end(); ++it)
        if (std::find(targets.begin(), targets.end(), it.key()) == targets.end()) targets.push_back(it.key());
    max_digits = std::max<int64_t>(max_digits, int64_t(r.config.strings("env.datasets").size()));
  }
  for (const auto& tg : targets) t.columns.push_back("test_accuracy_" + tg);
  for (const char* c : {"metric", "starts", "step", "module"}) t.columns.push_back(c);
  for (int64_t d = 0; d < max_digits; ++d) t.columns.push_back("normalised_digit" + std::to_string(d));
  // F^m and F, whether every value behind F says something, and F's baselines.
  static const std::vector<std::string> spec_columns{"module_specialization", "network_specialization", "informative",
                                                     "null_mean", "null_sd", "z", "untrained"};
  for (const auto& c : spec_columns) t.columns.push_back(c);

  for (const auto& r : runs) {
    const auto& s = r.summary;
    const Config& config = r.config;
    std::vector<std::string> head{r.name};
    for (const auto& a : axes) {
      auto it = std::find_if(r.axes.begin(), r.axes.end(), [&](const auto& kv) { return kv.first == a; });
      head.push_back(it == r.axes.end() ? std::string() : it->second);
    }
    head.push_back(architecture_of(config));
    head.push_back(std::to_string(s.value("n", 0)));
    head.push_back(num(s["p"]));
    head.push_back(std::to_string(s.value("p_s", 0)));
    head.push_back(num(config.real("env.covariance")));
    head.push_back(std::to_string(s.value("seed", 0)));
    head.push_back(num(s["q_analytic"]));
    head.push_back(num(s["q_measured"]));
    head.push_back(s.value("status", ""));
    head.push_back(std::to_string(s.value("epochs_run", 0)));
    head.push_back(s.contains("test_accuracy_mean") ? num(s["test_accuracy_mean"]) : "");
    for (const auto& tg : targets)
      head.push_back(s.contains("test_accuracy") && s["test_accuracy"].contains(tg) ? num(s["test_accuracy"][tg]) : "");

    // normalised[(metric, starts, step, module)][digit], from metrics.csv; F from specialization.csv.
    using Key = std::tuple<std::string, std::string, int64_t, int64_t>;  // metric, starts, step, module
    std::map<Key, std::vector<std::string>> norm;
    std::map<Key, std::vector<std::string>> spec;  // the spec_columns of each key
    if (r.measured) {
      const Table& m = r.measures;
      for (const auto& row : m.rows) {
        auto& v = norm[{row[m.column("metric")], row[m.column("starts")], std::stoll(row[m.column("step")]),
                        std::stoll(row[m.column("module")])}];
        const auto d = size_t(std::stoll(row[m.column("digit")]));
        if (v.size() <= d) v.resize(d + 1);
        v[d] = row[m.column("normalised")];
      }
      const Table& f = r.specialization;
      for (const auto& row : f.rows) {
        auto& values = spec[{row[f.column("metric")], row[f.column("starts")], std::stoll(row[f.column("step")]),
                             std::stoll(row[f.column("module")])}];
        for (const auto& c : spec_columns) values.push_back(f.has(c) ? row[f.column(c)] : std::string());
      }
    }
    if (norm.empty()) {
      auto row = head;
      row.resize(t.columns.size());
      t.rows.push_back(row);
      continue;
    }
    for (const auto& [key, digits] : norm) {
      auto row = head;
      row.push_back(std::get<0>(key));
      row.push_back(std::get<1>(key));
      row.push_back(std::to_string(std::get<2>(key)));
      row.push_back(std::to_string(std::get<3>(key)));
      for (int64_t d = 0; d < max_digits; ++d) row.push_back(size_t(d) < digits.size() ? digits[size_t(d)] : "");
      auto it = spec.find(key);
      for (size_t c = 0; c < spec_columns.size(); ++c) row.push_back(it == spec.end() ? "" : it->second[c]);
      t.rows.push_back(row);
    }
  }
  return t;
}

}  // namespace modspec
