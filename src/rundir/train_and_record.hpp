// Training runs and recording them: the one path from configurations to finished run
// directories, taken by `modspec train` (one run) and by sweeps (a stack of runs).
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "env/environment.hpp"
#include "rundir/network_files.hpp"

namespace modspec {

struct RunToTrain {
  Config config;
  RunDir dir;
  std::vector<std::pair<std::string, std::string>> axes;  // written as axes.json when not empty
};

struct RecordedRun {
  NetworkOutcome outcome;
  std::optional<NetworkMetrics> metrics;  // when measured
};

// Trains the runs together as one stack (they share every key but model.n, model.p, model.p_s
// and model.seed; the first run's configuration sets the rest), rewrites each run's epochs.csv
// after every epoch, writes each run directory, and measures the trained networks when `measure`
// (metrics.* of the first run). `on_epoch` is called after each epoch, after epochs.csv;
// `on_measure_stage` as each stage of the measures begins.
// A trained run measured again (`modspec measure`, Python's modspec.measure): the metrics.* keys
// of its configuration changed by `overrides` (any other key is an Error: a trained network's
// configuration is fixed), its measures replaced by `metrics` and its data read from `data_dir`
// when they are not empty. Writes its metrics files and returns what they hold. `on_stage`
// hears the reading of the data, the measures to come, then each stage of measure().
NetworkMetrics remeasure(const RunDir& dir, const std::vector<std::string>& overrides,
                         const std::vector<std::string>& metrics, const std::string& data_dir,
                         const MeasureStageCallback& on_stage = {});

std::vector<RecordedRun> train_and_record(const Environment& env, const std::vector<RunToTrain>& runs, bool measure,
                                          const EpochCallback& on_epoch = {},
                                          const MeasureStageCallback& on_measure_stage = {});

}  // namespace modspec
