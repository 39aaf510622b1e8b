// The share of a sweep one process runs, and what is left of it: the sweep planned (with
// --data-dir applied), its plan files written, run directories named by the earlier scheme
// renamed, and this shard's stacks with their unfinished runs. Needs no LibTorch: run_sweep
// (sweep_runner.hpp) starts from it, and the front program uses it to end a rerun of a finished
// sweep without starting the compute program (docs/ARCHITECTURE.md, "Two programs").
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "sweep/run_plan.hpp"
#include "sweep/sweep_spec.hpp"

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

// --shard "i/N" into options.shard and options.shards; an Error naming the text otherwise.
void apply_shard(const std::string& text, SweepOptions& options);

struct SweepShare {
  SweepSpec sweep;  // with options.data_dir applied
  SweepPlan plan;
  // This shard's stacks that hold unfinished runs, each as indices into plan.runs of those runs.
  std::vector<std::vector<size_t>> pending;
  SweepReport report;  // runs and skipped filled in
  int64_t network_epochs() const;  // of the pending runs, at most (early stops end some sooner)
};

SweepShare plan_share(const SweepSpec& sweep, const std::filesystem::path& out, const SweepOptions& options);

// The plan line on stderr: runs planned, already done, to train, in how many stacks and
// network-epochs, on how many workers (`workers`: those that will run).
void announce_share(const SweepShare& share, const SweepOptions& options, int64_t workers);

}  // namespace modspec
