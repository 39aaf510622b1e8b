#include "runtime/threads.hpp"

#include <torch/torch.h>

namespace modspec {

void use_one_intra_op_thread() { torch::set_num_threads(1); }

}  // namespace modspec
