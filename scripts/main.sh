#!/usr/bin/env bash
# The README's first command: set up, build, and run the main job.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$repo/scripts/setup.sh"
"$repo/build/modspec" data info
"$repo/build/modspec" data show --out "$repo/out/pairs.png"
