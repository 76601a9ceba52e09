//===- ViewSource.h - The buffer behind a view ------------------*- C++ -*-===//

#ifndef KILN_COMPILER_GPU_VIEWSOURCE_H
#define KILN_COMPILER_GPU_VIEWSOURCE_H

#include "mlir/Interfaces/ViewLikeInterface.h"

namespace kiln::gpu {

/// The buffer that `value` is a view of (through subviews, casts, reshapes),
/// or `value` itself: accesses through two values with the same root may
/// alias.
inline mlir::Value bufferBehindViews(mlir::Value value) {
  while (auto view = value.getDefiningOp<mlir::ViewLikeOpInterface>())
    value = view.getViewSource();
  return value;
}

} // namespace kiln::gpu

#endif // KILN_COMPILER_GPU_VIEWSOURCE_H
