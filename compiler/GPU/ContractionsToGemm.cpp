//===- ContractionsToGemm.cpp - Matrix products on the GEMM library -------===//

#include "compiler/CPU/BlasContraction.h"
#include "compiler/GPU/Passes.h"

namespace kiln::gpu {
#define GEN_PASS_DEF_CONTRACTIONSTOGEMM
#include "compiler/GPU/Passes.h.inc"
} // namespace kiln::gpu

namespace {
struct ContractionsToGemmPass
    : kiln::gpu::impl::ContractionsToGemmBase<ContractionsToGemmPass> {
  void runOnOperation() override {
    // The host side is read back as a launch list, not lowered to LLVM: no
    // C-interface wrapper.
    kiln::cpu::replaceContractionsWithGemmCalls(getOperation(), "kiln_gpu_gemm",
                                                /*cInterface=*/false,
                                                "kiln_gpu_gemm_batched");
  }
};
} // namespace
