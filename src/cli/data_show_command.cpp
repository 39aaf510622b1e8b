#include <algorithm>
#include <iostream>

#include "cli/command_list.hpp"
#include "cli/commands.hpp"
#include "env/environment.hpp"
#include "report/pairs_figure.hpp"
#include "util/seed.hpp"

namespace modspec::cli {

void add_data_show_command(CLI::App& data) {
  auto* show = add_command(data, "show");
  auto opts = std::make_shared<ConfigOptions>();
  opts->add_to(*show, false);
  auto out = std::make_shared<std::string>();
  auto rows = std::make_shared<int64_t>(8);
  show->add_option("--out", *out, "PNG file to write (its .csv and .gp are kept beside it)")->required();
  show->add_option("--rows", *rows, "number of tuples to draw")->check(CLI::Range(1, 64));
  show->callback([opts, out, rows]() {
    const Config config = opts->resolve();
    const Environment env(EnvSpec::from(config));
    const PairTable& test = env.test_pairs();
    const int64_t n = std::min<int64_t>(*rows, test.size);
    const Batch batch = env.batch(test, Split::test, 0, n, derive_seed({env.spec().seed, kNoise, 0}));
    draw_pairs_figure(env, batch, *out);
    std::cout << "wrote " << *out << "\n";
  });
}

}  // namespace modspec::cli
