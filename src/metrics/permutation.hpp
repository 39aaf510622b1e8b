// A seeded random permutation of 0..n-1, [n] int64: the one way the measures shuffle tuples.
#pragma once
#include <ATen/CPUGeneratorImpl.h>
#include <cstdint>
#include <torch/torch.h>

namespace modspec {

inline torch::Tensor random_permutation(int64_t n, uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  return torch::randperm(n, gen, torch::kInt64);
}

}  // namespace modspec
