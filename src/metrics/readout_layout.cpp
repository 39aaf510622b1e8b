#include "metrics/readout_layout.hpp"

#include "runtime/mlp_kernels.hpp"
#include "util/error.hpp"

namespace modspec {
namespace {

// The rows of module m of a cache [T, M, N, n] for the tuples `rows`, at step t (steps = {t}) or
// at every step one after the other (step-major, as module_inputs and joint_inputs order them).
std::vector<const float*> row_pointers(const torch::Tensor& cache, const torch::Tensor& rows, int64_t m, int64_t t0,
                                       int64_t steps) {
  if (!cache.is_cpu() || cache.scalar_type() != torch::kFloat32 || !cache.is_contiguous() ||
      rows.scalar_type() != torch::kInt64)
    throw Error("readout inputs: the states' cache must be a contiguous float tensor on the CPU");
  const int64_t M = cache.size(1), N = cache.size(2), n = cache.size(3), B = rows.size(0);
  const auto r = rows.contiguous();
  const int64_t* row = r.data_ptr<int64_t>();
  const float* base = cache.data_ptr<float>();
  std::vector<const float*> out(size_t(steps * B));
  for (int64_t s = 0; s < steps; ++s)
    for (int64_t i = 0; i < B; ++i) out[size_t(s * B + i)] = base + (((t0 + s) * M + m) * N + row[i]) * n;
  return out;
}

}  // namespace

int64_t ReadoutLayout::module_lanes(const torch::Tensor& cache, const torch::Tensor& rows,
                                    std::vector<float>& xt) const {
  const int64_t n = cache.size(3), rows_per_input = (shared_over_steps ? T : 1) * rows.size(0);
  const int64_t block = n * kernels::lanes_of(rows_per_input);
  xt.resize(size_t(module_inputs() * block));
  // Input (t, m) = t*M + m per step, m shared.
  for (int64_t g = 0; g < module_inputs(); ++g) {
    const int64_t m = g % M, t = shared_over_steps ? 0 : g / M;
    const auto ptrs = row_pointers(cache, rows, m, t, shared_over_steps ? T : 1);
    kernels::mlp_gather_to_lanes(ptrs.data(), rows_per_input, n, xt.data() + g * block);
  }
  return rows_per_input;
}

}  // namespace modspec
