#include "rundir/run_dir.hpp"

#include <fstream>
#include <sstream>

#include "env/env_spec.hpp"
#include "model/modularity.hpp"
#include "util/atomic_file.hpp"
#include "util/error.hpp"
#include "util/read_file.hpp"
#include "util/sha256.hpp"

namespace modspec {
namespace {

nlohmann::json read_json(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw Error(file.string() + ": cannot open");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception&) {
    throw Error(file.string() + ": not valid JSON");
  }
}

// The bytes of `file`, checked against the SHA-256 that `record` (summary.json or metrics.json
// of the same run) lists for it under "sha256"; runs written before the fingerprints existed
// have none and are read unchecked.
std::string read_checked(const std::filesystem::path& file, const std::filesystem::path& record) {
  std::string bytes = read_file(file);
  if (!std::filesystem::exists(record)) return bytes;
  const auto j = read_json(record);
  const auto name = file.filename().string();
  if (j.contains("sha256") && j["sha256"].contains(name) && j["sha256"][name].get<std::string>() != sha256_hex(bytes))
    throw Error(file.string() + ": damaged: its SHA-256 differs from the one " + record.filename().string() +
                " recorded when it was written (retrain or remeasure the run)");
  return bytes;
}

Table read_checked_csv(const std::filesystem::path& file, const std::filesystem::path& record) {
  return parse_csv(read_checked(file, record), file);
}

// Run directories written before the group of all test tuples was named "all" left its field
// empty; both read the same.
Table with_all_tuples_named(Table t) {
  const size_t c = t.column("starts");
  for (auto& row : t.rows)
    if (row[c].empty()) row[c] = kAllTuples;
  return t;
}

}  // namespace

void RunDir::write_config(const Config& config) const { write_file_atomic(dir_ / "config.toml", config.to_toml()); }

void RunDir::write_model(const ModularRNNImpl& stack, int64_t k, const NetworkState& weights) const {
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
  write_file_atomic(dir_ / "model.pt", bytes);
}

void RunDir::write_epochs(const Architecture& arch, const TaskShape& task, const std::vector<EpochRecord>& history) const {
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
  write_file_atomic(dir_ / "epochs.csv", csv.str());
}

void RunDir::write_summary(const nlohmann::json& summary_in) const {
  // The fingerprints of the files written before it, as they are on the disk.
  nlohmann::json summary = summary_in;
  for (const char* f : {"config.toml", "axes.json", "epochs.csv", "model.pt"})
    if (std::filesystem::exists(dir_ / f)) summary["sha256"][f] = sha256_hex(read_file(dir_ / f));
  write_file_atomic(dir_ / "summary.json", summary.dump(2) + "\n");
}

void RunDir::write_axes(const std::vector<std::pair<std::string, std::string>>& axes) const {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [key, value] : axes) j[key] = value;
  write_file_atomic(dir_ / "axes.json", j.dump(2) + "\n");
}

void RunDir::write_measures(const NetworkMetrics& m, const MetricSpec& spec) const {
  std::ostringstream csv;
  csv << "metric,starts,step,module,digit,value,base,normalised,decoder_accuracy,informative\n";
  for (const auto& r : m.rows)
    csv << r.metric << "," << r.starts << "," << r.step << "," << r.module << "," << r.digit << "," << csv_number(r.value)
        << "," << csv_number(r.base) << "," << csv_number(r.normalised) << ","
        << csv_number_or_empty(r.decoder_accuracy, r.metric != "correlation") << "," << r.informative << "\n";
  write_file_atomic(dir_ / "metrics.csv", csv.str());
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
  write_file_atomic(dir_ / "specialization.csv", spec_csv.str());
  j["sha256"]["specialization.csv"] = sha256_hex(spec_csv.str());
  j["metrics"] = spec.metrics;
  j["readout"] = {{"hidden", spec.readout.hidden}, {"epochs", spec.readout.epochs},
                  {"stop_accuracy", spec.readout.stop_accuracy}, {"lr", spec.readout.lr},
                  {"batch", spec.readout.batch}, {"seed", spec.readout.seed}};
  j["null_repeats"] = spec.null_repeats;
  j["seconds"] = m.seconds;
  j["note"] = "F[metric][i] is the network specialization at step first_step[metric] + i (masks: the last step only); "
              "F_module[metric][i][m] is F^m";
  write_file_atomic(dir_ / "metrics.json", j.dump(2) + "\n");
}

void RunDir::start_fresh() const {
  // Before any training: a directory that cannot take the results fails now, not after an epoch.
  require_writable_directory(dir_);
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec))
    if (entry.path().filename().string().find(".tmp.") != std::string::npos) std::filesystem::remove(entry.path(), ec);
  // The run's last files first: an interruption in between leaves a run that counts as unfinished.
  for (const char* f : {"metrics.json", "summary.json", "metrics.csv", "specialization.csv", "epochs.csv", "model.pt",
                        "axes.json", "config.toml"})
    if (std::filesystem::exists(dir_ / f) && !std::filesystem::remove(dir_ / f, ec))
      throw Error((dir_ / f).string() + ": cannot remove an earlier run's file (" + ec.message() + ")");
}

bool RunDir::has_summary() const { return std::filesystem::exists(dir_ / "summary.json"); }

bool RunDir::finished(bool measured) const {
  return std::filesystem::exists(dir_ / (measured ? "metrics.json" : "summary.json"));
}

Config RunDir::config() const { return Config::from_file(dir_ / "config.toml"); }

nlohmann::json RunDir::summary() const { return read_json(dir_ / "summary.json"); }

std::vector<std::pair<std::string, std::string>> RunDir::axes() const {
  std::vector<std::pair<std::string, std::string>> out;
  if (!std::filesystem::exists(dir_ / "axes.json")) return out;
  const auto j = read_json(dir_ / "axes.json");
  for (auto it = j.begin(); it != j.end(); ++it) out.emplace_back(it.key(), it.value().get<std::string>());
  return out;
}

bool RunDir::has_measures() const { return std::filesystem::exists(dir_ / "metrics.json"); }

Table RunDir::measures() const {
  return with_all_tuples_named(read_checked_csv(dir_ / "metrics.csv", dir_ / "metrics.json"));
}

Table RunDir::epochs() const { return read_checked_csv(dir_ / "epochs.csv", dir_ / "summary.json"); }

Table RunDir::specialization() const {
  return with_all_tuples_named(read_checked_csv(dir_ / "specialization.csv", dir_ / "metrics.json"));
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

LoadedRun RunDir::load(torch::Device device) const {
  const auto& dir = dir_;
  if (!std::filesystem::exists(dir / "model.pt"))
    throw Error(dir.string() + ": not a run directory (no model.pt; train one with `modspec train`)");
  Config config = this->config();
  const std::string bytes = read_checked(dir / "model.pt", dir / "summary.json");
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
