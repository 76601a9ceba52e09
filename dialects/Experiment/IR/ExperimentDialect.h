//===- ExperimentDialect.h - Kiln experiment dialect ------------*- C++ -*-===//

#ifndef KILN_DIALECTS_EXPERIMENT_IR_EXPERIMENTDIALECT_H
#define KILN_DIALECTS_EXPERIMENT_IR_EXPERIMENTDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialects/Experiment/IR/ExperimentDialect.h.inc"

#endif // KILN_DIALECTS_EXPERIMENT_IR_EXPERIMENTDIALECT_H
