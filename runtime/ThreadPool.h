//===- ThreadPool.h - A small fixed thread pool for kernels ------*- C++
//-*-===//
//
// One process-wide pool sized to the machine (or NNC_NUM_THREADS). Kernels
// split work with parallelFor; nested calls run inline, so a parallel kernel
// called from a parallel region never deadlocks or oversubscribes.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_RUNTIME_THREADPOOL_H
#define NNC_RUNTIME_THREADPOOL_H

#include <cstdint>
#include <functional>

namespace nnc::rt {

/// Number of worker threads (including the caller).
int numThreads();
/// Sets the number of threads for later parallelFor calls (>= 1).
void setNumThreads(int n);

/// Runs fn(begin', end') over disjoint chunks covering [begin, end), each at
/// least `grain` long, on the pool; returns when all are done.
void parallelFor(int64_t begin, int64_t end, int64_t grain,
                 const std::function<void(int64_t, int64_t)> &fn);

} // namespace nnc::rt

#endif
