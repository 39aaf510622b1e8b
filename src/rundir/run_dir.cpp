#include "rundir/run_dir.hpp"

#include <fstream>
#include <sstream>

#include "catalog/measures.hpp"
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

// Run directories written before the group of all test tuples was named "all" left its field
// empty; both read the same.
Table with_all_tuples_named(Table t) {
  const size_t c = t.column("starts");
  for (auto& row : t.rows)
    if (row[c].empty()) row[c] = kAllTuples;
  return t;
}

}  // namespace

std::string RunDir::read_checked(const std::string& file, const std::string& record) const {
  std::string bytes = read_file(dir_ / file);
  if (!std::filesystem::exists(dir_ / record)) return bytes;
  const auto j = read_json(dir_ / record);
  if (j.contains("sha256") && j["sha256"].contains(file) && j["sha256"][file].get<std::string>() != sha256_hex(bytes))
    throw Error((dir_ / file).string() + ": damaged: its SHA-256 differs from the one " + record +
                " recorded when it was written (retrain or remeasure the run)");
  return bytes;
}

Table RunDir::read_checked_csv(const std::string& file, const std::string& record) const {
  return parse_csv(read_checked(file, record), dir_ / file);
}

void RunDir::write_config(const Config& config) const { write_file_atomic(dir_ / "config.toml", config.to_toml()); }

void RunDir::write_summary(const nlohmann::json& summary_in) const {
  // The fingerprints of the files written before it, as they are on the disk.
  nlohmann::json summary = summary_in;
  for (const char* f : {"config.toml", "axes.json", "epochs.csv", "model.pt"})
    if (std::filesystem::exists(dir_ / f)) summary["sha256"][f] = sha256_hex(read_file(dir_ / f));
  write_file_atomic(dir_ / "summary.json", summary.dump(2) + "\n");
}

void RunDir::write_file(const std::string& file, const std::string& bytes) const {
  write_file_atomic(dir_ / file, bytes);
}

void RunDir::write_axes(const std::vector<std::pair<std::string, std::string>>& axes) const {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [key, value] : axes) j[key] = value;
  write_file_atomic(dir_ / "axes.json", j.dump(2) + "\n");
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
  return with_all_tuples_named(read_checked_csv("metrics.csv", "metrics.json"));
}

Table RunDir::epochs() const { return read_checked_csv("epochs.csv", "summary.json"); }

Table RunDir::specialization() const {
  return with_all_tuples_named(read_checked_csv("specialization.csv", "metrics.json"));
}

}  // namespace modspec
