//===- ThreadPool.cpp - A small fixed thread pool for kernels -------------===//

#include "runtime/ThreadPool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

using namespace nnc::rt;

namespace {

thread_local bool insideParallelRegion = false;

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
      ++generation;
    }
    wake.notify_all();
    work(); // the caller helps
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
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex);
        wake.wait(lock, [&] { return stopping || generation != seen; });
        if (stopping)
          return;
        seen = generation;
      }
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
  int64_t total = 0, next = 0, done = 0;
  uint64_t generation = 0;
  bool stopping = false;
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
