// Figures are drawn by gnuplot from a CSV data file and a script kept beside the image, so a
// user can restyle any figure by editing its .gp file and running `gnuplot FILE.gp`.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace modspec {

// Runs `gnuplot script` in the script's directory; throws an Error with gnuplot's complaint.
void run_gnuplot(const std::filesystem::path& script);

// The line that picks the terminal inside a script's `do for [fmt in "png svg"] { ... }` loop,
// so that one script draws the same picture as PNG and as SVG.
std::string gnuplot_terminal(int64_t width, int64_t height, int64_t font_size);

// The opening of a script that draws one picture per word of `words`, each as PNG and SVG: the
// first word's picture is NAME.png/.svg, the others' NAME-<word>.png/.svg. Inside, `m` is the
// word's index (from 1) and `metric` the word; the terminal and output are set. The caller
// draws and then closes both loops with kGnuplotPicturesEnd.
std::string gnuplot_pictures_begin(const std::string& name, const std::vector<std::string>& words, int64_t width,
                                   int64_t height);
inline constexpr const char* kGnuplotPicturesEnd = "  }\n}\n";

// A number as data-file or title text, shortest form; NaN (a missing value) as "NaN".
std::string gnuplot_number(double x);

// The lines that make a script read modspec's figure data: CSV files with a header row
// (util/csv.hpp), which pandas reads as they are.
inline constexpr const char* kGnuplotReadsCsv = "set datafile separator comma\nset datafile columnheaders\n";

// Quotes a string for use inside a gnuplot double-quoted literal.
std::string gnuplot_quote(const std::string& text);

}  // namespace modspec
