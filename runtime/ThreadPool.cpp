//===- ThreadPool.cpp - A small fixed thread pool for kernels -------------===//

#include "runtime/ThreadPool.h"

#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

using namespace nnc::rt;

namespace {

thread_local bool insideParallelRegion = false;

/// How long a thread busy-waits for the next parallel region (a worker) or for
/// the last chunk (the caller) before it sleeps on a condition variable.
/// Waking a sleeping thread costs tens of microseconds on a VM, as much as a
/// whole small kernel; models run kernels back to back, so the next region
/// usually arrives within this window.
constexpr auto spinWindow = std::chrono::microseconds(300);

inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

/// Busy-waits until `ready()` or the spin window ends; returns ready().
template <typename Ready> bool spinUntil(Ready ready) {
  auto deadline = std::chrono::steady_clock::now() + spinWindow;
  for (unsigned i = 1;; ++i) {
    if (ready())
      return true;
    cpuRelax();
    if (i % 64 == 0 && std::chrono::steady_clock::now() > deadline)
      return ready();
  }
}

class Pool {
public:
  static Pool &get() {
    static Pool pool;
    return pool;
  }

  int size() const { return threads; }
  void resize(int n) {
    std::lock_guard<std::mutex> runLock(runMutex);
    stopWorkers();
    threads = std::max(1, n);
    startWorkers();
  }

  void run(int64_t chunks, const std::function<void(int64_t)> &task) {
    std::lock_guard<std::mutex> runLock(runMutex);
    {
      std::lock_guard<std::mutex> lock(mutex);
      current = &task;
      total = chunks;
      next = 0;
      done = 0;
      generation.fetch_add(1, std::memory_order_release);
    }
    wake.notify_all();
    work(); // the caller helps
    spinUntil([&] { return done.load(std::memory_order_acquire) == chunks; });
    std::unique_lock<std::mutex> lock(mutex);
    finished.wait(lock, [&] { return done == total; });
    current = nullptr;
  }

private:
  Pool() {
    int n = int(std::thread::hardware_concurrency());
    if (const char *env = std::getenv("NNC_NUM_THREADS"))
      n = std::atoi(env);
    threads = std::max(1, n);
    // The runtime splits GEMMs over this pool (kernels::detail::gemm);
    // OpenBLAS's own threads would spin against it on the same cores.
    openblas_set_num_threads(1);
    startWorkers();
  }
  ~Pool() { stopWorkers(); }

  void startWorkers() {
    stopping = false;
    for (int i = 1; i < threads; ++i)
      workers.emplace_back([this] { loop(); });
  }
  void stopWorkers() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
    }
    wake.notify_all();
    for (auto &t : workers)
      t.join();
    workers.clear();
  }

  void loop() {
    uint64_t seen = 0;
    auto ready = [&] {
      return stopping.load(std::memory_order_acquire) ||
             generation.load(std::memory_order_acquire) != seen;
    };
    for (;;) {
      if (!spinUntil(ready)) {
        std::unique_lock<std::mutex> lock(mutex);
        wake.wait(lock, ready);
      }
      if (stopping)
        return;
      seen = generation.load(std::memory_order_acquire);
      work();
    }
  }

  void work() {
    insideParallelRegion = true;
    for (;;) {
      int64_t chunk;
      const std::function<void(int64_t)> *task;
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (!current || next >= total)
          break;
        chunk = next++;
        task = current;
      }
      (*task)(chunk);
      std::lock_guard<std::mutex> lock(mutex);
      if (++done == total)
        finished.notify_all();
    }
    insideParallelRegion = false;
  }

  int threads = 1;
  std::vector<std::thread> workers;
  std::mutex runMutex, mutex;
  std::condition_variable wake, finished;
  const std::function<void(int64_t)> *current = nullptr;
  int64_t total = 0, next = 0;
  // Written under `mutex`; atomic so that waiters can spin without it.
  std::atomic<int64_t> done{0};
  std::atomic<uint64_t> generation{0};
  std::atomic<bool> stopping{false};
};

} // namespace

int nnc::rt::numThreads() { return Pool::get().size(); }

void nnc::rt::setNumThreads(int n) { Pool::get().resize(n); }

void nnc::rt::parallelFor(int64_t begin, int64_t end, int64_t grain,
                          const std::function<void(int64_t, int64_t)> &fn) {
  if (end <= begin)
    return;
  int64_t n = end - begin;
  grain = std::max<int64_t>(1, grain);
  int threads = numThreads();
  if (insideParallelRegion || threads == 1 || n <= grain) {
    fn(begin, end);
    return;
  }
  int64_t chunks = std::min<int64_t>(threads * 4, (n + grain - 1) / grain);
  int64_t step = (n + chunks - 1) / chunks;
  Pool::get().run(chunks, [&](int64_t c) {
    int64_t lo = begin + c * step;
    int64_t hi = std::min(end, lo + step);
    if (lo < hi)
      fn(lo, hi);
  });
}
