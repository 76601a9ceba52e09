//===- AllocationCounter.cpp - Counts the test binary's operator new ------===//
//
// Replaces the global operator new and delete of the test binary, forwarding
// to malloc and free, to count allocations.
//
//===----------------------------------------------------------------------===//

#include "RunSupport.h"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<uint64_t> newCalls{0};
} // namespace

uint64_t kiln::test::operatorNewCalls() { return newCalls.load(); }

void *operator new(size_t size) {
  newCalls.fetch_add(1, std::memory_order_relaxed);
  if (void *p = std::malloc(size ? size : 1))
    return p;
  throw std::bad_alloc();
}

void *operator new[](size_t size) { return operator new(size); }
void operator delete(void *p) noexcept { std::free(p); }
void operator delete[](void *p) noexcept { std::free(p); }
void operator delete(void *p, size_t) noexcept { std::free(p); }
void operator delete[](void *p, size_t) noexcept { std::free(p); }
