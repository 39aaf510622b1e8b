// What the CPU can run, asked once: the hand-written kernels (runtime/mlp_kernels.cpp,
// runtime/foreground_kernels.cpp) are built for AVX2+FMA and for the baseline, and pick with this.
#pragma once

namespace modspec {

inline bool cpu_has_avx2_fma() {
#if defined(__x86_64__) && defined(__GNUC__)
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes;
#else
  return false;
#endif
}

}  // namespace modspec
