#!/usr/bin/env bash
# Sets up what is missing, builds nnc, and runs the whole test suite (lit + unit tests).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
build="${NNC_BUILD_DIR:-$root/build}"
cmake --build "$build" --target nnc-unit-tests -j "${NNC_JOBS:-2}"
"$build/bin/nnc-unit-tests"
/usr/lib/llvm-22/bin/lit -sv "$build/test/lit"
