// The pairs of test tuples the correlation measure compares (metrics.correlation_pairs), and the
// correlation itself.
//   same_image  tuple i against itself with every stimulus but k replaced by that of tuple perm[i]
//               (run through the network again, with the very same noise)
//   same_label  tuple i against another test tuple whose stimulus k has the same class but is
//               another image, as the original implementation pairs them (no network run needed)
#pragma once
#include <cstdint>
#include <torch/torch.h>

#include "env/pair_table.hpp"

namespace modspec {

// The test tuples with stimulus `kept` unchanged and every other stimulus taken from tuple perm[i].
PairTable shuffle_others(const PairTable& t, int64_t kept, const torch::Tensor& perm);
// The same as the tuple each stimulus comes from: [N, S] int64, row i = i at `kept`, perm[i] elsewhere.
torch::Tensor shuffled_sources(int64_t S, int64_t kept, const torch::Tensor& perm);

// For every tuple i, a tuple j != i whose stimulus `kept` has the same class and another image,
// drawn at random from `seed`; -1 when the class has no such tuple. [N] int64
torch::Tensor same_label_partners(const PairTable& t, int64_t kept, uint64_t seed);

// Mean over rows of the Pearson correlation between a[i] and b[i] (across columns). [N, n] -> scalar
double mean_pearson(const torch::Tensor& a, const torch::Tensor& b);

}  // namespace modspec
