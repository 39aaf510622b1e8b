#!/usr/bin/env bash
# The README's first command: set up, build, and run the main job: what data modspec sees, a
# picture of the stimuli, and the paper's Fig. 2 at quick scale (about 3 minutes on 2 cores).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$repo/scripts/setup.sh"
cd "$repo"
build/modspec data info
build/modspec data show --out out/pairs.png
build/modspec reproduce fig2 --scale quick --out out/fig2-quick
