//===- Numerics.h - The arithmetic of the norm ops, in one place -*- C++
//-*-===//
//
// Every lowering of a norm op (linalg on the CPU, row kernels on the GPU)
// builds its arithmetic from these functions, and the differential test takes
// its tolerances from the same constants, so that a numerics change is made
// once. The IR builders accept a float scalar or a vector of floats.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_DIALECT_NORM_UTILS_NUMERICS_H
#define NORM_DIALECT_NORM_UTILS_NUMERICS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/APFloat.h"

namespace mlir::norm {

/// A constant `value` of `type` (a float type or a vector of one).
Value createFloatConstant(OpBuilder &b, Location loc, Type type, double value);

/// `value` converted to element type `to` (extended or truncated); f16 and
/// bf16, neither of which extends the other, convert through f32.
Value convertFloat(OpBuilder &b, Location loc, Value value, FloatType to);

/// The ranked tensor `tensor` with its elements converted to `to` (an
/// elementwise linalg.generic of convertFloat); `tensor` itself when its
/// elements already are.
Value convertTensor(OpBuilder &b, Location loc, Value tensor, FloatType to);

/// `scale * residual + input` elementwise (linalg.generic), each operation
/// rounded to the tensors' element type as arith.mulf/addf in that type
/// would be (half types are computed in f32 and rounded after each
/// operation: f32 has more than twice their precision, so the results are
/// the correctly rounded ones). The multiply is skipped when `scale` is 1.
Value createResidualSum(OpBuilder &b, Location loc, Value input, Value residual,
                        double scale);

/// One element of createResidualSum: `scale * residual + input` for scalars
/// (or vectors) of `type`, rounded as there.
Value createResidualSumElement(OpBuilder &b, Location loc, FloatType type,
                               Value input, Value residual, double scale);

/// `scale * tensor` elementwise, rounded to the element type as
/// createResidualSum's multiply; `tensor` itself when `scale` is 1.
Value createScaledTensor(OpBuilder &b, Location loc, Value tensor,
                         double scale);

/// The scale factor of the affine transform from `scale` (in the compute
/// type): `scale` itself, or `1 + scale` with `scaleOffset` (Gemma).
Value createScaleFactor(OpBuilder &b, Location loc, Value scale,
                        bool scaleOffset);

/// `value` rounded to `type` and converted back to its own type (one
/// rounding); `value` itself when `type` is null.
Value createRounded(OpBuilder &b, Location loc, Value value, FloatType type);

/// The affine transform of the normalized value `xhat`:
/// `xhat [* factor] [+ bias]` (scale and bias null when absent), factor
/// createScaleFactor's, all in the compute type. With a `roundingType`
/// (`llama` casting) xhat, the factor, the bias, the product and the sum are
/// each rounded to it, as the same operations in that type would be (for
/// f16 and bf16 computed in f32: the correctly rounded results).
Value createAffine(OpBuilder &b, Location loc, Value xhat, Value scale,
                   Value bias, bool scaleOffset, FloatType roundingType);

/// 1 / max(count, 1) in `type`, `count` an index: empty rows get a zero
/// mean instead of NaN.
Value createInverseCount(OpBuilder &b, Location loc, Value count,
                         FloatType type);
/// The same for a static count.
double getInverseCount(int64_t count);

/// (x - center)^2, or x^2 when `center` is null: the term of the second
/// moment (two-pass: the center is the row mean computed before).
Value createSquaredDeviation(OpBuilder &b, Location loc, Value x, Value center);

/// max(moment + eps, tiny), tiny the smallest normal number of the type:
/// the argument of the inverse root, finite for zero rows and eps = 0.
Value createClampedMoment(OpBuilder &b, Location loc, Value moment, Value eps);

/// rsqrt(max(moment + eps, tiny)).
Value createInverseRoot(OpBuilder &b, Location loc, Value moment, Value eps);

/// The inverse root of a moment given the moment of x * scale:
/// scale * rsqrt(max(scaledMoment + eps * scale^2, tiny)); exactly
/// createInverseRoot(moment, eps) when scale is 1.
Value createScaledInverseRoot(OpBuilder &b, Location loc, Value scaledMoment,
                              Value eps, Value scale);

/// Whether `value` is neither infinite nor NaN (i1, or a vector of i1).
Value createIsFinite(OpBuilder &b, Location loc, Value value);

/// The power of two that brings a row's largest magnitude `maxAbs` into
/// [0.5, 1) (at least the smallest normal power, for the top binade), built
/// from its exponent bits, when the row's `moment` is not finite and maxAbs
/// is; else 1. Rows whose sums overflowed are summed again scaled by it.
Value createOverflowScale(OpBuilder &b, Location loc, Value moment,
                          Value maxAbs);

/// The unit roundoff of a float format (2^-p, p its precision): the
/// relative error of one rounding, the unit of the documented error bound.
double getUnitRoundoff(const llvm::fltSemantics &semantics);

/// The smallest normal number of a float format: the clamp of the inverse
/// root.
double getSmallestNormal(const llvm::fltSemantics &semantics);

} // namespace mlir::norm

#endif // NORM_DIALECT_NORM_UTILS_NUMERICS_H
