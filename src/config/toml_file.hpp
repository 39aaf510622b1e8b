// Reading TOML the one way modspec does: a file's text, parsed with errors that name the
// source and line. Shared by configuration files and sweep files.
#pragma once
#include <filesystem>
#include <string>
#include <toml++/toml.h>

namespace modspec {

// `what` names the kind of file in the error ("config file", "sweep file").
std::string read_text_file(const std::filesystem::path& file, const std::string& what);

toml::table parse_toml(const std::string& text, const std::string& source_name);

}  // namespace modspec
