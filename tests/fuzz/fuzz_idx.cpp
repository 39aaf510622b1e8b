// libFuzzer target: the IDX reader (raw and gzip) on any bytes. It may refuse them with a
// modspec::Error and nothing else: no other exception, no crash, no sanitizer report.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "data/idx.hpp"
#include "util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const modspec::IdxArray a = modspec::parse_idx(std::vector<uint8_t>(data, data + size), "fuzz.idx");
    size_t count = 1;
    for (int64_t d : a.dims) count *= size_t(d);
    if (count != a.data.size()) __builtin_trap();  // the reader's promise: product(dims) bytes
  } catch (const modspec::Error&) {
  }
  return 0;
}
