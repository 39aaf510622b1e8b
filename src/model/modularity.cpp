#include "model/modularity.hpp"

#include <cmath>

namespace modspec {

double directed_modularity(const std::vector<uint8_t>& A, const std::vector<int64_t>& group) {
  const size_t N = group.size();
  int64_t n_groups = 0;
  for (auto g : group) n_groups = std::max(n_groups, g + 1);
  std::vector<double> out_deg(N, 0), in_deg(N, 0);
  double edges = 0, within = 0;
  for (size_t i = 0; i < N; ++i)
    for (size_t j = 0; j < N; ++j)
      if (A[i * N + j]) {
        out_deg[i] += 1;
        in_deg[j] += 1;
        edges += 1;
        if (group[i] == group[j]) within += 1;
      }
  if (edges == 0) return 0.0;
  // sum over same-group pairs of k_i^out k_j^in = sum over groups of (group out-degree)(group in-degree).
  std::vector<double> g_out(size_t(n_groups), 0), g_in(size_t(n_groups), 0);
  for (size_t i = 0; i < N; ++i) {
    g_out[size_t(group[i])] += out_deg[i];
    g_in[size_t(group[i])] += in_deg[i];
  }
  double expected = 0;
  for (int64_t g = 0; g < n_groups; ++g) expected += g_out[size_t(g)] * g_in[size_t(g)];
  return (within - expected / edges) / edges;
}

double analytic_modularity(double p, int64_t M) {
  const double m = double(M);
  return (m - 1) * (1 - p) / (m * (1 + (m - 1) * p));
}

}  // namespace modspec
