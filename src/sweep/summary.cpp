#include "sweep/summary.hpp"

#include <map>

#include "util/atomic_file.hpp"
#include "util/csv.hpp"
#include "util/statistics.hpp"

namespace modspec {
namespace {

constexpr int64_t kBootstrapResamples = 10000;

// The mean of the fields that hold a number; missing when none does.
std::string mean_of(const std::vector<std::string>& fields) {
  double sum = 0;
  int64_t n = 0;
  for (const auto& f : fields)
    if (!f.empty()) {
      sum += std::stod(f);
      ++n;
    }
  return n ? csv_number(sum / double(n)) : "";
}

}  // namespace

Table sweep_summary(const Table& t, bool bootstrap) {
  std::vector<size_t> key_columns;
  Table out;
  // A point is its axis values and every other key that differs among the runs (cfg_), the seed
  // excepted, so runs of different settings never enter one mean.
  auto is_point_column = [](const std::string& c) {
    return (c.rfind("axis_", 0) == 0 && c != "axis_seed") || (c.rfind("cfg_", 0) == 0 && c != "cfg_model_seed");
  };
  for (size_t c = 0; c < t.columns.size(); ++c)
    if (is_point_column(t.columns[c])) {
      key_columns.push_back(c);
      out.columns.push_back(t.columns[c]);
    }
  for (const char* c : {"metric", "starts", "step"}) {
    key_columns.push_back(t.column(c));
    out.columns.push_back(c);
  }
  for (const char* c : {"seeds", "excluded", "mean", "sd", "ci_low", "ci_high", "ci", "null_mean", "untrained"})
    out.columns.push_back(c);

  struct Group {
    std::vector<double> f;
    int64_t excluded = 0;
    std::vector<std::string> nulls, untrained;
  };
  // Keyed in the order of first appearance, so the summary follows the table.
  std::vector<std::vector<std::string>> order;
  std::map<std::vector<std::string>, Group> groups;
  const size_t c_module = t.column("module"), c_f = t.column("network_specialization");
  const size_t c_informative = t.column("informative"), c_null = t.column("null_mean"), c_untrained = t.column("untrained");
  for (const auto& row : t.rows) {
    if (row[c_module] != "0" || row[c_f].empty()) continue;  // F is the network's: module 0's row carries it
    std::vector<std::string> key;
    for (size_t c : key_columns) key.push_back(row[c]);
    auto [it, fresh] = groups.try_emplace(key);
    if (fresh) order.push_back(key);
    if (row[c_informative] == "0") {
      ++it->second.excluded;
      continue;
    }
    it->second.f.push_back(std::stod(row[c_f]));
    it->second.nulls.push_back(row[c_null]);
    it->second.untrained.push_back(row[c_untrained]);
  }
  for (const auto& key : order) {
    const Group& g = groups.at(key);
    const Interval ci = bootstrap ? bootstrap_interval(g.f, kBootstrapResamples, 0) : t_interval(g.f);
    const bool spread = ci.n > 1;
    auto row = key;
    row.push_back(std::to_string(ci.n));
    row.push_back(std::to_string(g.excluded));
    row.push_back(ci.n ? csv_number(ci.mean) : "");
    for (double v : {ci.sd, ci.low, ci.high}) row.push_back(csv_number_or_empty(v, spread));
    row.push_back(spread ? (bootstrap ? "bootstrap" : "t") : "");
    row.push_back(mean_of(g.nulls));
    row.push_back(mean_of(g.untrained));
    out.rows.push_back(row);
  }
  return out;
}

std::filesystem::path write_sweep_summary(const std::filesystem::path& dir, bool bootstrap) {
  const auto file = dir / "summary.csv";
  write_file_atomic(file, to_csv(sweep_summary(read_csv(dir / "table.csv"), bootstrap)));
  return file;
}

}  // namespace modspec
