#include "model/architecture.hpp"

#include <cmath>
#include <numeric>

#include "util/error.hpp"

namespace modspec {

int64_t Architecture::total_classes() const {
  return std::accumulate(target_classes.begin(), target_classes.end(), int64_t(0));
}

Architecture Architecture::from(const Config& config, int64_t n_stimuli, int64_t pixels,
                                const std::vector<int64_t>& target_classes) {
  Architecture a;
  a.n_modules = config.integer("model.n_modules");
  a.n_stimuli = n_stimuli;
  a.pixels = pixels;
  a.gru = config.string("model.cell") == "gru";
  a.two_rnn = config.string("model.recurrence") == "two_rnn";
  a.original_init = config.string("model.init") == "original";
  if (a.two_rnn && a.gru) throw Error("config key model.recurrence: two_rnn needs model.cell = rnn");
  a.self_connections = config.boolean("model.self_connections");
  a.shared_input = config.string("model.input") == "shared";
  const std::string& readout = config.string("model.readout");
  a.readout = readout == "shared" ? Readout::shared : readout == "blockdiag" ? Readout::blockdiag : Readout::separate;
  a.bottleneck = config.integer("model.bottleneck");
  a.nb_steps = config.integer("env.nb_steps");
  a.target_classes = target_classes;
  if (!a.shared_input && a.n_modules != n_stimuli)
    throw Error("config keys model.n_modules and env.datasets: separate inputs need one stimulus per module (" +
                std::to_string(a.n_modules) + " modules, " + std::to_string(n_stimuli) + " stimuli)");
  const auto& steps = config.integers("model.comms_steps");
  a.comms.assign(size_t(a.nb_steps), steps.empty());
  for (int64_t t : steps) {
    if (t >= a.nb_steps)
      throw Error("config key model.comms_steps: step " + std::to_string(t) + " is past the last step (env.nb_steps = " +
                  std::to_string(a.nb_steps) + ")");
    a.comms[size_t(t)] = true;
  }
  return a;
}

int64_t NetworkSpec::connections_per_direction() const {
  if (p_s > 0) return p_s;
  // The small epsilon keeps p = k/n^2 from rounding down to k-1.
  return int64_t(std::floor(p * double(n * n) + 1e-9));
}

double NetworkSpec::fraction() const { return double(connections_per_direction()) / double(n * n); }

NetworkSpec NetworkSpec::from(const Config& config) {
  NetworkSpec s;
  s.n = config.integer("model.n");
  s.p = config.real("model.p");
  s.p_s = config.integer("model.p_s");
  s.seed = uint64_t(config.integer("model.seed"));
  if (s.p_s > s.n * s.n)
    throw Error("config key model.p_s: " + std::to_string(s.p_s) + " exceeds n*n = " + std::to_string(s.n * s.n));
  if (s.p_s == 0 && s.p > 0 && s.connections_per_direction() < 1)
    throw Error("config key model.p: " + std::to_string(s.p) + " gives no connection with n = " + std::to_string(s.n) +
                " (use 0 for none, or at least 1/n^2 = " + std::to_string(1.0 / double(s.n * s.n)) + ")");
  return s;
}

}  // namespace modspec
