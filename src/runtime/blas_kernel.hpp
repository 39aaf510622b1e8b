// OpenBLAS picks its kernels from the CPU model; on virtual machines that report a generic
// "Intel Xeon Processor" it falls back to Prescott (SSE3) kernels, measured 4-5x slower on our
// products (32 vs 130-150 GFLOP/s on one core). The choice is made when the library loads, so
// the only fix is the OPENBLAS_CORETYPE variable before start-up: this sets it from the CPU's
// own feature flags and re-executes the program once. A user's own setting is respected.
#pragma once

namespace modspec {

void ensure_blas_kernel(char** argv);

}  // namespace modspec
