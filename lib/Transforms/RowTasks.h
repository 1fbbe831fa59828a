//===- RowTasks.h - Splitting norm ops into tasks of rows -------*- C++ -*-===//
//
// Shared by norm-tile-rows' forward (TileRows.cpp) and gradient
// (TileGradRows.cpp) tilings.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_LIB_TRANSFORMS_ROWTASKS_H
#define NORM_LIB_TRANSFORMS_ROWTASKS_H

#include "norm/Dialect/Norm/IR/NormOps.h"

#include "mlir/IR/PatternMatch.h"

namespace mlir::norm {
/// The number of rows per task so that a task moves about `minTaskBytes`
/// (one read and one write of each element of `input`), at least 1.
OpFoldResult getRowsPerTask(OpBuilder &b, Location loc, Value input,
                            ArrayRef<int64_t> axes, int64_t minTaskBytes);

/// Tiles a gradient op whose normalized axes are trailing into an
/// scf.forall over tasks of about `taskBytes` (at most `maxTasks` tasks),
/// each an scf.for over its rows that computes dx row by row and sums the
/// rows' parameter gradients; the tasks' sums are then added in task order.
/// The tasks depend only on the shape, so the result does not depend on the
/// number of threads. Other gradient ops are left whole.
LogicalResult tileGradIntoRowTasks(RewriterBase &rewriter,
                                   NormalizationGradOpInterface op,
                                   int64_t taskBytes, int64_t maxTasks);
} // namespace mlir::norm

#endif // NORM_LIB_TRANSFORMS_ROWTASKS_H
