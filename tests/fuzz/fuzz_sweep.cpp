// libFuzzer target: the sweep-file reader, from the text to the planned points. Only a
// modspec::Error may come out.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sweep/sweep_spec.hpp"
#include "util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    modspec::SweepSpec::from_toml_text(std::string(reinterpret_cast<const char*>(data), size), "fuzz.toml");
  } catch (const modspec::Error&) {
  }
  return 0;
}
