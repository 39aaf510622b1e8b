#include "train/train_spec.hpp"

#include <torch/torch.h>

#include "util/error.hpp"

namespace modspec {

TrainSpec TrainSpec::from(const Config& config) {
  TrainSpec t;
  t.epochs = config.integer("train.epochs");
  t.batch_size = config.integer("train.batch_size");
  t.lr = config.real("train.lr");
  t.weight_decay = config.real("train.weight_decay");
  t.lr_decay = config.real("train.lr_decay");
  t.early_stop = config.boolean("train.early_stop");
  t.stop_accuracy = config.real("train.stop_accuracy");
  t.device = config.string("train.device");
  if (t.device == "cuda" && !torch::cuda::is_available())
    throw Error("config key train.device: cuda requested but this LibTorch build sees no CUDA device");
  return t;
}

}  // namespace modspec
