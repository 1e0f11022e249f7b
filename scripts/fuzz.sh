#!/usr/bin/env bash
# Builds the front-end fuzzer (clang-22, libFuzzer + ASan + UBSan) into
# ./build-fuzz and runs it for a bounded time, seeded from examples/ and the
# standard library. Usage: scripts/fuzz.sh [SECONDS] (default 60).
# Findings (crash-*, timeout-*, oom-*) are written to fuzz-out/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-60}"
build="$root/build-fuzz"
"$root/scripts/setup.sh"
if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld -DNNC_ENABLE_FUZZER=ON
fi
cmake --build "$build" --target nnc-fuzz-frontend -j "${NNC_JOBS:-2}"
corpus="$root/fuzz-out/corpus"
mkdir -p "$corpus" "$root/fuzz-out/artifacts"
cp -n "$root"/examples/*.nn "$root"/lang/std/*.nn "$corpus"/ 2>/dev/null || true
cp -n "$root"/test/lit/lang/errors/*.nn "$corpus"/ 2>/dev/null || true
"$build/bin/nnc-fuzz-frontend" "$corpus" \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
  -artifact_prefix="$root/fuzz-out/artifacts/" -print_final_stats=1
