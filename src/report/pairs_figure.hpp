// `modspec data show`: a grid of stimulus tuples as the network sees them, one row per sample
// (labels and targets on its left), one column per time step when the presentation is dynamic.
#pragma once
#include <filesystem>

#include "env/environment.hpp"

namespace modspec {

// Writes out (PNG), and beside it out.csv (pixels) and out.gp (script).
void draw_pairs_figure(const Environment& env, const Batch& batch, const std::filesystem::path& out);

}  // namespace modspec
