#include "metrics/measure.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <sstream>

#include "metrics/hidden_states.hpp"
#include "metrics/specialization.hpp"
#include "train/adamw.hpp"
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

torch::Tensor permutation(int64_t n, uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  return torch::randperm(n, gen, torch::kInt64);
}

// Mean over rows of the Pearson correlation between a[i] and b[i] (across columns). [N, n] -> scalar
double mean_pearson(const torch::Tensor& a, const torch::Tensor& b) {
  auto ac = a - a.mean(1, true), bc = b - b.mean(1, true);
  auto r = (ac * bc).sum(1) / (ac.norm(2, 1) * bc.norm(2, 1) + 1e-12);
  return r.mean().item<double>();
}

// The test tuples with stimulus `kept` unchanged and every other stimulus taken from tuple perm[i].
PairTable shuffle_others(const PairTable& t, int64_t kept, const torch::Tensor& perm) {
  PairTable out = t;
  const auto* p = perm.data_ptr<int64_t>();
  for (int64_t i = 0; i < t.size; ++i)
    for (int64_t s = 0; s < t.n_stimuli; ++s)
      if (s != kept) {
        out.image[size_t(i * t.n_stimuli + s)] = t.image[size_t(p[i] * t.n_stimuli + s)];
        out.digit[size_t(i * t.n_stimuli + s)] = t.digit[size_t(p[i] * t.n_stimuli + s)];
      }
  return out;
}

// Which test tuples each readout classifies correctly, at the epoch its value is taken from.
struct ReadoutCorrect {
  torch::Tensor retraining;  // [T*M*S, N_test], readout (t, m, k) at (t*M + m)*S + k
  torch::Tensor full;        // [T*S, N_test],   readout (t, k) at t*S + k, on all modules
  torch::Tensor ablated;     // [M, T*S, N_test] the same with module m's input zeroed
};

// Inputs of the readouts for the tuples `rows` of a cache [T, M, N, n].
torch::Tensor retraining_inputs(const torch::Tensor& cache, const torch::Tensor& rows, int64_t S) {
  const int64_t T = cache.size(0), M = cache.size(1), n = cache.size(3);
  return cache.view({T * M, -1, n}).index_select(1, rows).repeat_interleave(S, 0);  // [T*M*S, B, n]
}
torch::Tensor all_module_inputs(const torch::Tensor& cache, const torch::Tensor& rows, int64_t S) {
  const int64_t T = cache.size(0), M = cache.size(1), n = cache.size(3);
  auto x = cache.index_select(2, rows).permute({0, 2, 1, 3}).reshape({T, rows.size(0), M * n});
  return x.repeat_interleave(S, 0);  // [T*S, B, M*n]
}

ReadoutCorrect train_readouts(const torch::Tensor& train, const torch::Tensor& test, const torch::Tensor& y_train,
                                 const torch::Tensor& y_test, int64_t C, const ReadoutSettings& settings, bool ablation) {
  const int64_t T = train.size(0), M = train.size(1), n = train.size(3), S = y_train.size(1);
  const int64_t N = train.size(2), R1 = T * M * S, R2 = T * S;
  ReadoutSettings s1 = settings, s2 = settings;
  s1.seed = derive_seed({settings.seed, kReadout, 1});
  s2.seed = derive_seed({settings.seed, kReadout, 2});
  ReadoutStack retrain(R1, n, C, s1);
  ReadoutStack joint(ablation ? R2 : 1, M * n, C, s2);
  std::vector<torch::Tensor> params = retrain.parameters();
  if (ablation)
    for (auto& p : joint.parameters()) params.push_back(p);
  FusedAdamW opt(params, {settings.lr, 0.0});

  // Test inputs, built once: all test tuples.
  auto all_rows = torch::arange(test.size(2), torch::kInt64);
  auto x1_test = retraining_inputs(test, all_rows, S);
  auto y1_test = y_test.t().repeat({T * M, 1});  // [R1, N_test]
  torch::Tensor x2_test, y2_test;
  if (ablation) {
    x2_test = all_module_inputs(test, all_rows, S);
    y2_test = y_test.t().repeat({T, 1});
  }
  ReadoutCorrect best;
  torch::Tensor done1 = torch::zeros({R1}, torch::kBool), done2 = torch::zeros({R2}, torch::kBool);
  auto gen_seed = derive_seed({settings.seed, kReadout, 3});
  for (int64_t epoch = 0; epoch < settings.epochs; ++epoch) {
    auto order = permutation(N, derive_seed({gen_seed, uint64_t(epoch)}));
    for (int64_t begin = 0; begin < N; begin += settings.batch) {
      auto rows = order.narrow(0, begin, std::min(settings.batch, N - begin));
      auto yb = y_train.index_select(0, rows).t();  // [S, B]
      const int64_t B = rows.size(0);
      auto logits = retrain.forward(retraining_inputs(train, rows, S));
      auto loss = torch::nn::functional::cross_entropy(logits.reshape({R1 * B, C}), yb.repeat({T * M, 1}).reshape(-1)) *
                  double(R1);
      if (ablation) {
        auto l2 = joint.forward(all_module_inputs(train, rows, S));
        loss = loss + torch::nn::functional::cross_entropy(l2.reshape({R2 * B, C}), yb.repeat({T, 1}).reshape(-1)) *
                          double(R2);
      }
      opt.zero_grad();
      loss.backward();
      opt.step();
    }
    // A readout's value is that of the first epoch at which it reaches the stop accuracy.
    auto c1 = retrain.correct(x1_test, y1_test);
    best.retraining = epoch == 0 ? c1 : torch::where(done1.unsqueeze(1), best.retraining, c1);
    done1 = done1.logical_or(best.retraining.mean(1).ge(settings.stop_accuracy));
    if (ablation) {
      auto full = joint.correct(x2_test, y2_test);
      std::vector<torch::Tensor> ablated;
      for (int64_t m = 0; m < M; ++m) {
        auto x = x2_test.clone();
        x.view({R2, -1, M, n}).select(2, m).zero_();
        ablated.push_back(joint.correct(x, y2_test));
      }
      auto all_ablated = torch::stack(ablated);  // [M, R2, N_test]
      best.full = epoch == 0 ? full : torch::where(done2.unsqueeze(1), best.full, full);
      best.ablated = epoch == 0 ? all_ablated : torch::where(done2.view({1, R2, 1}), best.ablated, all_ablated);
      done2 = done2.logical_or(best.full.mean(1).ge(settings.stop_accuracy));
    }
    if (done1.all().item<bool>() && (!ablation || done2.all().item<bool>())) break;
  }
  return best;
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
  // Correlation: the states of the test tuples with all but digit k's stimulus shuffled.
  std::vector<StateCache> kept_states;
  torch::Tensor base_perm;
  if (wants(spec, "correlation")) {
    for (int64_t k = 0; k < S; ++k) {
      auto perm = permutation(test.size, derive_seed({spec.readout.seed, kReadout, 10, uint64_t(k)}));
      // The same noise as the original tuples: only the swapped stimuli differ, never the noise.
      kept_states.push_back(
          cache_states(stack, env, shuffle_others(test, k, perm), Split::test, kMeasureTestNoise, nullptr, &test));
    }
    base_perm = permutation(test.size, derive_seed({spec.readout.seed, kReadout, 20}));
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
                               wants(spec, "ablation"));
    for (const auto& group : groups) {
      // mbar[metric][t][m][k]
      std::map<std::string, std::vector<std::vector<std::vector<double>>>> mbar;
      auto record = [&](const std::string& metric, int64_t t, int64_t m, int64_t k, double value, double base) {
        const double norm = normalise(value, base);
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
                record("ablation", t, m, k, chance + (1 - chance) * loss, chance);
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
            for (int64_t k = 0; k < S; ++k)
              record("correlation", t, m, k, mean_pearson(own, group.select(kept_states[size_t(k)][size_t(net)][t][m])),
                     base);
          }
      }
      if (M == S)
        for (const auto& metric : spec.metrics) {
          if (!mbar.count(metric)) continue;
          for (int64_t t = 0; t < T; ++t) {
            const Specialization s = specialization(mbar[metric][size_t(t)]);
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
