//===- ParallelFor.cpp - Generated loop nests on the runtime's threads ----===//
//
// nnrt.parallel_call lowers to nnc_parallel_for: compiled loop nests share
// the kernels' thread pool, so a model never runs two pools against each
// other on the same cores.
//
//===----------------------------------------------------------------------===//

#include "runtime/abi/nnc_kernel_abi.h"

#include "runtime/ThreadPool.h"

extern "C" void nnc_parallel_for(nnc_parallel_body body, void *args,
                                 int64_t extent, int64_t grain) {
  nnc::rt::parallelFor(0, extent, grain, [&](int64_t begin, int64_t end) {
    body(args, begin, end);
  });
}
