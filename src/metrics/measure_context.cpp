#include "metrics/measure_context.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "metrics/permutation.hpp"
#include "util/error.hpp"
#include "util/seed.hpp"

namespace modspec {
namespace {

bool wants(const MetricSpec& spec, const std::string& name) {
  return std::find(spec.metrics.begin(), spec.metrics.end(), name) != spec.metrics.end();
}

torch::Tensor digits_of(const PairTable& t) {
  return torch::from_blob(const_cast<int64_t*>(t.digit.data()), {t.size, t.n_stimuli}, torch::kInt64).clone();
}

// All tuples first, then one group per start-time tuple in ascending order. starts: [N, S]
std::vector<TestGroup> test_groups(const torch::Tensor& starts, bool by_start) {
  std::vector<TestGroup> groups{{kAllTuples, torch::Tensor()}};
  if (!by_start) return groups;
  std::map<std::vector<int64_t>, std::vector<int64_t>> rows;
  const auto s = starts.contiguous();
  const auto* p = s.data_ptr<int64_t>();
  const int64_t N = s.size(0), S = s.size(1);
  for (int64_t i = 0; i < N; ++i) rows[std::vector<int64_t>(p + i * S, p + (i + 1) * S)].push_back(i);
  for (const auto& [key, r] : rows) {
    std::string label;
    for (int64_t v : key) {
      if (!label.empty()) label += ';';
      label += std::to_string(v);
    }
    groups.push_back({label, torch::tensor(r, torch::kInt64)});
  }
  return groups;
}

// The tuples' own digits, then `repeats` shuffles: each permutes the training and the test
// tuples' labels with its own permutation, and pairs each test tuple with a random other's partner.
std::vector<LabelSet> label_sets(const torch::Tensor& y_train, const torch::Tensor& y_test, int64_t repeats,
                                 uint64_t seed) {
  std::vector<LabelSet> sets{{y_train, y_test, torch::Tensor()}};
  for (int64_t c = 1; c <= repeats; ++c) {
    auto shuffle = [&](const torch::Tensor& y, uint64_t part) {
      return y.index_select(0, random_permutation(y.size(0), derive_seed({seed, kReadout, 40, uint64_t(c), part})));
    };
    sets.push_back({shuffle(y_train, 0), shuffle(y_test, 1),
                    random_permutation(y_test.size(0), derive_seed({seed, kReadout, 40, uint64_t(c), 2}))});
  }
  return sets;
}

}  // namespace

MeasureContext::MeasureContext(ModularRNNImpl& stack, const Environment& env, const MetricSpec& spec_)
    : spec(spec_),
      K(stack.stack_size()),
      M(stack.arch().n_modules),
      T(stack.arch().nb_steps),
      S(env.n_stimuli()),
      C(env.spec().n_classes),
      chance(1.0 / double(env.spec().n_classes)),
      n_test(env.test_pairs().size),
      stack_(&stack),
      env_(&env) {
  const PairTable& test = env.test_pairs();
  const PairTable train = env.train_pairs(0);
  const bool masks_project = wants(spec, "masks") && !spec.masks.all_weights;
  test_states = cache_states(stack, env, test, Split::test, kMeasureTestNoise, &test_starts, nullptr,
                             masks_project ? &test_projection : nullptr);
  if (wants(spec, "retraining") || wants(spec, "ablation"))
    train_states_ = cache_states(stack, env, train, Split::train, kMeasureTrainNoise, nullptr, nullptr,
                                 masks_project ? &train_projection : nullptr);
  sets = label_sets(digits_of(train), digits_of(test), spec.null_repeats, spec.readout.seed);
  groups = test_groups(test_starts, env.spec().random_start);
  readouts_.resize(size_t(K));
}

MeasureContext::MeasureContext(const GivenStates& given, const MetricSpec& spec_)
    : spec(spec_),
      K(1),
      M(given.test_states.size(1)),
      T(given.test_states.size(0)),
      S(given.test_digits.size(1)),
      C(given.n_classes),
      chance(1.0 / double(given.n_classes)),
      n_test(given.test_states.size(2)),
      test_states{given.test_states.to(torch::kFloat32).contiguous()},
      train_states_{given.train_states.to(torch::kFloat32).contiguous()},
      rerun_(given.rerun) {
  const auto digits = given.test_digits.to(torch::kInt64).contiguous();
  const auto images = given.test_images.defined() ? given.test_images.to(torch::kInt64).contiguous()
                                                  : torch::arange(n_test).unsqueeze(1).expand({n_test, S}).contiguous();
  given_pairs_.size = n_test;
  given_pairs_.n_stimuli = S;
  given_pairs_.digit.assign(digits.data_ptr<int64_t>(), digits.data_ptr<int64_t>() + digits.numel());
  given_pairs_.image.assign(images.data_ptr<int64_t>(), images.data_ptr<int64_t>() + images.numel());
  const bool by_start = given.test_starts.defined();
  test_starts = by_start ? given.test_starts.to(torch::kInt64).contiguous() : torch::zeros({n_test, S}, torch::kInt64);
  sets = label_sets(given.train_digits.to(torch::kInt64).contiguous(), digits, spec.null_repeats, spec.readout.seed);
  groups = test_groups(test_starts, by_start);
  readouts_.resize(1);
}

namespace {

const char* kNeedsNetwork =
    "needs the network itself: on given states retraining, ablation and correlation can be measured (the weight "
    "masks and the untrained baseline need its weights)";

}  // namespace

ModularRNNImpl& MeasureContext::stack() const {
  if (!stack_) throw Error(std::string("this measure ") + kNeedsNetwork);
  return *stack_;
}

const Environment& MeasureContext::env() const {
  if (!env_) throw Error(std::string("this measure ") + kNeedsNetwork);
  return *env_;
}

const PairTable& MeasureContext::test_pairs() const { return env_ ? env_->test_pairs() : given_pairs_; }

StateCache MeasureContext::rerun_given(const torch::Tensor& sources) const {
  if (!rerun_)
    throw Error("correlation: metrics.correlation_pairs = \"same_image\" runs the network again on tuples with "
                "swapped stimuli: give the network (a callable) or set metrics.correlation_pairs = \"same_label\"");
  const torch::Tensor h = rerun_(sources);
  const auto expected = test_states[0].sizes();
  if (!h.defined() || h.sizes() != expected)
    throw Error("network: returned states of shape " + (h.defined() ? c10::str(h.sizes()) : std::string("none")) +
                " for " + std::to_string(sources.size(0)) + " tuples, expected [T, M, N, n] = " + c10::str(expected));
  return {h.to(torch::kFloat32).contiguous()};
}

double MeasureContext::above_chance(const TestGroup& group) const {
  return chance + 2.0 * std::sqrt(chance * (1 - chance) / double(group.size(n_test)));
}

const std::vector<ReadoutCorrect>& MeasureContext::readouts(int64_t net) {
  auto& r = readouts_[size_t(net)];
  if (!r) {
    std::vector<ReadoutLabels> labels;
    for (const auto& set : sets) labels.push_back({set.train, set.test});
    r = train_readouts(train_states_[size_t(net)], test_states[size_t(net)], labels, C, spec.readout,
                       wants(spec, "ablation"), spec.readouts_shared_over_steps);
  }
  return *r;
}

}  // namespace modspec
