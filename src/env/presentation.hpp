// How stimuli are shown over the nb_steps of a trial (paper 5.3):
//   static        the same input at every step (returned once, T = 1)
//   noise r > 0   at every step each input becomes (1-r)*x + r*noise, where noise is the mean of
//                 k = noise_samples other samples of the batch (never the sample itself), each of
//                 their pixels kept with probability 1/noise_samples; drawn afresh per step
//   random start  stimulus s of sample b is pure noise (r = 1) before its start step and the
//                 (possibly noisy) stimulus from then on; starts drawn uniformly in 1..T-2 as in
//                 the original code, so every stimulus is on for at least the last two steps
// The pixels kept are drawn once per step and stimulus for the whole batch, as in the paper's code
// (5.3.1: rand([n_samples] + features) < 1 / n_samples): the j-th sample borrowed by every row
// keeps the same pixels. Which samples a row borrows is drawn per row.
//
// The draws (NoiseDraw) are made once and serve both ways of showing a batch: as its pixels
// (present, Environment::batch) and as its pixels off the background (Environment::foreground,
// whose input projection skips the background: model/input_projection.hpp).
#pragma once
#include <cstdint>
#include <torch/torch.h>
#include <vector>

#include "env/env_spec.hpp"

namespace modspec {

// The draws of one step of structured noise for one stimulus of a batch of B rows of P pixels:
//   noisy[b, p] = (1 - r_b) x[b, p] + (r_b / k) sum_{j<k} keep[j, p] source[other[b, j], p]
struct NoiseStep {
  std::vector<float> ratio;    // [B] each row's r; 0: the row is shown clean
  int64_t k = 0;               // samples borrowed per row: min(noise_samples, B - 1), 0 when no row is noisy
  std::vector<int64_t> other;  // [B, k] the rows borrowed, distinct and never the row itself
  std::vector<uint8_t> keep;   // [k, P] 1 where the j-th borrowed sample's pixel p is kept, else 0
};

// A dynamic presentation's draws: S stimuli over T steps.
struct NoiseDraw {
  int64_t S = 0, T = 0;
  std::vector<NoiseStep> steps;  // [S, T]
  torch::Tensor starts;          // [B, S] int64, step at which each stimulus switches on (0 = from the start)
  const NoiseStep& at(int64_t s, int64_t t) const { return steps[size_t(s * T + t)]; }
};

// The draws of a dynamic presentation of S stimuli of B rows of P pixels; a seed gives the same
// draws on every machine. Each stimulus and step draws from its own counter-based stream
// (derive_seed of the seed, s and t), so no draw waits on another's.
NoiseDraw draw_presentation(const EnvSpec& spec, int64_t S, int64_t B, int64_t P, uint64_t seed);

struct Presented {
  torch::Tensor x;       // [S, T, B, P] float; T = 1 for static presentation
  torch::Tensor starts;  // [B, S] int64, each stimulus's start step
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
