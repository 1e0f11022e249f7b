#!/usr/bin/env bash
# Installs what the inference benchmark (bench/compiled_vs_ort.py) needs on top
# of scripts/setup.sh: Node.js and npm (Debian's, unless a node/npm is already
# on PATH), NumPy and PyTorch from Debian, and onnxruntime-node from npm into
# bench/node_modules. Idempotent: nothing is fetched when all is in place.
#
# PyTorch 1.13's torch.onnx.export serialises the model itself, so Debian's
# python3-onnx (only needed for onnx.checker and the like) is not installed.
set -euo pipefail

ORT_VERSION=1.30.0
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

packages=(python3 python3-numpy python3-torch)
# A Node.js from another source (e.g. a nodesource build, which bundles npm)
# conflicts with Debian's nodejs/npm packages: install those only without one.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-bench: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
fi

installed="$(node -p "try { require('$root/bench/node_modules/onnxruntime-node/package.json').version } catch (e) { '' }")"
if [ "$installed" = "$ORT_VERSION" ]; then
  echo "setup-bench: packages present, onnxruntime-node $ORT_VERSION in bench/node_modules"
  exit 0
fi

# The package bundles the CPU runtime for linux/x64; its postinstall script
# would fetch the CUDA execution provider from outside the npm registry,
# which the benchmark does not use: ONNXRUNTIME_NODE_INSTALL=skip makes that
# script exit at once. No package.json or lock file is written (--no-save).
echo "setup-bench: installing onnxruntime-node@$ORT_VERSION into bench/node_modules"
ONNXRUNTIME_NODE_INSTALL=skip npm install --prefix "$root/bench" --no-save \
  --no-package-lock --no-audit --no-fund "onnxruntime-node@$ORT_VERSION"
node -e "require('$root/bench/node_modules/onnxruntime-node')" ||
  { echo "setup-bench: onnxruntime-node does not load" >&2; exit 1; }
echo "setup-bench: onnxruntime-node $ORT_VERSION ready"
