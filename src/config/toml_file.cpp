#include "config/toml_file.hpp"

#include <fstream>
#include <sstream>

#include "util/error.hpp"

namespace modspec {

std::string read_text_file(const std::filesystem::path& file, const std::string& what) {
  std::ifstream in(file);
  if (!in) throw Error(file.string() + ": cannot open " + what);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

toml::table parse_toml(const std::string& text, const std::string& source_name) {
  try {
    return toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    throw Error(source_name + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
  }
}

}  // namespace modspec
