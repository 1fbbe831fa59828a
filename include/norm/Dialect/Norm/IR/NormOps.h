//===- NormOps.h - norm dialect ops -----------------------------*- C++ -*-===//

#ifndef NORM_DIALECT_NORM_IR_NORMOPS_H
#define NORM_DIALECT_NORM_IR_NORMOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "norm/Dialect/Norm/IR/NormDialect.h"
#include "norm/Dialect/Norm/IR/NormInterfaces.h"

#define GET_OP_CLASSES
#include "norm/Dialect/Norm/IR/NormOps.h.inc"

namespace mlir::norm {
/// Builds, at `like`'s location, the forward norm op of a kind (`centered`:
/// LayerNorm, else RMSNorm) and form (with a `residual`: the fused residual
/// op, with `residualScale`) on `input`, with `bias` (may be null) and
/// `like`'s axes, epsilon, compute type, scale, feature epsilon,
/// scale_offset and casting.
NormalizationOpInterface createNormalizationOpLike(
    OpBuilder &b, NormalizationOpInterface like, bool centered, Value input,
    Value residual, double residualScale, Value bias, bool withStatistics);
} // namespace mlir::norm

#endif // NORM_DIALECT_NORM_IR_NORMOPS_H
