// The fixed wiring of one network: dense within modules, a random sparse set of connections
// for each ordered pair of modules, drawn from the network's seed.
#pragma once
#include <cstdint>
#include <vector>

#include "model/architecture.hpp"

namespace modspec {

struct Edge {
  int64_t src_module, src_unit, dst_module, dst_unit;
};

// connections_per_direction() distinct (src, dst) unit pairs for every ordered module pair,
// ordered by (src module, dst module) then draw order.
std::vector<Edge> draw_inter_edges(const Architecture& arch, const NetworkSpec& spec);

// Directed adjacency of the recurrent graph, [M*n, M*n] row-major, A[i][j] = 1 for a
// connection from unit i to unit j; unit index = module * n + unit. Counts the within-module
// connections (diagonal only with self_connections) and the inter-module edges; input and
// readout weights are not part of the graph.
std::vector<uint8_t> recurrent_adjacency(const Architecture& arch, const NetworkSpec& spec,
                                         const std::vector<Edge>& edges);

}  // namespace modspec
