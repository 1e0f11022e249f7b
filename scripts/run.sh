#!/usr/bin/env bash
# The main job on a shipped default: set up, build, check every example and
# print the nn-dialect MLIR of one of them.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
nnc="${NNC_BUILD_DIR:-$root/build}/bin/nnc"
for f in "$root"/examples/*.nn; do
  "$nnc" check "$f"
  echo "checked $(basename "$f")"
done
"$nnc" emit "$root/examples/${1:-lenet.nn}" --emit=mlir
