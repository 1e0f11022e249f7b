#!/usr/bin/env bash
# Installs every Debian package nnc needs that this machine lacks. Idempotent: a
# machine that already has everything is left untouched (no apt-get call at all).
set -euo pipefail

packages=(
  cmake ninja-build clang-22 lld-22 llvm-22 llvm-22-dev llvm-22-tools
  libmlir-22 libmlir-22-dev mlir-22-tools libclang-rt-22-dev
  antlr4 libantlr4-runtime-dev default-jre-headless
  libopenblas-dev libgtest-dev zlib1g-dev libxml2-dev libffi-dev libz3-dev
  python3 python3-torch dataset-fashion-mnist clang-format
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
