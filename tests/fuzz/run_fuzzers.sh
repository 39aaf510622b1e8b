#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer, and runs each for SECONDS from a seed corpus of valid files: the IDX
# reader (raw, gzip and multi-member gzip files), the configuration reader with --set lines, and
# the sweep-file reader (the quick sweep files of configs/). A crash, a sanitizer report or an
# exception other than modspec::Error fails the test and leaves the input that caused it in BUILD.
# Usage: run_fuzzers.sh <source dir> <seconds per target> <build dir>. Exits 77 (ctest: skipped)
# without clang's libFuzzer (bash scripts/setup.sh installs it).
set -euo pipefail

src=${1:?usage: run_fuzzers.sh <source dir> <seconds> <build dir>}
seconds=${2:?}
build=${3:?}
if ! command -v clang++ >/dev/null || ! echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, unsigned long) { return 0; }' |
    clang++ -x c++ -fsanitize=fuzzer - -o /dev/null 2>/dev/null; then
  echo "fuzz: skipped, no clang with libFuzzer (install Debian's clang and libclang-rt-14-dev)"
  exit 77
fi
mkdir -p "$build"
cd "$build"

flags=(-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -I "$src/src" -DTOML_HEADER_ONLY=0 -DTOML_SHARED_LIB=1)
config_sources=("$src/src/config/config.cpp" "$src/src/config/schema.cpp" "$src/src/config/toml_file.cpp"
                "$src/src/catalog/measures.cpp" "$src/src/catalog/tasks.cpp")

# Rebuilt only when a source is newer than the target.
build_target() {
  local name=$1; shift
  local stale=1
  if [ -x "$name" ]; then
    stale=0
    for f in "$src/tests/fuzz/$name.cpp" "$@" "$src"/src/*/*.hpp; do
      [ "$f" -nt "$name" ] && { stale=1; break; }
    done
  fi
  if [ "$stale" = 1 ]; then
    local libs=()
    for f in "$@"; do libs+=("$f"); done
    clang++ "${flags[@]}" "$src/tests/fuzz/$name.cpp" "${libs[@]}" -ltomlplusplus -lz -o "$name"
  fi
}
build_target fuzz_idx "$src/src/data/idx.cpp" "$src/src/util/read_file.cpp"
build_target fuzz_config "${config_sources[@]}"
build_target fuzz_sweep "${config_sources[@]}" "$src/src/sweep/sweep_spec.cpp"

# Seed corpora: valid inputs of each reader.
rm -rf corpus && mkdir -p corpus/idx corpus/config corpus/sweep
/usr/bin/python3 - corpus/idx <<'PY'
import gzip, struct, sys
out = sys.argv[1]
def idx(dims, data):
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + bytes(data)
images = idx([3, 2, 3], range(18))
labels = idx([3], [7, 0, 4])
for name, data in {"images": images, "labels": labels, "images.gz": gzip.compress(images),
                   "two-members.gz": gzip.compress(images[:9]) + gzip.compress(images[9:])}.items():
    open(f"{out}/{name}", "wb").write(data)
PY
cp "$src/configs/default.toml" corpus/config/
printf '[model]\nn = 8\n[train]\nepochs = 2\n--set\nmodel.p_s=3\nenv.datasets=["mnist","fashion"]\ntrain.lr=1e-3\n' \
  >corpus/config/with-set.toml
# The quick sweeps only: the paper-scale ones plan thousands of runs, and each input would take
# a second instead of a few milliseconds.
cp "$src"/configs/reproduce/*-quick.toml "$src"/configs/studies/*.toml corpus/sweep/

status=0
for target in idx config sweep; do
  # Inputs libFuzzer finds go to a scratch copy; the corpus of the repository is not touched.
  if ! ASAN_OPTIONS=detect_leaks=0 ./fuzz_$target -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 "corpus/$target" >"fuzz_$target.log" 2>&1; then
    echo "fuzz: fuzz_$target failed; its log, and the input that broke it (crash-*, timeout-*, oom-*), are in $build"
    tail -40 "fuzz_$target.log"
    status=1
  else
    echo "fuzz: fuzz_$target ok, $(grep -o 'stat::number_of_executed_units: *[0-9]*' "fuzz_$target.log" | grep -o '[0-9]*$') inputs in ${seconds} s"
  fi
done
exit $status
