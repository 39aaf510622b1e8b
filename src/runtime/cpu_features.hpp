// What the CPU can run, asked once: the hand-written kernels (runtime/mlp_kernels.cpp for AVX2+FMA
// and the baseline, runtime/foreground_kernels.cpp for AVX-512 too) pick their build with this.
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

// The x86-64-v4 level (AVX-512 F, BW, CD, DQ and VL), which GCC's arch=x86-64-v4 builds assume.
inline bool cpu_has_avx512() {
#if defined(__x86_64__) && defined(__GNUC__)
  static const bool yes = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                          __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512dq") &&
                          __builtin_cpu_supports("avx512vl");
  return yes;
#else
  return false;
#endif
}

}  // namespace modspec
