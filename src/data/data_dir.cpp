#include "data/data_dir.hpp"

#include <cstdlib>

#include "util/error.hpp"

namespace modspec {

std::filesystem::path resolve_data_dir(const std::string& flag_value) {
  if (!flag_value.empty()) return flag_value;
  if (const char* env = std::getenv("MODSPEC_DATA"); env && *env) return env;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return std::filesystem::path(xdg) / "modspec";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::filesystem::path(home) / ".cache" / "modspec";
  throw Error("no data directory: pass --data-dir or set MODSPEC_DATA");
}

}  // namespace modspec
