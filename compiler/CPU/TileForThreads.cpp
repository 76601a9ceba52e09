//===- TileForThreads.cpp - Large loop nests as parallel chunks -----------===//
//
// Cuts the outermost parallel loop of each large linalg op on tensors into
// at most `chunks` equal chunks of an scf.forall, before vectorization
// tiles each chunk. After bufferization, kiln-cpu-outline-parallel-loops
// turns every scf.forall into a call that runs its chunks on the runtime's
// thread pool. Chunks write disjoint slices, so results do not depend on
// how many threads run them. Ops left to BLAS and updates written in place
// into the caller's buffers stay whole.
//
//===----------------------------------------------------------------------===//

#include "compiler/CPU/BlasContraction.h"
#include "compiler/CPU/Passes.h"

#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"

namespace kiln::cpu {
#define GEN_PASS_DEF_TILEFORTHREADS
#include "compiler/CPU/Passes.h.inc"
} // namespace kiln::cpu

using namespace mlir;

namespace {

/// The largest divisor of `extent` not above `limit`: chunks of one static
/// size, which vectorization needs.
int64_t chunkCount(int64_t extent, int64_t limit) {
  for (int64_t n = std::min(extent, limit); n > 1; --n)
    if (extent % n == 0)
      return n;
  return 1;
}

struct TileForThreadsPass
    : kiln::cpu::impl::TileForThreadsBase<TileForThreadsPass> {
  using Base::Base;

  /// The loop to cut, or -1 when `op` should stay whole.
  int64_t loopToCut(linalg::LinalgOp op) {
    if (!op.hasPureTensorSemantics() || op.hasDynamicShape() ||
        op->getParentOfType<scf::ForallOp>())
      return -1;
    // In-place updates of the caller's buffers, and BLAS products with the
    // fills that initialize them, keep the form later passes expect.
    if (kiln::cpu::writesCallersBuffer(op) ||
        kiln::cpu::goesToBlas(op, blasMinFlops) ||
        isa<linalg::FillOp>(op.getOperation()))
      return -1;
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    int64_t work = 1;
    for (int64_t range : ranges)
      work *= range;
    if (work < minIterations)
      return -1;
    auto iterators = op.getIteratorTypesArray();
    for (auto [dim, range] : llvm::enumerate(ranges))
      if (iterators[dim] == utils::IteratorType::parallel && range > 1)
        return dim;
    return -1;
  }

  void runOnOperation() override {
    SmallVector<std::pair<linalg::LinalgOp, int64_t>> targets;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (int64_t dim = loopToCut(op); dim >= 0)
        targets.push_back({op, dim});
    });
    IRRewriter rewriter(&getContext());
    for (auto [op, dim] : targets) {
      int64_t extent = op.getStaticLoopRanges()[dim];
      int64_t count = chunkCount(extent, chunks);
      if (count < 2)
        continue;
      SmallVector<OpFoldResult> sizes(op.getNumLoops(),
                                      rewriter.getIndexAttr(0));
      sizes[dim] = rewriter.getIndexAttr(extent / count);
      scf::SCFTilingOptions options;
      options.setTileSizes(sizes);
      options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
      rewriter.setInsertionPoint(op);
      FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
          rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled)) {
        op.emitError("could not cut into chunks for threads");
        return signalPassFailure();
      }
      rewriter.replaceOp(op, tiled->replacements);
    }
  }
};

} // namespace
