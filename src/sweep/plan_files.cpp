#include "sweep/plan_files.hpp"

#include <fstream>
#include <nlohmann/json.hpp>

#include "runtime/provenance.hpp"
#include "util/atomic_file.hpp"
#include "util/error.hpp"

namespace modspec {

void write_plan_files(const SweepSpec& sweep, const SweepPlan& plan, const std::filesystem::path& out) {
  std::filesystem::create_directories(out);
  std::string header = "# The sweep of this directory, as given (" + (sweep.source.empty() ? "built in" : sweep.source) + ")";
  if (sweep.flavor != "described") header += ", with --flavor " + sweep.flavor;
  for (const auto& o : sweep.overrides) header += ", --set " + o;
  write_file_atomic(out / "sweep.toml", header + ".\n" + sweep.text + (sweep.text.empty() || sweep.text.back() == '\n' ? "" : "\n"));

  nlohmann::json j;
  j["modspec_version"] = build_version();
  j["commit"] = build_commit();
  j["source"] = sweep.source;
  j["overrides"] = sweep.overrides;
  j["flavor"] = sweep.flavor;
  j["measure"] = sweep.measure;
  j["stack"] = sweep.stack;
  j["runs"] = nlohmann::json::array();
  std::vector<int64_t> stack_of(plan.runs.size(), -1);
  for (size_t s = 0; s < plan.stacks.size(); ++s)
    for (size_t r : plan.stacks[s]) stack_of[r] = int64_t(s);
  for (size_t r = 0; r < plan.runs.size(); ++r) {
    nlohmann::json axes = nlohmann::json::object();
    for (const auto& [axis, value] : plan.runs[r].point.axes) axes[axis] = value;
    j["runs"].push_back({{"run", plan.runs[r].hash}, {"stack", stack_of[r]}, {"axes", axes}});
  }
  write_file_atomic(out / "plan.json", j.dump(2) + "\n");
}

std::optional<std::vector<std::string>> planned_runs(const std::filesystem::path& out) {
  const auto file = out / "plan.json";
  if (!std::filesystem::exists(file)) return std::nullopt;
  std::ifstream in(file);
  nlohmann::json j;
  try {
    in >> j;
    std::vector<std::string> runs;
    for (const auto& r : j.at("runs")) runs.push_back(r.at("run").get<std::string>());
    return runs;
  } catch (const nlohmann::json::exception& e) {
    throw Error(file.string() + ": not a plan modspec wrote (" + e.what() + "); delete it to list every run");
  }
}

}  // namespace modspec
