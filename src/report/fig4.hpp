// Fig. 4 of the paper: specialization over the steps of a trial, for three experiments, each a
// sweep directory with its own table:
//   A  communication timing: one panel per schedule (model.comms_steps), the steps whose update
//      uses the inter-module connections marked by dashed lines;
//   B  structured noise: one panel per noise ratio (env.noise_ratio);
//   C  random start times: one panel per (start of digit 0, start of digit 1) group of test
//      tuples, rows by the start of digit 0; an arrow up marks digit 0 switching on, an arrow
//      down digit 1.
// Every panel has one colour per number of inter-module synapses p_s and plots each module's
// specialization on its own digit, F^0 for module 0 and -F^1 for module 1 (with the paper's
// formula Mbar(m, m) - Mbar(m, other); with the ratio formula its ratio) (module 0 solid, module 1
// dashed), mean over seeds. The figure directory keeps fig4X.csv and fig4X.gp beside the
// images: fig4X.png/.svg for the mean of the measures, fig4X-<metric>.png/.svg for each.
#pragma once
#include <filesystem>
#include <string>

#include "report/fig4_data.hpp"

namespace modspec {

// Writes NAME.csv and NAME.gp into dir and draws the pictures.
void draw_fig4(const Fig4Data& data, const std::filesystem::path& dir);

// A compact text table of network specialization F per step (retraining, the paper's main
// measure) for each condition; for C each module's own-digit specialization.
std::string fig4_text(const Fig4Data& data);

}  // namespace modspec
