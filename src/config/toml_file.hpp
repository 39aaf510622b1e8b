// Reading TOML the one way modspec does: a file's text, parsed with errors that name the
// source and line. Shared by configuration files and sweep files.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <toml++/toml.h>

namespace modspec {

// `what` names the kind of file in the error ("config file", "sweep file").
std::string read_text_file(const std::filesystem::path& file, const std::string& what);

toml::table parse_toml(const std::string& text, const std::string& source_name);

// A TOML integer or float as a double, nullopt for anything else. Integers are read as integers:
// toml++ gives no double for one past 2^53, which has none exactly.
std::optional<double> number_of(const toml::node& node);

}  // namespace modspec
