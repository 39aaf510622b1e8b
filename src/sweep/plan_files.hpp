// The files that make a sweep directory explain itself, written before anything trains:
//   OUT/sweep.toml  the sweep file as given, headed by a comment naming where it came from and the
//                   --set overrides and flavour applied on top of it;
//   OUT/plan.json   {"modspec_version", "commit", "source", "overrides", "flavor", "measure",
//                    "stack", "runs": [{"run": hash, "stack": index, "axes": {axis: value}}]}.
// `modspec table` lists the plan's runs (docs/ARCHITECTURE.md, "The run directory").
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sweep/run_plan.hpp"

namespace modspec {

void write_plan_files(const SweepSpec& sweep, const SweepPlan& plan, const std::filesystem::path& out);

// The run names OUT/plan.json lists, in plan order; nullopt when there is no plan.json (a sweep
// directory written before plans were kept).
std::optional<std::vector<std::string>> planned_runs(const std::filesystem::path& out);

}  // namespace modspec
