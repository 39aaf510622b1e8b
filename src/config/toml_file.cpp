#include "config/toml_file.hpp"

#include <fstream>
#include <sstream>

#include "util/error.hpp"

namespace modspec {

std::string read_text_file(const std::filesystem::path& file, const std::string& what) {
  // A directory opens as a stream that reads as empty: it would pass for a file of defaults.
  if (std::filesystem::is_directory(file)) throw Error(file.string() + ": is a directory, not a " + what);
  std::ifstream in(file);
  if (!in) throw Error(file.string() + ": cannot open " + what);
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) throw Error(file.string() + ": cannot read " + what);
  return text.str();
}

toml::table parse_toml(const std::string& text, const std::string& source_name) {
  try {
    return toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    throw Error(source_name + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
  }
}

std::optional<double> number_of(const toml::node& node) {
  if (node.is_integer()) return double(*node.value<int64_t>());
  if (node.is_floating_point()) return *node.value<double>();
  return std::nullopt;
}

}  // namespace modspec
