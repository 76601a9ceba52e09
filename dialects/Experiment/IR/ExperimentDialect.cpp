//===- ExperimentDialect.cpp - Kiln experiment dialect --------------------===//

#include "dialects/Experiment/IR/ExperimentDialect.h"
#include "dialects/Experiment/IR/ExperimentOps.h"

#include "mlir/IR/DialectImplementation.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace kiln::exp;

#include "dialects/Experiment/IR/ExperimentDialect.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/Experiment/IR/ExperimentTypes.cpp.inc"

void ExpDialect::initialize() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "dialects/Experiment/IR/ExperimentTypes.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dialects/Experiment/IR/ExperimentOps.cpp.inc"
      >();
}
