// Draws the stimulus tuples of one pass over a split: side 0 runs through every eligible image
// once in random order; each later side s draws its class index D_s from D_0 and the covariance
// c (D_s = D_0 with probability c, else uniform over the C classes, so P(D_0 == D_s) = c + (1-c)/C),
// then a random image of that class. With the asymmetry fix, tuples with D_0 == D_s or
// D_0 == (D_s - 1) mod C for any s >= 1 are dropped (about 20% with C = 10), which is why the
// fix requires c = 0.
#pragma once
#include <cstdint>
#include <vector>

#include "env/env_spec.hpp"

namespace modspec {

struct PairTable {
  int64_t size = 0;
  int64_t n_stimuli = 0;
  int64_t n_targets = 0;
  std::vector<int64_t> image;   // [size, S] index into side s's image set
  std::vector<int64_t> digit;   // [size, S] decision variable, class index 0..C-1 within the side's subset
  std::vector<int64_t> target;  // [size, n_targets]
};

// labels[s]: the labels of side s's image set.
PairTable draw_pairs(const EnvSpec& spec, const std::vector<const std::vector<int64_t>*>& labels, uint64_t seed);

}  // namespace modspec
