// Where a run's numbers came from: `modspec --version` prints it, and every summary.json records
// it (docs/ARCHITECTURE.md, "The run directory"), so that a table mixing builds can be told apart.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace modspec {

const char* build_version();  // the project version in CMakeLists.txt
const char* build_commit();   // `git describe --always --dirty` of the source when built, or "unknown"

// "modspec 0.1.0 (commit 1a2b3c4d5e6f, LibTorch 1.13.0, OpenBLAS 0.3.21 ..., GCC 12.2.0)"
std::string version_line();

// (field, value): modspec_version, commit, libtorch, blas (OpenBLAS's own configuration line,
// or "unknown" under another BLAS), blas_kernel (the kernel set OpenBLAS chose), compiler, cpu
// (the model name of /proc/cpuinfo), host.
std::vector<std::pair<std::string, std::string>> provenance();

// The present time in ISO 8601, UTC, to the second: "2026-11-26T04:10:00Z".
std::string utc_now();

}  // namespace modspec
