// Reliability (README, "Reliability"): writes that fail are errors that leave nothing behind,
// damaged files are named rather than read, inputs that cannot be right are refused, and several
// processes share one sweep directory, each run trained once.
#include <gtest/gtest.h>

#include <csignal>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "data/datasets.hpp"
#include "data/idx.hpp"
#include "fixtures.hpp"
#include "rundir/network_files.hpp"
#include "rundir/train_and_record.hpp"
#include "sweep/launch.hpp"
#include "sweep/stack_claim.hpp"
#include "sweep/sweep_spec.hpp"
#include "sweep/table.hpp"
#include "train/memory_estimate.hpp"
#include "util/atomic_file.hpp"
#include "util/sha256.hpp"

namespace modspec {
namespace {

using test::contains;
using test::error_message;
using test::TempDir;

std::string text_of(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> names_in(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// The file-size limit makes the kernel refuse a write part-way, as a full disk does (EFBIG there,
// ENOSPC here): the same short write the writer must catch. SIGXFSZ is ignored so the write
// returns its error instead of ending the process.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &saved_);
    old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, old_handler_);
  }

 private:
  rlimit saved_{};
  void (*old_handler_)(int);
};

TEST(AtomicFile, AFailedWriteIsAnErrorAndLeavesTheOldFileAndNoTemporary) {
  TempDir tmp;
  const auto file = tmp / "model.pt";
  write_file_atomic(file, "the earlier network");
  std::string msg;
  {
    FileSizeLimit limit(65536);
    msg = error_message([&] { write_file_atomic(file, std::string(69162, 'x')); });
  }
  EXPECT_PRED2(contains, msg, file.string());
  EXPECT_PRED2(contains, msg, "65536 of 69162 bytes written");
  EXPECT_EQ(text_of(file), "the earlier network") << "a short file was renamed into place";
  EXPECT_EQ(names_in(tmp.path()), std::vector<std::string>{"model.pt"}) << "a temporary file was left behind";
}

// The whole program on a disk that fills while model.pt is written (a 16 KB file-size limit; the
// weights of n = 25 take about 40 KB): one line naming the file, exit 1, no temporary file, no
// model.pt and no summary.json that would make the run pass for finished.
TEST(AtomicFile, TrainingOntoAFullDiskFailsInOneLineAndLeavesNothingHalfWritten) {
  TempDir tmp;
  std::ofstream(tmp / "run.toml") << "[model]\nn = 25\n[train]\nepochs = 1\n";
  const auto run = tmp / "run";
  const std::string command = "bash -c \"trap '' XFSZ; ulimit -f 16; exec " + std::string(MODSPEC_BINARY) +
                              " --quiet train '" + (tmp / "run.toml").string() + "' --out '" + run.string() +
                              "' --data-dir '" + test::synthetic_data_dir().string() + "'\" > '" +
                              (tmp / "out.txt").string() + "' 2>&1";
  const int status = std::system(command.c_str());
  const std::string output = text_of(tmp / "out.txt");
  ASSERT_TRUE(WIFEXITED(status)) << output;
  EXPECT_EQ(WEXITSTATUS(status), 1) << output;
  EXPECT_EQ(std::count(output.begin(), output.end(), '\n'), 1) << output;
  EXPECT_PRED2(contains, output, (run / "model.pt").string());
  for (const auto& name : names_in(run)) {
    EXPECT_EQ(name.find(".tmp."), std::string::npos) << name;
    EXPECT_NE(name, "model.pt");
    EXPECT_NE(name, "summary.json");
  }
}

TEST(AtomicFile, AnUnwritableOutputIsAnErrorNamingIt) {
  TempDir tmp;
  write_file_atomic(tmp / "plain", "a file, not a directory");
  const std::string msg = error_message([&] { require_writable_directory(tmp / "plain" / "run"); });
  EXPECT_PRED2(contains, msg, (tmp / "plain" / "run").string());
  require_writable_directory(tmp / "new" / "run");
  EXPECT_TRUE(std::filesystem::is_directory(tmp / "new" / "run"));
  EXPECT_TRUE(names_in(tmp / "new" / "run").empty()) << "the probe file stays behind";
}

// FIPS 180-4's examples and the one-block/two-block boundary (55 and 56 bytes of message).
TEST(Sha256, KnownDigests) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  EXPECT_EQ(sha256_hex(std::string(55, 'a')), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  EXPECT_EQ(sha256_hex(std::string(56, 'a')), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  EXPECT_EQ(sha256_hex(std::string(64, 'a')), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

// One trained and measured run in `dir`, on the synthetic digits.
void train_small_run(const std::filesystem::path& dir) {
  Config config = test::synthetic_config();
  for (const char* o : {"model.n=8", "train.epochs=1", "metrics.measures=[\"correlation\"]", "metrics.null_repeats=0"})
    config.set(o);
  const Environment env(EnvSpec::from(config));
  train_and_record(env, {{config, RunDir(dir), {}}}, true);
}

TEST(Integrity, AModelWithFlippedBytesIsRefusedByName) {
  TempDir tmp;
  train_small_run(tmp.path());
  EXPECT_NO_THROW(load_run(RunDir(tmp.path())));
  auto bytes = test::read_file(tmp / "model.pt");
  ASSERT_GT(bytes.size(), 2000u);
  for (size_t i = 1000; i < 1100; ++i) bytes[i] ^= 0x5a;
  test::write_file(tmp / "model.pt", bytes);
  const std::string msg = error_message([&] { load_run(RunDir(tmp.path())); });
  EXPECT_PRED2(contains, msg, (tmp / "model.pt").string());
  EXPECT_PRED2(contains, msg, "SHA-256");
}

// A sweep directory of two measured runs, "a" and "b", with a plan naming both.
void two_run_sweep(const std::filesystem::path& out) {
  train_small_run(out / "runs" / "a");
  train_small_run(out / "runs" / "b");
  std::ofstream(out / "plan.json") << R"({"runs": [{"run": "a"}, {"run": "b"}]})";
}

TEST(Table, ADamagedOrUnmeasuredRunIsReportedNeverRead) {
  TempDir tmp;
  two_run_sweep(tmp.path());
  const SweepTables whole = sweep_tables(tmp.path());
  EXPECT_TRUE(whole.unreadable.empty());
  EXPECT_TRUE(whole.unmeasured.empty());
  const size_t rows_per_run = whole.table.rows.size() / 2;

  // specialization.csv cut short at a line's end: every line it still has parses.
  const auto spec = tmp / "runs" / "b" / "specialization.csv";
  std::string text = text_of(spec);
  text.resize(text.rfind('\n', text.size() - 2) + 1);
  std::ofstream(spec, std::ios::binary) << text;
  SweepTables t = sweep_tables(tmp.path());
  ASSERT_EQ(t.unreadable.size(), 1u);
  EXPECT_PRED2(contains, t.unreadable[0], "b: ");
  EXPECT_PRED2(contains, t.unreadable[0], "specialization.csv");
  EXPECT_EQ(t.table.rows.size(), rows_per_run) << "only the intact run is in the table";
  EXPECT_PRED2(contains, error_message([&] { write_sweep_table(tmp.path(), false, true); }), "--strict");
  EXPECT_FALSE(std::filesystem::exists(tmp / "table.csv")) << "--strict writes nothing";

  // The measures of "b" lost altogether: b stays in the table with empty measure fields, named.
  std::filesystem::remove(tmp / "runs" / "b" / "metrics.json");
  t = sweep_tables(tmp.path());
  EXPECT_TRUE(t.unreadable.empty());
  EXPECT_EQ(t.unmeasured, std::vector<std::string>{"b"});
  write_sweep_table(tmp.path());
  EXPECT_TRUE(std::filesystem::exists(tmp / "table.csv"));
}

TEST(Idx, EveryMemberOfAMultiMemberGzipIsRead) {
  TempDir tmp;
  const auto whole = test::idx_bytes({4}, {1, 2, 3, 4});
  test::write_gzip(tmp / "a.gz", std::vector<uint8_t>(whole.begin(), whole.begin() + 9));
  test::write_gzip(tmp / "b.gz", std::vector<uint8_t>(whole.begin() + 9, whole.end()));
  auto joined = test::read_file(tmp / "a.gz");
  const auto second = test::read_file(tmp / "b.gz");
  joined.insert(joined.end(), second.begin(), second.end());
  test::write_file(tmp / "joined.gz", joined);
  EXPECT_EQ(read_idx(tmp / "joined.gz").data, (std::vector<uint8_t>{1, 2, 3, 4}));

  joined.insert(joined.end(), {'j', 'u', 'n', 'k'});
  test::write_file(tmp / "junk.gz", joined);
  const std::string msg = error_message([&] { read_idx(tmp / "junk.gz"); });
  EXPECT_PRED2(contains, msg, (tmp / "junk.gz").string());
  EXPECT_PRED2(contains, msg, "4 bytes of trailing data");
}

// A copy of the synthetic digits whose files the test then damages.
std::filesystem::path copy_of_synthetic_data(const TempDir& tmp) {
  std::filesystem::copy(test::synthetic_data_dir(), tmp / "data", std::filesystem::copy_options::recursive);
  return tmp / "data";
}

TEST(Datasets, ALabelOutsideTheClassesIsRefusedByName) {
  TempDir tmp;
  const auto data = copy_of_synthetic_data(tmp);
  const auto labels = data / "mnist" / "train-labels-idx1-ubyte";
  auto bytes = test::read_file(labels);
  bytes[8 + 17] = 200;  // header of 8 bytes, then one label per image
  test::write_file(labels, bytes);
  const std::string msg = error_message([&] { load_dataset("mnist", Split::train, DataSources{data, {}, {}}); });
  EXPECT_PRED2(contains, msg, labels.string());
  EXPECT_PRED2(contains, msg, "label 200");
}

TEST(Datasets, TestImagesOfAnotherShapeAreRefused) {
  TempDir tmp;
  const auto data = copy_of_synthetic_data(tmp);
  const auto images = data / "mnist" / "t10k-images-idx3-ubyte";
  auto bytes = test::read_file(images);
  // 14 x 14 becomes 7 x 28: the same pixel count, another shape.
  bytes[8 + 3] = 7;
  bytes[12 + 3] = 28;
  test::write_file(images, bytes);
  const std::string msg = error_message([&] { load_dataset_splits("mnist", DataSources{data, {}, {}}); });
  EXPECT_PRED2(contains, msg, "7 x 28");
  EXPECT_PRED2(contains, msg, "14 x 14");
}

TEST(Datasets, ADirectoryOrASymlinkLoopInPlaceOfAFileIsNamed) {
  TempDir tmp;
  const auto data = copy_of_synthetic_data(tmp);
  const auto labels = data / "mnist" / "t10k-labels-idx1-ubyte";
  std::filesystem::remove(labels);
  std::filesystem::create_directory(labels);
  std::string msg = error_message([&] { load_dataset("mnist", Split::test, DataSources{data, {}, {}}); });
  EXPECT_PRED2(contains, msg, labels.string());
  EXPECT_PRED2(contains, msg, "directory");
  std::filesystem::remove(labels);
  std::filesystem::create_symlink(labels, labels);
  msg = error_message([&] { load_dataset("mnist", Split::test, DataSources{data, {}, {}}); });
  EXPECT_PRED2(contains, msg, labels.string());
}

// The estimate counts the terms its comment lists: a hand-worked stack of K = 2 at n = 10.
TEST(Memory, TheEstimateAddsUpAndAStackBeyondTheMachineIsRefused) {
  Architecture arch;  // 2 modules, 2 stimuli, 784 pixels, tanh, separate inputs
  arch.nb_steps = 3;
  arch.target_classes = {10};
  TrainSpec train;
  train.batch_size = 100;
  const std::vector<NetworkSpec> two{NetworkSpec{10, 0.1, 0, 0}, NetworkSpec{8, 0.1, 0, 1}};
  // Measured one network at a time over 1000 tuples.
  const double floats = 4.0 * 2 * 2 * 1 * 10 * (784 + 10 + arch.total_classes()) + 4.0 * 3 * 2 * 100 * 2 * 10 +
                        3.0 * 100 * 2 * 784 + 2.0 * 4 * 1 * 1000 * 2 * 10;
  EXPECT_DOUBLE_EQ(stack_bytes(arch, two, train, 1000, 1), 4 * floats);
  EXPECT_NO_THROW(require_memory_for_stack(arch, two, train, 1000, 1));

  if (available_bytes() <= 0) GTEST_SKIP() << "no /proc/meminfo";
  train.batch_size = 1 << 20;
  const std::string msg =
      error_message([&] { require_memory_for_stack(arch, {NetworkSpec{4096, 0.1, 0, 0}}, train, 10000, 1); });
  EXPECT_PRED2(contains, msg, "GB");
  EXPECT_PRED2(contains, msg, "train.batch_size");
}

TEST(SweepSpec, ALogAxisReadsIntegersPastWhatADoubleHoldsExactly) {
  // 11111111111111100 > 2^53 has no exact double: it is read as an integer, and the key's range
  // refuses the values it spans, naming them (a fuzzer found this ending in an uncaught
  // std::bad_optional_access).
  const std::string msg = error_message([] {
    SweepSpec::from_toml_text("[axes]\n\"env.covariance\" = { log = [1, 11111111111111100, 23] }\n", "wide.toml", {});
  });
  EXPECT_PRED2(contains, msg, "wide.toml");
  EXPECT_PRED2(contains, msg, "env.covariance");
  EXPECT_PRED2(contains, msg, "out of range");
}

TEST(SweepSpec, APlanBeyondTheLimitIsRefusedBeforeItIsBuilt) {
  std::string msg = error_message([] {
    SweepSpec::from_toml_text("[axes]\n\"model.p_s\" = { log = [1, 1e8, 100000000] }\n", "big.toml", {});
  });
  EXPECT_PRED2(contains, msg, "big.toml");
  EXPECT_PRED2(contains, msg, std::to_string(kMaxSweepRuns));
  // 400 x 400 values and 2 seeds: each axis is small, their product is not.
  std::string values;
  for (int i = 1; i <= 400; ++i) values += (i > 1 ? ", " : "") + std::to_string(i);
  msg = error_message([&] {
    SweepSpec::from_toml_text("seeds = [0, 1]\n[axes]\n\"model.p_s\" = [" + values + "]\n\"model.n\" = [" + values + "]\n",
                              "product.toml", {});
  });
  EXPECT_PRED2(contains, msg, "more than " + std::to_string(kMaxSweepRuns) + " runs");
}

TEST(StackClaim, OneHolderAtATimeAndAFreedClaimIsTakenOver) {
  TempDir tmp;
  auto first = StackClaim::try_claim(tmp.path(), "stack");
  ASSERT_TRUE(first.has_value());
  EXPECT_PRED2(contains, text_of(tmp / "claims" / "stack.lock"), std::to_string(::getpid()));
  EXPECT_FALSE(StackClaim::try_claim(tmp.path(), "stack").has_value()) << "a second holder of one claim";
  EXPECT_TRUE(StackClaim::try_claim(tmp.path(), "other").has_value());
  first.reset();
  EXPECT_TRUE(StackClaim::try_claim(tmp.path(), "stack").has_value()) << "a released claim stays taken";

  // A process that dies holding a claim (kill -9) frees it. The child takes the lock with bare
  // system calls, the only safe ones after a fork of a process with threads.
  const auto lock_file = tmp / "claims" / "dying.lock";
  const pid_t child = fork();
  if (child == 0) {
    const int fd = ::open(lock_file.c_str(), O_RDWR | O_CREAT, 0644);
    if (fd >= 0 && ::flock(fd, LOCK_EX) == 0) ::pause();
    _exit(1);
  }
  for (int i = 0; i < 200 && StackClaim::try_claim(tmp.path(), "dying").has_value(); ++i) ::usleep(10000);
  EXPECT_FALSE(StackClaim::try_claim(tmp.path(), "dying").has_value()) << "the child's claim did not hold";
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  EXPECT_TRUE(StackClaim::try_claim(tmp.path(), "dying").has_value()) << "a dead process's claim stays taken";
}

// A small sweep of six one-network stacks, and the table one uninterrupted process writes of it.
struct SmallSweep {
  TempDir tmp;
  std::string command;  // `modspec sweep` of it, without --out
  std::string table;    // the uninterrupted table.csv
  SmallSweep() {
    std::ofstream(tmp / "sweep.toml") << "stack = 1\nseeds = [0, 1, 2]\n[base]\nmodel.n = 8\ntrain.epochs = 2\n"
                                         "metrics.readout_epochs = 1\nmetrics.null_repeats = 0\n"
                                         "metrics.measures = [\"retraining\"]\n[axes]\n\"model.p_s\" = [1, 16]\n";
    command = std::string(MODSPEC_BINARY) + " --quiet sweep '" + (tmp / "sweep.toml").string() +
              "' --workers 1 --data-dir '" + test::synthetic_data_dir().string() + "'";
    if (std::system((command + " --out '" + (tmp / "alone").string() + "' > /dev/null 2>&1").c_str()) == 0)
      table = text_of(tmp / "alone" / "table.csv");
  }
};

const SmallSweep& small_sweep() {
  static const SmallSweep sweep;
  return sweep;
}

// Killed with -9 at 5 random moments and resumed each time, then run to the end: the table is
// the uninterrupted one, byte for byte.
TEST(Soak, ASweepKilledFiveTimesResumesToTheSameTable) {
  const SmallSweep& sweep = small_sweep();
  ASSERT_FALSE(sweep.table.empty());
  TempDir tmp;
  const std::string out = " --out '" + (tmp / "soak").string() + "' > /dev/null 2>&1";
  std::random_device seed;
  std::mt19937 rng(seed());
  std::uniform_int_distribution<int> after_ms(100, 2500);
  std::string moments;
  for (int k = 0; k < 5; ++k) {
    const int ms = after_ms(rng);
    moments += std::to_string(ms) + " ms ";
    const std::string script = sweep.command + out + " & pid=$!; sleep " + std::to_string(ms / 1000.0) +
                               "; kill -9 $pid 2>/dev/null; wait $pid; exit 0";
    ASSERT_EQ(std::system(("bash -c \"" + script + "\"").c_str()), 0);
  }
  ASSERT_EQ(std::system((sweep.command + out).c_str()), 0) << "killed after " << moments;
  EXPECT_EQ(text_of(tmp / "soak" / "table.csv"), sweep.table) << "killed after " << moments;
}

// Three `modspec sweep` processes on one --out, one of them killed with -9 part-way: together
// they train every run, none twice (each run's "run" event appears once over the three logs), and
// the table is the one a single process writes.
TEST(SharedSweep, ThreeProcessesAndAKilledOneTrainEachRunOnce) {
  const SmallSweep& sweep = small_sweep();
  ASSERT_FALSE(sweep.table.empty());
  TempDir tmp;
  const std::string shared = (tmp / "shared").string();
  std::ostringstream script;
  script << "cd '" << tmp.path().string() << "'\n";
  for (int p = 0; p < 3; ++p)
    script << sweep.command << " --out '" << shared << "' --log-jsonl p" << p << ".jsonl > p" << p
           << ".out 2>&1 & pid" << p << "=$!\n";
  // The first process to begin a run dies part-way through it; the others must end well.
  script << "pids=($pid0 $pid1 $pid2); victim=\n"
         << "for i in $(seq 1 600); do\n"
         << "  for p in 0 1 2; do grep -q '\"event\":\"epoch\"' p$p.jsonl 2>/dev/null && { victim=$p; break 2; }; done\n"
         << "  sleep 0.02\ndone\n"
         << "[ -n \"$victim\" ] || exit 9\nkill -9 ${pids[$victim]} || exit 8\n"
         << "for p in 0 1 2; do [ $p = $victim ] && continue; wait ${pids[$p]} || exit 1$p; done\nexit 0\n";
  std::ofstream(tmp / "share.sh") << script.str();
  // bash's own report of the kill goes to share.err, shown only when something fails.
  ASSERT_EQ(std::system(("bash '" + (tmp / "share.sh").string() + "' 2> '" + (tmp / "share.err").string() + "'").c_str()), 0)
      << text_of(tmp / "share.err") << text_of(tmp / "p0.out") << text_of(tmp / "p1.out") << text_of(tmp / "p2.out");

  std::multiset<std::string> trained;
  for (int p = 0; p < 3; ++p) {
    std::ifstream log(tmp / ("p" + std::to_string(p) + ".jsonl"));
    for (std::string line; std::getline(log, line);) {
      const auto event = nlohmann::json::parse(line, nullptr, false);
      if (!event.is_discarded() && event["event"] == "run") trained.insert(event["run"].get<std::string>());
    }
  }
  for (const auto& run : trained) EXPECT_EQ(trained.count(run), 1u) << run << " trained more than once";
  EXPECT_EQ(names_in(tmp / "shared" / "runs").size(), 6u);
  EXPECT_EQ(text_of(tmp / "shared" / "table.csv"), sweep.table);
}

}  // namespace
}  // namespace modspec
