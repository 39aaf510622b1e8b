#include "config/config.hpp"

#include <charconv>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <toml++/toml.h>

#include "config/schema.hpp"
#include "config/toml_file.hpp"
#include "util/error.hpp"

namespace modspec {
namespace {

// Converts a TOML node to the kind the schema asks for, or throws naming the key.
Value convert(const KeySpec& spec, const toml::node& node, const std::string& where) {
  auto wrong = [&]() {
    return Error(where + "config key " + spec.key + ": expected " + kind_name(spec.kind));
  };
  switch (spec.kind) {
    case Kind::integer:
      // The kind is checked before the value is read: toml++ casts a float to int64 unchecked, which
      // is undefined for a float out of int64's range (a fuzzer found `n = 1e37`).
      if (node.is_integer()) return *node.value<int64_t>();
      throw wrong();
    case Kind::real:
      if (const auto number = number_of(node)) return *number;
      throw wrong();
    case Kind::boolean:
      if (node.is_boolean()) return *node.value<bool>();
      throw wrong();
    case Kind::string:
      if (node.is_string()) return *node.value<std::string>();
      throw wrong();
    case Kind::integers: {
      const auto* arr = node.as_array();
      if (!arr) throw wrong();
      std::vector<int64_t> out;
      for (const auto& e : *arr) {
        if (!e.is_integer()) throw wrong();
        out.push_back(*e.value<int64_t>());
      }
      return out;
    }
    case Kind::strings: {
      const auto* arr = node.as_array();
      if (!arr) throw wrong();
      std::vector<std::string> out;
      for (const auto& e : *arr) {
        if (!e.is_string()) throw wrong();
        out.push_back(*e.value<std::string>());
      }
      return out;
    }
  }
  throw wrong();
}

void absorb(Config& config, const toml::table& table, const std::string& prefix, const std::string& where) {
  for (const auto& [k, node] : table) {
    const std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const auto* sub = node.as_table()) {
      absorb(config, *sub, key, where);
      continue;
    }
    const KeySpec* spec = find_key(key);
    if (!spec) throw Error(where + "unknown config key '" + key + "' (`modspec config` lists every key)");
    config.set_value(key, convert(*spec, node, where));
  }
}

std::string toml_value(const Value& v) {
  std::ostringstream s;
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, int64_t>) s << x;
        else if constexpr (std::is_same_v<T, double>) {
          // The shortest text that reads back as the same double: 0.1, not 0.10000000000000001.
          char buf[32];
          auto r = std::to_chars(buf, buf + sizeof buf, x);
          std::string t(buf, r.ptr);
          if (t.find_first_of(".eEn") == std::string::npos) t += ".0";
          s << t;
        } else if constexpr (std::is_same_v<T, bool>) s << (x ? "true" : "false");
        else if constexpr (std::is_same_v<T, std::string>) s << toml::value<std::string>(x);
        else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
          s << "[";
          for (size_t i = 0; i < x.size(); ++i) s << (i ? ", " : "") << x[i];
          s << "]";
        } else {
          s << "[";
          for (size_t i = 0; i < x.size(); ++i) s << (i ? ", " : "") << toml::value<std::string>(x[i]);
          s << "]";
        }
      },
      v);
  return s.str();
}

}  // namespace

Config Config::defaults() {
  Config c;
  for (const auto& spec : schema()) c.values_[spec.key] = spec.default_value;
  return c;
}

Config Config::resolve(const std::string& file, const std::vector<std::string>& overrides, const std::string& data_dir) {
  Config config = file.empty() ? defaults() : from_file(file);
  for (const auto& o : overrides) config.set(o);
  if (!data_dir.empty()) config.set_value("data.dir", data_dir);
  return config;
}

Config Config::from_toml_text(const std::string& text, const std::string& source_name) {
  Config c = defaults();
  absorb(c, parse_toml(text, source_name), "", source_name + ": ");
  return c;
}

Config Config::from_file(const std::filesystem::path& file) {
  return from_toml_text(read_text_file(file, "config file"), file.string());
}

void Config::set(const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw Error("--set '" + assignment + "': expected key=value, e.g. model.n=25");
  const std::string key = assignment.substr(0, eq);
  const std::string text = assignment.substr(eq + 1);
  const KeySpec* spec = find_key(key);
  if (!spec) throw Error("--set: unknown config key '" + key + "' (`modspec config` lists every key)");
  toml::table doc;
  try {
    doc = toml::parse("v = " + text);
  } catch (const toml::parse_error&) {
    // A bare word is what a user types for a string: --set env.task=sum.
    if (spec->kind == Kind::string) {
      set_value(key, text);
      return;
    }
    throw Error("--set " + key + ": cannot read '" + text + "' as " + kind_name(spec->kind));
  }
  // A path or name that happens to read as a number (data.dir=2024) is still a string.
  if (spec->kind == Kind::string && !doc.get("v")->is_string()) {
    set_value(key, text);
    return;
  }
  set_value(key, convert(*spec, *doc.get("v"), "--set: "));
}

void Config::set_value(const std::string& key, Value value) {
  const KeySpec* spec = find_key(key);
  if (!spec) throw Error("unknown config key '" + key + "'");
  if (spec->kind == Kind::real && std::holds_alternative<int64_t>(value)) value = double(std::get<int64_t>(value));
  validate(*spec, value);
  values_[key] = std::move(value);
}

const Value& Config::at(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) throw Error("internal: config key '" + key + "' is not in the schema");
  return it->second;
}

int64_t Config::integer(const std::string& key) const { return std::get<int64_t>(at(key)); }
double Config::real(const std::string& key) const { return std::get<double>(at(key)); }
bool Config::boolean(const std::string& key) const { return std::get<bool>(at(key)); }
const std::string& Config::string(const std::string& key) const { return std::get<std::string>(at(key)); }
const std::vector<int64_t>& Config::integers(const std::string& key) const {
  return std::get<std::vector<int64_t>>(at(key));
}
const std::vector<std::string>& Config::strings(const std::string& key) const {
  return std::get<std::vector<std::string>>(at(key));
}

std::string Config::to_toml(bool with_docs) const {
  std::ostringstream out;
  std::string section;
  for (const auto& spec : schema()) {
    const auto dot = spec.key.find('.');
    const std::string table = spec.key.substr(0, dot);
    if (table != section) {
      out << (section.empty() ? "" : "\n") << "[" << table << "]\n";
      section = table;
    }
    if (with_docs) out << "# " << spec.doc << "\n";
    out << spec.key.substr(dot + 1) << " = " << toml_value(at(spec.key)) << "\n";
  }
  return out.str();
}

std::string Config::text(const std::string& key) const { return toml_value(at(key)); }

std::string Config::identity() const {
  std::string out;
  for (const auto& spec : schema())
    if (changes_results(spec.key) && at(spec.key) != spec.default_value)
      out += spec.key + " = " + toml_value(at(spec.key)) + "\n";
  return out;
}

}  // namespace modspec
