//===- thread_pool.h - The runtime's worker threads -----------------------===//
//
// Internal to the runtime. One process-wide pool of a fixed size (set by
// kiln_gemm_set_threads, which kiln_run_start calls with --threads), created
// when first needed. Work is split into chunks by its shape alone; the pool
// only decides which thread runs which chunk, so results never depend on
// the thread count.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_THREAD_POOL_H
#define KILN_RUNTIME_THREAD_POOL_H

#include <cstdint>

namespace kiln {

/// Sets the pool's size, the calling thread included (at least 1). Not to be
/// called while a parallelFor runs.
void setThreadCount(int threads);
int threadCount();

/// Runs fn(chunk) for every chunk in [0, numChunks) on the pool and the
/// calling thread, returning when all are done. A parallelFor inside a
/// chunk runs its chunks serially.
template <typename Fn> void parallelFor(int64_t numChunks, const Fn &fn);

namespace detail {
using ChunkFn = void (*)(const void *context, int64_t chunk);
void parallelFor(int64_t numChunks, ChunkFn fn, const void *context);
} // namespace detail

template <typename Fn> void parallelFor(int64_t numChunks, const Fn &fn) {
  // A plain function pointer and context: no std::function to allocate.
  detail::parallelFor(
      numChunks,
      [](const void *context, int64_t chunk) {
        (*static_cast<const Fn *>(context))(chunk);
      },
      &fn);
}

} // namespace kiln

#endif // KILN_RUNTIME_THREAD_POOL_H
