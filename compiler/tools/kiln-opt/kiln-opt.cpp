//===- kiln-opt.cpp - mlir-opt with Kiln's dialects and passes ------------===//

#include "compiler/Pipelines/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  kiln::registerPassesAndPipelines();
  mlir::DialectRegistry registry;
  kiln::registerDialects(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "Kiln optimizer: Kiln's dialects and passes\n", registry));
}
