#include "sweep/table.hpp"

#include <algorithm>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "config/config.hpp"
#include "config/schema.hpp"
#include "rundir/run_dir.hpp"
#include "sweep/plan_files.hpp"
#include "sweep/sweep_spec.hpp"
#include "util/atomic_file.hpp"
#include "util/error.hpp"

namespace modspec {
namespace {

std::string num(const nlohmann::json& v) { return v.is_null() ? "" : csv_number(v.get<double>()); }

// What the tables need of one run, each file read once.
struct RunFiles {
  std::string name;
  std::vector<std::pair<std::string, std::string>> axes;
  nlohmann::json summary;
  Config config;
  bool measured = false;
  Table measures, specialization, epochs;
};

// The run directories to read, in name order.
std::vector<std::filesystem::path> run_dirs(const std::filesystem::path& dir, bool all_runs, SweepTables& out) {
  if (!std::filesystem::is_directory(dir / "runs")) throw Error(dir.string() + ": no runs/ folder (not a sweep directory)");
  std::vector<std::filesystem::path> dirs;
  for (const auto& e : std::filesystem::directory_iterator(dir / "runs"))
    if (RunDir(e.path()).has_summary()) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  const auto plan = all_runs ? std::nullopt : planned_runs(dir);
  if (!plan) return dirs;
  const std::set<std::string> planned(plan->begin(), plan->end());
  std::vector<std::filesystem::path> kept;
  for (const auto& d : dirs) {
    if (planned.count(d.filename().string())) kept.push_back(d);
    else ++out.not_in_plan;
  }
  out.unfinished = int64_t(planned.size()) - int64_t(kept.size());
  return kept;
}

// The columns every table starts with, and their values for one run.
struct RunColumns {
  std::vector<std::string> axes, changed_keys, targets;
  std::vector<std::string> names() const {
    std::vector<std::string> c{"run"};
    for (const auto& a : axes) c.push_back(key_column("axis_", a));
    for (const auto& k : changed_keys) c.push_back(key_column("cfg_", k));
    return c;
  }
  std::vector<std::string> values(const RunFiles& r) const {
    std::vector<std::string> v{r.name};
    for (const auto& a : axes) {
      auto it = std::find_if(r.axes.begin(), r.axes.end(), [&](const auto& kv) { return kv.first == a; });
      v.push_back(it == r.axes.end() ? std::string() : it->second);
    }
    for (const auto& k : changed_keys) v.push_back(r.config.text(k));
    return v;
  }
};

RunColumns run_columns(const std::vector<RunFiles>& runs) {
  RunColumns c;
  for (const auto& r : runs) {
    for (const auto& [key, value] : r.axes)
      if (std::find(c.axes.begin(), c.axes.end(), key) == c.axes.end()) c.axes.push_back(key);
    const auto& s = r.summary;
    if (s.contains("test_accuracy"))
      for (auto it = s["test_accuracy"].begin(); it != s["test_accuracy"].end(); ++it)
        if (std::find(c.targets.begin(), c.targets.end(), it.key()) == c.targets.end()) c.targets.push_back(it.key());
  }
  for (const auto& spec : schema()) {
    std::set<std::string> values;
    for (const auto& r : runs) values.insert(r.config.text(spec.key));
    if (values.size() > 1) c.changed_keys.push_back(spec.key);
  }
  return c;
}

// The run's own columns after the axes and keys: architecture, n, ..., accuracies.
std::vector<std::string> run_fact_names(const RunColumns& c) {
  std::vector<std::string> names{"architecture", "n",        "p",          "p_s",        "covariance",
                                 "seed",         "q_analytic", "q_measured", "status",     "epochs_run",
                                 "test_accuracy_mean"};
  for (const auto& tg : c.targets) names.push_back("test_accuracy_" + tg);
  return names;
}

std::vector<std::string> run_facts(const RunFiles& r, const RunColumns& c) {
  const auto& s = r.summary;
  std::vector<std::string> v{architecture_of(r.config),
                             std::to_string(s.value("n", 0)),
                             num(s["p"]),
                             std::to_string(s.value("p_s", 0)),
                             num(r.config.real("env.covariance")),
                             std::to_string(s.value("seed", 0)),
                             num(s["q_analytic"]),
                             num(s["q_measured"]),
                             s.value("status", ""),
                             std::to_string(s.value("epochs_run", 0)),
                             s.contains("test_accuracy_mean") ? num(s["test_accuracy_mean"]) : ""};
  for (const auto& tg : c.targets)
    v.push_back(s.contains("test_accuracy") && s["test_accuracy"].contains(tg) ? num(s["test_accuracy"][tg]) : "");
  return v;
}

std::vector<std::string> joined(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

std::string key_column(const std::string& prefix, const std::string& key) {
  std::string c = prefix + key;
  std::replace(c.begin(), c.end(), '.', '_');
  return c;
}

SweepTables sweep_tables(const std::filesystem::path& dir, bool all_runs) {
  SweepTables out;
  std::vector<RunFiles> runs;
  std::vector<std::string> unmeasured;
  for (const auto& d : run_dirs(dir, all_runs, out)) {
    const RunDir run(d);
    const std::string name = d.filename().string();
    try {
      RunFiles f{name, run.axes(), run.summary(), run.config()};
      f.measured = run.has_measures();
      if (f.measured) {
        f.measures = run.measures();
        f.specialization = run.specialization();
      } else {
        unmeasured.push_back(name);
      }
      f.epochs = run.epochs();
      runs.push_back(std::move(f));
    } catch (const Error& e) {
      out.unreadable.push_back(name + ": " + e.what());
    }
  }
  // A sweep run without measures has none anywhere; a measured one lacking some lost them.
  if (std::any_of(runs.begin(), runs.end(), [](const RunFiles& r) { return r.measured; })) out.unmeasured = unmeasured;
  const RunColumns columns = run_columns(runs);
  int64_t max_digits = 0;
  for (const auto& r : runs) max_digits = std::max<int64_t>(max_digits, int64_t(r.config.strings("env.datasets").size()));

  // F and its baselines, as specialization.csv names them.
  static const std::vector<std::string> network_columns{"network_specialization", "informative", "null_mean",
                                                        "null_sd",                "z",           "untrained"};
  const auto head_names = joined(columns.names(), run_fact_names(columns));
  out.table.columns = joined(head_names, {"metric", "starts", "step", "module"});
  for (const char* kind : {"value", "base", "normalised"})
    for (int64_t d = 0; d < max_digits; ++d) out.table.columns.push_back(std::string(kind) + "_digit" + std::to_string(d));
  out.table.columns.push_back("module_specialization");
  out.table.columns = joined(out.table.columns, network_columns);
  out.networks.columns = joined(joined(head_names, {"metric", "starts", "step"}), network_columns);

  std::vector<std::string> epoch_columns;
  for (const auto& r : runs)
    for (const auto& c : r.epochs.columns)
      if (std::find(epoch_columns.begin(), epoch_columns.end(), c) == epoch_columns.end()) epoch_columns.push_back(c);
  out.epochs.columns = joined(columns.names(), epoch_columns);

  for (const auto& r : runs) {
    const auto head = joined(columns.values(r), run_facts(r, columns));

    for (const auto& row : r.epochs.rows) {
      auto e = columns.values(r);
      for (const auto& c : epoch_columns) e.push_back(r.epochs.has(c) ? row[r.epochs.column(c)] : "");
      out.epochs.rows.push_back(e);
    }

    // Per (metric, starts, step, module): each digit's value, base and normalised measure
    // (metrics.csv), then F^m and F (specialization.csv).
    using Key = std::tuple<std::string, std::string, int64_t, int64_t>;
    std::map<Key, std::vector<std::vector<std::string>>> digits;  // [value, base, normalised][digit]
    std::map<Key, std::vector<std::string>> spec;                 // module_specialization, then network_columns
    if (r.measured) {
      const Table& m = r.measures;
      for (const auto& row : m.rows) {
        auto& v = digits[{row[m.column("metric")], row[m.column("starts")], std::stoll(row[m.column("step")]),
                          std::stoll(row[m.column("module")])}];
        v.resize(3, std::vector<std::string>(size_t(max_digits)));
        const auto d = size_t(std::stoll(row[m.column("digit")]));
        if (d >= size_t(max_digits)) throw Error(r.name + ": metrics.csv has digit " + std::to_string(d));
        v[0][d] = row[m.column("value")];
        v[1][d] = row[m.column("base")];
        v[2][d] = row[m.column("normalised")];
      }
      const Table& f = r.specialization;
      for (const auto& row : f.rows) {
        const Key key{row[f.column("metric")], row[f.column("starts")], std::stoll(row[f.column("step")]),
                      std::stoll(row[f.column("module")])};
        auto& values = spec[key];
        values.push_back(row[f.column("module_specialization")]);
        for (const auto& c : network_columns) values.push_back(f.has(c) ? row[f.column(c)] : std::string());
        if (std::get<3>(key) == 0) {
          auto n = joined(head, {std::get<0>(key), std::get<1>(key), std::to_string(std::get<2>(key))});
          out.networks.rows.push_back(joined(n, std::vector<std::string>(values.begin() + 1, values.end())));
        }
      }
    }
    if (digits.empty()) {
      auto row = head;
      row.resize(out.table.columns.size());
      out.table.rows.push_back(row);
      continue;
    }
    for (const auto& [key, v] : digits) {
      auto row = joined(head, {std::get<0>(key), std::get<1>(key), std::to_string(std::get<2>(key)),
                               std::to_string(std::get<3>(key))});
      for (const auto& kind : v) row = joined(row, kind);
      auto it = spec.find(key);
      row = joined(row, it == spec.end() ? std::vector<std::string>(1 + network_columns.size()) : it->second);
      out.table.rows.push_back(row);
    }
  }
  return out;
}

namespace {

// "3 runs (a, b, c)" with at most a few names, then how many more.
std::string some_runs(const std::vector<std::string>& names) {
  std::string text = std::to_string(names.size()) + (names.size() == 1 ? " run (" : " runs (");
  const size_t shown = std::min<size_t>(names.size(), 5);
  for (size_t i = 0; i < shown; ++i) text += (i ? ", " : "") + names[i];
  if (names.size() > shown) text += ", and " + std::to_string(names.size() - shown) + " more";
  return text + ")";
}

}  // namespace

std::filesystem::path write_sweep_table(const std::filesystem::path& dir, bool all_runs, bool strict) {
  const SweepTables t = sweep_tables(dir, all_runs);
  if (t.not_in_plan > 0)
    std::cerr << "modspec: " + std::to_string(t.not_in_plan) + " finished run directories of " +
                     (dir / "runs").string() +
                     " are not in plan.json (an earlier sweep into the same directory) and are left out; "
                     "modspec table --all includes them\n";
  if (t.unfinished > 0)
    std::cerr << "modspec: " + std::to_string(t.unfinished) + " runs of plan.json are not trained yet and are not in the table\n";
  for (const auto& why : t.unreadable) std::cerr << "modspec: left out of the table: " + why + "\n";
  if (!t.unmeasured.empty())
    std::cerr << "modspec: " + some_runs(t.unmeasured) + (t.unmeasured.size() == 1 ? " has" : " have") +
                     " no measures (no metrics.json); their measure fields are empty\n";
  if (strict && (!t.unreadable.empty() || !t.unmeasured.empty() || t.unfinished > 0))
    throw Error(dir.string() + ": --strict: " + std::to_string(t.unreadable.size()) + " runs unreadable, " +
                std::to_string(t.unmeasured.size()) + " unmeasured, " + std::to_string(t.unfinished) +
                " not trained (listed above); no table written");
  write_file_atomic(dir / "networks.csv", to_csv(t.networks));
  write_file_atomic(dir / "epochs.csv", to_csv(t.epochs));
  const auto file = dir / "table.csv";
  write_file_atomic(file, to_csv(t.table));
  return file;
}

}  // namespace modspec
