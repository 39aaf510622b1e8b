#include "rundir/network_files.hpp"

#include <sstream>

#include "env/env_spec.hpp"
#include "model/modularity.hpp"
#include "util/error.hpp"
#include "util/sha256.hpp"

namespace modspec {

void write_model(const RunDir& dir, const ModularRNNImpl& stack, int64_t k, const NetworkState& weights) {
  torch::serialize::OutputArchive archive;
  for (const auto& [name, t] : weights) archive.write(name, t);
  const auto& edges = stack.edges(k);
  auto e = torch::zeros({int64_t(edges.size()), 4}, torch::kInt64);
  for (size_t i = 0; i < edges.size(); ++i) {
    e[int64_t(i)][0] = edges[i].src_module;
    e[int64_t(i)][1] = edges[i].src_unit;
    e[int64_t(i)][2] = edges[i].dst_module;
    e[int64_t(i)][3] = edges[i].dst_unit;
  }
  archive.write("edges", e);
  // Serialized in memory, then written as any other file: checked, flushed, renamed.
  std::string bytes;
  archive.save_to([&](const void* data, size_t size) {
    bytes.append(static_cast<const char*>(data), size);
    return size;
  });
  dir.write_file("model.pt", bytes);
}

void write_epochs(const RunDir& dir, const Architecture& arch, const TaskShape& task,
                  const std::vector<EpochRecord>& history) {
  std::ostringstream csv;
  csv << "epoch,lr,train_loss,test_loss";
  for (const auto& t : task.target_names) csv << ",test_acc_" << t;
  csv << ",test_acc_mean";
  if (arch.module_readouts())
    for (const auto& t : task.target_names)
      for (int64_t m = 0; m < arch.n_modules; ++m) csv << ",decided_" << t << "_m" << m;
  csv << ",seconds\n";
  for (const auto& r : history) {
    csv << r.epoch << "," << csv_number(r.lr) << "," << csv_number(r.train_loss) << "," << csv_number(r.test.loss);
    for (double a : r.test.accuracy) csv << "," << csv_number(a);
    csv << "," << csv_number(r.test.mean_accuracy());
    for (const auto& shares : r.test.decision_share)
      for (double s : shares) csv << "," << csv_number(s);
    csv << "," << csv_number(r.seconds) << "\n";
  }
  dir.write_file("epochs.csv", csv.str());
}

void write_measures(const RunDir& dir, const NetworkMetrics& m, const MetricSpec& spec) {
  std::ostringstream csv;
  csv << "metric,starts,step,module,digit,value,base,normalised,decoder_accuracy,informative\n";
  for (const auto& r : m.rows)
    csv << r.metric << "," << r.starts << "," << r.step << "," << r.module << "," << r.digit << "," << csv_number(r.value)
        << "," << csv_number(r.base) << "," << csv_number(r.normalised) << ","
        << csv_number_or_empty(r.decoder_accuracy, r.metric != "correlation") << "," << r.informative << "\n";
  dir.write_file("metrics.csv", csv.str());
  nlohmann::json j;
  j["sha256"]["metrics.csv"] = sha256_hex(csv.str());

  std::ostringstream spec_csv;
  spec_csv << "metric,starts,step,module,module_specialization,network_specialization,informative,null_mean,null_sd,z,"
              "untrained\n";
  for (const auto& s : m.specialization) {
    const bool nulls = spec.null_repeats > 0;
    const std::string null_part = csv_number_or_empty(s.null_mean, nulls) + "," +
                                  csv_number_or_empty(s.null_sd, nulls && spec.null_repeats > 1) + "," +
                                  csv_number_or_empty((s.network - s.null_mean) / s.null_sd, nulls && spec.null_repeats > 1);
    for (size_t mod = 0; mod < s.module.size(); ++mod)
      spec_csv << s.metric << "," << s.starts << "," << s.step << "," << mod << "," << csv_number(s.module[mod]) << ","
               << csv_number(s.network) << "," << s.informative << "," << null_part << ","
               << csv_number_or_empty(s.untrained, spec.untrained_baseline) << "\n";
    if (s.starts != kAllTuples) continue;
    if (!j["F"].contains(s.metric)) j["first_step"][s.metric] = s.step;
    j["F"][s.metric].push_back(s.network);
    j["F_module"][s.metric].push_back(s.module);
  }
  dir.write_file("specialization.csv", spec_csv.str());
  j["sha256"]["specialization.csv"] = sha256_hex(spec_csv.str());
  j["metrics"] = spec.metrics;
  j["readout"] = {{"hidden", spec.readout.hidden}, {"epochs", spec.readout.epochs},
                  {"stop_accuracy", spec.readout.stop_accuracy}, {"lr", spec.readout.lr},
                  {"batch", spec.readout.batch}, {"seed", spec.readout.seed}};
  j["null_repeats"] = spec.null_repeats;
  j["seconds"] = m.seconds;
  j["note"] = "F[metric][i] is the network specialization at step first_step[metric] + i (masks: the last step only); "
              "F_module[metric][i][m] is F^m";
  dir.write_file("metrics.json", j.dump(2) + "\n");
}

nlohmann::json run_summary(const ModularRNNImpl& stack, int64_t k, const NetworkOutcome& outcome, const TaskShape& task,
                           double wall_seconds, double pairs_per_second) {
  const auto& arch = stack.arch();
  const auto& spec = stack.specs()[size_t(k)];
  std::vector<int64_t> group;
  for (int64_t m = 0; m < arch.n_modules; ++m)
    for (int64_t i = 0; i < spec.n; ++i) group.push_back(m);
  nlohmann::json j;
  j["status"] = status_name(outcome.status);
  j["epochs_run"] = outcome.history.size();
  j["n"] = spec.n;
  j["p"] = spec.fraction();
  j["p_s"] = spec.connections_per_direction();
  j["seed"] = spec.seed;
  j["q_analytic"] = analytic_modularity(spec.fraction(), arch.n_modules);
  j["q_measured"] = directed_modularity(recurrent_adjacency(arch, spec, stack.edges(k)), group);
  j["parameters"] = stack.parameter_count(k);
  j["wall_seconds"] = wall_seconds;
  j["pairs_per_second"] = pairs_per_second;
  if (!outcome.history.empty()) {
    const auto& last = outcome.history.back();
    j["test_loss"] = last.test.loss;
    j["test_accuracy_mean"] = last.test.mean_accuracy();
    for (size_t t = 0; t < task.target_names.size(); ++t) {
      j["test_accuracy"][task.target_names[t]] = last.test.accuracy[t];
      if (!last.test.decision_share[t].empty()) j["decision_share"][task.target_names[t]] = last.test.decision_share[t];
    }
  }
  return j;
}

LoadedRun load_run(const RunDir& run, torch::Device device) {
  const auto& dir = run.path();
  if (!std::filesystem::exists(dir / "model.pt"))
    throw Error(dir.string() + ": not a run directory (no model.pt; train one with `modspec train`)");
  Config config = run.config();
  const std::string bytes = run.read_checked("model.pt", "summary.json");
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(bytes.data(), bytes.size());
  } catch (const c10::Error&) {
    throw Error((dir / "model.pt").string() + ": unreadable checkpoint");
  }
  NetworkState weights;
  for (const char* name : {"w_in", "b_in", "w_rec", "w_inter", "w_bn", "b_bn", "w_out", "b_out"}) {
    torch::Tensor t;
    if (archive.try_read(name, t)) weights[name] = t;
  }
  torch::Tensor edges;
  if (!archive.try_read("edges", edges) || !weights.count("w_in"))
    throw Error((dir / "model.pt").string() + ": checkpoint lacks its weights or edges");
  const int64_t n_stimuli = int64_t(config.strings("env.datasets").size());
  const TaskShape task = EnvSpec::from(config).task_shape();
  const int64_t in = weights["w_in"].size(-1);
  const int64_t pixels = config.string("model.input") == "shared" ? in / n_stimuli : in;
  Architecture arch = Architecture::from(config, n_stimuli, pixels, task.target_classes);
  ModularRNN net(arch, std::vector<NetworkSpec>{NetworkSpec::from(config)});
  const auto& drawn = net->edges(0);
  bool same = edges.size(0) == int64_t(drawn.size());
  for (size_t i = 0; same && i < drawn.size(); ++i)
    same = edges[int64_t(i)][0].item<int64_t>() == drawn[i].src_module &&
           edges[int64_t(i)][1].item<int64_t>() == drawn[i].src_unit &&
           edges[int64_t(i)][2].item<int64_t>() == drawn[i].dst_module &&
           edges[int64_t(i)][3].item<int64_t>() == drawn[i].dst_unit;
  if (!same) throw Error((dir / "model.pt").string() + ": its inter-module edges differ from those of its config.toml");
  net->load_network_state(0, weights);
  net->to(device);
  return {std::move(config), std::move(net)};
}

}  // namespace modspec
