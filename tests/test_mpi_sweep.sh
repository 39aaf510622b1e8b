#!/usr/bin/env bash
# `mpirun -n 2 modspec sweep` shares the runs between the ranks, each run trained exactly once,
# and writes the same table, byte for byte, as one process. Also: --shard is refused under
# mpirun. Usage: test_mpi_sweep.sh <modspec binary>. Exits 77 (ctest: skipped) without MNIST.
set -euo pipefail

modspec=${1:?usage: test_mpi_sweep.sh <modspec binary>}
if ! "$modspec" data info >/dev/null 2>&1; then
  echo "mpi_sweep: skipped, no MNIST in the data directory (run bash scripts/setup.sh)"
  exit 77
fi
# OpenMPI refuses root without these; CI runs as root on 2 cores.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpi=(mpirun -n 2 --oversubscribe)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/sweep.toml" <<'TOML'
stack = 1
seeds = [0, 1]
[base]
model.n = 5
train.epochs = 1
metrics.readout_epochs = 1
[axes]
"model.p_s" = [1, 25]
TOML

"$modspec" sweep "$work/sweep.toml" --out "$work/one" --workers 1 >"$work/one.log" 2>&1
"${mpi[@]}" "$modspec" sweep "$work/sweep.toml" --out "$work/two" >"$work/two.log" 2>"$work/two.err"

# Each rank trained its own share: 2 + 2 of the 4 runs (the results on standard output, apart from
# the progress lines on standard error).
shares=$(grep -o '^sweep: [0-9]* runs in this share, 0 already done, [0-9]* trained' "$work/two.log" |
  awk '{print $2}' | sort | tr '\n' ' ')
[ "$shares" = "2 2 " ] || { echo "mpi_sweep: expected two ranks with 2 runs each, got '$shares'"; cat "$work/two.log" "$work/two.err"; exit 1; }
[ "$(ls "$work/two/runs" | wc -l)" -eq 4 ] || { echo "mpi_sweep: expected 4 run directories"; exit 1; }
cmp "$work/one/table.csv" "$work/two/table.csv" || { echo "mpi_sweep: tables differ"; exit 1; }

# A second launch finds everything done.
"${mpi[@]}" "$modspec" sweep "$work/sweep.toml" --out "$work/two" >"$work/again.log" 2>"$work/again.err"
[ "$(grep -c ' 0 trained' "$work/again.log")" -eq 2 ] || { echo "mpi_sweep: resumed sweep retrained runs"; exit 1; }

if "${mpi[@]}" "$modspec" sweep "$work/sweep.toml" --out "$work/two" --shard 0/2 >"$work/shard.log" 2>&1; then
  echo "mpi_sweep: --shard under mpirun was accepted"; exit 1
fi
grep -q -- "--shard and mpirun" "$work/shard.log" || { echo "mpi_sweep: unclear error:"; cat "$work/shard.log"; exit 1; }
echo "mpi_sweep: ok"
