//===- vector_clones.h - Kernels built for each vector unit ----*- C++ -*-===//
//
// The runtime's hand-written kernels (attention, narrow matrix products)
// are plain C++ over GCC vector types, built once per vector unit and
// picked at load time: KILN_VECTOR_CLONES on a kernel. The helpers a kernel
// calls must be compiled into each clone, for its vector unit: KILN_INLINE
// (and KILN_LAMBDA_INLINE on lambdas); inlined, their vector arguments
// never cross a call, whatever the ABI.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_VECTOR_CLONES_H
#define KILN_RUNTIME_VECTOR_CLONES_H

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define KILN_VECTOR_CLONES                                                     \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define KILN_VECTOR_CLONES
#endif
#pragma GCC diagnostic ignored "-Wpsabi"
#define KILN_INLINE inline __attribute__((always_inline))
#define KILN_LAMBDA_INLINE __attribute__((always_inline))

#endif // KILN_RUNTIME_VECTOR_CLONES_H
