//===- Passes.td - Passes of the GPU phase -----------------*- tablegen -*-===//
//
// The GPU phase turns fused linalg on buffers into scf.parallel nests mapped
// to CUDA blocks and threads; upstream passes then outline them as kernels.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_GPU_PASSES
#define KILN_COMPILER_GPU_PASSES

include "mlir/Pass/PassBase.td"

def ReadOnlyInputs : Pass<"kiln-gpu-read-only-inputs", "mlir::ModuleOp"> {
  let summary = "Keep bufferization from writing into a caller's inputs";
  let description = [{
    Marks the tensor arguments of public functions
    `bufferization.writable = false`, so that an op updating a tensor in
    place (insert_slice, scatter_add) copies an input instead of overwriting
    the caller's device buffer. The exception is an argument that a result
    updates (`kiln.updates`, a train step's parameters and optimizer state):
    the result is written into it, as on the CPU, and
    kiln-cpu-drop-updated-results then removes the result.
  }];
  let dependentDialects = ["mlir::bufferization::BufferizationDialect"];
}

def AttentionToLoops : Pass<"kiln-gpu-attention-to-loops",
                             "mlir::func::FuncOp"> {
  let summary = "Fused attention as flash-style loops on GPU threads";
  let description = [{
    Runs on tensors, before bufferization. `graph.attention` becomes two
    scf.parallel nests: a thread per (batch element * head, query row, part
    of about 16 keys) keeps its query row in registers (the head size is
    unrolled), finds the part's largest score, then sums the softmax's
    terms and the weighted value rows relative to it; a thread per query
    row combines the parts (rescaled to the row's maximum, in order) and
    divides: the scores and weights never reach memory. A row whose keys
    are all masked gives NaN, as the unfused softmax does.
    `graph.attention_grad` recomputes each row's statistics the same way
    (maximum, 1 / sum, dy . y), then sums dq in parts of the keys and dk
    and dv (a thread per key row) in parts of the queries, each followed by
    a kernel adding the parts in order. Keys the mask sets to -inf are
    skipped. No atomics: results are the same on every run. The loops ask
    for blocks of 64 threads (`kiln.threads_per_block`): even a small batch
    spreads over all multiprocessors. Operands are read through contiguous buffers
    (`bufferization.to_buffer`, read-only: in place unless the operand is a
    strided view, which is copied first), so that addresses have constant
    strides; results are fresh buffers (`bufferization.to_tensor`). Shapes
    must be static.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::bufferization::BufferizationDialect",
                           "mlir::math::MathDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect"];
}

def LinalgToParallelLoops : Pass<"kiln-gpu-linalg-to-parallel-loops",
                                 "mlir::func::FuncOp"> {
  let summary = "Lower every linalg op on buffers to one scf.parallel nest";
  let description = [{
    Each linalg op (and each memref.copy, as a linalg.copy) becomes one
    scf.parallel over its parallel loops, which become one GPU kernel, with
    its reduction loops as sequential scf.for inside: one thread per output
    element, so reductions are deterministic and need no atomics. Parallel
    loops are first interchanged to the outside, so that a reduction over a
    leading dimension does not leave a host loop around a kernel; an op
    without parallel loops (a full reduction, a scalar fill) is wrapped in a
    one-trip scf.parallel, i.e. a kernel of one thread. A reduction keeps
    its output element in a register (an scf.for iter_arg), stored once
    after the loop. A full reduction (a sum, maximum or minimum) of at
    least 1024 steps runs in two kernels instead: up to 256 threads each
    reduce a contiguous part of its outer loop into a buffer of partial
    results, then one thread combines them with the initial value, in
    order.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::scf::SCFDialect"];
}

// A module pass: it declares the GEMM function in the module.
def ContractionsToGemm : Pass<"kiln-gpu-contractions-to-gemm",
                              "mlir::ModuleOp"> {
  let summary = "Run matrix products on the GEMM library";
  let description = [{
    After bufferization, every rank-2 f32 contraction becomes a call of
    `kiln_gpu_gemm(A, B, C, transpose_a, transpose_b, accumulate)` (cuBLAS
    on the device), operands cast to fully dynamic strided memrefs; the zero
    fill that usually precedes it is dropped in favour of overwriting C.
    A contraction with one or two batch dimensions (attention's per-head
    products) calls `kiln_gpu_gemm_batched` the same way with rank-4
    operands, batch dimensions first (cuBLAS's strided batched GEMM).
    Everything else stays generated kernels.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect"];
}

def MapParallelLoops : Pass<"kiln-gpu-map-parallel-loops",
                            "mlir::func::FuncOp"> {
  let summary = "Tile outermost scf.parallel nests into blocks of threads";
  let description = [{
    Every outermost scf.parallel with constant bounds is tiled into a loop
    over blocks and a loop over the threads of a block, with guards where a
    tile overhangs, and annotated with the mapping that
    `convert-parallel-loops-to-gpu` reads. The innermost dimension maps to
    x, so that consecutive threads of a warp touch consecutive elements; up
    to `threads-per-block` threads are spread over the three innermost
    dimensions, innermost first (a loop's `kiln.threads_per_block`
    attribute overrides the option for it). Dimensions beyond the third
    become sequential loops inside each thread.
  }];
  let options = [
    Option<"threadsPerBlock", "threads-per-block", "int64_t", "256",
           "Most threads in one block">
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::scf::SCFDialect"];
}

def SequentialLoopsToParallel : Pass<"kiln-gpu-sequential-loops-to-parallel",
                                     "mlir::func::FuncOp"> {
  let summary = "Give the host side's remaining loop nests to the device";
  let description = [{
    Runs after `kiln-gpu-linalg-to-parallel-loops`: loops left on the host
    side come from ops that are not linalg, chiefly a scatter-add (the
    gradient of an embedding lookup), whose iterations may add into the same
    element. A perfect nest of scf.for whose innermost loop's iterations are
    independent (every access to a buffer the nest writes indexes one
    dimension with that loop's induction variable and no other with
    anything depending on it) becomes an scf.parallel over that loop with
    the outer loops sequential inside each iteration: one thread per
    feature of a scatter-add, each adding in a fixed order, so the result
    is deterministic. When the buffer written is a small table (rows times
    iterations at most 2^27), the parallel loop also runs over its rows: a
    thread per (row, feature) scans the nest in order and adds only what
    lands in its own element, kept in a register, instead of adding row
    after row through memory. Any other nest runs whole in a single iteration of an
    scf.parallel (one thread).
  }];
  let dependentDialects = ["mlir::scf::SCFDialect"];
}

def SinkHostScalars : Pass<"kiln-gpu-sink-host-scalars",
                           "mlir::func::FuncOp"> {
  let summary = "Compute a kernel's scalars inside it, not on the host";
  let description = [{
    A kernel may use a scalar the host side computes: a learning rate or a
    step count loaded from a 0-d buffer, Adam's bias corrections computed
    from it, a norm an earlier kernel reduced. The host side only launches
    kernels (its buffers live on the device), so every such scalar is
    recomputed inside the gpu.launch that uses it: side-effect-free ops are
    cloned in, and so are memref.load ops when nothing between the load and
    the launch touches the loaded buffer other than by loading from it.
    Constants and index computations are sunk too (this replaces
    `gpu-launch-sink-index-computations`). A scalar the host side stores
    into a buffer (a scheduled learning rate) is stored by a one-thread
    launch instead, into which its computation is then sunk. A launch that still uses a
    host-computed scalar is left as it is; the launch list reader rejects it.
  }];
  let dependentDialects = ["mlir::gpu::GPUDialect"];
}

#endif // KILN_COMPILER_GPU_PASSES
