#include "runtime/mpi_world.hpp"

#include <string>

#include "runtime/launcher.hpp"
#include "util/error.hpp"

#ifdef MODSPEC_WITH_MPI
#include <mpi.h>
#endif

namespace modspec {

const MpiWorld& MpiWorld::get() {
  static const MpiWorld world;
  return world;
}

MpiWorld::MpiWorld() {
  if (launched_ranks() <= 1) return;
#ifdef MODSPEC_WITH_MPI
  // Only the main thread calls MPI; the sweep's worker threads never do.
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  joined_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
  MPI_Comm_size(node, &local_size_);
  MPI_Comm_free(&node);
#else
  throw Error("launched as one of " + std::to_string(launched_ranks()) +
              " MPI ranks, but this modspec was built without MPI (install libopenmpi-dev and rebuild, or use "
              "--shard i/N)");
#endif
}

MpiWorld::~MpiWorld() {
#ifdef MODSPEC_WITH_MPI
  if (joined_) MPI_Finalize();
#endif
}

bool MpiWorld::all(bool ok) const {
#ifdef MODSPEC_WITH_MPI
  if (joined_) {
    int mine = ok ? 1 : 0, every = 0;
    MPI_Allreduce(&mine, &every, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
    return every != 0;
  }
#endif
  return ok;
}

}  // namespace modspec
