// What a network looks like. `Architecture` is shared by every network of a stack (they see the
// same data stream through the same kind of layers); `NetworkSpec` is what may differ between
// stack-mates: module size n, inter-module connections, seed.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace modspec {

// How modules' states become the network's answer (model.readout):
//   separate   one readout per module; per target, the module whose output holds the largest value
//              decides (paper 2.1)
//   shared     one readout over all modules' states
//   blockdiag  one readout per module, their outputs joined into one softmax over M x C logits
//              whose targets lie in module 0's block, with no max decision: the original
//              implementation's masked "common readout" (only module 0 can answer; module 1's
//              logits can only be pushed down)
enum class Readout { separate, shared, blockdiag };

struct Architecture {
  int64_t n_modules = 2;
  int64_t n_stimuli = 2;
  int64_t pixels = 784;
  bool gru = false;                      // cell: tanh RNN or GRU
  // The original implementation's recurrence (model.recurrence = "two_rnn"): two tanh RNNs share
  // the input weights, one with the within-module connections only and one with the
  // inter-module edges only; each runs its own trajectory and the network's state is their sum.
  bool two_rnn = false;
  // The original implementation's initialisation (model.init = "original"): the whole network is
  // one nn.RNN of M*n units, so every weight is U(+-1/sqrt(M*n)), readouts included (one masked
  // Linear(M*n, .)), and the input projection has no bias.
  bool original_init = false;
  bool self_connections = false;         // keep the diagonal of the within-module matrices
  bool shared_input = false;             // every module sees every stimulus
  Readout readout = Readout::separate;
  int64_t bottleneck = 0;                // ReLU units per module before its readout; 0 = none
  int64_t nb_steps = 3;
  std::vector<bool> comms;               // [nb_steps]: does the update to h_t use inter-module connections
  std::vector<int64_t> target_classes;   // classes of each target of the task

  int64_t gates() const { return gru ? 3 : 1; }
  int64_t total_classes() const;
  bool shared_readout() const { return readout == Readout::shared; }
  // One readout per module (separate or blockdiag): weights [M*K, Ctot, H].
  bool module_readouts() const { return readout != Readout::shared; }
  bool operator==(const Architecture&) const = default;

  // n_stimuli, pixels and target_classes come from the environment.
  static Architecture from(const Config& config, int64_t n_stimuli, int64_t pixels,
                           const std::vector<int64_t>& target_classes);
};

struct NetworkSpec {
  int64_t n = 25;
  double p = 0.1;     // fraction of the n*n possible connections per direction (used when p_s == 0)
  int64_t p_s = 0;    // exact connection count per direction, overrides p when > 0
  uint64_t seed = 0;

  // Connections drawn in each direction between two modules: p_s, else int(p*n*n).
  int64_t connections_per_direction() const;
  // The effective fraction, p_s / n^2 when p_s is given.
  double fraction() const;

  static NetworkSpec from(const Config& config);
};

}  // namespace modspec
