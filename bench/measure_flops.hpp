// The FLOPs of measuring one network (train/step_flops.hpp counts each part), shared by the
// benches that read the measures' times against the floor those FLOPs set.
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "metrics/measure.hpp"
#include "train/step_flops.hpp"

namespace modspec::bench {

// FLOPs of measuring one network with `m` (its measures, with every null copy): the readouts
// of retraining and ablation, and the weight masks (every step of their epochs, one masked
// replica per stimulus and label set). The states and the correlation's reruns are forward
// passes only and are left out, so this is a lower bound.
inline double measure_flops(const MetricSpec& m, int64_t classes, const Architecture& arch, const NetworkSpec& spec,
                            int64_t train_tuples, bool dynamic) {
  auto has = [&](const std::string& x) { return std::find(m.metrics.begin(), m.metrics.end(), x) != m.metrics.end(); };
  const int64_t copies = 1 + m.null_repeats;
  double flops = 0;
  if (has("retraining") || has("ablation"))
    flops += double(copies) *
             readout_training_flops(arch, spec, train_tuples, m.readout.epochs, m.readout.hidden, classes, has("ablation"));
  if (has("masks"))
    flops += double(m.masks.epochs) * double((train_tuples + m.masks.batch - 1) / m.masks.batch) *
             mask_step_flops(arch, spec, m.masks.batch, dynamic, copies * arch.n_stimuli, m.masks.all_weights);
  return flops;
}

}  // namespace modspec::bench
