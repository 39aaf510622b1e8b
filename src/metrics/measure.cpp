#include "metrics/measure.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <sstream>

#include "metrics/correlation_pairs.hpp"
#include "metrics/hidden_states.hpp"
#include "metrics/permutation.hpp"
#include "metrics/readout_training.hpp"
#include "metrics/specialization.hpp"
#include "util/atomic_file.hpp"
#include "util/csv.hpp"
#include "util/error.hpp"
#include "util/seed.hpp"

namespace modspec {
namespace {

// Noise draws for the test tuples; the correlation's modified tuples use the same ones.
constexpr uint64_t kMeasureTestNoise = ~uint64_t(0) >> 3;
constexpr uint64_t kMeasureTrainNoise = ~uint64_t(0) >> 4;

bool wants(const MetricSpec& spec, const std::string& name) {
  return std::find(spec.metrics.begin(), spec.metrics.end(), name) != spec.metrics.end();
}

torch::Tensor digits_of(const PairTable& t) {
  return torch::from_blob(const_cast<int64_t*>(t.digit.data()), {t.size, t.n_stimuli}, torch::kInt64).clone();
}

// A set of test tuples the measures are evaluated on: all of them, or (with random start
// times) those whose stimuli switched on at the same steps.
struct TestGroup {
  std::string starts;  // "" for all tuples, else the start steps joined by ';' (e.g. "1;3")
  torch::Tensor rows;  // [G] indices into the test tuples; undefined for all

  // Mean over the group's tuples of a per-tuple tensor [..., N_test] -> [...]
  torch::Tensor mean(const torch::Tensor& x) const {
    return (rows.defined() ? x.index_select(-1, rows) : x).mean(-1).contiguous();
  }
};

// All tuples first, then one group per start-time tuple in ascending order. starts: [N, S]
std::vector<TestGroup> test_groups(const torch::Tensor& starts, bool by_start) {
  std::vector<TestGroup> groups{{"", torch::Tensor()}};
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

}  // namespace

MetricSpec MetricSpec::from(const Config& config) {
  MetricSpec m;
  m.metrics = config.strings("metrics.measures");
  m.readout.seed = uint64_t(config.integer("metrics.seed"));
  m.readout.hidden = config.integer("metrics.readout_hidden");
  m.readout.epochs = config.integer("metrics.readout_epochs");
  m.readout.stop_accuracy = config.real("metrics.readout_stop");
  m.readout.lr = config.real("metrics.readout_lr");
  m.readout.batch = config.integer("metrics.readout_batch");
  m.ratio_formula = config.string("metrics.formula") == "ratio";
  m.same_label_pairs = config.string("metrics.correlation_pairs") == "same_label";
  m.readouts_shared_over_steps = config.string("metrics.retraining_readout") == "shared_over_steps";
  m.masks.gumbel = config.string("metrics.mask_method") == "gumbel";
  m.masks.all_weights = config.string("metrics.mask_scope") == "all";
  m.masks.keep = config.real("metrics.mask_keep");
  m.masks.lr = config.real("metrics.mask_lr");
  m.masks.momentum = config.real("metrics.mask_momentum");
  m.masks.weight_decay = config.real("metrics.mask_weight_decay");
  m.masks.gumbel_lr = config.real("metrics.mask_gumbel_lr");
  m.masks.alpha = config.real("metrics.mask_alpha");
  m.masks.temperature = config.real("metrics.mask_temperature");
  m.masks.epochs = config.integer("metrics.mask_epochs");
  m.masks.batch = config.integer("metrics.mask_batch");
  m.masks.seed = m.readout.seed;
  m.null_repeats = config.integer("metrics.null_repeats");
  m.untrained_baseline = config.boolean("metrics.untrained_baseline");
  if (m.ratio_formula && (config.integer("model.n_modules") != 2 || config.strings("env.datasets").size() != 2))
    throw Error("config key metrics.formula: ratio is defined for two modules and two stimuli");
  return m;
}

namespace {

// One label set of the measures: the tuples' own digits (c = 0) or a shuffle of them across
// tuples (c >= 1, the permutation null): train [N_train, S], test [N_test, S], and for the
// correlation the test tuple whose partner each tuple is compared with (undefined: its own).
struct LabelSet {
  torch::Tensor train, test, partner_of;
};

std::vector<LabelSet> label_sets(const torch::Tensor& y_train, const torch::Tensor& y_test, int64_t repeats,
                                 uint64_t seed) {
  std::vector<LabelSet> sets{{y_train, y_test, torch::Tensor()}};
  for (int64_t c = 1; c <= repeats; ++c) {
    auto shuffled = [&](const torch::Tensor& y, uint64_t part) {
      return y.defined() ? y.index_select(0, random_permutation(y.size(0), derive_seed({seed, kReadout, 40, uint64_t(c), part})))
                         : torch::Tensor();
    };
    sets.push_back({shuffled(y_train, 0), shuffled(y_test, 1),
                    random_permutation(y_test.size(0), derive_seed({seed, kReadout, 40, uint64_t(c), 2}))});
  }
  return sets;
}

// mbar[t][m][k] of one measure
using Grid = std::vector<std::vector<std::vector<double>>>;

}  // namespace

std::vector<NetworkMetrics> measure(ModularRNNImpl& stack, const Environment& env, const MetricSpec& spec) {
  const auto t0 = std::chrono::steady_clock::now();
  const int64_t K = stack.stack_size(), M = stack.arch().n_modules, T = stack.arch().nb_steps;
  const int64_t S = env.n_stimuli(), C = env.spec().n_classes;
  const double chance = 1.0 / double(C);
  for (const auto& metric : spec.metrics)
    if (std::find(metric_names().begin(), metric_names().end(), metric) == metric_names().end())
      throw Error("config key metrics.measures: unknown measure '" + metric + "'");
  if (wants(spec, "masks") && env.task().target_classes[0] != C)
    throw Error("config key metrics.measures: masks reads each digit's class from the network's first output, which has " +
                std::to_string(env.task().target_classes[0]) + " classes for task " + env.spec().task +
                " (use a task whose first target is a digit: parity, digit0, digit1, max, min)");
  const bool readouts = wants(spec, "retraining") || wants(spec, "ablation");
  const PairTable& test = env.test_pairs();
  torch::Tensor test_starts;  // [N_test, S]
  const StateCache test_states = cache_states(stack, env, test, Split::test, kMeasureTestNoise, &test_starts);
  StateCache train_states;
  const PairTable train = env.train_pairs(0);
  if (readouts) train_states = cache_states(stack, env, train, Split::train, kMeasureTrainNoise);
  const std::vector<LabelSet> sets = label_sets(readouts || wants(spec, "masks") ? digits_of(train) : torch::Tensor(),
                                                digits_of(test), spec.null_repeats, spec.readout.seed);
  const int64_t L = int64_t(sets.size());
  // Correlation: each test tuple's states beside those of its partner for digit k. Same image: the
  // tuple itself with all but digit k's stimulus shuffled, run through the network with the very
  // same noise (only the swapped stimuli differ). Same label: another test tuple whose digit k has
  // the same class, from the states already cached.
  std::vector<StateCache> kept_states;
  std::vector<torch::Tensor> label_partners;  // per digit [N_test]
  torch::Tensor base_perm;
  if (wants(spec, "correlation")) {
    for (int64_t k = 0; k < S; ++k) {
      const uint64_t seed = derive_seed({spec.readout.seed, kReadout, 10, uint64_t(k)});
      if (spec.same_label_pairs) {
        label_partners.push_back(same_label_partners(test, k, seed));
        continue;
      }
      const PairTable kept = shuffle_others(test, k, random_permutation(test.size, seed));
      kept_states.push_back(cache_states(stack, env, kept, Split::test, kMeasureTestNoise, nullptr, &test));
    }
    base_perm = random_permutation(test.size, derive_seed({spec.readout.seed, kReadout, 20}));
  }
  // Weight masks: every network, digit and label set in one stack of frozen copies.
  MaskOutcome masks;
  if (wants(spec, "masks")) {
    std::vector<MaskLabels> mask_labels;
    for (const auto& set : sets) mask_labels.push_back({set.train, set.test});
    masks = train_masks(stack, env, mask_labels, spec.masks);
  }
  const std::vector<TestGroup> groups = test_groups(test_starts, env.spec().random_start);
  const double shared_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::vector<NetworkMetrics> results(static_cast<size_t>(K));
  for (int64_t net = 0; net < K; ++net) {
    const auto t1 = std::chrono::steady_clock::now();
    auto& out = results[size_t(net)];
    std::vector<ReadoutCorrect> correct;
    if (readouts) {
      std::vector<ReadoutLabels> labels;
      for (const auto& set : sets) labels.push_back({set.train, set.test});
      correct = train_readouts(train_states[size_t(net)], test_states[size_t(net)], labels, C, spec.readout,
                               wants(spec, "ablation"), spec.readouts_shared_over_steps);
    }
    for (const auto& group : groups) {
      const int64_t group_size = group.rows.defined() ? group.rows.size(0) : test.size;
      // An accuracy within two standard errors of chance on this group says nothing.
      const double above_chance = chance + 2.0 * std::sqrt(chance * (1 - chance) / double(group_size));
      // Per label set: mbar[metric] and whether each metric's values are informative.
      std::vector<std::map<std::string, Grid>> mbar(sets.size());
      std::map<std::string, bool> informative;
      for (int64_t c = 0; c < L; ++c) {
        const LabelSet& set = sets[size_t(c)];
        auto record = [&](const std::string& metric, int64_t t, int64_t m, int64_t k, double value, double base,
                          double accuracy, bool useful) {
          const double norm =
              spec.ratio_formula ? normalise_ratio(value, base, metric == "retraining" || metric == "ablation")
                                 : normalise(value, base);
          auto& v = mbar[size_t(c)][metric];
          if (v.empty()) v.assign(size_t(T), std::vector<std::vector<double>>(size_t(M), std::vector<double>(size_t(S))));
          v[size_t(t)][size_t(m)][size_t(k)] = norm;
          if (c > 0) return;
          out.rows.push_back({metric, t, m, k, value, base, norm, group.starts, accuracy, useful});
          informative.try_emplace(metric, true);
          informative[metric] = informative[metric] && useful;
        };
        if (!correct.empty()) {
          const auto& rc = correct[size_t(c)];
          // Accuracies over the group's tuples: [R1], [R2], [M, R2].
          const auto retraining = group.mean(rc.retraining);
          const auto full = wants(spec, "ablation") ? group.mean(rc.full) : torch::Tensor();
          const auto ablated = wants(spec, "ablation") ? group.mean(rc.ablated) : torch::Tensor();
          for (int64_t t = 0; t < T; ++t)
            for (int64_t m = 0; m < M; ++m)
              for (int64_t k = 0; k < S; ++k) {
                if (wants(spec, "retraining")) {
                  const double a = retraining[(t * M + m) * S + k].item<double>();
                  record("retraining", t, m, k, a, chance, a, true);
                }
                if (wants(spec, "ablation")) {
                  // Without the floor, a = 0.105 against chance 0.1 would turn noise into L = 1.
                  const double a = full[t * S + k].item<double>(), am = ablated[m][t * S + k].item<double>();
                  const double loss = a > above_chance ? std::clamp((a - am) / (a - chance), 0.0, 1.0) : 0.0;
                  // The ratio formula reads the ablated accuracy itself, as the original does.
                  record("ablation", t, m, k, spec.ratio_formula ? am : chance + (1 - chance) * loss, chance, a,
                         a > above_chance);
                }
              }
        }
        if (wants(spec, "correlation")) {
          const auto& h = test_states[size_t(net)];  // [T, M, N_test, n]
          const auto own_rows = group.rows.defined() ? group.rows : torch::arange(test.size);
          const auto base_partner = base_perm.index_select(0, own_rows);
          // The null compares tuple i with the partner of tuple partner_of[i], not with its own.
          const auto source = set.partner_of.defined() ? set.partner_of.index_select(0, own_rows) : own_rows;
          for (int64_t t = 0; t < T; ++t)
            for (int64_t m = 0; m < M; ++m) {
              const auto own = h[t][m].index_select(0, own_rows);
              const double base = mean_pearson(own, h[t][m].index_select(0, base_partner));
              for (int64_t k = 0; k < S; ++k) {
                if (!spec.same_label_pairs) {
                  record("correlation", t, m, k,
                         mean_pearson(own, kept_states[size_t(k)][size_t(net)][t][m].index_select(0, source)), base,
                         NAN, true);
                  continue;
                }
                auto partner_k = label_partners[size_t(k)].index_select(0, source);
                auto paired = partner_k.ge(0).nonzero().squeeze(1);  // the tuples that have a partner
                record("correlation", t, m, k,
                       mean_pearson(own.index_select(0, paired), h[t][m].index_select(0, partner_k.index_select(0, paired))),
                       base, NAN, true);
              }
            }
        }
        // Masks are trained and tested on all tuples, at the last step only.
        if (wants(spec, "masks") && !group.rows.defined())
          for (int64_t k = 0; k < S; ++k) {
            const int64_t r = (c * S + k) * K + net;
            const double a = masks.accuracy[r].item<double>();
            for (int64_t m = 0; m < M; ++m)
              record("masks", T - 1, m, k, masks.kept_share[r][m].item<double>(), masks.base[r][m].item<double>(), a,
                     a > above_chance);
          }
      }
      if (M != S) continue;
      for (const auto& metric : spec.metrics) {
        if (!mbar[0].count(metric)) continue;
        const int64_t first = metric == "masks" ? T - 1 : 0;
        for (int64_t t = first; t < T; ++t) {
          auto specialize = [&](int64_t c) {
            const Grid& g = mbar[size_t(c)].at(metric);
            Specialization s = spec.ratio_formula ? ratio_specialization(g[size_t(t)]) : specialization(g[size_t(t)]);
            // Ablation's ratio reads ablated accuracies, low for the digit a module carries: its F^m
            // is negated so that F^m > 0 means "module m is linked to digit 0" for every measure.
            if (spec.ratio_formula && metric == "ablation")
              for (auto& f : s.module) f = -f;
            return s;
          };
          const Specialization s = specialize(0);
          SpecializationRow row{metric, t, s.network, s.module, group.starts, informative[metric]};
          if (L > 1) {
            std::vector<double> nulls;
            for (int64_t c = 1; c < L; ++c) nulls.push_back(specialize(c).network);
            double mean = 0, var = 0;
            for (double f : nulls) mean += f / double(nulls.size());
            for (double f : nulls) var += (f - mean) * (f - mean);
            row.null_mean = mean;
            row.null_sd = nulls.size() > 1 ? std::sqrt(var / double(nulls.size() - 1)) : NAN;
          }
          out.specialization.push_back(row);
        }
      }
    }
    out.seconds = shared_seconds / double(K) + std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  }
  if (spec.untrained_baseline) {
    // The same networks as initialised: the stack's specs draw the same starting weights again.
    ModularRNN untrained(stack.arch(), stack.specs(), stack.parameters()[0].device());
    MetricSpec plain = spec;
    plain.null_repeats = 0;
    plain.untrained_baseline = false;
    const auto before = measure(*untrained, env, plain);
    for (int64_t net = 0; net < K; ++net) {
      std::map<std::tuple<std::string, std::string, int64_t>, double> f;
      for (const auto& r : before[size_t(net)].specialization) f[{r.metric, r.starts, r.step}] = r.network;
      for (auto& r : results[size_t(net)].specialization) r.untrained = f.at({r.metric, r.starts, r.step});
      results[size_t(net)].seconds += before[size_t(net)].seconds;
    }
  }
  return results;
}

void write_metrics(const std::filesystem::path& dir, const NetworkMetrics& m, const MetricSpec& spec) {
  std::ostringstream csv;
  csv << "metric,starts,step,module,digit,value,base,normalised,decoder_accuracy,informative\n";
  for (const auto& r : m.rows)
    csv << r.metric << "," << r.starts << "," << r.step << "," << r.module << "," << r.digit << "," << csv_number(r.value)
        << "," << csv_number(r.base) << "," << csv_number(r.normalised) << ","
        << csv_number_or_empty(r.decoder_accuracy, r.metric != "correlation") << "," << r.informative << "\n";
  write_file_atomic(dir / "metrics.csv", csv.str());

  std::ostringstream spec_csv;
  spec_csv << "metric,starts,step,module,module_specialization,network_specialization,informative,null_mean,null_sd,z,"
              "untrained\n";
  nlohmann::json j;
  for (const auto& s : m.specialization) {
    const bool nulls = spec.null_repeats > 0;
    const std::string null_part = csv_number_or_empty(s.null_mean, nulls) + "," +
                                  csv_number_or_empty(s.null_sd, nulls && spec.null_repeats > 1) + "," +
                                  csv_number_or_empty((s.network - s.null_mean) / s.null_sd, nulls && spec.null_repeats > 1);
    for (size_t mod = 0; mod < s.module.size(); ++mod)
      spec_csv << s.metric << "," << s.starts << "," << s.step << "," << mod << "," << csv_number(s.module[mod]) << ","
               << csv_number(s.network) << "," << s.informative << "," << null_part << ","
               << csv_number_or_empty(s.untrained, spec.untrained_baseline) << "\n";
    if (!s.starts.empty()) continue;
    if (!j["F"].contains(s.metric)) j["first_step"][s.metric] = s.step;
    j["F"][s.metric].push_back(s.network);
    j["F_module"][s.metric].push_back(s.module);
  }
  write_file_atomic(dir / "specialization.csv", spec_csv.str());
  j["metrics"] = spec.metrics;
  j["readout"] = {{"hidden", spec.readout.hidden}, {"epochs", spec.readout.epochs},
                  {"stop_accuracy", spec.readout.stop_accuracy}, {"lr", spec.readout.lr},
                  {"batch", spec.readout.batch}, {"seed", spec.readout.seed}};
  j["null_repeats"] = spec.null_repeats;
  j["seconds"] = m.seconds;
  j["note"] = "F[metric][i] is the network specialization at step first_step[metric] + i (masks: the last step only); "
              "F_module[metric][i][m] is F^m";
  write_file_atomic(dir / "metrics.json", j.dump(2) + "\n");
}

}  // namespace modspec
