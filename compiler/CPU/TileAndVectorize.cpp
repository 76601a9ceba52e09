//===- TileAndVectorize.cpp - Vector-sized tiles for linalg ops -----------===//

#include "compiler/CPU/BlasContraction.h"
#include "compiler/CPU/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln::cpu {
#define GEN_PASS_DEF_TILEANDVECTORIZE
#include "compiler/CPU/Passes.h.inc"
} // namespace kiln::cpu

using namespace mlir;

namespace {

/// Tile of the vectorized loop: the whole loop if it fits in one vector, else
/// the largest power of two up to `width` that divides it, so that every tile
/// keeps a static shape.
int64_t innermostTile(int64_t extent, int64_t width) {
  if (extent <= width)
    return 0; // 0 = not tiled
  int64_t tile = 1;
  while (tile * 2 <= width && extent % (tile * 2) == 0)
    tile *= 2;
  return tile;
}

/// Whether `op` reads or writes a tensor of i1. Such ops stay scalar: LLVM
/// packs a vector of i1 into bits in memory while a memref of i1 holds one
/// byte per element, so a vector transfer would read and write the wrong
/// bits. Fused ops that only compute i1 values in registers still vectorize.
bool hasI1Operand(linalg::LinalgOp op) {
  return llvm::any_of(op->getOperandTypes(), [](Type t) {
    return getElementTypeOrSelf(t).isInteger(1);
  });
}

/// Whether `op` has no loops and reads a tensor element in its body (a gather
/// of a single element). Upstream vectorizes it into a vector.gather with a
/// scalar index, which does not verify, so such an op stays scalar.
bool isScalarGather(linalg::LinalgOp op) {
  return op.getNumLoops() == 0 &&
         !op.getBlock()->getOps<tensor::ExtractOp>().empty();
}

struct TileAndVectorizePass
    : kiln::cpu::impl::TileAndVectorizeBase<TileAndVectorizePass> {
  using Base::Base;

  bool goesToBlas(linalg::LinalgOp op) {
    return kiln::cpu::goesToBlas(op, blasMinFlops);
  }

  void runOnOperation() override {
    MLIRContext *context = &getContext();
    SmallVector<linalg::LinalgOp> targets;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op.hasDynamicShape() ||
          !(op.hasPureTensorSemantics() || op.hasPureBufferSemantics()))
        return;
      // An update written in place into the caller's buffer stays whole:
      // scf.for tiles carrying that buffer defeat in-place bufferization
      // (upstream reports a RaW conflict). LLVM vectorizes its plain loop.
      // (After bufferization the same pass tiles it on buffers.)
      if (kiln::cpu::writesCallersBuffer(op))
        return;
      if (goesToBlas(op))
        return; // left whole for kiln-cpu-contractions-to-blas
      // So is the zero fill that initializes only such products: the GEMM
      // call then overwrites instead of accumulating into zeros.
      if (auto fill = dyn_cast<linalg::FillOp>(op.getOperation());
          fill && fill->getNumResults() == 1 && kiln::cpu::isZeroFill(fill) &&
          !fill->use_empty() &&
          llvm::all_of(fill->getUses(), [&](OpOperand &use) {
            auto user = dyn_cast<linalg::LinalgOp>(use.getOwner());
            return user && user.isDpsInit(&use) && goesToBlas(user);
          }))
        return;
      targets.push_back(op);
    });

    IRRewriter rewriter(context);
    SmallVector<Operation *> tiles;
    for (linalg::LinalgOp op : targets) {
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      if (ranges.empty()) {
        tiles.push_back(op);
        continue;
      }
      // Contractions vectorize along their last parallel loop (N of a
      // matmul), which reads the right operand and the accumulator
      // contiguously; everything else along its innermost loop.
      int64_t vectorDim = ranges.size() - 1;
      if (linalg::isaContractionOpInterface(op)) {
        SmallVector<unsigned> parallel;
        op.getParallelDims(parallel);
        if (!parallel.empty())
          vectorDim = parallel.back();
      }
      SmallVector<OpFoldResult> sizes;
      for (auto [dim, extent] : llvm::enumerate(ranges)) {
        int64_t size = (int64_t)dim == vectorDim
                           ? innermostTile(extent, vectorWidth)
                           : (extent == 1 ? 0 : 1);
        sizes.push_back(rewriter.getIndexAttr(size));
      }
      scf::SCFTilingOptions options;
      options.setTileSizes(sizes);
      rewriter.setInsertionPoint(op);
      FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
          rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled)) {
        op.emitError("could not tile for vectorization");
        return signalPassFailure();
      }
      if (op->getNumResults())
        rewriter.replaceOp(op, tiled->replacements);
      else
        rewriter.eraseOp(op); // on buffers the tiles write in place
      tiles.append(tiled->tiledOps.begin(), tiled->tiledOps.end());
    }

    for (Operation *tile : tiles) {
      auto linalgOp = dyn_cast<linalg::LinalgOp>(tile);
      if (!linalgOp || linalgOp.hasDynamicShape() || hasI1Operand(linalgOp) ||
          isScalarGather(linalgOp))
        continue;
      rewriter.setInsertionPoint(tile);
      // Contractions become vector.contract directly (lowered to FMAs);
      // other reductions stay vector.multi_reduction.
      bool contraction = linalg::isaContractionOpInterface(linalgOp);
      FailureOr<linalg::VectorizationResult> vectorized = linalg::vectorize(
          rewriter, tile, /*inputVectorSizes=*/{}, /*inputScalableVecDims=*/{},
          /*vectorizeNDExtract=*/false, /*flatten1DDepthwiseConv=*/false,
          /*assumeDynamicDimsMatchVecSizes=*/false,
          /*createNamedContraction=*/contraction);
      if (succeeded(vectorized))
        rewriter.replaceOp(tile, vectorized->replacements);
    }

    RewritePatternSet patterns(context);
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    vector::populateSinkVectorOpsPatterns(patterns);
    vector::TransferReadOp::getCanonicalizationPatterns(patterns, context);
    vector::TransferWriteOp::getCanonicalizationPatterns(patterns, context);
    tensor::populateFoldTensorSubsetIntoVectorTransferPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
