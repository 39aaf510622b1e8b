// Figures are drawn by gnuplot from a data file and a script kept beside the image, so a
// user can restyle any figure by editing its .gp file and running `gnuplot FILE.gp`.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

namespace modspec {

// Runs `gnuplot script` in the script's directory; throws an Error with gnuplot's complaint.
void run_gnuplot(const std::filesystem::path& script);

// The line that picks the terminal inside a script's `do for [fmt in "png svg"] { ... }` loop,
// so that one script draws the same picture as PNG and as SVG.
std::string gnuplot_terminal(int64_t width, int64_t height, int64_t font_size);

// Quotes a string for use inside a gnuplot double-quoted literal.
std::string gnuplot_quote(const std::string& text);

}  // namespace modspec
