// How stimuli are shown over the nb_steps of a trial (paper 5.3):
//   static        the same input at every step (returned once, T = 1)
//   noise r > 0   at every step each input becomes (1-r)*x + r*noise, where noise is the mean of
//                 noise_samples other samples of the batch (never the sample itself), each of
//                 their pixels kept with probability 1/noise_samples; drawn afresh per step
//   random start  stimulus s of sample b is pure noise (r = 1) before its start step and the
//                 (possibly noisy) stimulus from then on; starts drawn uniformly in 1..T-2 as in
//                 the original code, so every stimulus is on for at least the last two steps
#pragma once
#include <cstdint>
#include <torch/torch.h>

#include "env/env_spec.hpp"

namespace modspec {

struct Presented {
  torch::Tensor x;       // [S, T, B, P] float; T = 1 for static presentation
  torch::Tensor starts;  // [B, S] int64, step at which each stimulus switches on (0 = from the start)
};

// clean: [S, B, P] normalised stimuli. The noise is made of the rows of noise_source ([S, B, P],
// default: clean itself); the correlation measure passes the original tuples there, so a tuple
// and its copy with other stimuli swapped in see the very same noise.
Presented present(const torch::Tensor& clean, const EnvSpec& spec, uint64_t seed,
                  const torch::Tensor& noise_source = {});

// x: [B, P] -> [B, P]: one step of structured noise at ratio r, made of other rows of source
// ([B, P], default x).
torch::Tensor structured_noise(const torch::Tensor& x, double ratio, int64_t n_samples, torch::Generator& gen,
                               const torch::Tensor& source = {});

}  // namespace modspec
