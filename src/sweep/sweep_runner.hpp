// Runs a sweep: the pending runs of this shard's stacks, one stack at a time per worker thread
// (one intra-op thread each, docs/ARCHITECTURE.md, performance principle 5), with progress over the whole shard.
// Every file of a run is written atomically, and a run counts as done only once its last file
// is in place, so a sweep killed at any moment (even kill -9) resumes where it stopped.
#pragma once
#include <filesystem>
#include <functional>
#include <string>

#include "sweep/run_plan.hpp"

namespace modspec {

struct SweepOptions {
  int64_t workers = 2;
  int64_t shard = 0, shards = 1;
  std::string data_dir;  // --data-dir, overrides data.dir
  std::string label = "sweep";  // names the progress bar (e.g. the MPI rank)
  std::string log_jsonl;        // --log-jsonl: append one JSON event per epoch and per finished run
  // Called after every epoch and at each stage of the measures, in the worker's thread; it may
  // throw to stop the sweep (the Python binding's Ctrl-C). Finished runs are kept.
  std::function<void()> check_interrupt;
};

struct SweepReport {
  int64_t runs = 0;      // in this shard
  int64_t skipped = 0;   // already finished
  int64_t trained = 0;
  double seconds = 0;
};

SweepReport run_sweep(const SweepSpec& sweep, const std::filesystem::path& out, const SweepOptions& options);

}  // namespace modspec
