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

  torch::Tensor select(const torch::Tensor& x) const { return rows.defined() ? x.index_select(0, rows) : x; }
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
  if (m.ratio_formula && (config.integer("model.n_modules") != 2 || config.strings("env.datasets").size() != 2))
    throw Error("config key metrics.formula: ratio is defined for two modules and two stimuli");
  return m;
}

std::vector<NetworkMetrics> measure(ModularRNNImpl& stack, const Environment& env, const MetricSpec& spec) {
  const auto t0 = std::chrono::steady_clock::now();
  const int64_t K = stack.stack_size(), M = stack.arch().n_modules, T = stack.arch().nb_steps;
  const int64_t S = env.n_stimuli(), C = env.spec().n_classes;
  const double chance = 1.0 / double(C);
  const bool readouts = wants(spec, "retraining") || wants(spec, "ablation");
  const PairTable& test = env.test_pairs();
  torch::Tensor test_starts;  // [N_test, S]
  const StateCache test_states = cache_states(stack, env, test, Split::test, kMeasureTestNoise, &test_starts);
  StateCache train_states;
  torch::Tensor y_train, y_test = digits_of(test);
  if (readouts) {
    const PairTable train = env.train_pairs(0);
    train_states = cache_states(stack, env, train, Split::train, kMeasureTrainNoise);
    y_train = digits_of(train);
  }
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
  const std::vector<TestGroup> groups = test_groups(test_starts, env.spec().random_start);
  const double shared_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::vector<NetworkMetrics> results(static_cast<size_t>(K));
  for (int64_t net = 0; net < K; ++net) {
    const auto t1 = std::chrono::steady_clock::now();
    auto& out = results[size_t(net)];
    std::optional<ReadoutCorrect> correct;
    if (readouts)
      correct = train_readouts(train_states[size_t(net)], test_states[size_t(net)], y_train, y_test, C, spec.readout,
                               wants(spec, "ablation"), spec.readouts_shared_over_steps);
    for (const auto& group : groups) {
      // mbar[metric][t][m][k]
      std::map<std::string, std::vector<std::vector<std::vector<double>>>> mbar;
      auto record = [&](const std::string& metric, int64_t t, int64_t m, int64_t k, double value, double base) {
        const double norm =
            spec.ratio_formula ? normalise_ratio(value, base, metric != "correlation") : normalise(value, base);
        out.rows.push_back({metric, t, m, k, value, base, norm, group.starts});
        auto& v = mbar[metric];
        if (v.empty()) v.assign(size_t(T), std::vector<std::vector<double>>(size_t(M), std::vector<double>(size_t(S))));
        v[size_t(t)][size_t(m)][size_t(k)] = norm;
      };
      if (correct) {
        // Accuracies over the group's tuples: [R1], [R2], [M, R2].
        const auto retraining = group.mean(correct->retraining);
        const auto full = wants(spec, "ablation") ? group.mean(correct->full) : torch::Tensor();
        const auto ablated = wants(spec, "ablation") ? group.mean(correct->ablated) : torch::Tensor();
        // A readout within two standard errors of chance on this group knows nothing to lose:
        // without this floor, a = 0.105 against chance 0.1 would turn noise into L = 1.
        const int64_t group_size = group.rows.defined() ? group.rows.size(0) : test.size;
        const double above_chance = chance + 2.0 * std::sqrt(chance * (1 - chance) / double(group_size));
        for (int64_t t = 0; t < T; ++t)
          for (int64_t m = 0; m < M; ++m)
            for (int64_t k = 0; k < S; ++k) {
              if (wants(spec, "retraining"))
                record("retraining", t, m, k, retraining[(t * M + m) * S + k].item<double>(), chance);
              if (wants(spec, "ablation")) {
                const double a = full[t * S + k].item<double>(), am = ablated[m][t * S + k].item<double>();
                const double loss = a > above_chance ? std::clamp((a - am) / (a - chance), 0.0, 1.0) : 0.0;
                // The ratio formula reads the ablated accuracy itself, as the original does.
                record("ablation", t, m, k, spec.ratio_formula ? am : chance + (1 - chance) * loss, chance);
              }
            }
      }
      if (wants(spec, "correlation")) {
        const auto& h = test_states[size_t(net)];  // [T, M, N_test, n]
        const auto partner = group.rows.defined() ? base_perm.index_select(0, group.rows) : base_perm;
        for (int64_t t = 0; t < T; ++t)
          for (int64_t m = 0; m < M; ++m) {
            const auto own = group.select(h[t][m]);
            const double base = mean_pearson(own, h[t][m].index_select(0, partner));
            for (int64_t k = 0; k < S; ++k) {
              if (!spec.same_label_pairs) {
                record("correlation", t, m, k,
                       mean_pearson(own, group.select(kept_states[size_t(k)][size_t(net)][t][m])), base);
                continue;
              }
              auto partner_k = group.select(label_partners[size_t(k)]);
              auto paired = partner_k.ge(0).nonzero().squeeze(1);  // the group's tuples that have a partner
              record("correlation", t, m, k,
                     mean_pearson(own.index_select(0, paired), h[t][m].index_select(0, partner_k.index_select(0, paired))),
                     base);
            }
          }
      }
      if (M == S)
        for (const auto& metric : spec.metrics) {
          if (!mbar.count(metric)) continue;
          for (int64_t t = 0; t < T; ++t) {
            Specialization s = spec.ratio_formula ? ratio_specialization(mbar[metric][size_t(t)])
                                                  : specialization(mbar[metric][size_t(t)]);
            // Ablation's ratio reads ablated accuracies, low for the digit a module carries: its F^m
            // is negated so that F^m > 0 means "module m is linked to digit 0" for every measure.
            if (spec.ratio_formula && metric == "ablation")
              for (auto& f : s.module) f = -f;
            out.specialization.push_back({metric, t, s.network, s.module, group.starts});
          }
        }
    }
    out.seconds = shared_seconds / double(K) + std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  }
  return results;
}

void write_metrics(const std::filesystem::path& dir, const NetworkMetrics& m, const MetricSpec& spec) {
  std::ostringstream csv;
  csv << "metric,starts,step,module,digit,value,base,normalised\n";
  for (const auto& r : m.rows)
    csv << r.metric << "," << r.starts << "," << r.step << "," << r.module << "," << r.digit << "," << r.value << ","
        << r.base << "," << r.normalised << "\n";
  write_file_atomic(dir / "metrics.csv", csv.str());

  std::ostringstream spec_csv;
  spec_csv << "metric,starts,step,module,module_specialization,network_specialization\n";
  nlohmann::json j;
  for (const auto& s : m.specialization) {
    for (size_t mod = 0; mod < s.module.size(); ++mod)
      spec_csv << s.metric << "," << s.starts << "," << s.step << "," << mod << "," << s.module[mod] << "," << s.network
               << "\n";
    if (!s.starts.empty()) continue;
    j["F"][s.metric].push_back(s.network);
    j["F_module"][s.metric].push_back(s.module);
  }
  write_file_atomic(dir / "specialization.csv", spec_csv.str());
  j["metrics"] = spec.metrics;
  j["readout"] = {{"hidden", spec.readout.hidden}, {"epochs", spec.readout.epochs},
                  {"stop_accuracy", spec.readout.stop_accuracy}, {"lr", spec.readout.lr},
                  {"batch", spec.readout.batch}, {"seed", spec.readout.seed}};
  j["seconds"] = m.seconds;
  j["note"] = "F[metric][step] is the network specialization at each step; F_module[metric][step][m] is F^m";
  write_file_atomic(dir / "metrics.json", j.dump(2) + "\n");
}

}  // namespace modspec
