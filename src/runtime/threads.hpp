// Small products run 10-20x slower with two intra-op threads than with one (docs/ARCHITECTURE.md,
// performance principle 5): every worker thread runs its tensor work on one thread and parallelism comes
// from several workers. OpenMP's thread count is per calling thread, so each worker calls this.
#pragma once

namespace modspec {

void use_one_intra_op_thread();

// glibc hands large freed blocks back to the kernel and faults them in again on the next
// step; a training step allocates the same tensors every time, so keep them (measured: page
// faults were ~15% of a training step's time).
void keep_freed_memory();

}  // namespace modspec
