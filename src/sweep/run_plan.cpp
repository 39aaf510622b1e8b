#include "sweep/run_plan.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "env/env_spec.hpp"
#include "catalog/tasks.hpp"
#include "model/architecture.hpp"
#include "util/error.hpp"
#include "config/config.hpp"
#include "util/hash.hpp"

namespace modspec {
namespace {

std::string stack_key(Config config) {
  const Config defaults = Config::defaults();
  for (const char* k : {"model.n", "model.p", "model.p_s", "model.seed"}) {
    if (std::string(k) == "model.p") config.set_value(k, defaults.real(k));
    else config.set_value(k, defaults.integer(k));
  }
  return config.to_toml();
}

std::string describe(const RunPoint& p) {
  std::string s;
  for (const auto& [k, v] : p.axes) s += (s.empty() ? "" : ", ") + k + "=" + v;
  return s;
}

void validate_point(const RunPoint& p) {
  try {
    const Config& c = p.config;
    const EnvSpec env = EnvSpec::from(c);
    const TaskShape task = env.task_shape();
    Architecture::from(c, env.n_stimuli(), 784, task.target_classes);
    NetworkSpec::from(c);
  } catch (const Error& e) {
    throw Error("sweep point (" + describe(p) + "): " + e.what());
  }
}

}  // namespace

std::string run_hash(const Config& config) { return content_hash(config.identity()); }

SweepPlan plan_sweep(const SweepSpec& sweep, const std::filesystem::path& out) {
  SweepPlan plan;
  std::set<std::string> seen;
  std::map<std::string, size_t> group_of;
  std::vector<std::vector<size_t>> groups;
  for (const auto& point : sweep.points) {
    validate_point(point);
    const std::string hash = run_hash(point.config);
    if (!seen.insert(hash).second) continue;  // the same run twice: once is enough
    const std::string key = stack_key(point.config);
    auto [it, fresh] = group_of.emplace(key, groups.size());
    if (fresh) groups.emplace_back();
    groups[it->second].push_back(plan.runs.size());
    plan.runs.push_back({point, hash, out / "runs" / hash});
  }
  // Within a group, networks of similar n share a stack, since a stack pads to its largest n.
  for (auto& g : groups)
    std::stable_sort(g.begin(), g.end(), [&](size_t a, size_t b) {
      return plan.runs[a].point.config.integer("model.n") < plan.runs[b].point.config.integer("model.n");
    });
  for (const auto& g : groups)
    for (size_t i = 0; i < g.size(); i += size_t(sweep.stack))
      plan.stacks.emplace_back(g.begin() + long(i), g.begin() + long(std::min(g.size(), i + size_t(sweep.stack))));
  return plan;
}

int64_t rename_earlier_run_names(const SweepPlan& plan, const std::filesystem::path& out) {
  const auto runs = out / "runs";
  if (!std::filesystem::is_directory(runs)) return 0;
  std::map<std::string, const PlannedRun*> planned;
  for (const auto& r : plan.runs) planned[r.hash] = &r;
  int64_t renamed = 0;
  for (const auto& e : std::filesystem::directory_iterator(runs)) {
    if (planned.count(e.path().filename().string()) || !std::filesystem::exists(e.path() / "config.toml")) continue;
    std::string hash;
    try {
      hash = run_hash(Config::from_file(e.path() / "config.toml"));
    } catch (const Error&) {
      continue;  // not a run directory of this modspec: left alone
    }
    auto it = planned.find(hash);
    if (it == planned.end() || std::filesystem::exists(it->second->dir)) continue;
    std::error_code failed;  // another rank of the same sweep may have renamed it first
    std::filesystem::rename(e.path(), it->second->dir, failed);
    if (!failed) ++renamed;
  }
  return renamed;
}

std::vector<size_t> shard_stacks(const SweepPlan& plan, int64_t shard, int64_t shards) {
  std::vector<size_t> mine;
  for (size_t s = 0; s < plan.stacks.size(); ++s)
    if (int64_t(s % size_t(shards)) == shard) mine.push_back(s);
  return mine;
}

}  // namespace modspec
