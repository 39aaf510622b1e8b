#include "runtime/threads.hpp"

#include <malloc.h>
#include <torch/torch.h>

namespace modspec {

void use_one_intra_op_thread() { torch::set_num_threads(1); }

}  // namespace modspec

namespace modspec {

void keep_freed_memory() {
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

}  // namespace modspec
