//===- MapParallelLoops.cpp - scf.parallel nests onto blocks and threads --===//

#include "compiler/GPU/Passes.h"

#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include "llvm/Support/MathExtras.h"

#include <limits>

namespace kiln::gpu {
#define GEN_PASS_DEF_MAPPARALLELLOOPS
#include "compiler/GPU/Passes.h.inc"
} // namespace kiln::gpu

using namespace mlir;

namespace {
/// CUDA has three block and thread dimensions, x, y and z.
constexpr unsigned kHardwareDims = 3;

/// Largest grid extent in x, and in y and z.
constexpr int64_t kMaxGridX = std::numeric_limits<int32_t>::max();
constexpr int64_t kMaxGridYZ = 65535;

/// Loop dimension `d` of `rank` maps to hardware dimension rank - 1 - d: the
/// innermost loop is x.
std::optional<unsigned> hardwareDim(unsigned d, unsigned rank) {
  unsigned fromInnermost = rank - 1 - d;
  if (fromInnermost >= kHardwareDims)
    return std::nullopt;
  return fromInnermost;
}

LogicalResult setMapping(scf::ParallelOp loop, ::mlir::gpu::Processor first) {
  MLIRContext *context = loop.getContext();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(1, context);
  unsigned rank = loop.getNumLoops();
  SmallVector<::mlir::gpu::ParallelLoopDimMappingAttr> mapping;
  for (unsigned d = 0; d < rank; ++d) {
    auto processor = ::mlir::gpu::Processor::Sequential;
    if (std::optional<unsigned> dim = hardwareDim(d, rank))
      processor = static_cast<::mlir::gpu::Processor>(
          static_cast<unsigned>(first) + *dim);
    mapping.push_back(::mlir::gpu::ParallelLoopDimMappingAttr::get(
        context, processor, identity, identity));
  }
  return ::mlir::gpu::setMappingAttr(loop, mapping);
}

LogicalResult mapToBlocksAndThreads(scf::ParallelOp loop,
                                    int64_t threadsPerBlock) {
  unsigned rank = loop.getNumLoops();
  SmallVector<int64_t> trips;
  for (auto [lb, ub, step] :
       llvm::zip(loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
    std::optional<int64_t> l = getConstantIntValue(lb);
    std::optional<int64_t> u = getConstantIntValue(ub);
    std::optional<int64_t> s = getConstantIntValue(step);
    if (!l || !u || !s)
      return loop.emitOpError("needs constant bounds to map to the GPU");
    trips.push_back(llvm::divideCeil(std::max<int64_t>(*u - *l, 0), *s));
  }

  // Threads go to the innermost dimensions first: a warp then walks
  // consecutive elements of the fastest-varying dimension.
  SmallVector<int64_t> tile(rank, 1);
  int64_t budget = threadsPerBlock;
  for (unsigned d = rank; d-- > 0;) {
    std::optional<unsigned> dim = hardwareDim(d, rank);
    if (!dim)
      break;
    tile[d] = std::clamp<int64_t>(trips[d], 1, budget);
    budget /= tile[d];
    int64_t blocks = llvm::divideCeil(trips[d], tile[d]);
    if (blocks > (*dim == 0 ? kMaxGridX : kMaxGridYZ))
      return loop.emitOpError("needs ")
             << blocks << " blocks in one grid dimension, over CUDA's limit";
  }

  auto [blockLoop, threadLoop] =
      scf::tileParallelLoop(loop, tile, /*noMinMaxBounds=*/true);
  if (failed(setMapping(blockLoop, ::mlir::gpu::Processor::BlockX)) ||
      failed(setMapping(threadLoop, ::mlir::gpu::Processor::ThreadX)))
    return loop.emitOpError("cannot map to blocks and threads");
  return success();
}

struct MapParallelLoopsPass
    : kiln::gpu::impl::MapParallelLoopsBase<MapParallelLoopsPass> {
  using MapParallelLoopsBase::MapParallelLoopsBase;

  void runOnOperation() override {
    SmallVector<scf::ParallelOp> outermost;
    getOperation().walk([&](scf::ParallelOp loop) {
      if (!loop->getParentOfType<scf::ParallelOp>())
        outermost.push_back(loop);
    });
    for (scf::ParallelOp loop : outermost) {
      int64_t threads = threadsPerBlock;
      if (auto wanted =
              loop->getAttrOfType<IntegerAttr>(kiln::gpu::kThreadsPerBlockAttr))
        threads = wanted.getInt();
      if (failed(mapToBlocksAndThreads(loop, threads)))
        return signalPassFailure();
    }
  }
};
} // namespace
