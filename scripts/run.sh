#!/usr/bin/env bash
# The main job on a shipped default: set up, build, check every example,
# print the nn-dialect MLIR of one, then train it for one epoch on
# Fashion-MNIST and report its test accuracy (checkpoints, weights and
# metrics in build/run-<model>/).
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
out="${NNC_BUILD_DIR:-$root/build}/run-$(basename "$example" .nn)"
rm -rf "$out"
"$nnc" train "$example" --out "$out" --epochs "${EPOCHS:-1}" --batch-size 32 --lr 0.003
"$nnc" eval "$example" --weights "$out/weights.safetensors"
