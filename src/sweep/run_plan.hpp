// From a sweep's points to work: each run named by the content hash of its identity
// (Config::identity: the keys that change results and differ from their defaults; its directory
// is OUT/runs/<hash>), runs grouped into stacks of compatible networks (same
// config but for model.n, model.p, model.p_s and model.seed), and stacks shared among shards.
// The grouping and the sharing depend on the sweep alone, never on which runs are finished, so
// a resumed or sharded sweep makes the same stacks.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "sweep/sweep_spec.hpp"

namespace modspec {

struct PlannedRun {
  RunPoint point;
  std::string hash;
  std::filesystem::path dir;
};

struct SweepPlan {
  std::vector<PlannedRun> runs;
  std::vector<std::vector<size_t>> stacks;  // indices into runs
};

std::string run_hash(const Config& config);

// Run directories under OUT/runs named by the earlier scheme (a hash of the whole resolved
// configuration, data paths included) are renamed to their run's present name when the plan
// holds that run and its new directory does not exist yet. Returns how many were renamed.
int64_t rename_earlier_run_names(const SweepPlan& plan, const std::filesystem::path& out);

// Throws an Error naming the point's axis values if a point's config is inconsistent.
SweepPlan plan_sweep(const SweepSpec& sweep, const std::filesystem::path& out);

// Stack s belongs to shard s % shards.
std::vector<size_t> shard_stacks(const SweepPlan& plan, int64_t shard, int64_t shards);

}  // namespace modspec
