// OpenBLAS picks its kernels from the CPU model; on virtual machines that report a generic
// "Intel Xeon Processor" it falls back to Prescott (SSE3) kernels, measured 4-5x slower on our
// products (32 vs 130-150 GFLOP/s on one core). The choice is made when the library loads, so
// the only fix is the OPENBLAS_CORETYPE variable before start-up, set from the CPU's own feature
// flags. A user's own setting is respected.
#pragma once

namespace modspec {

// Sets OPENBLAS_CORETYPE for the programs this process executes; returns whether it set it (not
// where the user set it, nor on a CPU without AVX2).
bool choose_blas_kernel();

// For a program that has already loaded OpenBLAS: chooses the kernel and, when that set it,
// re-executes the program once with the same arguments.
void ensure_blas_kernel(char** argv);

}  // namespace modspec
