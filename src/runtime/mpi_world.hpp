// Scale-out of a sweep over MPI ranks. `mpirun -n N modspec sweep ...` starts N processes;
// each joins the MPI job here, takes shard rank/N of the sweep's stacks (the same partition
// as --shard rank/N), and rank 0 writes the table once every rank has finished.
//
// MPI is joined only when a launcher says the job has more than one rank (OpenMPI's
// OMPI_COMM_WORLD_SIZE, or PMI_SIZE as set by MPICH and Slurm), so a plain `modspec sweep`
// never initialises MPI. A binary built without MPI refuses such a launch rather than let N
// copies each run the whole sweep.
#pragma once

namespace modspec {

class MpiWorld {
 public:
  // The process's world, made on first use: MPI is joined at most once and left at exit.
  static const MpiWorld& get();
  ~MpiWorld();
  MpiWorld(const MpiWorld&) = delete;
  MpiWorld& operator=(const MpiWorld&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  int ranks_on_this_node() const { return local_size_; }
  // True on every rank when `ok` is true on every rank; a collective every rank must reach.
  bool all(bool ok) const;

 private:
  MpiWorld();  // joins the job when launched with more than one rank; else a world of one

  int rank_ = 0, size_ = 1, local_size_ = 1;
  bool joined_ = false;
};

}  // namespace modspec
