// Runs a sweep: the pending runs of this shard's stacks, one stack at a time per worker thread
// (one intra-op thread each, docs/ARCHITECTURE.md, performance principle 5), with progress over the whole shard.
// Every file of a run is written atomically, and a run counts as done only once its last file
// is in place, so a sweep killed at any moment (even kill -9) resumes where it stopped.
#pragma once
#include <filesystem>

#include "sweep/sweep_share.hpp"

namespace modspec {

// Plans the share (sweep_share.hpp), then trains and measures what is left of it.
SweepReport run_sweep(const SweepSpec& sweep, const std::filesystem::path& out, const SweepOptions& options);

}  // namespace modspec
