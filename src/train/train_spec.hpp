// The [train] table: optimiser, schedule and stopping rule.
#pragma once
#include <cstdint>
#include <string>

#include "config/config.hpp"

namespace modspec {

struct TrainSpec {
  int64_t epochs = 30;
  int64_t batch_size = 256;
  double lr = 1e-3;
  double weight_decay = 1e-5;
  double lr_decay = 0.95;
  bool early_stop = true;
  double stop_accuracy = 0.95;
  std::string device = "cpu";

  static TrainSpec from(const Config& config);
};

}  // namespace modspec
