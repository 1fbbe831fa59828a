//===- Numerics.cpp - The arithmetic of the norm ops, in one place --------===//

#include "norm/Dialect/Norm/Utils/Numerics.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/TypeUtilities.h"

#include <cmath>

using namespace mlir;
using namespace mlir::norm;

/// `type`'s shape (if a vector) with element type `element`.
static Type withElementType(Type type, Type element) {
  if (auto vector = dyn_cast<VectorType>(type))
    return vector.clone(element);
  return element;
}

Value mlir::norm::createFloatConstant(OpBuilder &b, Location loc, Type type,
                                      double value) {
  auto element = cast<FloatType>(getElementTypeOrSelf(type));
  TypedAttr attr = b.getFloatAttr(element, value);
  if (auto vector = dyn_cast<VectorType>(type))
    attr = DenseElementsAttr::get(vector, attr);
  return arith::ConstantOp::create(b, loc, attr);
}

static Value createFloatConstant(OpBuilder &b, Location loc, Type type,
                                 const APFloat &value) {
  auto element = cast<FloatType>(getElementTypeOrSelf(type));
  TypedAttr attr = FloatAttr::get(element, value);
  if (auto vector = dyn_cast<VectorType>(type))
    attr = DenseElementsAttr::get(vector, attr);
  return arith::ConstantOp::create(b, loc, attr);
}

Value mlir::norm::convertFloat(OpBuilder &b, Location loc, Value value,
                               FloatType to) {
  auto from = cast<FloatType>(getElementTypeOrSelf(value.getType()));
  if (from == to)
    return value;
  if (from.getWidth() == to.getWidth()) { // f16 <-> bf16: through f32.
    value = arith::ExtFOp::create(
        b, loc, withElementType(value.getType(), b.getF32Type()), value);
    from = b.getF32Type();
  }
  Type target = withElementType(value.getType(), to);
  if (from.getWidth() < to.getWidth())
    return arith::ExtFOp::create(b, loc, target, value);
  return arith::TruncFOp::create(b, loc, target, value);
}

/// An elementwise linalg.generic over same-shaped `inputs` (identity maps)
/// into a new tensor of `to` elements, whose body yields `fn(blockArgs)`.
static Value
createElementwise(OpBuilder &b, Location loc, ValueRange inputs, FloatType to,
                  function_ref<Value(OpBuilder &, Location, ValueRange)> fn) {
  Value first = inputs.front();
  int64_t rank = cast<RankedTensorType>(first.getType()).getRank();
  Value init =
      tensor::EmptyOp::create(b, loc, tensor::getMixedSizes(b, loc, first), to);
  SmallVector<AffineMap> maps(inputs.size() + 1,
                              b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, init.getType(), inputs, init, maps, iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(nb, nloc,
                                       fn(nb, nloc, args.drop_back()));
             })
      .getResult(0);
}

Value mlir::norm::convertTensor(OpBuilder &b, Location loc, Value tensor,
                                FloatType to) {
  auto type = cast<RankedTensorType>(tensor.getType());
  if (type.getElementType() == to)
    return tensor;
  return createElementwise(b, loc, tensor, to,
                           [&](OpBuilder &nb, Location nloc, ValueRange args) {
                             return convertFloat(nb, nloc, args[0], to);
                           });
}

Value mlir::norm::createScaleFactor(OpBuilder &b, Location loc, Value scale,
                                    bool scaleOffset) {
  if (!scaleOffset)
    return scale;
  return arith::AddFOp::create(
      b, loc, createFloatConstant(b, loc, scale.getType(), 1.0), scale);
}

Value mlir::norm::createRounded(OpBuilder &b, Location loc, Value value,
                                FloatType type) {
  if (!type)
    return value;
  auto own = cast<FloatType>(getElementTypeOrSelf(value.getType()));
  return convertFloat(b, loc, convertFloat(b, loc, value, type), own);
}

Value mlir::norm::createAffine(OpBuilder &b, Location loc, Value xhat,
                               Value scale, Value bias, bool scaleOffset,
                               FloatType roundingType) {
  // Without intermediate roundings, the product and the sum may be fused
  // into one FMA (one rounding, one instruction) where the target has one.
  auto contract = roundingType ? arith::FastMathFlags::none
                               : arith::FastMathFlags::contract;
  Value y = createRounded(b, loc, xhat, roundingType);
  if (scale) {
    Value factor = createRounded(
        b, loc, createScaleFactor(b, loc, scale, scaleOffset), roundingType);
    y = createRounded(b, loc,
                      arith::MulFOp::create(b, loc, y, factor, contract),
                      roundingType);
  }
  if (bias)
    y = createRounded(
        b, loc,
        arith::AddFOp::create(
            b, loc, y, createRounded(b, loc, bias, roundingType), contract),
        roundingType);
  return y;
}

/// `lhs op rhs` in `type`: computed in f32 and rounded for half types.
static Value createRoundedOp(OpBuilder &b, Location loc, FloatType type,
                             Value lhs, Value rhs, bool multiply) {
  FloatType wide = type.getWidth() < 32 ? b.getF32Type() : type;
  lhs = convertFloat(b, loc, lhs, wide);
  rhs = convertFloat(b, loc, rhs, wide);
  Value result = multiply ? arith::MulFOp::create(b, loc, lhs, rhs).getResult()
                          : arith::AddFOp::create(b, loc, lhs, rhs).getResult();
  return convertFloat(b, loc, result, type);
}

Value mlir::norm::createResidualSumElement(OpBuilder &b, Location loc,
                                           FloatType type, Value input,
                                           Value residual, double scale) {
  if (scale != 1.0)
    residual = createRoundedOp(b, loc, type, residual,
                               createFloatConstant(b, loc, type, scale),
                               /*multiply=*/true);
  return createRoundedOp(b, loc, type, residual, input, /*multiply=*/false);
}

Value mlir::norm::createResidualSum(OpBuilder &b, Location loc, Value input,
                                    Value residual, double scale) {
  auto elementType = cast<FloatType>(getElementTypeOrSelf(input.getType()));
  return createElementwise(b, loc, {input, residual}, elementType,
                           [&](OpBuilder &nb, Location nloc, ValueRange args) {
                             return createResidualSumElement(
                                 nb, nloc, elementType, args[0], args[1],
                                 scale);
                           });
}

Value mlir::norm::createScaledTensor(OpBuilder &b, Location loc, Value tensor,
                                     double scale) {
  if (scale == 1.0)
    return tensor;
  auto elementType = cast<FloatType>(getElementTypeOrSelf(tensor.getType()));
  return createElementwise(
      b, loc, tensor, elementType,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        return createRoundedOp(
            nb, nloc, elementType, args[0],
            createFloatConstant(nb, nloc, elementType, scale),
            /*multiply=*/true);
      });
}

Value mlir::norm::createInverseCount(OpBuilder &b, Location loc, Value count,
                                     FloatType type) {
  count = arith::MaxUIOp::create(b, loc, count,
                                 arith::ConstantIndexOp::create(b, loc, 1));
  Value asInt = arith::IndexCastUIOp::create(b, loc, b.getI64Type(), count);
  Value asFloat = arith::UIToFPOp::create(b, loc, type, asInt);
  return arith::DivFOp::create(b, loc, createFloatConstant(b, loc, type, 1.0),
                               asFloat);
}

double mlir::norm::getInverseCount(int64_t count) {
  return 1.0 / static_cast<double>(std::max<int64_t>(count, 1));
}

Value mlir::norm::createSquaredDeviation(OpBuilder &b, Location loc, Value x,
                                         Value center) {
  Value deviation = center ? arith::SubFOp::create(b, loc, x, center) : x;
  return arith::MulFOp::create(b, loc, deviation, deviation);
}

Value mlir::norm::createClampedMoment(OpBuilder &b, Location loc, Value moment,
                                      Value eps) {
  Type type = moment.getType();
  auto element = cast<FloatType>(getElementTypeOrSelf(type));
  Value tiny = ::createFloatConstant(
      b, loc, type,
      APFloat::getSmallestNormalized(element.getFloatSemantics()));
  Value sum = arith::AddFOp::create(b, loc, moment, eps);
  return arith::MaximumFOp::create(b, loc, sum, tiny);
}

Value mlir::norm::createInverseRoot(OpBuilder &b, Location loc, Value moment,
                                    Value eps) {
  return math::RsqrtOp::create(b, loc,
                               createClampedMoment(b, loc, moment, eps));
}

Value mlir::norm::createScaledInverseRoot(OpBuilder &b, Location loc,
                                          Value scaledMoment, Value eps,
                                          Value scale) {
  Value scaledEps = arith::MulFOp::create(
      b, loc, arith::MulFOp::create(b, loc, eps, scale), scale);
  return arith::MulFOp::create(
      b, loc, scale, createInverseRoot(b, loc, scaledMoment, scaledEps));
}

Value mlir::norm::createIsFinite(OpBuilder &b, Location loc, Value value) {
  Type type = value.getType();
  auto element = cast<FloatType>(getElementTypeOrSelf(type));
  Value inf = ::createFloatConstant(
      b, loc, type, APFloat::getInf(element.getFloatSemantics()));
  return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::ONE,
                               math::AbsFOp::create(b, loc, value), inf);
}

Value mlir::norm::createOverflowScale(OpBuilder &b, Location loc, Value moment,
                                      Value maxAbs) {
  Type type = maxAbs.getType();
  auto element = cast<FloatType>(getElementTypeOrSelf(type));
  const llvm::fltSemantics &semantics = element.getFloatSemantics();
  int64_t mantissaBits = APFloat::semanticsPrecision(semantics) - 1;
  int64_t bias = 1 - APFloat::semanticsMinExponent(semantics);
  Type intType = withElementType(type, b.getIntegerType(element.getWidth()));
  auto intConstant = [&](int64_t value) -> Value {
    TypedAttr attr = b.getIntegerAttr(getElementTypeOrSelf(intType), value);
    if (auto vector = dyn_cast<VectorType>(intType))
      attr = DenseElementsAttr::get(vector, attr);
    return arith::ConstantOp::create(b, loc, attr);
  };
  // maxAbs >= 0: its bits shifted right are its biased exponent E. The
  // scale's biased exponent is max(2 * bias - 1 - E, 1).
  Value exponent = arith::ShRUIOp::create(
      b, loc, arith::BitcastOp::create(b, loc, intType, maxAbs),
      intConstant(mantissaBits));
  Value scaleExponent = arith::MaxSIOp::create(
      b, loc,
      arith::SubIOp::create(b, loc, intConstant(2 * bias - 1), exponent),
      intConstant(1));
  Value scale = arith::BitcastOp::create(
      b, loc, type,
      arith::ShLIOp::create(b, loc, scaleExponent, intConstant(mantissaBits)));
  // Rows whose moment is finite, or whose largest magnitude is not (NaN or
  // infinity: scaling cannot help), keep scale 1.
  Value inf = ::createFloatConstant(b, loc, type, APFloat::getInf(semantics));
  Value maxNotFinite =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UEQ, maxAbs, inf);
  Value keep = arith::OrIOp::create(b, loc, createIsFinite(b, loc, moment),
                                    maxNotFinite);
  return arith::SelectOp::create(b, loc, keep,
                                 createFloatConstant(b, loc, type, 1.0), scale);
}

double mlir::norm::getUnitRoundoff(const llvm::fltSemantics &semantics) {
  return std::ldexp(1.0,
                    -static_cast<int>(APFloat::semanticsPrecision(semantics)));
}

double mlir::norm::getSmallestNormal(const llvm::fltSemantics &semantics) {
  return APFloat::getSmallestNormalized(semantics).convertToDouble();
}
