/*===- program.h - The C ABI of a compiled experiment's host program ----===*
 *
 * `kilnc build` lowers an experiment's host program (the `exp` dialect) to a
 * native `main` that calls only the functions declared here, in this order:
 *
 *   run = kiln_run_create(argc, argv, "fashion_mlp", "<source hash>");
 *   kiln_run_declare_int(run, "epochs", 5, 0); ...   one per hyper-parameter
 *   status = kiln_run_start(run);           parses flags, opens DIR/...
 *   if (status >= 0) return status;         --help (0) or a usage error (2)
 *   epochs = kiln_run_int(run, 0); ...      resolved values
 *   ... data, parameters, loops, compiled steps, kiln_run_log ...
 *   return kiln_run_finish(run);
 *
 * Tensors live in buffers the generated code allocates (64-byte aligned, with
 * static shapes); the runtime reads and fills them through plain pointers
 * and element counts. Every function here that can fail on input from
 * outside (a missing data file, a bad flag) prints a clear error to stderr
 * and exits the process (status 1; 2 for usage errors) after flushing what
 * was logged: generated code never checks a status.
 *
 *===---------------------------------------------------------------------===*/

#ifndef KILN_PROGRAM_H
#define KILN_PROGRAM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kiln_run kiln_run;

/* Setup. `source_hash` identifies the program (config.json records it);
 * `argv` must outlive the run, as main's does. Defaults: --out
 * runs/<experiment>, --threads the number of online CPUs. */
kiln_run *kiln_run_create(int32_t argc, char **argv, const char *experiment,
                          const char *source_hash);

/* Hyper-parameters, in declaration order; each returns its index. A `fixed`
 * one was compiled into the program (it sizes tensors or a schedule):
 * --help shows it as fixed, and overriding it on the command line is a
 * usage error that says to rebuild with `kilnc build --set name=value` (or
 * to use `kilnc run`, which rebuilds by itself); restating the compiled value
 * is accepted. */
int64_t kiln_run_declare_int(kiln_run *run, const char *name,
                             int64_t default_value, int32_t fixed);
int64_t kiln_run_declare_float(kiln_run *run, const char *name,
                               double default_value, int32_t fixed);
int64_t kiln_run_declare_bool(kiln_run *run, const char *name,
                              int32_t default_value, int32_t fixed);
int64_t kiln_run_declare_string(kiln_run *run, const char *name,
                                const char *default_value, int32_t fixed);
/* Restricts string hyper-parameter `index` to the values declared this way. */
void kiln_run_declare_choice(kiln_run *run, int64_t index, const char *value);
/* Restricts int or float hyper-parameter `index` to [low, high]: a value
 * outside is a usage error. */
void kiln_run_declare_range(kiln_run *run, int64_t index, double low,
                            double high);

/* Parses the command line, then (when the experiment is to run) writes
 * DIR/config.json, opens DIR/metrics.jsonl and the TensorBoard event file,
 * and sizes the thread pool. Without --resume the metrics and event files of
 * an earlier run in DIR are removed first; with it, lines are appended.
 * Returns -1 when the experiment should run;
 * otherwise the status `main` returns (0 after --help, 2 after a usage
 * error), the run then being freed. */
int32_t kiln_run_start(kiln_run *run);

int64_t kiln_run_int(const kiln_run *run, int64_t index);
double kiln_run_float(const kiln_run *run, int64_t index);
int32_t kiln_run_bool(const kiln_run *run, int64_t index);
const char *kiln_run_string(const kiln_run *run, int64_t index);
/* 1 if the strings are equal, else 0. */
int32_t kiln_run_str_eq(const char *a, const char *b);
/* The run's seed (--seed). An experiment's own int hyper-parameter `seed`
 * is this one: the program sets its default before kiln_run_start and reads
 * it here. */
void kiln_run_default_seed(kiln_run *run, int64_t seed);
/* Declares a device (a kiln_device) the program was compiled for, besides
 * the CPU, before kiln_run_start; --device naming another is a usage
 * error. */
void kiln_run_supports_device(kiln_run *run, int32_t device);
int64_t kiln_run_seed(const kiln_run *run);

/* The GPU (--device cuda). A program built with CUDA support carries a
 * kernel bundle (runtime/src/cuda/kernels.fbs: PTX and launch lists of its
 * graph functions) and declares it before kiln_run_start, which then opens
 * the GPU when --device cuda asks for it (failing the run, with the reason,
 * when there is none). The bundle must outlive the run. */
void kiln_run_use_kernels(kiln_run *run, const void *bundle, int64_t size);
/* 1 when graph functions run on the GPU, else 0. */
int32_t kiln_run_on_gpu(const kiln_run *run);
/* Runs the bundle's function `function` on `count` host buffers, in
 * exp.invoke's order. */
void kiln_run_invoke_gpu(kiln_run *run, int32_t function, void *const *buffers,
                         int64_t count);
/* Before the host program reads or writes `buffer` (itself, or through
 * another runtime call): brings the buffer up to date from the GPU. A no-op
 * on the CPU. */
void kiln_run_host_use(kiln_run *run, void *buffer);

/* Fails the run, naming `where` (file:line:col), unless 0 <= index < size:
 * the bounds of an experiment's `tensor[index]`. */
void kiln_run_check_index(kiln_run *run, int64_t index, int64_t size,
                          const char *where);

/* Flushes and closes every output, prints a one-line summary to stderr (and,
 * with KILN_STATS=1 in the environment, the caching allocator's counters)
 * and frees the run. Returns the exit status of `main` (0). */
int32_t kiln_run_finish(kiln_run *run);

/* Data. A kiln_data is a data set or a view of one (rows reordered or cut,
 * features permuted); the run owns them all. Functions that take `site`
 * reuse one view per call site of the program (a `site` is a small integer
 * the compiler assigns), so that a loop does not allocate: the view a call
 * returns stays valid until the next call at the same site, which may take
 * that view as its `data`. Data sets load once per (directory, split). */
typedef struct kiln_data kiln_data;

/* `name` is "fashion_mnist" or "mnist", `split` "train" or "test"; `dir`
 * NULL for the default (--data-dir, else KILN_DATA_DIR, else
 * /usr/share/datasets/<name> with '_' as '-'). Fields: x, f32[rows*cols] in
 * [0, 1] (stored as uint8, converted as it is read); y, i32. */
kiln_data *kiln_data_mnist(kiln_run *run, const char *name, const char *split,
                           const char *dir);
/* The rows of `data` in Fisher-Yates order on Philox stream 2^32 keyed by
 * `seed` alone: the order depends on `seed` and the rows, not on --seed. */
kiln_data *kiln_data_shuffle(kiln_run *run, int64_t site, kiln_data *data,
                             int64_t seed);
/* The first `count` rows; more than `data` has is an error. */
kiln_data *kiln_data_take(kiln_run *run, int64_t site, kiln_data *data,
                          int64_t count);
/* Feature i of field x of every row becomes feature permutation[i]; `size`
 * must be the size of field x. Permuting a permuted view composes. */
kiln_data *kiln_data_permute(kiln_run *run, int64_t site, kiln_data *data,
                             const int32_t *permutation, int64_t size);
/* Full batches only: a last partial batch is dropped (shapes are static). */
int64_t kiln_data_num_batches(const kiln_data *data, int64_t size);
/* Rows [index*size, (index+1)*size); index < num_batches, else an error. */
kiln_data *kiln_data_batch(kiln_run *run, int64_t site, kiln_data *data,
                           int64_t index, int64_t size);
int64_t kiln_data_rows(const kiln_data *data);
/* Writes field `field` of every row of `data`: exactly `count` elements
 * (rows times the field's size), else an error naming both. */
void kiln_data_field_f32(kiln_run *run, const kiln_data *data,
                         const char *field, float *out, int64_t count);
void kiln_data_field_i32(kiln_run *run, const kiln_data *data,
                         const char *field, int32_t *out, int64_t count);

/* A synthetic data set from generator `name`, its `num_args` integer and
 * `num_reals` real arguments, drawn on Philox streams 2^32 + 2.. from its
 * seeds alone, cached per arguments:
 *   "gaussian_classes"(count, classes, dim, task_seed, seed): `classes`
 *     class means drawn from N(0, I_dim) by `task_seed`; then, by `seed`,
 *     labels y uniform over the classes and x = mean[y] + N(0, I_dim).
 *     Fields x: f32[dim], y: i32. Splits of one task share `task_seed`.
 *   "induction_tokens"(count, length, vocab, seed): x: i32[length] whose
 *     first half is uniform below `vocab` and whose second repeats it;
 *     y: i32[length] is x shifted by one.
 *   "icl_classification"(count, classes, dim, labels, context, burstiness,
 *     mode, task_seed, seed; zipf, noise): context items
 *     x: f32[context, dim], their labels labels: i32[context], the query
 *     query: f32[dim] and its label y: i32. Mode 0 trains, 1 holds two novel
 * classes, 2 training classes other than the query's (src/synthetic.h).
 *   "icl_regression"(count, dim, points, tasks, task_seed, seed; noise):
 *     x: f32[points, dim], y: f32[points] = x w + noise, w: f32[dim].
 * Rows of the last three are drawn when read, from their index alone. */
kiln_data *kiln_data_synthetic(kiln_run *run, const char *name,
                               const int64_t *args, int64_t num_args,
                               const double *reals, int64_t num_reals);

/* A random permutation of 0..size-1 from `seed` alone (Fisher-Yates on
 * Philox stream 2^32 + 1). */
void kiln_run_permutation(kiln_run *run, int64_t seed, int32_t *out,
                          int64_t size);

/* Parameters and optimizer state. Each initialized parameter draws from its
 * own Philox stream (the order of initialization) under the run's seed. */
typedef enum kiln_init_kind {
  KILN_INIT_ZEROS = 0,
  KILN_INIT_ONES = 1,
  KILN_INIT_NORMAL = 2,  /* a = mean, b = standard deviation */
  KILN_INIT_UNIFORM = 3, /* a = low, b = high */
  KILN_INIT_GLOROT = 4,  /* Glorot uniform */
  KILN_INIT_KAIMING = 5, /* Kaiming normal */
} kiln_init_kind;

void kiln_run_init_param(kiln_run *run, const char *name, int32_t kind,
                         float *data, int64_t count, int64_t fan_in,
                         int64_t fan_out, double a, double b);
/* Zero-fills state that a checkpoint must keep (optimizer moments, step
 * counters) and remembers it by name. */
void kiln_run_register_state(kiln_run *run, const char *name, void *data,
                             int64_t bytes);

/* Position and progress. The compiler brackets every host loop (`loop` is a
 * small integer per loop of the program); the runtime derives from them the
 * run's position: for the progress bar and its ETA, and for checkpoints.
 *
 * kiln_run_loop_enter returns the first iteration to run (0..trips): 0 in a
 * fresh run. A run resumed from a checkpoint re-executes its host program
 * without effects up to the checkpoint's position: a loop on the saved path
 * starts at its saved iteration, a loop entered off that path (one that had
 * finished before the save) starts at `trips`, i.e. is skipped. Until the
 * position is reached, kiln_run_live returns 0: generated code then skips
 * train steps and replay insertions, and the runtime ignores logs and
 * checkpoint requests. When it is reached (at kiln_run_loop_iter of the
 * saved iteration, or kiln_run_loop_exit when the save was at a loop's
 * exit), the runtime restores every registered tensor, replay buffer, the
 * step count and metrics.jsonl's length from the checkpoint, and the run is
 * live. A fresh run is live from the start. */
int64_t kiln_run_loop_enter(kiln_run *run, int64_t loop, int64_t trips);
/* Before kiln_run_loop_enter of a loop that carries host values from one
 * iteration to the next (a `var` updated in it): checkpoint requests wait
 * until the run is outside every such loop, since a resumed run could not
 * rebuild the values. */
void kiln_run_loop_carries(kiln_run *run, int64_t loop);
void kiln_run_loop_iter(kiln_run *run, int64_t loop, int64_t index);
void kiln_run_loop_exit(kiln_run *run, int64_t loop);
int32_t kiln_run_live(const kiln_run *run);

/* Checkpoints. A request (the `checkpoint` statement, --checkpoint-every N
 * steps, SIGINT or SIGTERM) is carried out at the next loop boundary
 * (kiln_run_loop_iter or kiln_run_loop_exit), where the position is a stack
 * of (loop, iteration). After a signal the run saves and exits with 130
 * (SIGINT) or 143 (SIGTERM). `label` may be NULL. */
void kiln_run_checkpoint(kiln_run *run, const char *label);
/* After each train step: counts it (the `step` of later metrics) and reads
 * its loss for the progress line when one is due (the program need not
 * bring `loss` back from the GPU first: kiln_run_host_use). */
void kiln_run_step_done(kiln_run *run, const float *loss);

/* Metrics: the tags set since the last log (a key set twice keeps its last
 * value), then the value, logged at step = the steps done so far. Lines go
 * to DIR/metrics.jsonl and, as a scalar tagged with `name`, to the
 * TensorBoard event file. */
void kiln_run_tag_int(kiln_run *run, const char *key, int64_t value);
void kiln_run_tag_str(kiln_run *run, const char *key, const char *value);
/* Values for the `{...}` holes of the next logged name, in order
 * ("acc/task{j}" with hole 3 logs "acc/task3"). */
void kiln_run_hole_int(kiln_run *run, int64_t value);
void kiln_run_hole_str(kiln_run *run, const char *value);
void kiln_run_log_f32(kiln_run *run, const char *name, float value);
void kiln_run_log_f64(kiln_run *run, const char *name, double value);
void kiln_run_log_i64(kiln_run *run, const char *name, int64_t value);

/* Replay buffers: rows kept for rehearsal or experience replay. Storage is
 * preallocated for `capacity` rows of the fields of the first rows added
 * (uint8 images stay uint8 until sampled). `insert` is "append" (FIFO ring
 * once full) or "reservoir" (Vitter's algorithm R over every row offered);
 * `sample` is "uniform" or "recency": a task j drawn with probability
 * proportional to delta_j ^ -alpha, delta_j counting sample calls (rehearsal
 * blocks) since task j was last drawn or added (1 for the current block),
 * then a row of that task uniformly. alpha = 0 is uniform over tasks.
 * Draws are deterministic given the run's seed and the buffer's creation
 * order; contents and sampler state go into checkpoints. */
typedef struct kiln_replay kiln_replay;
kiln_replay *kiln_replay_create(kiln_run *run, int64_t capacity,
                                const char *insert, const char *sample);
void kiln_replay_add(kiln_run *run, kiln_replay *buffer, const kiln_data *rows,
                     int64_t task);
/* `count` rows drawn with replacement, as a view reused per `site`; rows
 * added to the buffer later may take the place of rows it reads. */
kiln_data *kiln_replay_sample(kiln_run *run, int64_t site, kiln_replay *buffer,
                              int64_t count, double alpha);
int64_t kiln_replay_size(const kiln_replay *buffer);

/* What the language does not reach yet. `insert` may also be
 * "class_balanced" (a balanced reservoir over the classes of int32 field y:
 * once full, a row of a class holding fewer rows than the largest replaces a
 * random row of the largest, so classes end with equal quotas) or
 * "task_episodic" (the same over tasks: each keeps capacity / tasks rows, a
 * uniform sample of its own); `sample` may be "recency_exponential" (task j
 * drawn with probability proportional to exp(-alpha delta_j)) or
 * "prioritized": row i drawn with P(i) = p_i^alpha / sum_k p_k^alpha, a new
 * row getting the largest priority given so far (1 before any).
 *
 * For the rows of the buffer's last sample (`count` must be its size):
 * importance weights (N P(i))^-beta divided by the largest of any row in the
 * buffer (N = its size), and new priorities, each finite and positive (say
 * |TD error| + epsilon). Prioritized buffers only. */
void kiln_replay_weights(kiln_replay *buffer, double beta, float *out,
                         int64_t count);
void kiln_replay_update_priorities(kiln_replay *buffer, const float *priorities,
                                   int64_t count);

/* The first `count_a` rows of `a` followed by the first `count_b` of `b`
 * (half current data, half replay, say), as one view reused per `site`. The
 * two must have the same fields; rows are copied as stored (uint8 stays
 * uint8), features of x permuted as each source has them. */
kiln_data *kiln_data_mix(kiln_run *run, int64_t site, const kiln_data *a,
                         int64_t count_a, const kiln_data *b, int64_t count_b);

/* Memory for compiled code's temporaries (finalize-memref-to-llvm with
 * use-generic-functions): a caching allocator, so that a steady-state step
 * makes no system allocation. Blocks are aligned to at least 64 bytes; an
 * alignment that is not a power of two yields NULL. Thread-safe. */
void *_mlir_memref_to_llvm_alloc(size_t size);
void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size);
void _mlir_memref_to_llvm_free(void *ptr);

typedef struct kiln_alloc_stats {
  uint64_t system_allocations; /* blocks obtained from the system, ever */
  uint64_t live_blocks;        /* handed out and not yet freed */
  uint64_t cached_bytes;       /* held for reuse */
} kiln_alloc_stats;
kiln_alloc_stats kiln_alloc_get_stats(void);

#ifdef __cplusplus
}
#endif

#endif /* KILN_PROGRAM_H */
