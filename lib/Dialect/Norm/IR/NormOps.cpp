//===- NormOps.cpp - norm.rms_norm and norm.layer_norm
//---------------------===//
//
// Builders, verifiers, canonicalization and shape reification of the norm ops.
// Both ops share one implementation, instantiated per op.
//
//===----------------------------------------------------------------------===//

#include "norm/Dialect/Norm/IR/NormOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::norm;

FailureOr<SmallVector<int64_t>>
mlir::norm::canonicalizeAxes(ArrayRef<int64_t> axes, int64_t rank) {
  SmallVector<int64_t> result;
  for (int64_t axis : axes) {
    if (axis < -rank || axis >= rank)
      return failure();
    result.push_back(axis < 0 ? axis + rank : axis);
  }
  llvm::sort(result);
  if (std::adjacent_find(result.begin(), result.end()) != result.end())
    return failure();
  return result;
}

SmallVector<int64_t>
mlir::norm::getStatisticsShape(ArrayRef<int64_t> shape,
                               ArrayRef<int64_t> canonicalAxes) {
  SmallVector<int64_t> result(shape);
  for (int64_t axis : canonicalAxes)
    result[axis] = 1;
  return result;
}

static FloatType getDefaultComputeType(Type elementType) {
  MLIRContext *ctx = elementType.getContext();
  if (elementType.isF64())
    return Float64Type::get(ctx);
  return Float32Type::get(ctx);
}

//===----------------------------------------------------------------------===//
// Shared implementation
//===----------------------------------------------------------------------===//

namespace {
/// Describes how many statistics results an op may return and how to name
/// them in diagnostics.
template <typename OpTy> struct StatisticsTraits;
template <> struct StatisticsTraits<RMSNormOp> {
  static constexpr unsigned count = 1;
  static constexpr const char *names = "inv_rms";
};
template <> struct StatisticsTraits<LayerNormOp> {
  static constexpr unsigned count = 2;
  static constexpr const char *names = "mean, inv_std";
};
} // namespace

template <typename OpTy>
static void buildNormOp(OpBuilder &builder, OperationState &state, Value input,
                        ArrayRef<int64_t> axes, double epsilon, Value scale,
                        Value bias, Value featureEpsilon, bool withStatistics,
                        FloatType computeType) {
  auto inputType = cast<RankedTensorType>(input.getType());
  SmallVector<Type> resultTypes = {inputType};
  if (withStatistics) {
    FloatType statType =
        computeType ? computeType
                    : getDefaultComputeType(inputType.getElementType());
    // An invalid axis is left for the verifier to report.
    FailureOr<SmallVector<int64_t>> canonical =
        canonicalizeAxes(axes, inputType.getRank());
    SmallVector<int64_t> shape =
        succeeded(canonical)
            ? getStatisticsShape(inputType.getShape(), *canonical)
            : SmallVector<int64_t>(inputType.getShape());
    resultTypes.append(StatisticsTraits<OpTy>::count,
                       RankedTensorType::get(shape, statType));
  }
  OpTy::build(builder, state, resultTypes, input, scale, bias, featureEpsilon,
              builder.getDenseI64ArrayAttr(axes),
              builder.getF64FloatAttr(epsilon),
              computeType ? TypeAttr::get(computeType) : TypeAttr());
}

template <typename OpTy>
static SmallVector<int64_t> getCanonicalAxesImpl(OpTy op) {
  // The verifier guarantees the axes are valid.
  return *canonicalizeAxes(op.getAxes(), op.getInputType().getRank());
}

template <typename OpTy> static FloatType getEffectiveComputeTypeImpl(OpTy op) {
  if (std::optional<Type> type = op.getComputeType())
    return cast<FloatType>(*type);
  return getDefaultComputeType(op.getInputType().getElementType());
}

/// Verifies an affine parameter (scale, bias, feature_epsilon): one dim per
/// normalized axis, each equal to the input's dim or 1.
static LogicalResult verifyParameter(Operation *op, StringRef name, Value param,
                                     RankedTensorType inputType,
                                     ArrayRef<int64_t> axes) {
  if (!param)
    return success();
  auto type = cast<RankedTensorType>(param.getType());
  if (type.getRank() != static_cast<int64_t>(axes.size()))
    return op->emitOpError("expects '")
           << name << "' of rank " << axes.size()
           << " (one dim per normalized axis), got rank " << type.getRank();
  for (auto [k, axis] : llvm::enumerate(axes)) {
    int64_t dim = type.getDimSize(k);
    int64_t inputDim = inputType.getDimSize(axis);
    if (ShapedType::isDynamic(dim) || dim == 1 ||
        ShapedType::isDynamic(inputDim) || dim == inputDim)
      continue;
    return op->emitOpError("expects dim ")
           << k << " of '" << name << "' to be 1 or " << inputDim
           << " (input dim " << axis << "), got " << dim;
  }
  return success();
}

/// Verifies that the element count and the size in bytes of `type` fit in
/// int64. Zero dims count as 1: the lowerings compute strides and row lengths
/// as partial products of the static dims, which must not wrap either.
static LogicalResult verifySizeFitsInt64(Operation *op, const Twine &name,
                                         RankedTensorType type) {
  int64_t count = 1;
  for (int64_t dim : type.getShape()) {
    if (ShapedType::isDynamic(dim) || dim == 0)
      continue;
    std::optional<int64_t> product = llvm::checkedMul(count, dim);
    if (!product)
      return op->emitOpError("expects the element count of ")
             << name
             << " (the product of its static non-zero dims) to fit in int64, "
                "got "
             << type;
    count = *product;
  }
  int64_t elementBytes = llvm::divideCeil(type.getElementTypeBitWidth(), 8);
  if (!llvm::checkedMul(count, elementBytes))
    return op->emitOpError("expects the size in bytes of ")
           << name << " (" << count << " elements of " << elementBytes
           << " bytes) to fit in int64, got " << type;
  return success();
}

template <typename OpTy> static LogicalResult verifyNormOp(OpTy op) {
  RankedTensorType inputType = op.getInputType();
  int64_t rank = inputType.getRank();
  ArrayRef<int64_t> axes = op.getAxes();
  if (axes.empty())
    return op.emitOpError("expects at least one normalized axis");
  SmallVector<int64_t> canonical;
  for (int64_t axis : axes) {
    if (axis < -rank || axis >= rank)
      return op.emitOpError("expects axes in [")
             << -rank << ", " << rank << ") for an input of rank " << rank
             << ", got " << axis;
    int64_t wrapped = axis < 0 ? axis + rank : axis;
    if (llvm::is_contained(canonical, wrapped))
      return op.emitOpError("expects distinct axes, got axis ")
             << wrapped << " twice";
    canonical.push_back(wrapped);
  }
  llvm::sort(canonical);

  double epsilon = op.getEpsilon().convertToDouble();
  if (!std::isfinite(epsilon) || epsilon < 0.0)
    return op.emitOpError("expects a finite, non-negative epsilon, got ")
           << epsilon;

  Type elementType = inputType.getElementType();
  FloatType computeType = op.getEffectiveComputeType();
  if (computeType != elementType &&
      computeType.getWidth() <= elementType.getIntOrFloatBitWidth())
    return op.emitOpError("expects a compute type wider than or equal to the "
                          "input element type ")
           << elementType << ", got " << computeType;
  if (!isa<Float16Type, BFloat16Type, Float32Type, Float64Type>(computeType))
    return op.emitOpError("expects compute type f16, bf16, f32 or f64, got ")
           << computeType;

  if (failed(
          verifyParameter(op, "scale", op.getScale(), inputType, canonical)) ||
      failed(verifyParameter(op, "bias", op.getBias(), inputType, canonical)) ||
      failed(verifyParameter(op, "feature_epsilon", op.getFeatureEpsilon(),
                             inputType, canonical)))
    return failure();

  if (failed(verifySizeFitsInt64(op, "'input'", inputType)))
    return failure();
  for (auto [name, param] :
       {std::pair<StringRef, Value>{"scale", op.getScale()},
        {"bias", op.getBias()},
        {"feature_epsilon", op.getFeatureEpsilon()}})
    if (param &&
        failed(verifySizeFitsInt64(op, "'" + name + "'",
                                   cast<RankedTensorType>(param.getType()))))
      return failure();
  // The lowerings keep per-row statistics in the compute type, returned or
  // not.
  auto statisticsType = RankedTensorType::get(
      getStatisticsShape(inputType.getShape(), canonical), computeType);
  if (failed(verifySizeFitsInt64(op, "the per-row statistics", statisticsType)))
    return failure();

  if (op.getOutput().getType() != inputType)
    return op.emitOpError("expects the output type to equal the input type ")
           << inputType << ", got " << op.getOutput().getType();

  size_t numStatistics = op.getStatistics().size();
  constexpr unsigned expected = StatisticsTraits<OpTy>::count;
  if (numStatistics != 0 && numStatistics != expected)
    return op.emitOpError("expects 0 or ")
           << expected << " statistics results ("
           << StatisticsTraits<OpTy>::names << "), got " << numStatistics;
  if (numStatistics != 0 && op.getFeatureEpsilon())
    return op.emitOpError("expects no statistics results with "
                          "'feature_epsilon': no per-row statistic exists");
  for (auto [i, result] : llvm::enumerate(op.getStatistics()))
    if (result.getType() != statisticsType)
      return op.emitOpError("expects statistics result #")
             << i << " of type " << statisticsType << ", got "
             << result.getType();
  return success();
}

namespace {
/// Rewrites `axes` into canonical form: non-negative and sorted. The meaning
/// of the op is unchanged since parameter dims follow the sorted axes.
template <typename OpTy>
struct CanonicalizeAxes : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    SmallVector<int64_t> canonical = op.getCanonicalAxes();
    if (ArrayRef<int64_t>(canonical) == op.getAxes())
      return rewriter.notifyMatchFailure(op, "axes already canonical");
    rewriter.modifyOpInPlace(op, [&] { op.setAxes(canonical); });
    return success();
  }
};
} // namespace

template <typename OpTy>
static LogicalResult
reifyNormOpShapes(OpTy op, OpBuilder &builder,
                  ReifiedRankedShapedTypeDims &reifiedReturnShapes) {
  SmallVector<OpFoldResult> sizes =
      tensor::getMixedSizes(builder, op.getLoc(), op.getInput());
  reifiedReturnShapes.push_back(sizes);
  SmallVector<OpFoldResult> statisticsSizes(sizes);
  for (int64_t axis : op.getCanonicalAxes())
    statisticsSizes[axis] = builder.getIndexAttr(1);
  for (size_t i = 0, e = op.getStatistics().size(); i < e; ++i)
    reifiedReturnShapes.push_back(statisticsSizes);
  return success();
}

//===----------------------------------------------------------------------===//
// Per-op entry points
//===----------------------------------------------------------------------===//

#define NORM_DEFINE_COMMON_METHODS(OpTy)                                       \
  void OpTy::build(OpBuilder &builder, OperationState &state, Value input,     \
                   ArrayRef<int64_t> axes, double epsilon, Value scale,        \
                   Value bias, Value featureEpsilon, bool withStatistics,      \
                   FloatType computeType) {                                    \
    buildNormOp<OpTy>(builder, state, input, axes, epsilon, scale, bias,       \
                      featureEpsilon, withStatistics, computeType);            \
  }                                                                            \
  unsigned OpTy::getNumStatistics() { return StatisticsTraits<OpTy>::count; }  \
  SmallVector<int64_t> OpTy::getCanonicalAxes() {                              \
    return getCanonicalAxesImpl(*this);                                        \
  }                                                                            \
  FloatType OpTy::getEffectiveComputeType() {                                  \
    return getEffectiveComputeTypeImpl(*this);                                 \
  }                                                                            \
  LogicalResult OpTy::verify() { return verifyNormOp(*this); }                 \
  void OpTy::getCanonicalizationPatterns(RewritePatternSet &results,           \
                                         MLIRContext *context) {               \
    results.add<CanonicalizeAxes<OpTy>>(context);                              \
  }                                                                            \
  LogicalResult OpTy::reifyResultShapes(                                       \
      OpBuilder &builder, ReifiedRankedShapedTypeDims &reifiedReturnShapes) {  \
    return reifyNormOpShapes(*this, builder, reifiedReturnShapes);             \
  }

NORM_DEFINE_COMMON_METHODS(RMSNormOp)
NORM_DEFINE_COMMON_METHODS(LayerNormOp)

#undef NORM_DEFINE_COMMON_METHODS

#define GET_OP_CLASSES
#include "norm/Dialect/Norm/IR/NormOps.cpp.inc"
