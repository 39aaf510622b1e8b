// libFuzzer target: the configuration reader and --set. The input is a TOML file, optionally
// followed by a line "--set" and one assignment per line. Only a modspec::Error may come out.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "config/config.hpp"
#include "util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t split = input.find("\n--set\n");
  try {
    modspec::Config config = modspec::Config::from_toml_text(input.substr(0, split), "fuzz.toml");
    if (split != std::string::npos) {
      std::istringstream lines(input.substr(split + 7));
      for (std::string line; std::getline(lines, line);) config.set(line);
    }
    config.to_toml();
  } catch (const modspec::Error&) {
  }
  return 0;
}
