#include <iostream>

#include "cli/command_list.hpp"
#include "cli/commands.hpp"
#include "env/environment.hpp"
#include "metrics/hidden_states.hpp"
#include "metrics/measure_context.hpp"
#include "rundir/network_files.hpp"
#include "util/atomic_file.hpp"
#include "util/npz.hpp"
#include "util/progress.hpp"

namespace modspec::cli {
namespace {

template <class T>
std::string bytes_of(const T* data, int64_t count) {
  return std::string(reinterpret_cast<const char*>(data), size_t(count) * sizeof(T));
}

}  // namespace

void add_states_command(CLI::App& app) {
  auto* cmd = add_command(app, "states");
  auto dir = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto data_dir = std::make_shared<std::string>();
  cmd->add_option("run_dir", *dir, "run directory (from train or a sweep)")->required();
  cmd->add_option("--out", *out, ".npz file to write (numpy.load reads it)")->required();
  cmd->add_option("--data-dir", *data_dir, "data directory (default: the run's data.dir)");
  cmd->callback([dir, out, data_dir]() {
    LoadedRun run = load_run(RunDir(*dir));
    if (!data_dir->empty()) run.config.set_value("data.dir", *data_dir);
    Progress::stage("states: reading the data of " + *dir);
    const Environment env(EnvSpec::from(run.config));
    // The states the measures read: the test tuples and the first epoch's training tuples, each
    // with the measures' noise draw (metrics/measure_context.hpp).
    const PairTable& test = env.test_pairs();
    const PairTable train = env.train_pairs(0);
    torch::Tensor starts;
    const auto test_states = cache_states(*run.network, env, test, Split::test, kMeasureTestNoise, &starts)[0]
                                 .to(torch::kFloat32)
                                 .contiguous();  // [T, M, N_test, n]
    const auto train_states = cache_states(*run.network, env, train, Split::train, kMeasureTrainNoise)[0]
                                  .to(torch::kFloat32)
                                  .contiguous();  // [T, M, N_train, n]
    const auto starts64 = starts.to(torch::kInt64).contiguous();  // [N_test, S]
    const int64_t S = env.n_stimuli();
    std::vector<NpyArray> arrays{
        {"test_states", "<f4", test_states.sizes().vec(), bytes_of(test_states.data_ptr<float>(), test_states.numel())},
        {"test_digits", "<i8", {test.size, S}, bytes_of(test.digit.data(), int64_t(test.digit.size()))},
        {"test_images", "<i8", {test.size, S}, bytes_of(test.image.data(), int64_t(test.image.size()))},
        {"test_starts", "<i8", starts64.sizes().vec(), bytes_of(starts64.data_ptr<int64_t>(), starts64.numel())},
        {"train_states", "<f4", train_states.sizes().vec(),
         bytes_of(train_states.data_ptr<float>(), train_states.numel())},
        {"train_digits", "<i8", {train.size, S}, bytes_of(train.digit.data(), int64_t(train.digit.size()))}};
    write_file_atomic(*out, npz_bytes(arrays));
    std::cout << "wrote " << *out << ": test_states [T=" << test_states.size(0) << ", M=" << test_states.size(1)
              << ", tuples=" << test_states.size(2) << ", n=" << test_states.size(3) << "], train_states (" << train.size
              << " tuples), digits, images and starts [tuples, S=" << S << "]\n";
  });
}

}  // namespace modspec::cli
