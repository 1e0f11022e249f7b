#!/usr/bin/env bash
# The main job on a shipped default: set up, build, check every example,
# print the nn-dialect MLIR of one, and run it end to end on the reference
# executor over the Fashion-MNIST test set (seeded, untrained weights until
# `nnc train` lands).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
nnc="${NNC_BUILD_DIR:-$root/build}/bin/nnc"
example="$root/examples/${1:-lenet.nn}"
for f in "$root"/examples/*.nn; do
  "$nnc" check "$f"
done
echo "checked $(ls "$root"/examples/*.nn | wc -l) examples"
"$nnc" emit "$example" --emit=mlir
"$nnc" run "$example" --dim B=4
if [ -d /usr/share/datasets/fashion-mnist ]; then
  "$nnc" run "$example" --data fashion-mnist
fi
