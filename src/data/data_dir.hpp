// Where modspec keeps downloaded datasets: --data-dir, else $MODSPEC_DATA, else the per-user
// cache ($XDG_CACHE_HOME/modspec or ~/.cache/modspec). Never the source tree.
#pragma once
#include <filesystem>
#include <string>

namespace modspec {

std::filesystem::path resolve_data_dir(const std::string& flag_value);

// The command that fetches what is missing, named in every "data not found" error.
inline constexpr const char* kSetupCommand = "bash scripts/setup.sh";

}  // namespace modspec
