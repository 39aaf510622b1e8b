// Structural modularity: Newman's Q adapted to directed graphs (paper eq. 3 and 5.1),
//   Q = 1/E * sum_ij (A_ij - k_i^out k_j^in / E) delta(g_i, g_j),  E = number of edges,
// with the modules as groups.
#pragma once
#include <cstdint>
#include <vector>

namespace modspec {

// adjacency: [N, N] row-major, A[i][j] = 1 for an edge i -> j; group: [N].
double directed_modularity(const std::vector<uint8_t>& adjacency, const std::vector<int64_t>& group);

// The analytic value for M modules of n^2 dense connections each and a fraction p of n^2
// connections per ordered module pair: Q = (M-1)(1-p) / (M (1 + (M-1) p)); for M = 2 the
// paper's (1-p) / (2(1+p)).
double analytic_modularity(double p, int64_t n_modules);

}  // namespace modspec
