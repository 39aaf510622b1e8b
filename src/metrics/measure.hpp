// The measures of functional specialization (paper 2.4, and the 2021 paper's weight masks), for
// every module m, digit k and step t of every network of a trained stack:
//   retraining   M_bn(m,k,t): test accuracy of a fresh readout trained on module m's state at
//                step t to classify digit k; base b = 1/C.
//   ablation     a readout trained on all modules' states at step t for digit k reaches test
//                accuracy a; with module m's part of its input zeroed it reaches a_m. With
//                L = clip((a - a_m) / (a - 1/C), 0, 1) (0 when a is within two standard errors
//                of chance, 1/C + 2 sqrt(C^-1 (1 - C^-1) / N_test)), M_ab = 1/C + (1 - 1/C) L,
//                base b = 1/C: so Mbar_ab = L, 1 when silencing m leaves digit k at chance, 0
//                when it changes nothing.
//   correlation  M_cr(m,k,t): mean Pearson correlation (over the n units) between module m's
//                state at step t for a test tuple and for the same tuple with digit k's stimulus
//                kept and every other stimulus replaced by that of a random other test tuple;
//                base b: mean correlation between the states of random pairs of test tuples.
//   masks        at the last step only: P(k, m), the share of a weight mask's kept weights that
//                lie in module m when the mask is trained for digit k; base b_m, module m's share
//                of the masked weights (weight_masks.hpp).
// The networks are run once over the train and test tuples; every readout of every (m, k, t)
// is trained together on the cached states (see readout_stack.hpp), seeded by metrics.seed.
//
// Null baselines (metrics.null_repeats): the whole measure again with the digit labels shuffled
// across tuples, null_repeats times, each with its own permutation of the training and the test
// tuples' labels (readouts and masks learn the shuffled labels; the correlation compares each
// tuple with the partner of a random other tuple); their F gives null_mean and null_sd. The
// untrained baseline (metrics.untrained_baseline): the same measures on the network as it was
// initialised, before any training.
#pragma once
#include <cmath>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "catalog/measures.hpp"
#include "config/config.hpp"
#include "env/environment.hpp"
#include "metrics/readout_stack.hpp"
#include "metrics/weight_masks.hpp"
#include "model/modular_rnn.hpp"

namespace modspec {

struct MetricSpec {
  std::vector<std::string> metrics = default_measures();  // catalog/measures.hpp
  ReadoutSettings readout;
  MaskSettings masks;
  int64_t null_repeats = 5;
  bool untrained_baseline = false;
  // The original implementation's choices (docs: "Differences from the original implementation"):
  bool ratio_formula = false;               // metrics.formula = "ratio" (specialization.hpp)
  bool same_label_pairs = false;            // metrics.correlation_pairs = "same_label"
  bool readouts_shared_over_steps = false;  // metrics.retraining_readout = "shared_over_steps"
  static MetricSpec from(const Config& config);
};

// `starts` names the test tuples a row is evaluated on: "all" (kAllTuples, catalog/measures.hpp)
// for all of them; with random start times (env.random_start) also each group of tuples whose
// stimuli switched on at the same steps, e.g. "1;3" (stimulus 0 on from step 1, stimulus 1 from
// step 3). The readouts are trained on all training tuples whatever the group; only their
// evaluation is per group.
//
// `informative` is false where a value says nothing: an ablation whose all-module readout, or a
// weight mask whose masked network, is within two standard errors of chance on its digit
// (`decoder_accuracy` holds that accuracy; for retraining the readout's accuracy, which is the
// value itself; NaN for correlation). A specialization row is informative when all its values are.

struct MeasureRow {
  std::string metric;
  int64_t step, module, digit;
  double value, base, normalised;
  std::string starts;
  double decoder_accuracy = NAN;
  bool informative = true;
};

struct SpecializationRow {
  std::string metric;
  int64_t step;
  double network;               // F
  std::vector<double> module;   // F^m
  std::string starts;
  bool informative = true;
  double null_mean = NAN, null_sd = NAN;  // F of the label-shuffled measures (NaN without repeats)
  double untrained = NAN;                 // F of the untrained network (NaN unless asked for)
};

struct NetworkMetrics {
  std::vector<MeasureRow> rows;
  std::vector<SpecializationRow> specialization;  // empty when modules and digits differ in number
  double seconds = 0;
};

// Hidden states brought from elsewhere (another model, a recording): one network's modules at
// every step, for training and test tuples, with each stimulus's class. The readout measures
// (retraining, ablation) need nothing more; the others run the network again and need one.
struct GivenStates {
  torch::Tensor train_states;  // [T, M, N_train, n] float
  torch::Tensor test_states;   // [T, M, N_test, n] float
  torch::Tensor train_digits;  // [N_train, S] int64, classes 0..C-1
  torch::Tensor test_digits;   // [N_test, S] int64
  torch::Tensor test_starts;   // [N_test, S] int64 start step of each stimulus, or undefined (all tuples alike)
  int64_t n_classes = 10;
  // [N_test, S] int64: which image each stimulus shows, so that same-label correlation pairs show
  // different images; undefined: every tuple's stimuli are images of their own.
  torch::Tensor test_images;
  // The caller's network, for the correlation's same-image pairs: the states [T, M, N, n] of the
  // tuples whose stimulus s is that of test tuple sources[i][s] (sources [N, S] int64). Empty when
  // not given: the correlation then needs metrics.correlation_pairs = "same_label".
  std::function<torch::Tensor(const torch::Tensor& sources)> rerun;
};

// Called as each stage of measuring begins ("caching states", a measure's name, ...), so that a
// caller can show where minutes of work stand.
using MeasureStageCallback = std::function<void(const std::string& stage)>;

// The most networks measured together. The states the measures cache grow with that number
// (at n = 100 about 0.3 GB per network), while a network's measures do not depend on its
// stack-mates, so a wider stack is measured this many networks at a time.
constexpr int64_t kMeasureWidth = 8;

// One result per network of the stack.
std::vector<NetworkMetrics> measure(ModularRNNImpl& stack, const Environment& env, const MetricSpec& spec,
                                    const MeasureStageCallback& on_stage = {});

// The measures of one network known by its states: retraining, ablation, and correlation (same-label
// pairs from the states, same-image pairs through `given.rerun`); the weight masks and the
// untrained baseline need the network's weights and are an Error. With the states `modspec states`
// writes of a run, the same numbers as measuring the run.
NetworkMetrics measure_states(const GivenStates& given, const MetricSpec& spec);

}  // namespace modspec
