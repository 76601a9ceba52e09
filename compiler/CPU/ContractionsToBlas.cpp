//===- ContractionsToBlas.cpp - Large matrix products as sgemm calls ------===//

#include "compiler/CPU/BlasContraction.h"
#include "compiler/CPU/Passes.h"

namespace kiln::cpu {
#define GEN_PASS_DEF_CONTRACTIONSTOBLAS
#include "compiler/CPU/Passes.h.inc"
} // namespace kiln::cpu

namespace {
struct ContractionsToBlasPass
    : kiln::cpu::impl::ContractionsToBlasBase<ContractionsToBlasPass> {
  void runOnOperation() override {
    kiln::cpu::replaceContractionsWithGemmCalls(getOperation(), "kiln_gemm_f32",
                                                /*cInterface=*/true,
                                                "kiln_gemm_batched_f32");
  }
};
} // namespace
