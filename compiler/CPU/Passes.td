//===- Passes.td - Passes of the CPU phase -----------------*- tablegen -*-===//
//
// The CPU phase turns fused linalg on tensors into vector code for the host.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_CPU_PASSES
#define KILN_COMPILER_CPU_PASSES

include "mlir/Pass/PassBase.td"

def TileAndVectorize : Pass<"kiln-cpu-tile-and-vectorize",
                            "mlir::func::FuncOp"> {
  let summary = "Tile linalg ops to vector-sized tiles and vectorize them";
  let description = [{
    Every static-shaped linalg op is tiled with scf.for loops so that each
    tile spans at most `vector-width` elements of one loop and one element of
    every other loop, then vectorized. The vectorized loop is the innermost
    one, except for contractions, which use their last parallel loop (the N
    of a matmul) so that operands are read contiguously. It is kept whole
    when it is no longer than `vector-width`, so a row of 10 logits is one
    vector<10xf32>. Ops that cannot be vectorized (e.g. gathers) stay
    tiled linalg and lower to scalar loops later. Ops whose result is written
    in place into an argument (see kiln-cpu-expose-entry-points) are left
    whole, for LLVM's loop vectorizer.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", "32",
           "Most elements of the innermost loop in one vector">,
    Option<"blasMinFlops", "blas-min-flops", "int64_t", "262144",
           "Matrix products of at least this many flops are left whole for "
           "kiln-cpu-contractions-to-blas (-1: never)">
  ];
  let dependentDialects = [
    "mlir::affine::AffineDialect", "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect", "mlir::vector::VectorDialect"
  ];
}

def AttentionToRuntime : Pass<"kiln-cpu-attention-to-runtime",
                              "mlir::ModuleOp"> {
  let summary = "f32 fused attention ops as calls of the runtime's kernels";
  let description = [{
    `graph.attention` and `graph.attention_grad` on f32 tensors become calls
    of `kiln_attention_f32` and `kiln_attention_grad_f32`
    (runtime/src/attention.cpp), reading their operands' buffers in place
    and writing fresh result buffers; other element types are an error
    (`--kiln-lower-expand-attention` expands them). Runs on tensors, before
    bufferization.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::bufferization::BufferizationDialect",
    "mlir::func::FuncDialect", "mlir::memref::MemRefDialect"
  ];
}

def TileForThreads : Pass<"kiln-cpu-tile-for-threads", "mlir::func::FuncOp"> {
  let summary = "Cut large linalg ops into scf.forall chunks for the pool";
  let description = [{
    The outermost parallel loop of each static linalg op on tensors that
    iterates at least `min-iterations` times in all is cut into at most
    `chunks` equal chunks (the largest divisor of its extent), as an
    scf.forall. Products left to BLAS, their zero fills, and updates written
    in place into the caller's buffers stay whole. After bufferization,
    kiln-cpu-outline-parallel-loops runs the chunks on the runtime's thread
    pool; they write disjoint slices, so results do not depend on the
    thread count.
  }];
  let options = [
    Option<"chunks", "chunks", "int64_t", "16", "Most chunks per op">,
    Option<"minIterations", "min-iterations", "int64_t", "16384",
           "Smaller ops stay whole (a chunk must pay for its dispatch)">,
    Option<"blasMinFlops", "blas-min-flops", "int64_t", "262144",
           "Matrix products of at least this many flops go to BLAS and stay "
           "whole (as in kiln-cpu-tile-and-vectorize)">
  ];
  let dependentDialects = [
    "mlir::scf::SCFDialect", "mlir::tensor::TensorDialect"
  ];
}

def OutlineParallelLoops : Pass<"kiln-cpu-outline-parallel-loops",
                                "mlir::ModuleOp"> {
  let summary = "Run scf.forall chunks on the runtime's thread pool";
  let description = [{
    Each outermost one-dimensional scf.forall on buffers (as bufferization
    leaves those of kiln-cpu-tile-for-threads) becomes a private function
    of the chunk index and the values its body uses, and a call of
    `kiln_parallel_launch.<function>` with the chunk count and those values.
    kiln-cpu-build-parallel-launchers defines the launchers once the module
    is in the LLVM dialect: they pack the values and call
    `kiln_parallel_for`, which runs the chunks on the pool.
  }];
  let dependentDialects = ["mlir::func::FuncDialect"];
}

def BuildParallelLaunchers : Pass<"kiln-cpu-build-parallel-launchers",
                                  "mlir::ModuleOp"> {
  let summary = "Define the launchers of outlined parallel loops (LLVM)";
  let description = [{
    For each declared `kiln_parallel_launch.F(n, args...)` in the LLVM
    dialect, defines it to store `args` in a stack struct and call
    `kiln_parallel_for(n, task, &struct)`, and defines the task
    `kiln_parallel_task.F(ctx, i)` that loads them back and calls F(i,
    args...). Runs after the conversion to the LLVM dialect, where every
    value, memref descriptors included, is a plain LLVM value.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def ApproximateMath : Pass<"kiln-cpu-approximate-math", "mlir::func::FuncOp"> {
  let summary = "exp, log and erf as vector polynomials instead of libm calls";
  let description = [{
    LLVM turns `math.exp`, `math.log` and `math.erf` on vectors into one libm
    call per lane; softmax and cross-entropy then spend most of their time in
    `expf`, GELU in `erff`.
    This pass rewrites them (f32, scalar or vector) into upstream MLIR's
    polynomial approximations, straight-line FMA code that stays in vector
    registers. Their error is a few ulp at most (test/numeric checks every op
    against a double-precision reference), and they are deterministic.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::math::MathDialect",
    "mlir::vector::VectorDialect"
  ];
}

def HoistVectorTransfers : Pass<"kiln-cpu-hoist-vector-transfers",
                                "mlir::func::FuncOp"> {
  let summary = "Keep loop-carried vector accumulators in registers";
  let description = [{
    After bufferization, a reduction loop over vector tiles reads and writes
    its accumulator through memory on every iteration. This hoists such
    read/write pairs out of the loop (upstream
    `linalg::hoistRedundantVectorTransfers`), so a matmul's K loop keeps its
    accumulator in a register. Loops must be known to run at least once.
  }];
}

// A module pass: it declares the runtime function in the module.
def ContractionsToBlas : Pass<"kiln-cpu-contractions-to-blas",
                              "mlir::ModuleOp"> {
  let summary = "Compute untiled matrix products with the runtime's sgemm";
  let description = [{
    After bufferization, every rank-2 f32 contraction that
    kiln-cpu-tile-and-vectorize left whole (the large ones) becomes a call of
    `kiln_gemm_f32(A, B, C, transpose_a, transpose_b, accumulate)`, which
    computes op(A) @ op(B) into C on the host BLAS; the zero fill that
    usually precedes it is dropped in favour of overwriting C. Tiled code cannot match a tuned
    GEMM's cache blocking at these sizes; elementwise epilogues stay fused
    in generated code.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect",
                           "mlir::LLVM::LLVMDialect"];
}

def DropUpdatedResults : Pass<"kiln-cpu-drop-updated-results",
                              "mlir::ModuleOp"> {
  let summary = "Remove results that were written into their argument";
  let description = [{
    After bufferization, a public function's result marked
    `kiln.updates = i` must be argument #i's buffer itself; it is removed
    from the signature, since the caller already holds it. Anything else is
    an error: the update could not be made in place.
  }];
}

def LowerStridedCopies : Pass<"kiln-cpu-lower-strided-copies",
                              "mlir::func::FuncOp"> {
  let summary = "Turn memref.copy between strided views into loops";
  let description = [{
    Bufferization copies slices with `memref.copy`. Between contiguous
    buffers that lowers to a memcpy, but between strided views it becomes a
    call to the `memrefCopy` runtime helper, which Kiln binaries do not link.
    This rewrites those copies as `linalg.copy`, which lowers to loops.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def ExposeEntryPoints : Pass<"kiln-cpu-expose-entry-points",
                             "mlir::ModuleOp"> {
  let summary = "The calling convention of public functions";
  let description = [{
    Marks every public function with `llvm.emit_c_interface`, so that
    lowering to LLVM adds `_mlir_ciface_<name>`, which takes each memref as a
    pointer to its descriptor: the entry point the runtime and the JIT call.
    Tensor arguments are read-only for bufferization
    (`bufferization.writable = false`): a caller's inputs are never
    overwritten. The exception is state updated in place: a result with the
    attribute `kiln.updates = i` is written into argument #i's buffer
    (`bufferization.materialize_in_destination`), so an optimizer step reads
    and writes each parameter and moment once; after bufferization
    `kiln-cpu-drop-updated-results` removes it from the results.
  }];
  let dependentDialects = ["mlir::bufferization::BufferizationDialect"];
}

#endif // KILN_COMPILER_CPU_PASSES
