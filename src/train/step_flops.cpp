#include "train/step_flops.hpp"

namespace modspec {

namespace {

// The forward products of one step on a batch of B.
struct ForwardFlops {
  double projection, recurrence, readout;
};

ForwardFlops forward_flops(const Architecture& a, const NetworkSpec& s, int64_t B, bool inputs_change) {
  const double n = double(s.n), M = double(a.n_modules), G = double(a.gates()), T = double(a.nb_steps);
  const double input_width = double(a.pixels) * (a.shared_input ? double(a.n_stimuli) : 1.0);
  const double E = M * (M - 1) * double(s.connections_per_direction());
  return {2.0 * double(B) * input_width * M * G * n * (inputs_change ? T : 1.0),
          (T - 1) * (2.0 * double(B) * M * G * n * n + 2.0 * double(B) * G * E),
          2.0 * double(B) * M * n * double(a.total_classes())};
}

}  // namespace

double training_step_flops(const Architecture& a, const NetworkSpec& s, int64_t B, bool inputs_change) {
  const ForwardFlops f = forward_flops(a, s, B, inputs_change);
  return 2 * f.projection + 3 * (f.recurrence + f.readout);
}

double mask_step_flops(const Architecture& a, const NetworkSpec& s, int64_t B, bool inputs_change, int64_t replicas,
                       bool inputs_masked) {
  const ForwardFlops f = forward_flops(a, s, B, inputs_change);
  const double R = double(replicas);
  return (inputs_masked ? 2 * R : 1.0) * f.projection + 3 * R * (f.recurrence + f.readout);
}

double readout_training_flops(const Architecture& a, const NetworkSpec& s, int64_t tuples, int64_t epochs,
                              int64_t hidden, int64_t classes, bool ablation) {
  const double T = double(a.nb_steps), M = double(a.n_modules), S = double(a.n_stimuli);
  const double h = double(hidden), C = double(classes), samples = double(tuples) * double(epochs);
  // Per sample and readout: first layer forward + weight gradient (2 products), second layer
  // forward + weight and input gradients (3 products).
  auto per_readout = [&](double d) { return 2.0 * (2.0 * d * h + 3.0 * h * C); };
  double flops = T * M * S * per_readout(double(s.n));
  if (ablation) flops += T * S * per_readout(M * double(s.n));
  return flops * samples;
}

}  // namespace modspec
