// A sweep file (TOML) describes many runs:
//
//   combine = "product"        # axes combine as a product (default) or "zip" (same lengths)
//   seeds = [0, 1, 2]          # model.seed of every point (a product on top of the axes)
//   stack = 16                 # at most this many networks train together in one stack
//   measure = true             # measure specialization after training (default true)
//   [base]                     # any configuration keys, as in a config file
//   train.epochs = 10
//   [axes]                     # any configuration key with a list of values, in this order
//   "model.p" = [0.0016, 0.01, 0.1, 1.0]
//   "model.p_s" = { log = [1, 625, 8] }     # 8 log-spaced values from 1 to 625 (integers rounded,
//                                           # repeats dropped)
//   architecture = ["separate", "fused", "shared"]
//
// Architecture presets: separate = separate input and readouts; fused = separate input, shared
// readout; shared = shared input and readout.
#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace modspec {

struct RunPoint {
  Config config;
  std::vector<std::pair<std::string, std::string>> axes;  // (axis, value as written) incl. "seed"
};

// The most runs one sweep may plan: a plan is held in memory whole (a few KB a run), and a sweep
// beyond it is better split into several files (README, "Sweeps").
inline constexpr int64_t kMaxSweepRuns = 100000;

struct SweepSpec {
  std::vector<RunPoint> points;
  int64_t stack = 16;
  bool measure = true;
  // Where the points came from, kept in the sweep directory (sweep.toml, plan.json): the sweep
  // file's text and name, the --set overrides, and the flavour applied on top ("described" when none).
  std::string text, source;
  std::vector<std::string> overrides;
  std::string flavor = "described";

  // `overrides` ("key=value", as --set) change the [base] table: an axis over the same key still wins.
  static SweepSpec from_file(const std::filesystem::path& file, const std::vector<std::string>& overrides = {});
  static SweepSpec from_toml_text(const std::string& text, const std::string& source_name,
                                  const std::vector<std::string>& overrides = {});
};

const std::vector<std::string>& architecture_names();
// Sets model.input and model.readout for a preset; throws naming the preset if unknown.
void apply_architecture(Config& config, const std::string& preset);
// The preset a config's input and readout amount to ("fused-blockdiag" for separate inputs with the
// original implementation's masked common readout).
std::string architecture_of(const Config& config);

}  // namespace modspec
