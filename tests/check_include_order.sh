#!/usr/bin/env bash
# Includes run one way (docs/ARCHITECTURE.md, "Data flow"): a file in folder F includes only from
# F and the folders before it in this order. Prints every include that runs backwards.
set -euo pipefail
src="$1/src"
order=(util catalog runtime config data env model optim train metrics rundir sweep report cli)
rank() { local i; for i in "${!order[@]}"; do [ "${order[$i]}" = "$1" ] && { echo "$i"; return; }; done; echo -1; }
bad=0
while IFS= read -r -d '' file; do
  rel=${file#"$src/"}
  folder=${rel%%/*}
  [ "$folder" = "$rel" ] && continue  # src/torch_pch.hpp
  own=$(rank "$folder")
  while IFS= read -r inc; do
    target=${inc%%/*}
    [ "$target" = "$inc" ] && continue
    r=$(rank "$target")
    [ "$r" -lt 0 ] && continue
    if [ "$r" -gt "$own" ]; then echo "$rel includes $inc, which comes later in the data flow"; bad=1; fi
  done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$file")
done < <(find "$src" \( -name '*.hpp' -o -name '*.cpp' \) -print0)
if [ "$bad" -eq 0 ]; then echo "includes run one way"; fi
exit "$bad"
