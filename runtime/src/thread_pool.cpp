//===- thread_pool.cpp - The runtime's worker threads ---------------------===//

#include "thread_pool.h"

#include "support.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace kiln {
namespace {

/// True on a thread running chunks, so that nested work runs serially.
thread_local bool inChunk = false;

/// Waits until `ready()` holds, spinning for a while before giving up. A
/// compiled step calls the pool many times in quick succession: sleeping and
/// waking through the kernel between calls costs more than the split gains.
template <typename Ready> bool spinUntil(Ready ready) {
  constexpr auto kSpin = std::chrono::microseconds(300);
  auto start = std::chrono::steady_clock::now();
  for (int i = 1;; ++i) {
    if (ready())
      return true;
#if defined(__x86_64__)
    _mm_pause();
#endif
    if (i % 64 == 0 && std::chrono::steady_clock::now() - start > kSpin)
      return false;
  }
}

class ThreadPool {
public:
  explicit ThreadPool(int threads) {
    for (int i = 1; i < threads; ++i)
      workers_.emplace_back([this] {
        flushDenormals();
        work();
      });
  }

  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread &worker : workers_)
      worker.join();
  }

  int size() const { return int(workers_.size()) + 1; }

  void run(int64_t numChunks, detail::ChunkFn fn, const void *context) {
    // One job at a time: callers from several threads take turns.
    std::lock_guard<std::mutex> jobLock(jobMutex_);
    Job job{fn, context, numChunks};
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = &job;
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    job.done += runChunks(job);
    auto finished = [&] { return job.done == numChunks && job.users == 0; };
    spinUntil(finished);
    // `job` lives on this stack: wait, under the lock that workers take to
    // join it, until none holds it.
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, finished);
    job_ = nullptr;
  }

private:
  struct Job {
    detail::ChunkFn fn;
    const void *context;
    int64_t numChunks;
    std::atomic<int64_t> next{0};
    std::atomic<int64_t> done{0}; ///< chunks finished
    /// Workers running chunks of it; incremented under mutex_.
    std::atomic<int> users{0};
  };

  void work() {
    uint64_t seen = 0;
    for (;;) {
      Job *job;
      spinUntil(
          [&] { return generation_.load(std::memory_order_acquire) != seen; });
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] {
          return stopping_ || (job_ && generation_.load() != seen);
        });
        if (stopping_)
          return;
        seen = generation_.load();
        job = job_;
        ++job->users;
      }
      job->done += runChunks(*job);
      // The last use of `job`: its owner may return as soon as it sees this.
      if (job->users.fetch_sub(1) == 1) {
        std::lock_guard<std::mutex> lock(mutex_);
        done_.notify_one();
      }
    }
  }

  /// Claims and runs chunks of `job` until none is left; returns how many
  /// this thread ran.
  static int64_t runChunks(Job &job) {
    inChunk = true;
    int64_t finished = 0;
    for (int64_t chunk; (chunk = job.next.fetch_add(1)) < job.numChunks;
         ++finished)
      job.fn(job.context, chunk);
    inChunk = false;
    return finished;
  }

  std::vector<std::thread> workers_;
  std::mutex jobMutex_, mutex_;
  std::condition_variable wake_, done_;
  bool stopping_ = false;
  std::atomic<uint64_t> generation_{0};
  Job *job_ = nullptr;
};

std::mutex poolMutex;
int requestedThreads = 1;
/// Created on first use. Never destroyed: worker threads must not be joined
/// during static destruction, when exit() may run while they wait.
ThreadPool *pool = nullptr;

ThreadPool *currentPool() {
  std::lock_guard<std::mutex> lock(poolMutex);
  if (!pool || pool->size() != requestedThreads) {
    delete pool;
    pool = requestedThreads > 1 ? new ThreadPool(requestedThreads) : nullptr;
  }
  return pool;
}

} // namespace

void setThreadCount(int threads) {
  std::lock_guard<std::mutex> lock(poolMutex);
  requestedThreads = threads > 1 ? threads : 1;
}

int threadCount() {
  std::lock_guard<std::mutex> lock(poolMutex);
  return requestedThreads;
}

void detail::parallelFor(int64_t numChunks, ChunkFn fn, const void *context) {
  ThreadPool *threads = numChunks > 1 && !inChunk ? currentPool() : nullptr;
  if (!threads) {
    for (int64_t chunk = 0; chunk < numChunks; ++chunk)
      fn(context, chunk);
    return;
  }
  threads->run(numChunks, fn, context);
}

} // namespace kiln
