#include "runtime/blas_kernel.hpp"

#include <cstdlib>
#include <unistd.h>

namespace modspec {

bool choose_blas_kernel() {
#if defined(__x86_64__)
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return false;
  const char* core = nullptr;
  if (__builtin_cpu_supports("avx512f")) core = "SkylakeX";
  else if (__builtin_cpu_supports("avx2")) core = "Haswell";
  if (core == nullptr) return false;
  ::setenv("OPENBLAS_CORETYPE", core, 1);
  return true;
#else
  return false;
#endif
}

void ensure_blas_kernel(char** argv) {
  if (!choose_blas_kernel()) return;
  ::execv("/proc/self/exe", argv);
  // execv only returns on failure: carry on with the kernels OpenBLAS chose.
}

}  // namespace modspec
