#include "sweep/table.hpp"

#include <algorithm>
#include <fstream>
#include <iomanip>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "config/config.hpp"
#include "sweep/sweep_spec.hpp"
#include "util/error.hpp"

namespace modspec {
namespace {

std::string field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') cur += '"', ++i;
      else if (c == '"') quoted = false;
      else cur += c;
    } else if (c == '"') quoted = true;
    else if (c == ',') out.push_back(cur), cur.clear();
    else cur += c;
  }
  out.push_back(cur);
  return out;
}

nlohmann::json read_json(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw Error(file.string() + ": cannot open");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception&) {
    throw Error(file.string() + ": not valid JSON");
  }
}

std::string num(const nlohmann::json& v) {
  if (v.is_null()) return "";
  std::ostringstream s;
  s << std::setprecision(8) << v.get<double>();
  return s.str();
}

}  // namespace

bool Table::has(const std::string& name) const {
  return std::find(columns.begin(), columns.end(), name) != columns.end();
}

size_t Table::column(const std::string& name) const {
  auto it = std::find(columns.begin(), columns.end(), name);
  if (it == columns.end()) throw Error("table has no column '" + name + "'");
  return size_t(it - columns.begin());
}

Table sweep_table(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir / "runs")) throw Error(dir.string() + ": no runs/ folder (not a sweep directory)");
  std::vector<std::filesystem::path> runs;
  for (const auto& e : std::filesystem::directory_iterator(dir / "runs"))
    if (std::filesystem::exists(e.path() / "summary.json")) runs.push_back(e.path());
  std::sort(runs.begin(), runs.end());

  // Axis names in first-seen order over all runs.
  std::vector<std::string> axes;
  std::vector<nlohmann::json> axis_values;
  for (const auto& r : runs) {
    nlohmann::json a = std::filesystem::exists(r / "axes.json") ? read_json(r / "axes.json") : nlohmann::json::object();
    for (auto it = a.begin(); it != a.end(); ++it)
      if (std::find(axes.begin(), axes.end(), it.key()) == axes.end()) axes.push_back(it.key());
    axis_values.push_back(a);
  }
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
    const auto s = read_json(r / "summary.json");
    if (s.contains("test_accuracy"))
      for (auto it = s["test_accuracy"].begin(); it != s["test_accuracy"].end(); ++it)
        if (std::find(targets.begin(), targets.end(), it.key()) == targets.end()) targets.push_back(it.key());
    max_digits = std::max<int64_t>(max_digits, int64_t(Config::from_file(r / "config.toml").strings("env.datasets").size()));
  }
  for (const auto& tg : targets) t.columns.push_back("test_accuracy_" + tg);
  for (const char* c : {"metric", "starts", "step", "module"}) t.columns.push_back(c);
  for (int64_t d = 0; d < max_digits; ++d) t.columns.push_back("normalised_digit" + std::to_string(d));
  // F^m and F, whether every value behind F says something, and F's baselines.
  static const std::vector<std::string> spec_columns{"module_specialization", "network_specialization", "informative",
                                                     "null_mean", "null_sd", "z", "untrained"};
  for (const auto& c : spec_columns) t.columns.push_back(c);

  for (size_t i = 0; i < runs.size(); ++i) {
    const auto& r = runs[i];
    const auto s = read_json(r / "summary.json");
    const Config config = Config::from_file(r / "config.toml");
    std::vector<std::string> head{r.filename().string()};
    for (const auto& a : axes)
      head.push_back(axis_values[i].contains(a) ? axis_values[i][a].get<std::string>() : std::string());
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
    if (std::filesystem::exists(r / "metrics.json")) {
      const Table m = read_csv(r / "metrics.csv");
      for (const auto& row : m.rows) {
        auto& v = norm[{row[m.column("metric")], row[m.column("starts")], std::stoll(row[m.column("step")]),
                        std::stoll(row[m.column("module")])}];
        const auto d = size_t(std::stoll(row[m.column("digit")]));
        if (v.size() <= d) v.resize(d + 1);
        v[d] = row[m.column("normalised")];
      }
      const Table f = read_csv(r / "specialization.csv");
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

std::string to_csv(const Table& table) {
  std::ostringstream out;
  for (size_t i = 0; i < table.columns.size(); ++i) out << (i ? "," : "") << field(table.columns[i]);
  out << "\n";
  for (const auto& row : table.rows) {
    for (size_t i = 0; i < row.size(); ++i) out << (i ? "," : "") << field(row[i]);
    out << "\n";
  }
  return out.str();
}

Table read_csv(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw Error(file.string() + ": cannot open");
  Table t;
  std::string line;
  if (!std::getline(in, line)) throw Error(file.string() + ": empty CSV");
  t.columns = split_csv_line(line);
  while (std::getline(in, line))
    if (!line.empty()) {
      t.rows.push_back(split_csv_line(line));
      if (t.rows.back().size() != t.columns.size())
        throw Error(file.string() + ": a row has " + std::to_string(t.rows.back().size()) + " fields, the header " +
                    std::to_string(t.columns.size()));
    }
  return t;
}

}  // namespace modspec
