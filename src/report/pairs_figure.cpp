#include "report/pairs_figure.hpp"

#include <fstream>
#include <sstream>

#include "report/gnuplot.hpp"
#include "util/atomic_file.hpp"
#include "util/csv.hpp"

namespace modspec {

void draw_pairs_figure(const Environment& env, const Batch& batch, const std::filesystem::path& out) {
  const int64_t S = batch.x.size(0), T = batch.x.size(1), B = batch.size();
  const int64_t side = env.images(0, Split::train).rows;
  const int64_t gap = 4, cell_w = S * side + gap, cell_h = side + gap;
  const int64_t W = env.spec().dynamic() ? env.spec().nb_steps * cell_w : cell_w;
  const int64_t steps = env.spec().dynamic() ? env.spec().nb_steps : 1;
  const int64_t H = B * cell_h;
  // Back to [0, 1] intensities; the gaps stay at -1 and are drawn as background.
  auto pixels = (batch.x * kPixelStd + kPixelMean).clamp(0, 1);  // [S, T, B, P]
  std::vector<float> canvas(size_t(H * W), -1.0f);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < steps; ++t)
      for (int64_t s = 0; s < S; ++s) {
        auto img = pixels[s][T == 1 ? 0 : t][b].contiguous();
        const float* p = img.data_ptr<float>();
        for (int64_t y = 0; y < side; ++y)
          for (int64_t x = 0; x < side; ++x)
            canvas[size_t((b * cell_h + y) * W + t * cell_w + s * side + x)] = p[y * side + x];
      }

  // The CSV beside the picture: a row per canvas pixel, intensity in [0, 1], -1 for the gaps.
  auto data_file = out;
  data_file.replace_extension(".csv");
  auto gp = out;
  gp.replace_extension(".gp");
  Table data;
  data.columns = {"x", "y", "intensity"};
  data.rows.reserve(size_t(H * W));
  for (int64_t y = 0; y < H; ++y)
    for (int64_t x = 0; x < W; ++x)
      data.rows.push_back({std::to_string(x), std::to_string(y), csv_number(canvas[size_t(y * W + x)])});
  write_file_atomic(data_file, to_csv(data));

  const auto& task = env.task();
  std::ostringstream script;
  script << kGnuplotReadsCsv << "set terminal pngcairo size " << 350 + W * 4 << "," << 60 + H * 4 << " font 'sans,11'\n"
         << "set output " << gnuplot_quote(out.filename().string()) << "\n"
         << "unset key; unset colorbox; unset border; unset xtics; unset ytics\n"
         << "set lmargin at screen " << 340.0 / (350 + W * 4) << "\n"
         << "set palette defined (-1 '#d0d8e8', 0 'black', 1 'white')\n"
         << "set cbrange [-1:1]\n"
         << "set xrange [-0.5:" << W - 0.5 << "]\nset yrange [" << H - 0.5 << ":-0.5]\n"
         << "set title " << gnuplot_quote("task " + env.spec().task + ", datasets " + env.spec().datasets[0] + " x " +
                                          env.spec().datasets[1])
         << "\n";
  for (int64_t b = 0; b < B; ++b) {
    std::ostringstream label;
    label << "D=(";
    for (int64_t s = 0; s < S; ++s) label << (s ? "," : "") << batch.digits[b][s].item<int64_t>();
    label << ")  ";
    for (size_t k = 0; k < task.target_names.size(); ++k)
      label << task.target_names[k] << "=" << batch.targets[b][int64_t(k)].item<int64_t>() << " ";
    if (env.spec().random_start) {
      label << " start=(";
      for (int64_t s = 0; s < S; ++s) label << (s ? "," : "") << batch.starts[b][s].item<int64_t>();
      label << ")";
    }
    script << "set label " << b + 1 << " " << gnuplot_quote(label.str()) << " at graph -0.02, first "
           << b * cell_h + side / 2 << " right\n";
  }
  for (int64_t t = 0; t < steps && steps > 1; ++t)
    script << "set label " << B + t + 1 << " " << gnuplot_quote("t=" + std::to_string(t)) << " at first "
           << t * cell_w + S * side / 2 << ", first -2 center\n";
  script << "plot " << gnuplot_quote(data_file.filename().string()) << " using 1:2:3 with image pixels\n";
  write_file_atomic(gp, script.str());
  run_gnuplot(gp);
}

}  // namespace modspec
