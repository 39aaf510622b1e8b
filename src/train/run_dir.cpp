#include "train/run_dir.hpp"

#include <fstream>
#include <iomanip>
#include <sstream>

#include "env/tasks.hpp"
#include "model/modularity.hpp"
#include "util/atomic_file.hpp"
#include "util/error.hpp"

namespace modspec {

void write_epochs_csv(const std::filesystem::path& file, const Architecture& arch, const TaskShape& task,
                      const std::vector<EpochRecord>& history) {
  std::ostringstream csv;
  csv << "epoch,lr,train_loss,test_loss";
  for (const auto& t : task.target_names) csv << ",test_acc_" << t;
  csv << ",test_acc_mean";
  if (!arch.shared_readout())
    for (const auto& t : task.target_names)
      for (int64_t m = 0; m < arch.n_modules; ++m) csv << ",decided_" << t << "_m" << m;
  csv << ",seconds\n" << std::setprecision(6);
  for (const auto& r : history) {
    csv << r.epoch << "," << r.lr << "," << r.train_loss << "," << r.test.loss;
    for (double a : r.test.accuracy) csv << "," << a;
    csv << "," << r.test.mean_accuracy();
    for (const auto& shares : r.test.decision_share)
      for (double s : shares) csv << "," << s;
    csv << "," << r.seconds << "\n";
  }
  write_file_atomic(file, csv.str());
}

void save_network(const std::filesystem::path& file, const ModularRNNImpl& stack, int64_t k, const NetworkState& weights) {
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
  write_atomic_with(file, [&](const std::filesystem::path& tmp) { archive.save_to(tmp.string()); });
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

void write_run(const std::filesystem::path& dir, const Config& config, const ModularRNNImpl& stack, int64_t k,
               const NetworkOutcome& outcome, const TaskShape& task, double wall_seconds, double pairs_per_second) {
  std::filesystem::create_directories(dir);
  write_file_atomic(dir / "config.toml", config.to_toml());
  save_network(dir / "model.pt", stack, k, outcome.weights);
  write_epochs_csv(dir / "epochs.csv", stack.arch(), task, outcome.history);
  write_file_atomic(dir / "summary.json",
                    run_summary(stack, k, outcome, task, wall_seconds, pairs_per_second).dump(2) + "\n");
}

LoadedRun load_run(const std::filesystem::path& dir, torch::Device device) {
  if (!std::filesystem::exists(dir / "model.pt"))
    throw Error(dir.string() + ": not a run directory (no model.pt; train one with `modspec train`)");
  Config config = Config::from_file(dir / "config.toml");
  torch::serialize::InputArchive archive;
  try {
    archive.load_from((dir / "model.pt").string());
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
