//===- NormOps.h - norm dialect ops -------------------------------*- C++
//-*-===//

#ifndef NORM_DIALECT_NORM_IR_NORMOPS_H
#define NORM_DIALECT_NORM_IR_NORMOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "norm/Dialect/Norm/IR/NormDialect.h"

#define GET_OP_CLASSES
#include "norm/Dialect/Norm/IR/NormOps.h.inc"

namespace mlir::norm {

/// Wraps `axes` into [0, rank) and sorts them; fails on an out-of-range or
/// duplicate axis. Shared by the verifier, the ops and the lowerings.
FailureOr<SmallVector<int64_t>> canonicalizeAxes(ArrayRef<int64_t> axes,
                                                 int64_t rank);

/// The shape of the statistics results: `shape` with the normalized axes set
/// to 1.
SmallVector<int64_t> getStatisticsShape(ArrayRef<int64_t> shape,
                                        ArrayRef<int64_t> canonicalAxes);

} // namespace mlir::norm

#endif // NORM_DIALECT_NORM_IR_NORMOPS_H
