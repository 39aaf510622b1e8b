// What the process was started with: the machine's cores and the MPI job a launcher announces.
// No MPI library is needed to ask (runtime/mpi_world.hpp joins the job).
#pragma once
#include <cstdint>

namespace modspec {

// The machine's cores: the default worker count.
int64_t available_cores();

// The job's size as the launcher announces it (Open MPI's OMPI_COMM_WORLD_SIZE, or PMI_SIZE as
// set by MPICH and Slurm), or 1 when there is none.
int launched_ranks();

}  // namespace modspec
