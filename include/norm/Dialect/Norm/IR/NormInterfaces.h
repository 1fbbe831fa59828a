//===- NormInterfaces.h - norm op interfaces --------------------*- C++ -*-===//

#ifndef NORM_DIALECT_NORM_IR_NORMINTERFACES_H
#define NORM_DIALECT_NORM_IR_NORMINTERFACES_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "norm/Dialect/Norm/IR/NormAttrs.h"

#include <array>
#include <optional>

namespace mlir::norm {

/// Wraps `axes` into [0, rank) and sorts them; fails on an out-of-range or
/// duplicate axis.
FailureOr<SmallVector<int64_t>> canonicalizeAxes(ArrayRef<int64_t> axes,
                                                 int64_t rank);

/// The dims of [0, rank) that are not in `canonicalAxes`, in order.
SmallVector<int64_t> getKeptDims(ArrayRef<int64_t> canonicalAxes, int64_t rank);

/// The shape of the statistics results: `shape` with the normalized axes set
/// to 1.
SmallVector<int64_t> getStatisticsShape(ArrayRef<int64_t> shape,
                                        ArrayRef<int64_t> canonicalAxes);

/// The compute type used when an op has no `compute_type`: f64 for f64
/// input, f32 otherwise.
FloatType getDefaultComputeType(Type elementType);

namespace detail {
LogicalResult verifyNormOp(Operation *op);
LogicalResult verifyNormalizationOp(Operation *op);
LogicalResult verifyNormalizationGradOp(Operation *op);
} // namespace detail

} // namespace mlir::norm

#include "norm/Dialect/Norm/IR/NormInterfaces.h.inc"

namespace mlir::norm {
/// The result types of a normalization op on `input`: the input's type, then
/// `numStatistics` statistics types (the input's shape with the canonical
/// `axes` set to 1, in `computeType` or the default compute type). Invalid
/// axes give the input's shape, for the verifier to report.
SmallVector<Type> inferNormalizationResultTypes(Value input,
                                                ArrayRef<int64_t> axes,
                                                unsigned numStatistics,
                                                FloatType computeType);

/// Attaches the TilingInterface and ReifyRankedShapedTypeOpInterface models
/// of the norm ops (written once, against NormalizationOpInterface).
void attachNormalizationOpModels(MLIRContext *context);
} // namespace mlir::norm

#endif // NORM_DIALECT_NORM_IR_NORMINTERFACES_H
