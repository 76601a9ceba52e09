/*===- runtime.h - The C ABI between generated code and the runtime -----===*
 *
 * Generated code calls the runtime only through the functions declared here.
 * The ABI is versioned: KILN_RUNTIME_ABI_VERSION changes whenever a
 * declaration does, and kiln_runtime_abi_version() reports the version a
 * binary was linked against.
 *
 *===---------------------------------------------------------------------===*/

#ifndef KILN_RUNTIME_H
#define KILN_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KILN_RUNTIME_ABI_VERSION 1

/* Alignment of every runtime buffer: one cache line, and enough for any
 * vector load the compiler emits. */
#define KILN_BUFFER_ALIGNMENT 64

uint32_t kiln_runtime_abi_version(void);

/* A buffer of `bytes` bytes aligned to KILN_BUFFER_ALIGNMENT, zero-filled.
 * Returns NULL when memory is exhausted. */
void *kiln_buffer_alloc(size_t bytes);
void kiln_buffer_free(void *buffer);

/* A rank-2 float buffer as compiled code describes it (an MLIR memref
 * descriptor): element (i, j) is at aligned[offset + i*strides[0] +
 * j*strides[1]]. */
typedef struct kiln_memref2d_f32 {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t sizes[2];
  int64_t strides[2];
} kiln_memref2d_f32;

/* c = op(a) @ op(b), or c += op(a) @ op(b) when `accumulate` is set, op
 * transposing when its flag is set: the large matrix products of compiled
 * steps, on the host's BLAS. Compiled code calls it by its C-interface name.
 * Any strides are accepted; BLAS is used when each operand has a unit
 * stride in one dimension. */
void _mlir_ciface_kiln_gemm_f32(const kiln_memref2d_f32 *a,
                                const kiln_memref2d_f32 *b,
                                const kiln_memref2d_f32 *c, int8_t transpose_a,
                                int8_t transpose_b, int8_t accumulate);

/* Threads the BLAS may use (default 1: the runtime parallelizes across
 * kernels itself, and never stacks BLAS threads on top). */
void kiln_gemm_set_threads(int threads);

/* Counter-based random numbers (Philox4x32-10). A draw is a pure function of
 * (seed, stream, counter): element i of a fill uses counter `offset + i`, so
 * values never depend on thread count, and resuming needs only the counter.
 * Streams separate purposes (initialization of each parameter, shuffling,
 * dropout, ...). */
typedef struct kiln_philox_block {
  uint32_t words[4];
} kiln_philox_block;

kiln_philox_block kiln_philox4x32(uint64_t seed, uint64_t stream,
                                  uint64_t counter);

/* out[i] uniform in [low, high), i < n. */
void kiln_rng_uniform_f32(uint64_t seed, uint64_t stream, uint64_t offset,
                          float *out, size_t n, float low, float high);

/* out[i] normal with the given mean and standard deviation (Box-Muller). */
void kiln_rng_normal_f32(uint64_t seed, uint64_t stream, uint64_t offset,
                         float *out, size_t n, float mean, float stddev);

/* Parameter initializers, all on the Philox streams above. Fan-in and
 * fan-out are those of a weight used as x @ W with W of shape
 * [fan_in, fan_out]. */
void kiln_fill_f32(float *out, size_t n, float value);
/* Uniform in +-sqrt(6 / (fan_in + fan_out)) (Glorot and Bengio, 2010). */
void kiln_init_glorot_uniform_f32(uint64_t seed, uint64_t stream, float *out,
                                  size_t n, int64_t fan_in, int64_t fan_out);
/* Normal with standard deviation sqrt(2 / fan_in) (He et al., 2015), for
 * ReLU layers. */
void kiln_init_kaiming_normal_f32(uint64_t seed, uint64_t stream, float *out,
                                  size_t n, int64_t fan_in);
/* Uniform in +-sqrt(6 / fan_in), the uniform variant with the same
 * variance. */
void kiln_init_kaiming_uniform_f32(uint64_t seed, uint64_t stream, float *out,
                                   size_t n, int64_t fan_in);

#ifdef __cplusplus
}
#endif

#endif /* KILN_RUNTIME_H */
