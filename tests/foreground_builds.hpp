// Every build of the foreground kernels this CPU runs (runtime/foreground_kernels.hpp), each
// pinned in turn, so that a test holds all of them to the same reference on any machine.
#pragma once
#include <string>

#include "runtime/foreground_kernels.hpp"

namespace modspec::test {

// Runs body(name of the build) once per build, then unpins (also when body throws).
template <class Body>
void for_each_foreground_build(Body&& body) {
  struct Unpin {
    ~Unpin() { kernels::pin_build(std::nullopt); }
  } unpin;
  for (const kernels::Build build : kernels::runnable_builds()) {
    kernels::pin_build(build);
    body(std::string(kernels::build_name(build)));
  }
}

}  // namespace modspec::test
