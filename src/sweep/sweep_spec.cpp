#include "sweep/sweep_spec.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "config/schema.hpp"
#include "config/toml_file.hpp"
#include "util/error.hpp"

namespace modspec {
namespace {

struct Axis {
  std::string key;
  std::vector<std::string> values;  // TOML text of each value (or a preset name)
  uint32_t line = 0;                // where the axis is written
};

std::string node_text(const toml::node& node) {
  std::ostringstream s;
  node.visit([&](const auto& v) { s << v; });
  return s.str();
}

std::vector<std::string> log_values(const std::string& key, const toml::array& spec, const std::string& where) {
  if (spec.size() != 3 || !spec[0].is_number() || !spec[1].is_number() || !spec[2].is_integer())
    throw Error(where + "axis " + key + ": log = [from, to, count] with from, to > 0 and count >= 2");
  // Both are numbers (checked above); an integer end past 2^53 is one too (a fuzzer found
  // `log = [1, 11111111111111100, 23]`, for which toml++ gives no double).
  const double from = *number_of(spec[0]), to = *number_of(spec[1]);
  const int64_t count = spec[2].value<int64_t>().value();
  if (from <= 0 || to <= 0 || count < 2) throw Error(where + "axis " + key + ": log needs from, to > 0 and count >= 2");
  if (count > kMaxSweepRuns)
    throw Error(where + "axis " + key + ": log count " + std::to_string(count) + " is more than a sweep may hold (" +
                std::to_string(kMaxSweepRuns) + " runs)");
  const KeySpec* ks = find_key(key);
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (int64_t i = 0; i < count; ++i) {
    const double v = from * std::pow(to / from, double(i) / double(count - 1));
    std::ostringstream s;
    if (ks && ks->kind == Kind::integer) s << std::llround(v);
    else s << std::setprecision(6) << v;
    if (seen.insert(s.str()).second) out.push_back(s.str());
  }
  return out;
}

// doc[key] when it is there, else `fallback`: a value of another type is an error naming the key
// (value_or would quietly fall back, or turn a float into an integer unchecked).
template <class T>
T top_level(const toml::table& doc, const char* key, T fallback, const std::string& where, const char* expected) {
  const toml::node* node = doc.get(key);
  if (!node) return fallback;
  if (!node->is<T>()) throw Error(where + key + ": expected " + expected);
  return *node->value<T>();
}

std::vector<Axis> read_axes(const toml::table& table, const std::string& prefix, const std::string& where) {
  std::vector<Axis> axes;
  for (const auto& [k, node] : table) {
    const std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    Axis axis{key, {}, node.source().begin.line};
    if (const auto* arr = node.as_array()) {
      for (const auto& v : *arr) axis.values.push_back(v.is_string() ? *v.value<std::string>() : node_text(v));
    } else if (const auto* t = node.as_table()) {
      if (const auto* log = t->get_as<toml::array>("log")) {
        axis.values = log_values(key, *log, where);
      } else {
        for (auto& sub : read_axes(*t, key, where)) axes.push_back(std::move(sub));
        continue;
      }
    } else {
      throw Error(where + "axis " + key + ": expected a list of values or { log = [from, to, count] }");
    }
    if (axis.values.empty()) throw Error(where + "axis " + key + ": no values");
    if (key != "architecture" && !find_key(key))
      throw Error(where + "axis '" + key + "' is not a config key (`modspec config` lists them) nor 'architecture'");
    axes.push_back(std::move(axis));
  }
  return axes;
}

void apply(Config& config, const std::string& key, const std::string& value, const std::string& where) {
  try {
    if (key == "architecture") apply_architecture(config, value);
    else config.set(key + "=" + value);
  } catch (const Error& e) {
    throw Error(where + e.what());
  }
}

}  // namespace

const std::vector<std::string>& architecture_names() {
  static const std::vector<std::string> names{"separate", "fused", "shared"};
  return names;
}

void apply_architecture(Config& config, const std::string& preset) {
  if (preset == "separate") {
    config.set_value("model.input", std::string("separate"));
    config.set_value("model.readout", std::string("separate"));
  } else if (preset == "fused") {
    config.set_value("model.input", std::string("separate"));
    config.set_value("model.readout", std::string("shared"));
  } else if (preset == "shared") {
    config.set_value("model.input", std::string("shared"));
    config.set_value("model.readout", std::string("shared"));
  } else {
    throw Error("architecture '" + preset + "' is not a preset (separate, fused, shared)");
  }
}

std::string architecture_of(const Config& config) {
  const bool shared_in = config.string("model.input") == "shared";
  const std::string& out = config.string("model.readout");
  if (!shared_in && out == "separate") return "separate";
  if (!shared_in && out == "shared") return "fused";
  if (!shared_in && out == "blockdiag") return "fused-blockdiag";
  if (shared_in && out == "shared") return "shared";
  return "shared-input-" + out + "-readout";
}

SweepSpec SweepSpec::from_toml_text(const std::string& text, const std::string& source,
                                    const std::vector<std::string>& overrides) {
  const std::string where = source + ": ";
  const toml::table doc = parse_toml(text, source);
  for (const auto& [k, node] : doc) {
    const std::string key(k.str());
    if (key != "base" && key != "axes" && key != "seeds" && key != "combine" && key != "stack" && key != "measure")
      throw Error(where + "unknown sweep key '" + key + "' (allowed: base, axes, seeds, combine, stack, measure)");
  }
  SweepSpec sweep;
  Config base = Config::defaults();
  if (const auto* t = doc.get_as<toml::table>("base")) {
    std::ostringstream s;
    s << *t;
    base = Config::from_toml_text(s.str(), source + " [base]");
  }
  for (const auto& o : overrides) base.set(o);
  std::vector<Axis> axes;
  if (const auto* t = doc.get_as<toml::table>("axes")) axes = read_axes(*t, "", where);
  // "model.p_s" and model.p_s are two TOML keys but one configuration key: one would win unseen.
  for (size_t a = 0; a < axes.size(); ++a)
    for (size_t b = a + 1; b < axes.size(); ++b)
      if (axes[a].key == axes[b].key)
        throw Error(where + "axis " + axes[a].key + " is given twice (lines " + std::to_string(axes[a].line) + " and " +
                    std::to_string(axes[b].line) + ", quoted and dotted?): one axis per key");
  // TOML tables iterate in key order; the axes combine in the order they are written.
  std::stable_sort(axes.begin(), axes.end(), [](const Axis& a, const Axis& b) { return a.line < b.line; });
  const std::string combine = top_level(doc, "combine", std::string("product"), where, "product or zip");
  if (combine != "product" && combine != "zip") throw Error(where + "combine: '" + combine + "' (allowed: product, zip)");
  std::vector<int64_t> seeds{base.integer("model.seed")};
  if (doc.contains("seeds") && !doc.get_as<toml::array>("seeds"))
    throw Error(where + "seeds: expected a list of non-negative integers");
  if (const auto* arr = doc.get_as<toml::array>("seeds")) {
    seeds.clear();
    for (const auto& v : *arr) {
      if (!v.is_integer() || *v.value<int64_t>() < 0) throw Error(where + "seeds: expected non-negative integers");
      seeds.push_back(*v.value<int64_t>());
    }
    if (seeds.empty()) throw Error(where + "seeds: empty list");
  }
  sweep.stack = top_level(doc, "stack", int64_t(16), where, "an integer");
  if (sweep.stack < 1) throw Error(where + "stack: at least 1");
  sweep.measure = top_level(doc, "measure", true, where, "true or false");
  sweep.text = text;
  sweep.source = source;
  sweep.overrides = overrides;

  // The plan's size before it is built (a sweep is held in memory whole), capped so the product
  // of the axes' lengths cannot overflow.
  {
    int64_t runs = int64_t(seeds.size());
    const size_t multiplied = combine == "zip" ? std::min<size_t>(axes.size(), 1) : axes.size();
    for (size_t a = 0; a < multiplied; ++a) {
      const int64_t values = int64_t(axes[a].values.size());
      runs = values == 0 || runs <= kMaxSweepRuns / values ? runs * values : kMaxSweepRuns + 1;
    }
    if (runs > kMaxSweepRuns)
      throw Error(where + "the sweep has more than " + std::to_string(kMaxSweepRuns) +
                  " runs, more than a sweep may hold; split it into several sweep files");
  }
  // Index tuples of the axes' values.
  std::vector<std::vector<size_t>> combos;
  if (axes.empty()) {
    combos.push_back({});
  } else if (combine == "zip") {
    for (const auto& a : axes)
      if (a.values.size() != axes[0].values.size())
        throw Error(where + "combine = \"zip\" needs axes of equal length (" + a.key + " has " +
                    std::to_string(a.values.size()) + ", " + axes[0].key + " has " + std::to_string(axes[0].values.size()) + ")");
    for (size_t i = 0; i < axes[0].values.size(); ++i) combos.push_back(std::vector<size_t>(axes.size(), i));
  } else {
    combos.push_back({});
    for (const auto& a : axes) {
      std::vector<std::vector<size_t>> next;
      for (const auto& c : combos)
        for (size_t i = 0; i < a.values.size(); ++i) {
          auto d = c;
          d.push_back(i);
          next.push_back(d);
        }
      combos = std::move(next);
    }
  }
  for (const auto& combo : combos)
    for (int64_t seed : seeds) {
      RunPoint point{base, {}};
      for (size_t a = 0; a < axes.size(); ++a) {
        apply(point.config, axes[a].key, axes[a].values[combo[a]], where);
        point.axes.emplace_back(axes[a].key, axes[a].values[combo[a]]);
      }
      point.config.set_value("model.seed", seed);
      point.axes.emplace_back("seed", std::to_string(seed));
      sweep.points.push_back(std::move(point));
    }
  return sweep;
}

SweepSpec SweepSpec::from_file(const std::filesystem::path& file, const std::vector<std::string>& overrides) {
  return from_toml_text(read_text_file(file, "sweep file"), file.string(), overrides);
}

}  // namespace modspec
