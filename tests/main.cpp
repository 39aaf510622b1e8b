// The test runner's main: the same start-up as the modspec binary (BLAS kernel, one intra-op
// thread), so the tests exercise the library as the CLI runs it.
#include <gtest/gtest.h>

#include "runtime/blas_kernel.hpp"
#include "runtime/threads.hpp"

int main(int argc, char** argv) {
  modspec::ensure_blas_kernel(argv);  // may re-execute this program once, with the same arguments
  modspec::use_one_intra_op_thread();
  modspec::keep_freed_memory();
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
