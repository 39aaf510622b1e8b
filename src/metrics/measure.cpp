#include "metrics/measure.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>

#include "catalog/measures.hpp"
#include "metrics/measure_context.hpp"
#include "metrics/measure_registry.hpp"
#include "metrics/specialization.hpp"
#include "util/error.hpp"
#include "util/seed.hpp"

namespace modspec {

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

// mbar[t][m][k] of one measure
using Grid = std::vector<std::vector<std::vector<double>>>;

// F and F^m at one step, in the formula the spec asks for.
Specialization specialize(const Grid& g, int64_t t, const MeasureImpl& impl, const MetricSpec& spec) {
  Specialization s = spec.ratio_formula ? ratio_specialization(g[size_t(t)]) : specialization(g[size_t(t)]);
  if (impl.inverted(spec))
    for (auto& f : s.module) f = -f;
  return s;
}

// Every measure of `spec` over the context's networks: each prepared for the whole stack, then
// each network's values and specialization. t0: when the measurement began (its shared time is
// split among the networks).
std::vector<NetworkMetrics> measure_all(MeasureContext& ctx, const MetricSpec& spec,
                                        const std::function<void(const std::string&)>& stage,
                                        std::chrono::steady_clock::time_point t0) {
  std::vector<std::unique_ptr<MeasureImpl>> impls;
  for (const auto& name : spec.metrics) impls.push_back(make_measure(name));
  for (size_t i = 0; i < impls.size(); ++i) {
    stage(spec.metrics[i]);
    impls[i]->prepare(ctx);
  }
  stage("values and specialization per network");
  const int64_t K = ctx.K, M = ctx.M, T = ctx.T, S = ctx.S, L = int64_t(ctx.sets.size());
  const double shared_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::vector<NetworkMetrics> results(static_cast<size_t>(K));
  for (int64_t net = 0; net < K; ++net) {
    const auto t1 = std::chrono::steady_clock::now();
    auto& out = results[size_t(net)];
    for (const auto& group : ctx.groups)
      for (size_t i = 0; i < impls.size(); ++i) {
        const std::string& metric = spec.metrics[i];
        MeasureImpl& impl = *impls[i];
        // mbar per label set; rows and informative flags from the tuples' own labels only.
        const Grid empty(static_cast<size_t>(T), std::vector<std::vector<double>>(static_cast<size_t>(M),
                                                                                std::vector<double>(static_cast<size_t>(S))));
        std::vector<Grid> mbar(static_cast<size_t>(L), empty);
        bool recorded = false, informative = true;
        for (int64_t c = 0; c < L; ++c)
          impl.record(ctx, net, group, c, [&](int64_t t, int64_t m, int64_t k, double value, double base,
                                               double accuracy, bool useful) {
            const double norm =
                spec.ratio_formula ? normalise_ratio(value, base, impl.accuracy()) : normalise(value, base);
            mbar[size_t(c)][size_t(t)][size_t(m)][size_t(k)] = norm;
            if (c > 0) return;
            out.rows.push_back({metric, t, m, k, value, base, norm, group.starts, accuracy, useful});
            recorded = true;
            informative = informative && useful;
          });
        if (!recorded || M != S) continue;
        const int64_t first = find_measure(metric).last_step_only ? T - 1 : 0;
        for (int64_t t = first; t < T; ++t) {
          const Specialization s = specialize(mbar[0], t, impl, spec);
          SpecializationRow row{metric, t, s.network, s.module, group.starts, informative};
          if (L > 1) {
            std::vector<double> nulls;
            for (int64_t c = 1; c < L; ++c) nulls.push_back(specialize(mbar[size_t(c)], t, impl, spec).network);
            double mean = 0, var = 0;
            for (double f : nulls) mean += f / double(nulls.size());
            for (double f : nulls) var += (f - mean) * (f - mean);
            row.null_mean = mean;
            row.null_sd = nulls.size() > 1 ? std::sqrt(var / double(nulls.size() - 1)) : NAN;
          }
          out.specialization.push_back(row);
        }
      }
    out.seconds = shared_seconds / double(K) + std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  }
  return results;
}

}  // namespace

std::vector<NetworkMetrics> measure(ModularRNNImpl& stack, const Environment& env, const MetricSpec& spec,
                                    const MeasureStageCallback& on_stage) {
  const int64_t K = stack.stack_size();
  if (K > kMeasureWidth) {
    std::vector<NetworkMetrics> results;
    for (int64_t first = 0; first < K; first += kMeasureWidth) {
      const int64_t last = std::min(K, first + kMeasureWidth);
      std::vector<int64_t> which;
      for (int64_t k = first; k < last; ++k) which.push_back(k);
      const std::string part =
          "networks " + std::to_string(first + 1) + "-" + std::to_string(last) + " of " + std::to_string(K) + ": ";
      auto chunk = measure(*sub_stack(stack, which), env, spec, [&](const std::string& what) {
        if (on_stage) on_stage(part + what);
      });
      for (auto& r : chunk) results.push_back(std::move(r));
    }
    return results;
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto stage = [&](const std::string& what) {
    if (on_stage) on_stage(what);
  };
  stage("caching states");
  MeasureContext ctx(stack, env, spec);
  std::vector<NetworkMetrics> results = measure_all(ctx, spec, stage, t0);
  if (spec.untrained_baseline) {
    // The same networks as initialised: the stack's specs draw the same starting weights again.
    ModularRNN untrained(stack.arch(), stack.specs(), stack.parameters()[0].device());
    MetricSpec plain = spec;
    plain.null_repeats = 0;
    plain.untrained_baseline = false;
    const auto before =
        measure(*untrained, env, plain, [&](const std::string& what) { stage("untrained baseline: " + what); });
    for (int64_t net = 0; net < ctx.K; ++net) {
      std::map<std::tuple<std::string, std::string, int64_t>, double> f;
      for (const auto& r : before[size_t(net)].specialization) f[{r.metric, r.starts, r.step}] = r.network;
      for (auto& r : results[size_t(net)].specialization) r.untrained = f.at({r.metric, r.starts, r.step});
      results[size_t(net)].seconds += before[size_t(net)].seconds;
    }
  }
  return results;
}

NetworkMetrics measure_states(const GivenStates& given, const MetricSpec& spec) {
  if (spec.untrained_baseline) throw Error("metrics.untrained_baseline needs the network, not its states");
  const auto t0 = std::chrono::steady_clock::now();
  MeasureContext ctx(given, spec);
  return measure_all(ctx, spec, [](const std::string&) {}, t0)[0];
}

}  // namespace modspec
