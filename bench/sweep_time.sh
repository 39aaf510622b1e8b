#!/bin/bash
# Wall time of one sweep under two builds of modspec, interleaved, one worker: the benchmark of
# changes that act on whole sweeps (e.g. stacks that shrink, bench/fig3_wide_stacks.toml). Each
# round trains the sweep afresh with the old program, then the new; prints every time, the
# medians and their ratio, the load before and after, and whether the two tables agree on every
# run's status, epochs and test accuracy.
#   bench/sweep_time.sh OLD_MODSPEC NEW_MODSPEC SWEEP.toml [ROUNDS (5)]
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: bench/sweep_time.sh OLD_MODSPEC NEW_MODSPEC SWEEP.toml [ROUNDS]" >&2
  exit 2
fi
old=$1 new=$2 sweep=$3 rounds=${4:-5}
for f in "$old" "$new" "$sweep"; do
  [ -e "$f" ] || { echo "sweep_time: no such file: $f" >&2; exit 2; }
done
# Each run's status, epochs and test accuracy, found by column name in the sweep's table.
runs() {
  awk -F, 'NR == 1 { for (i = 1; i <= NF; ++i) col[$i] = i; next }
           { print $col["run"], $col["status"], $col["epochs_run"], $col["test_accuracy_mean"] }' "$1" | sort -u
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$rounds"); do
  for v in old new; do
    program=$old
    [ $v = new ] && program=$new
    rm -rf "$work/$v"
    start=$(date +%s.%N)
    "$program" --quiet sweep "$sweep" --out "$work/$v" --workers 1 > "$work/$v.log" 2>&1 \
      || { echo "sweep_time: $v failed:" >&2; tail -3 "$work/$v.log" >&2; exit 1; }
    end=$(date +%s.%N)
    echo "$v $(echo "$end - $start" | bc)" | tee -a "$work/times"
  done
  runs "$work/old/table.csv" > "$work/old.runs"
  runs "$work/new/table.csv" > "$work/new.runs"
  if cmp -s "$work/old.runs" "$work/new.runs"; then echo "round $r: same status, epochs and accuracy for every run"
  else echo "round $r: the two tables differ in status, epochs or accuracy"; fi
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
median() {
  grep "^$1 " "$work/times" | cut -d' ' -f2 | sort -n |
    awk '{a[NR] = $1} END {print NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}
o=$(median old) n=$(median new)
echo "median of $rounds: old $o s, new $n s, old/new $(echo "scale=2; $o / $n" | bc)x"
