// What every measure of one stack shares (metrics/measure.cpp builds it once per measurement):
// the frozen stack and its environment, every module's state at every step for the test tuples
// (and, for the readout measures, the training tuples), the label sets (the tuples' own digits and
// the permutation null's shuffles of them), and the groups of test tuples a value is taken over.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <torch/torch.h>
#include <vector>

#include "env/environment.hpp"
#include "metrics/hidden_states.hpp"
#include "metrics/measure.hpp"
#include "metrics/readout_training.hpp"
#include "model/modular_rnn.hpp"

namespace modspec {

// Noise draws of the test and training tuples' presentations: every measure sees the same ones.
inline constexpr uint64_t kMeasureTestNoise = ~uint64_t(0) >> 3;
inline constexpr uint64_t kMeasureTrainNoise = ~uint64_t(0) >> 4;

// A set of test tuples the measures are evaluated on: all of them, or (with random start times)
// those whose stimuli switched on at the same steps.
struct TestGroup {
  std::string starts;  // "all" for all tuples, else the start steps joined by ';' (e.g. "1;3")
  torch::Tensor rows;  // [G] indices into the test tuples; undefined for all

  bool all() const { return !rows.defined(); }
  int64_t size(int64_t n_test) const { return rows.defined() ? rows.size(0) : n_test; }
  // The group's rows of the test tuples, all of them when undefined.
  torch::Tensor indices(int64_t n_test) const { return rows.defined() ? rows : torch::arange(n_test); }
  // Mean over the group's tuples of a per-tuple tensor [..., N_test] -> [...]
  torch::Tensor mean(const torch::Tensor& x) const {
    return (rows.defined() ? x.index_select(-1, rows) : x).mean(-1).contiguous();
  }
};

// Label set c: the tuples' own digits (c = 0) or a shuffle of them across tuples (c >= 1):
// train [N_train, S], test [N_test, S], and for the correlation the test tuple whose partner each
// tuple is compared with (undefined: its own).
struct LabelSet {
  torch::Tensor train, test, partner_of;
};

struct MeasureContext {
  // A stack of modspec networks on its environment: the states are computed here.
  MeasureContext(ModularRNNImpl& stack, const Environment& env, const MetricSpec& spec);
  // One network known by its states only (K = 1).
  MeasureContext(const GivenStates& given, const MetricSpec& spec);

  // The network and its environment, for the measures that run it again; an Error saying so
  // when the context holds given states only.
  ModularRNNImpl& stack() const;
  const Environment& env() const;
  bool has_network() const { return stack_ != nullptr; }
  // The test tuples' images and digits (of given states: their digits, and their images or each
  // tuple's own).
  const PairTable& test_pairs() const;
  // Given states: the states [T, M, N_test, n] of the test tuples recombined, tuple i with
  // stimulus s from test tuple sources[i][s] ([N_test, S] int64), from the caller's network; an
  // Error when none was given.
  StateCache rerun_given(const torch::Tensor& sources) const;

  const MetricSpec& spec;
  int64_t K, M, T, S, C;
  double chance;
  int64_t n_test;
  torch::Tensor test_starts;  // [N_test, S]
  StateCache test_states;     // per network [T, M, N_test, n]
  // The stack's input projection of the test and training tuples, [N, M*K, G*N] (static
  // presentations, when the weight masks are measured on their default scope; the training
  // tuples' only when the readout measures run them through the stack too): the masks read them
  // instead of projecting again. Undefined otherwise.
  torch::Tensor test_projection, train_projection;
  std::vector<LabelSet> sets;
  std::vector<TestGroup> groups;

  // An accuracy over a group at most this far above chance (two standard errors) says nothing.
  double above_chance(const TestGroup& group) const;
  // Per network, one ReadoutCorrect per label set: trained on first use, for the retraining and
  // ablation measures together (the ablation's readouts only when it is measured).
  const std::vector<ReadoutCorrect>& readouts(int64_t net);

 private:
  ModularRNNImpl* stack_ = nullptr;
  const Environment* env_ = nullptr;
  StateCache train_states_;
  std::vector<std::optional<std::vector<ReadoutCorrect>>> readouts_;
  PairTable given_pairs_;
  std::function<torch::Tensor(const torch::Tensor&)> rerun_;
};

// One value of a measure: module m, digit k, step t, with its base and, where a decoder stands
// behind it, that decoder's accuracy and whether it is above chance.
using Record = std::function<void(int64_t t, int64_t m, int64_t k, double value, double base, double accuracy,
                                  bool informative)>;

// A measure's implementation (catalog/measures.hpp names them; metrics/measure_registry.cpp
// makes them). One instance per measurement: prepare() may keep stack-wide work.
class MeasureImpl {
 public:
  virtual ~MeasureImpl() = default;
  // Work for the whole stack before any network (extra network runs, weight masks).
  virtual void prepare(MeasureContext& ctx) {}
  // Network net's values over one group of test tuples, for label set c.
  virtual void record(MeasureContext& ctx, int64_t net, const TestGroup& group, int64_t c, const Record& record) = 0;
  // Whether the values are accuracies (the ratio formula normalises them its own way).
  virtual bool accuracy() const { return false; }
  // Whether a larger value means less link to the digit (the ratio formula's ablation): F^m is
  // then negated so that F^m > 0 always means "module m is linked to digit 0".
  virtual bool inverted(const MetricSpec& spec) const { return false; }
};

}  // namespace modspec
