// A resolved modspec configuration: every key of the schema (config/schema.cpp) with a value,
// read from a TOML file and `--set key=value` overrides. Unknown keys, wrong types and values
// out of range are Errors naming the key and what is allowed.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace modspec {

using Value = std::variant<int64_t, double, bool, std::string, std::vector<int64_t>, std::vector<std::string>>;

class Config {
 public:
  static Config defaults();
  static Config from_file(const std::filesystem::path& file);
  static Config from_toml_text(const std::string& text, const std::string& source_name);
  // What a command or a Python call configures: `file` (the defaults when empty), then each
  // "key=value" of `overrides`, then data.dir = `data_dir` when not empty.
  static Config resolve(const std::string& file, const std::vector<std::string>& overrides, const std::string& data_dir);

  // "model.n=25", "env.datasets=[\"mnist\",\"fashion\"]": the value is parsed as TOML.
  void set(const std::string& assignment);
  void set_value(const std::string& key, Value value);

  int64_t integer(const std::string& key) const;
  double real(const std::string& key) const;
  bool boolean(const std::string& key) const;
  const std::string& string(const std::string& key) const;
  const std::vector<int64_t>& integers(const std::string& key) const;
  const std::vector<std::string>& strings(const std::string& key) const;

  // Every key, grouped in tables, with each key's documentation as a comment when `with_docs`.
  std::string to_toml(bool with_docs = false) const;

  // One key's value as TOML text: 0.1, "mnist", ["T1", "T2"].
  std::string text(const std::string& key) const;

  // What names a run: one "key = value" line, in schema order, for every key that changes results
  // (changes_results) and differs from its default. A key added to the schema later, at its default,
  // leaves every identity as it was; data paths and the device are not in it.
  std::string identity() const;

 private:
  const Value& at(const std::string& key) const;
  std::map<std::string, Value> values_;
};

}  // namespace modspec
