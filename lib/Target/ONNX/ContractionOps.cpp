//===- ContractionOps.cpp - ONNX MatMul, Gemm, reductions and Softmax -----===//

#include "Importer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::norm::onnx_import;

namespace {
RankedTensorType getType(Value value) {
  return cast<RankedTensorType>(value.getType());
}

/// A zero-filled accumulator of `type` with sizes `sizes`.
Value createZeros(OpBuilder &b, Location loc, RankedTensorType type,
                  ArrayRef<OpFoldResult> sizes) {
  Value empty = createEmpty(b, loc, type, sizes);
  Value zero = createScalar(b, loc, type.getElementType(), 0);
  return linalg::FillOp::create(b, loc, zero, empty).getResult(0);
}

/// lhs[..., m, k] * rhs[..., k, n] with batch dims broadcast: as a
/// linalg.generic whose maps pin broadcast batch dims to 0, so no operand is
/// copied to the broadcast shape.
FailureOr<Value> buildBroadcastMatmul(NodeImporter &node, Value lhs,
                                      Value rhs) {
  OpBuilder &b = node.getBuilder();
  Location loc = node.getLoc();
  RankedTensorType lhsType = getType(lhs), rhsType = getType(rhs);
  int64_t batchRank = std::max(lhsType.getRank(), rhsType.getRank()) - 2;
  SmallVector<int64_t> shape(batchRank, 1);
  SmallVector<OpFoldResult> sizes(batchRank, b.getIndexAttr(1));
  for (Value operand : {lhs, rhs}) {
    RankedTensorType type = getType(operand);
    int64_t offset = batchRank - (type.getRank() - 2);
    for (int64_t dim = 0; dim < type.getRank() - 2; ++dim) {
      int64_t size = type.getDimSize(dim);
      if (size == 1 || shape[offset + dim] != 1)
        continue;
      shape[offset + dim] = size;
      sizes[offset + dim] =
          ShapedType::isDynamic(size)
              ? OpFoldResult(tensor::DimOp::create(b, loc, operand, dim))
              : OpFoldResult(b.getIndexAttr(size));
    }
  }
  // Iteration dims: batch..., m, n, k.
  int64_t m = batchRank, n = batchRank + 1, k = batchRank + 2;
  auto operandMap = [&](RankedTensorType type, int64_t row, int64_t col) {
    int64_t offset = batchRank - (type.getRank() - 2);
    SmallVector<AffineExpr> exprs;
    for (int64_t dim = 0; dim < type.getRank() - 2; ++dim)
      exprs.push_back(type.getDimSize(dim) == 1 && shape[offset + dim] != 1
                          ? b.getAffineConstantExpr(0)
                          : b.getAffineDimExpr(offset + dim));
    exprs.push_back(b.getAffineDimExpr(row));
    exprs.push_back(b.getAffineDimExpr(col));
    return AffineMap::get(batchRank + 3, 0, exprs, b.getContext());
  };
  SmallVector<AffineExpr> resultExprs;
  for (int64_t dim = 0; dim < batchRank + 2; ++dim)
    resultExprs.push_back(b.getAffineDimExpr(dim));
  SmallVector<AffineMap> maps = {
      operandMap(lhsType, m, k), operandMap(rhsType, k, n),
      AffineMap::get(batchRank + 3, 0, resultExprs, b.getContext())};
  shape.push_back(lhsType.getDimSize(lhsType.getRank() - 2));
  shape.push_back(rhsType.getDimSize(rhsType.getRank() - 1));
  sizes.push_back(getSizes(b, loc, lhs)[lhsType.getRank() - 2]);
  sizes.push_back(getSizes(b, loc, rhs)[rhsType.getRank() - 1]);
  auto resultType = RankedTensorType::get(shape, lhsType.getElementType());
  SmallVector<utils::IteratorType> iterators(batchRank + 2,
                                             utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  Value init = createZeros(b, loc, resultType, sizes);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, ValueRange{lhs, rhs}, init, maps, iterators,
      [](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value product =
            arith::MulFOp::create(nested, nestedLoc, args[0], args[1]);
        linalg::YieldOp::create(
            nested, nestedLoc,
            arith::AddFOp::create(nested, nestedLoc, args[2], product)
                .getResult());
      });
  return generic.getResult(0);
}

/// linalg.matmul, linalg.batch_matmul where the batch dims agree, otherwise
/// the broadcasting generic.
FailureOr<Value> buildMatmul(NodeImporter &node, Value lhs, Value rhs) {
  OpBuilder &b = node.getBuilder();
  Location loc = node.getLoc();
  RankedTensorType lhsType = getType(lhs), rhsType = getType(rhs);
  if (lhsType.getRank() < 2 || rhsType.getRank() < 2)
    return node.emitError() << "supports operands of rank 2 or more, got "
                            << lhsType << " and " << rhsType;
  if (lhsType.getElementType() != rhsType.getElementType() ||
      !isa<FloatType>(lhsType.getElementType()))
    return node.emitError() << "expects float operands of one element type";
  int64_t lhsK = lhsType.getDimSize(lhsType.getRank() - 1);
  int64_t rhsK = rhsType.getDimSize(rhsType.getRank() - 2);
  if (!ShapedType::isDynamic(lhsK) && !ShapedType::isDynamic(rhsK) &&
      lhsK != rhsK)
    return node.emitError()
           << "contracted dims differ: " << lhsType << " and " << rhsType;
  bool sameBatch = lhsType.getRank() == 3 && rhsType.getRank() == 3 &&
                   lhsType.getDimSize(0) == rhsType.getDimSize(0) &&
                   !lhsType.isDynamicDim(0);
  if (lhsType.getRank() != 2 && !sameBatch)
    return buildBroadcastMatmul(node, lhs, rhs);
  if (rhsType.getRank() != lhsType.getRank())
    return buildBroadcastMatmul(node, lhs, rhs);
  SmallVector<OpFoldResult> lhsSizes = getSizes(b, loc, lhs);
  SmallVector<OpFoldResult> sizes(lhsSizes.begin(), lhsSizes.end() - 1);
  sizes.push_back(getSizes(b, loc, rhs).back());
  SmallVector<int64_t> shape(lhsType.getShape().drop_back());
  shape.push_back(rhsType.getShape().back());
  auto resultType = RankedTensorType::get(shape, lhsType.getElementType());
  Value init = createZeros(b, loc, resultType, sizes);
  if (sameBatch)
    return linalg::BatchMatmulOp::create(b, loc, resultType,
                                         ValueRange{lhs, rhs}, init)
        .getResult(0);
  return linalg::MatmulOp::create(b, loc, resultType, ValueRange{lhs, rhs},
                                  init)
      .getResult(0);
}

/// numpy's matmul: a 1-D lhs is a row and a 1-D rhs a column, whose unit
/// dim is then dropped from the result.
LogicalResult convertMatMul(NodeImporter &node) {
  OpBuilder &b = node.getBuilder();
  Location loc = node.getLoc();
  Value lhs = node.getOperand(0), rhs = node.getOperand(1);
  if (!lhs || !rhs)
    return failure();
  bool lhsVector = getType(lhs).getRank() == 1;
  bool rhsVector = getType(rhs).getRank() == 1;
  if (lhsVector)
    lhs = insertUnitDims(b, loc, lhs, {0});
  if (rhsVector)
    rhs = insertUnitDims(b, loc, rhs, {1});
  FailureOr<Value> result = buildMatmul(node, lhs, rhs);
  if (failed(result))
    return failure();
  int64_t rank = getType(*result).getRank();
  SmallVector<int64_t> unitDims;
  if (lhsVector)
    unitDims.push_back(rank - 2);
  if (rhsVector)
    unitDims.push_back(rank - 1);
  node.setResult(0, dropUnitDims(b, loc, *result, unitDims));
  return success();
}

Value transpose2D(OpBuilder &b, Location loc, Value value) {
  RankedTensorType type = getType(value);
  SmallVector<OpFoldResult> sizes = getSizes(b, loc, value);
  auto resultType = RankedTensorType::get(
      {type.getDimSize(1), type.getDimSize(0)}, type.getElementType());
  Value init = createEmpty(b, loc, resultType, {sizes[1], sizes[0]});
  return linalg::TransposeOp::create(b, loc, value, init,
                                     ArrayRef<int64_t>{1, 0})
      .getResult()[0];
}

/// alpha * A' B' + beta * C with A' = transA ? A^T : A, likewise B'.
LogicalResult convertGemm(NodeImporter &node) {
  OpBuilder &b = node.getBuilder();
  Location loc = node.getLoc();
  Value lhs = node.getOperand(0), rhs = node.getOperand(1);
  if (!lhs || !rhs)
    return failure();
  if (getType(lhs).getRank() != 2 || getType(rhs).getRank() != 2)
    return node.emitError() << "expects 2-D operands";
  if (node.getIntAttr("transA", 0))
    lhs = transpose2D(b, loc, lhs);
  if (node.getIntAttr("transB", 0))
    rhs = transpose2D(b, loc, rhs);
  FailureOr<Value> product = buildMatmul(node, lhs, rhs);
  if (failed(product))
    return failure();
  double alpha = node.getFloatAttr("alpha", 1.0);
  double beta = node.getFloatAttr("beta", 1.0);
  Type type = getType(*product).getElementType();
  SmallVector<Value> operands = {*product};
  if (node.hasOperand(2))
    operands.push_back(node.getOperand(2));
  if (operands.size() == 1 && alpha == 1.0) {
    node.setResult(0, *product);
    return success();
  }
  FailureOr<Value> result = buildElementwise(
      node, operands, type, [&](OpBuilder &b, Location loc, ValueRange args) {
        Value y = args[0];
        if (alpha != 1.0)
          y = arith::MulFOp::create(b, loc, createScalar(b, loc, type, alpha),
                                    y);
        if (args.size() == 1)
          return y;
        Value c = args[1];
        if (beta != 1.0)
          c = arith::MulFOp::create(b, loc, createScalar(b, loc, type, beta),
                                    c);
        return arith::AddFOp::create(b, loc, y, c).getResult();
      });
  if (failed(result))
    return failure();
  node.setResult(0, *result);
  return success();
}

/// ReduceSum and ReduceMean: a linalg.generic sum over `axes` (given as an
/// attribute before opset 18 (13 for ReduceSum), as an operand after),
/// divided by the count for the mean, with size-1 dims kept by keepdims.
LogicalResult convertReduce(NodeImporter &node, bool mean) {
  OpBuilder &b = node.getBuilder();
  Location loc = node.getLoc();
  Value input = node.getOperand(0);
  if (!input)
    return failure();
  RankedTensorType type = getType(input);
  Type elementType = type.getElementType();
  if (!isa<FloatType>(elementType))
    return node.emitError() << "expects a float operand, got " << elementType;
  SmallVector<int64_t> axes;
  if (std::optional<SmallVector<int64_t>> attr = node.getIntsAttr("axes")) {
    axes = *attr;
  } else if (node.hasOperand(1)) {
    FailureOr<SmallVector<int64_t>> operand = node.getIntsOperand(1, "axes");
    if (failed(operand))
      return failure();
    axes = *operand;
  }
  if (axes.empty() && node.getIntAttr("noop_with_empty_axes", 0)) {
    node.setResult(0, input);
    return success();
  }
  int64_t rank = type.getRank();
  if (axes.empty())
    axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  for (int64_t &axis : axes) {
    FailureOr<int64_t> normalized = node.normalizeAxis(axis, rank);
    if (failed(normalized))
      return failure();
    axis = *normalized;
  }
  llvm::sort(axes);
  axes.erase(llvm::unique(axes), axes.end());

  SmallVector<OpFoldResult> inputSizes = getSizes(b, loc, input);
  SmallVector<int64_t> shape;
  SmallVector<OpFoldResult> sizes;
  SmallVector<AffineExpr> keptDims;
  SmallVector<utils::IteratorType> iterators;
  for (int64_t dim = 0; dim < rank; ++dim) {
    bool reduced = llvm::is_contained(axes, dim);
    iterators.push_back(reduced ? utils::IteratorType::reduction
                                : utils::IteratorType::parallel);
    if (reduced)
      continue;
    shape.push_back(type.getDimSize(dim));
    sizes.push_back(inputSizes[dim]);
    keptDims.push_back(b.getAffineDimExpr(dim));
  }
  auto resultType = RankedTensorType::get(shape, elementType);
  Value init = createZeros(b, loc, resultType, sizes);
  SmallVector<AffineMap> maps = {
      b.getMultiDimIdentityMap(rank),
      AffineMap::get(rank, 0, keptDims, b.getContext())};
  Value result =
      linalg::GenericOp::create(
          b, loc, resultType, input, init, maps, iterators,
          [](OpBuilder &nested, Location nestedLoc, ValueRange args) {
            linalg::YieldOp::create(
                nested, nestedLoc,
                arith::AddFOp::create(nested, nestedLoc, args[0], args[1])
                    .getResult());
          })
          .getResult(0);
  if (mean) {
    Value count = arith::ConstantIndexOp::create(b, loc, 1);
    for (int64_t axis : axes)
      count = arith::MulIOp::create(
          b, loc, count,
          getValueOrCreateConstantIndexOp(b, loc, inputSizes[axis]));
    Value countInt = arith::IndexCastOp::create(b, loc, b.getI64Type(), count);
    Value divisor = arith::SIToFPOp::create(b, loc, elementType, countInt);
    FailureOr<Value> divided = buildElementwise(
        node, result, elementType,
        [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
          return arith::DivFOp::create(nested, nestedLoc, args[0], divisor);
        });
    if (failed(divided))
      return failure();
    result = *divided;
  }
  if (node.getIntAttr("keepdims", 1))
    result = insertUnitDims(b, loc, result, axes);
  node.setResult(0, result);
  return success();
}

/// linalg.softmax, decomposed at once into its linalg.generic ops (max,
/// exp of the difference, sum, division): the CPU pipeline lowers structured
/// ops to loops, which linalg.softmax is not.
LogicalResult convertSoftmax(NodeImporter &node) {
  OpBuilder &b = node.getBuilder();
  Location loc = node.getLoc();
  Value input = node.getOperand(0);
  if (!input)
    return failure();
  RankedTensorType type = getType(input);
  if (!isa<FloatType>(type.getElementType()))
    return node.emitError() << "expects a float operand";
  int64_t rank = type.getRank();
  FailureOr<int64_t> axis = node.normalizeAxis(
      node.getIntAttr("axis", node.getOpset() < 13 ? 1 : -1), rank);
  if (failed(axis))
    return failure();
  // Before opset 13 Softmax normalizes over all dims from `axis` on.
  if (node.getOpset() < 13 && *axis != rank - 1)
    return node.emitError() << "supports only the last axis before opset 13";
  Value init = createEmpty(b, loc, type, getSizes(b, loc, input));
  auto softmax = linalg::SoftmaxOp::create(b, loc, type, input, init, *axis);
  FailureOr<SmallVector<Value>> decomposed =
      cast<linalg::AggregatedOpInterface>(softmax.getOperation())
          .decomposeOperation(b);
  if (failed(decomposed))
    return node.emitError() << "could not decompose linalg.softmax";
  softmax.erase();
  node.setResult(0, (*decomposed)[0]);
  return success();
}
} // namespace

void mlir::norm::onnx_import::addContractionConverters(ConverterTable &table) {
  table["MatMul"] = convertMatMul;
  table["Gemm"] = convertGemm;
  table["ReduceMean"] = [](NodeImporter &node) {
    return convertReduce(node, /*mean=*/true);
  };
  table["ReduceSum"] = [](NodeImporter &node) {
    return convertReduce(node, /*mean=*/false);
  };
  table["Softmax"] = convertSoftmax;
}
