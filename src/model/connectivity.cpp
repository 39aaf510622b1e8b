#include "model/connectivity.hpp"

#include <numeric>
#include <random>

#include "util/seed.hpp"

namespace modspec {

std::vector<Edge> draw_inter_edges(const Architecture& arch, const NetworkSpec& spec) {
  const int64_t n = spec.n, count = spec.connections_per_direction(), M = arch.n_modules;
  std::mt19937_64 rng(derive_seed({spec.seed, kConnections}));
  std::vector<Edge> edges;
  std::vector<int64_t> slots(size_t(n * n));
  for (int64_t a = 0; a < M; ++a)
    for (int64_t b = 0; b < M; ++b) {
      if (a == b) continue;
      // Partial Fisher-Yates: the first `count` slots are a uniform draw without replacement.
      std::iota(slots.begin(), slots.end(), 0);
      for (int64_t i = 0; i < count; ++i) {
        std::uniform_int_distribution<int64_t> pick(i, n * n - 1);
        std::swap(slots[size_t(i)], slots[size_t(pick(rng))]);
        edges.push_back({a, slots[size_t(i)] / n, b, slots[size_t(i)] % n});
      }
    }
  return edges;
}

std::vector<uint8_t> recurrent_adjacency(const Architecture& arch, const NetworkSpec& spec,
                                         const std::vector<Edge>& edges) {
  const int64_t n = spec.n, N = arch.n_modules * n;
  std::vector<uint8_t> A(size_t(N * N), 0);
  for (int64_t m = 0; m < arch.n_modules; ++m)
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j)
        if (i != j || arch.self_connections) A[size_t((m * n + i) * N + m * n + j)] = 1;
  for (const auto& e : edges) A[size_t((e.src_module * n + e.src_unit) * N + e.dst_module * n + e.dst_unit)] = 1;
  return A;
}

}  // namespace modspec
