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

#define KILN_RUNTIME_ABI_VERSION 6

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

/* A rank-4 float buffer: element (i, j, k, l) at aligned[offset +
 * i*strides[0] + j*strides[1] + k*strides[2] + l*strides[3]]. */
typedef struct kiln_memref4d_f32 {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t sizes[4];
  int64_t strides[4];
} kiln_memref4d_f32;

/* For every (i, j) of the two leading (batch) dimensions, the product above
 * of the matrices at (i, j): c[i, j] = op(a[i, j]) @ op(b[i, j]). Batch
 * elements run in parallel on the pool, each one single-threaded BLAS call,
 * so results do not depend on the thread count either. */
void _mlir_ciface_kiln_gemm_batched_f32(const kiln_memref4d_f32 *a,
                                        const kiln_memref4d_f32 *b,
                                        const kiln_memref4d_f32 *c,
                                        int8_t transpose_a, int8_t transpose_b,
                                        int8_t accumulate);

/* A rank-3 float buffer: element (i, j, k) at aligned[offset + i*strides[0] +
 * j*strides[1] + k*strides[2]]. */
typedef struct kiln_memref3d_f32 {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t sizes[3];
  int64_t strides[3];
} kiln_memref3d_f32;

/* Fused multi-head attention (graph.attention): with q [B, T, H*D], k and v
 * [B, S, H*D] and an additive mask [T, S], for every batch b and head h
 * (columns h*D to h*D + D - 1),
 *   out[b, :, head h] = softmax(scale * q_h k_h^T + mask) v_h,
 * without materializing the scores. Keys whose mask is -inf are skipped, so
 * a causal mask halves the work; a row masked everywhere gives NaN, as the
 * unfused softmax does. Batch elements (or heads) run in parallel on the
 * pool, each in a fixed order: results do not depend on the thread count.
 * Any strides. */
void _mlir_ciface_kiln_attention_f32(const kiln_memref3d_f32 *q,
                                     const kiln_memref3d_f32 *k,
                                     const kiln_memref3d_f32 *v,
                                     const kiln_memref2d_f32 *mask,
                                     const kiln_memref3d_f32 *out,
                                     int64_t heads, float scale);

/* The gradients of the above with respect to q, k and v, given the gradient
 * `dout` of its output (graph.attention_grad). The attention weights are
 * recomputed rather than stored. */
void _mlir_ciface_kiln_attention_grad_f32(
    const kiln_memref3d_f32 *q, const kiln_memref3d_f32 *k,
    const kiln_memref3d_f32 *v, const kiln_memref2d_f32 *mask,
    const kiln_memref3d_f32 *dout, const kiln_memref3d_f32 *dq,
    const kiln_memref3d_f32 *dk, const kiln_memref3d_f32 *dv, int64_t heads,
    float scale);

/* Runs task(context, i) for every i in [0, n) on the runtime's pool: the
 * chunks of a loop nest the compiler cut for threads. Chunks write disjoint
 * data, so results do not depend on which thread runs which chunk. */
void kiln_parallel_for(int64_t n, void (*task)(void *context, int64_t i),
                       void *context);

/* Threads of the runtime's pool (default 1; kiln_run_start sets --threads).
 * A large product is cut into blocks by its shape alone, each block a
 * single-threaded BLAS call on the pool, so results are bit-identical for
 * every thread count. The BLAS itself always runs single-threaded. */
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

/* Errors. A runtime call that can fail on input from outside (a file, the
 * command line) returns a status and leaves a message for this thread,
 * naming the file and, where it applies, the byte offset of the problem. The
 * pointer stays valid until the thread's next failing call. */
const char *kiln_last_error(void);

/* Data sets. An MNIST-format split (MNIST, Fashion-MNIST): images are
 * count*rows*cols bytes, row-major, in a KILN_BUFFER_ALIGNMENT-aligned
 * buffer; labels are count int32 class indices. */
#define KILN_FASHION_MNIST_DIR "/usr/share/datasets/fashion-mnist"

typedef struct kiln_dataset {
  int64_t count;
  int64_t rows;
  int64_t cols;
  uint8_t *images;
  int32_t *labels;
} kiln_dataset;

/* Loads split "train" or "test" from the IDX files in `dir` (NULL:
 * KILN_FASHION_MNIST_DIR): {train,t10k}-images-idx3-ubyte and
 * {train,t10k}-labels-idx1-ubyte, each raw or gzip-compressed (.gz). Returns 0,
 * or -1 with *out zeroed and kiln_last_error() set. */
int32_t kiln_dataset_load_mnist(const char *dir, const char *split,
                                kiln_dataset *out);
/* Frees the buffers of a loaded data set and zeroes it. */
void kiln_dataset_free(kiln_dataset *dataset);

/* Metrics: one JSON object per line appended to DIR/metrics.jsonl, flushed
 * per line:
 *   {"step":3,"name":"acc/task0","value":0.9125,"time":1764150000.25,
 *    "task":0}
 * Values print as the shortest decimal that reads back exactly as the f32 or
 * f64 logged (NaN and infinities as NaN, Infinity, -Infinity, which Python's
 * json module reads); "time" is wall-clock seconds since the Unix epoch. */
typedef struct kiln_metrics kiln_metrics;

/* An extra field of one line: a string, or an integer when string_value is
 * NULL. */
typedef struct kiln_metric_tag {
  const char *key;
  const char *string_value;
  int64_t int_value;
} kiln_metric_tag;

/* Opens DIR/metrics.jsonl for appending, creating DIR if needed. Returns NULL
 * with kiln_last_error() set on failure. */
kiln_metrics *kiln_metrics_open(const char *dir);
/* Append one line; 0, or -1 with kiln_last_error() set (a failed write, or a
 * tag key that repeats a field). */
int32_t kiln_metrics_log_f32(kiln_metrics *metrics, int64_t step,
                             const char *name, float value,
                             const kiln_metric_tag *tags, size_t num_tags);
int32_t kiln_metrics_log_f64(kiln_metrics *metrics, int64_t step,
                             const char *name, double value,
                             const kiln_metric_tag *tags, size_t num_tags);
/* Length of metrics.jsonl in bytes after the last complete line: what a
 * checkpoint records, so that a resumed run can cut the file back to it. */
uint64_t kiln_metrics_size(const kiln_metrics *metrics);
/* Makes the lines logged so far durable (fsync), as a checkpoint recording
 * the file's length needs. 0, or -1 with kiln_last_error() set. */
int32_t kiln_metrics_sync(kiln_metrics *metrics);
void kiln_metrics_close(kiln_metrics *metrics);

/* TensorBoard: an event file DIR/events.out.tfevents.<unix time>.<host>
 * (with a .N suffix should that name exist) of TFRecord-framed Event protos,
 * the first carrying file_version "brain.Event:2", each later one a scalar
 * summary. Every event is flushed as written. */
typedef struct kiln_tfevents kiln_tfevents;

/* Returns NULL with kiln_last_error() set on failure; creates DIR if needed. */
kiln_tfevents *kiln_tfevents_open(const char *dir);
int32_t kiln_tfevents_scalar(kiln_tfevents *events, int64_t step,
                             const char *tag, float value);
/* The event file's path. */
const char *kiln_tfevents_path(const kiln_tfevents *events);
void kiln_tfevents_close(kiln_tfevents *events);

/* Command line of a built experiment:
 *   --help                  every option and hyper-parameter, then exit 0
 *   --seed N --out DIR --resume --device cpu|cuda --threads N --data-dir DIR
 *   --checkpoint-every N --keep-checkpoints K --keep-every N
 *   --keep-best NAME --keep-best-min --init-from FILE.safetensors
 *   --<hyper-parameter> V   for each declared hyper-parameter
 * Both --name V and --name=V are accepted, '-' and '_' are interchangeable in
 * names, a later flag overrides an earlier one, and a bool accepts --name
 * alone for true, or true|false|1|0 as its value. */
typedef enum kiln_hparam_type {
  KILN_HPARAM_INT = 0,
  KILN_HPARAM_FLOAT = 1,
  KILN_HPARAM_BOOL = 2,
  KILN_HPARAM_STRING = 3,
} kiln_hparam_type;

/* One hyper-parameter: the default on entry, the resolved value on return,
 * in the member its type selects. A resolved string points into argv, into
 * choices, or is the default. */
typedef struct kiln_hparam {
  const char *name;
  const char *doc;            /* one line for --help, or NULL */
  int32_t type;               /* a kiln_hparam_type */
  const char *const *choices; /* strings: the allowed values, or NULL */
  size_t num_choices;
  int64_t int_value;
  double float_value;
  int32_t bool_value;
  const char *string_value;
  /* Nonzero when the value was compiled into the program: --help says so,
   * and a command-line value other than the default is a usage error. */
  int32_t fixed;
  /* Ints and floats: nonzero when values must lie in [low, high] (either
   * bound may be infinite). */
  int32_t has_range;
  double low, high;
} kiln_hparam;

typedef enum kiln_device {
  KILN_DEVICE_CPU = 0,
  KILN_DEVICE_CUDA = 1
} kiln_device;

/* The options every experiment has: defaults on entry, resolved on return. */
typedef struct kiln_run_options {
  uint64_t seed;
  const char *out_dir;
  int32_t resume;  /* 0 or 1 */
  int32_t device;  /* a kiln_device */
  int32_t threads; /* >= 1 */
  /* --data-dir: where data sets are read from, or NULL for their defaults. */
  const char *data_dir;
  /* Checkpoints (docs/checkpoints.md): one every N train steps (0: only
   * those the program or a signal asks for); keep the newest K (>= 1), every
   * one at a multiple of N steps (0: none), the best by a metric (NULL:
   * none; highest unless keep_best_min). */
  int64_t checkpoint_every;
  int64_t keep_checkpoints;
  int64_t keep_every;
  const char *keep_best;
  int32_t keep_best_min; /* 0 or 1 */
  /* --init-from: parameters from a safetensors file, or NULL. */
  const char *init_from;
} kiln_run_options;

/* Parses argv[1..argc). Returns -1 when the experiment should run; otherwise
 * the status to exit with: 0 after printing --help to stdout, 2 after
 * printing a usage error to stderr. */
int32_t kiln_cli_parse(int argc, char **argv, const char *description,
                       kiln_hparam *params, size_t num_params,
                       kiln_run_options *options);

/* Writes DIR/config.json (creating DIR, replacing any earlier file whole):
 * the source hash, seed, device, threads, resume flag and every
 * hyper-parameter. Returns 0, or -1 with kiln_last_error() set. */
int32_t kiln_write_config(const char *dir, const kiln_hparam *params,
                          size_t num_params, const kiln_run_options *options,
                          const char *source_hash);

#ifdef __cplusplus
}
#endif

#endif /* KILN_RUNTIME_H */
