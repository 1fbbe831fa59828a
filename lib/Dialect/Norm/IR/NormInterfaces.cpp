//===- NormInterfaces.cpp - NormalizationOpInterface ----------------------===//
//
// The verifier and the shape helpers of every normalization op.
//
//===----------------------------------------------------------------------===//

#include "norm/Dialect/Norm/IR/NormInterfaces.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::norm;

#include "norm/Dialect/Norm/IR/NormInterfaces.cpp.inc"

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

SmallVector<int64_t> mlir::norm::getKeptDims(ArrayRef<int64_t> canonicalAxes,
                                             int64_t rank) {
  SmallVector<int64_t> kept;
  for (int64_t dim = 0; dim < rank; ++dim)
    if (!llvm::is_contained(canonicalAxes, dim))
      kept.push_back(dim);
  return kept;
}

SmallVector<int64_t>
mlir::norm::getStatisticsShape(ArrayRef<int64_t> shape,
                               ArrayRef<int64_t> canonicalAxes) {
  SmallVector<int64_t> result(shape);
  for (int64_t axis : canonicalAxes)
    result[axis] = 1;
  return result;
}

FloatType mlir::norm::getDefaultComputeType(Type elementType) {
  MLIRContext *ctx = elementType.getContext();
  if (elementType.isF64())
    return Float64Type::get(ctx);
  return Float32Type::get(ctx);
}

SmallVector<Type>
mlir::norm::inferNormalizationResultTypes(Value input, ArrayRef<int64_t> axes,
                                          unsigned numStatistics,
                                          FloatType computeType) {
  auto inputType = cast<RankedTensorType>(input.getType());
  SmallVector<Type> types = {inputType};
  if (numStatistics == 0)
    return types;
  FloatType statType = computeType
                           ? computeType
                           : getDefaultComputeType(inputType.getElementType());
  FailureOr<SmallVector<int64_t>> canonical =
      canonicalizeAxes(axes, inputType.getRank());
  SmallVector<int64_t> shape =
      succeeded(canonical)
          ? getStatisticsShape(inputType.getShape(), *canonical)
          : SmallVector<int64_t>(inputType.getShape());
  types.append(numStatistics, RankedTensorType::get(shape, statType));
  return types;
}

//===----------------------------------------------------------------------===//
// Verifier
//===----------------------------------------------------------------------===//

/// Verifies the axes: at least one, in [-rank, rank), distinct.
static LogicalResult verifyAxes(NormOpInterface op) {
  int64_t rank = op.getInputType().getRank();
  if (op.getAxes().empty())
    return op->emitOpError("expects at least one normalized axis");
  SmallVector<int64_t> seen;
  for (int64_t axis : op.getAxes()) {
    if (axis < -rank || axis >= rank)
      return op->emitOpError("expects axes in [")
             << -rank << ", " << rank << ") for an input of rank " << rank
             << ", got " << axis;
    int64_t wrapped = axis < 0 ? axis + rank : axis;
    if (llvm::is_contained(seen, wrapped))
      return op->emitOpError("expects distinct axes, got axis ")
             << wrapped << " twice";
    seen.push_back(wrapped);
  }
  return success();
}

/// Verifies epsilon and the compute type.
static LogicalResult verifyArithmetic(NormOpInterface op) {
  double epsilon = op.getEpsilon().convertToDouble();
  if (!std::isfinite(epsilon) || epsilon < 0.0)
    return op->emitOpError("expects a finite, non-negative epsilon, got ")
           << epsilon;
  double residualScale = op.getResidualScale().convertToDouble();
  if (!std::isfinite(residualScale))
    return op->emitOpError("expects a finite residual_scale, got ")
           << residualScale;
  Type elementType = op.getInputType().getElementType();
  FloatType computeType = op.getEffectiveComputeType();
  if (computeType != elementType &&
      computeType.getWidth() <= elementType.getIntOrFloatBitWidth())
    return op->emitOpError("expects a compute type wider than or equal to "
                           "the input element type ")
           << elementType << ", got " << computeType;
  if (!isa<Float16Type, BFloat16Type, Float32Type, Float64Type>(computeType))
    return op->emitOpError("expects compute type f16, bf16, f32 or f64, got ")
           << computeType;
  return success();
}

/// Verifies an affine parameter (scale, bias, feature_epsilon): one dim per
/// normalized axis, each equal to the input's dim or 1.
static LogicalResult verifyParameter(NormOpInterface op, StringRef name,
                                     Value param) {
  if (!param)
    return success();
  RankedTensorType inputType = op.getInputType();
  SmallVector<int64_t> axes = op.getCanonicalAxes();
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

static constexpr const char *kParameterNames[] = {"scale", "bias",
                                                  "feature_epsilon"};

/// Verifies that the parameters agree with each other: where two have a
/// static size other than 1 for the same normalized axis, the sizes are
/// equal. (Each may match a dynamic input dim on its own; together they
/// could not, and the lowerings would build ops that do not verify.)
static LogicalResult verifyParametersAgree(NormOpInterface op) {
  size_t numAxes = op.getCanonicalAxes().size();
  for (size_t k = 0; k < numAxes; ++k) {
    StringRef firstName;
    int64_t firstSize = 1;
    for (auto [name, param] : llvm::zip(kParameterNames, op.getParameters())) {
      if (!param)
        continue;
      auto type = cast<RankedTensorType>(param.getType());
      if (type.getRank() != static_cast<int64_t>(numAxes))
        continue; // Reported by verifyParameter.
      int64_t size = type.getDimSize(k);
      if (ShapedType::isDynamic(size) || size == 1)
        continue;
      if (firstSize == 1) {
        firstName = name;
        firstSize = size;
        continue;
      }
      if (size != firstSize)
        return op->emitOpError("expects dim ")
               << k << " of '" << name << "' to be 1 or " << firstSize
               << " (dim " << k << " of '" << firstName << "'), got " << size;
    }
  }
  return success();
}

/// Verifies the shapes and sizes of the parameters, the input and the
/// per-row statistics the lowerings keep (returned or not).
static LogicalResult verifyShapes(NormOpInterface op) {
  for (auto [name, param] : llvm::zip(kParameterNames, op.getParameters()))
    if (failed(verifyParameter(op, name, param)))
      return failure();
  if (failed(verifyParametersAgree(op)))
    return failure();
  if (failed(verifySizeFitsInt64(op, "'input'", op.getInputType())))
    return failure();
  for (auto [name, param] : llvm::zip(kParameterNames, op.getParameters()))
    if (param &&
        failed(verifySizeFitsInt64(op, "'" + Twine(name) + "'",
                                   cast<RankedTensorType>(param.getType()))))
      return failure();
  return verifySizeFitsInt64(op, "the per-row statistics",
                             op.getStatisticsType());
}

/// Verifies the number and types of per-row statistics values (results of
/// a forward op, operands of a gradient op): none, or all of them.
static LogicalResult verifyStatistics(NormOpInterface op, StringRef what,
                                      TypeRange types, unsigned expected) {
  size_t numStatistics = types.size();
  if (numStatistics != 0 && numStatistics != expected)
    return op->emitOpError("expects 0 or ")
           << expected << " statistics " << what << "s ("
           << op.getStatisticsNames() << "), got " << numStatistics;
  if (numStatistics != 0 && op.getFeatureEpsilon())
    return op->emitOpError("expects no statistics ")
           << what << "s with 'feature_epsilon': no per-row statistic exists";
  RankedTensorType statisticsType = op.getStatisticsType();
  for (auto [i, type] : llvm::enumerate(types))
    if (type != statisticsType)
      return op->emitOpError("expects statistics ")
             << what << " #" << i << " of type " << statisticsType << ", got "
             << type;
  return success();
}

LogicalResult mlir::norm::detail::verifyNormOp(Operation *op) {
  auto norm = cast<NormOpInterface>(op);
  if (failed(verifyAxes(norm)) || failed(verifyArithmetic(norm)))
    return failure();
  if (norm.getScaleOffset() && !norm.getScale())
    return op->emitOpError("expects a 'scale' operand with 'scale_offset' "
                           "(the scale factor is 1 + scale)");
  return verifyShapes(norm);
}

LogicalResult mlir::norm::detail::verifyNormalizationOp(Operation *op) {
  if (failed(verifyNormOp(op)))
    return failure();
  auto norm = cast<NormalizationOpInterface>(op);
  RankedTensorType inputType = norm.getInputType();
  if (norm.getOutput().getType() != inputType)
    return op->emitOpError("expects the output type to equal the input type ")
           << inputType << ", got " << norm.getOutput().getType();
  return verifyStatistics(norm, "result",
                          ValueRange(norm.getStatistics()).getTypes(),
                          norm.getNumStatistics());
}

LogicalResult mlir::norm::detail::verifyNormalizationGradOp(Operation *op) {
  if (failed(verifyNormOp(op)))
    return failure();
  auto grad = cast<NormalizationGradOpInterface>(op);
  RankedTensorType inputType = grad.getInputType();
  if (grad.getOutputGrad().getType() != inputType ||
      grad.getInputGrad().getType() != inputType)
    return op->emitOpError("expects 'output_grad' and 'input_grad' of the "
                           "input type ")
           << inputType;
  if (Value sumGrad = grad.getSumGrad();
      sumGrad && sumGrad.getType() != inputType)
    return op->emitOpError("expects 'sum_grad' of the input type ")
           << inputType << ", got " << sumGrad.getType();
  SmallVector<Value> present;
  SmallVector<StringRef> names;
  for (auto [name, param] : llvm::zip(kParameterNames, grad.getParameters()))
    if (param) {
      present.push_back(param);
      names.push_back(name);
    }
  ValueRange grads = grad.getParameterGrads();
  if (grads.size() != present.size())
    return op->emitOpError("expects one gradient per parameter present (")
           << present.size() << "), got " << grads.size();
  for (auto [name, param, result] : llvm::zip(names, present, grads))
    if (result.getType() != param.getType())
      return op->emitOpError("expects the gradient of '")
             << name << "' of its type " << param.getType() << ", got "
             << result.getType();
  return verifyStatistics(grad, "operand",
                          ValueRange(grad.getStatistics()).getTypes(),
                          grad.getNumStatistics());
}
