#!/usr/bin/env bash
# The main job on a shipped default: set up, build, check every example,
# print the nn-dialect MLIR of one, then train it for one epoch on
# Fashion-MNIST (the training step compiled to native code) and report its
# test accuracy, then compile the trained model to a shared library + C
# header and score it again through JIT-compiled code (checkpoints, weights,
# metrics and the library in build/run-<model>/).
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
# The trained model as native code: a shared library with its C header, and
# the same test set through JIT-compiled code.
"$nnc" compile "$example" --dim B=1 -O3 -o "$out/$(basename "$example" .nn).so"
"$nnc" run "$example" --compiled --weights "$out/weights.safetensors" --data fashion-mnist --batch-size 500
