// The single list of configuration keys: type, default, allowed values and documentation.
// `modspec config` prints it as a commented TOML file (configs/default.toml is that output).
#pragma once
#include <limits>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace modspec {

enum class Kind { integer, real, boolean, string, integers, strings };

struct KeySpec {
  std::string key;  // "section.name"
  Kind kind;
  Value default_value;
  std::string doc;
  double min = -std::numeric_limits<double>::infinity();  // for numbers and list elements
  double max = std::numeric_limits<double>::infinity();
  std::vector<std::string> choices;  // for strings and string lists; empty = any
};

const std::vector<KeySpec>& schema();
const KeySpec* find_key(const std::string& key);

// Whether a key's value can change a run's numbers. Where the data are (data.*_dir) and which
// device runs them (train.device) do not, so they are no part of a run's identity
// (Config::identity).
bool changes_results(const std::string& key);
const char* kind_name(Kind kind);

// Checks a value against its spec; throws an Error naming the key and what is allowed.
void validate(const KeySpec& spec, const Value& value);

}  // namespace modspec
