#!/usr/bin/env bash
# Builds nnc with AddressSanitizer + UndefinedBehaviorSanitizer into
# ./build-asan and runs the unit tests and the lit suite with it. Any
# sanitizer report fails the run (halt_on_error; UBSan reports are fatal).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build-asan"
"$root/scripts/setup.sh"
if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld -DCMAKE_SHARED_LINKER_FLAGS=-fuse-ld=lld \
    -DNNC_ENABLE_SANITIZERS=ON
fi
cmake --build "$build" -j "${NNC_JOBS:-2}"
# Leaks are checked; the suppressions cover process-lifetime registries in
# the uninstrumented LLVM/MLIR and ANTLR libraries, not nnc's own code.
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1"
export LSAN_OPTIONS="suppressions=$root/scripts/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
"$build/bin/nnc-unit-tests"
/usr/lib/llvm-22/bin/lit -sv "$build/test/lit"
