//===- Builders.cpp - IR building blocks shared by the ONNX converters ----===//

#include "Importer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/AffineMap.h"

using namespace mlir;
using namespace mlir::norm::onnx_import;

SmallVector<OpFoldResult>
mlir::norm::onnx_import::getSizes(OpBuilder &b, Location loc, Value value) {
  return tensor::getMixedSizes(b, loc, value);
}

Value mlir::norm::onnx_import::createEmpty(OpBuilder &b, Location loc,
                                           RankedTensorType type,
                                           ArrayRef<OpFoldResult> sizes) {
  SmallVector<Value> dynamicSizes;
  for (auto [dim, size] : llvm::enumerate(type.getShape()))
    if (ShapedType::isDynamic(size))
      dynamicSizes.push_back(
          getValueOrCreateConstantIndexOp(b, loc, sizes[dim]));
  return tensor::EmptyOp::create(b, loc, type, dynamicSizes);
}

FailureOr<SmallVector<OpFoldResult>>
mlir::norm::onnx_import::broadcastSizes(NodeImporter &node, ValueRange operands,
                                        SmallVectorImpl<int64_t> &shape) {
  OpBuilder &b = node.getBuilder();
  int64_t rank = 0;
  for (Value operand : operands)
    rank = std::max(rank, cast<RankedTensorType>(operand.getType()).getRank());
  shape.assign(rank, 1);
  SmallVector<OpFoldResult> sizes(rank, b.getIndexAttr(1));
  for (Value operand : operands) {
    auto type = cast<RankedTensorType>(operand.getType());
    int64_t offset = rank - type.getRank();
    for (auto [dim, size] : llvm::enumerate(type.getShape())) {
      int64_t &result = shape[offset + dim];
      if (size == 1)
        continue;
      if (ShapedType::isDynamic(size)) {
        // A dynamic dim is taken to match the others (ONNX models say so
        // only through shape inference, which dynamic dims escape).
        if (result == 1) {
          result = ShapedType::kDynamic;
          sizes[offset + dim] =
              tensor::DimOp::create(b, node.getLoc(), operand, dim).getResult();
        }
        continue;
      }
      if (result != 1 && !ShapedType::isDynamic(result) && result != size) {
        node.emitError() << "operand shapes "
                         << cast<ShapedType>(operands[0].getType()) << " and "
                         << type << " do not broadcast";
        return failure();
      }
      result = size;
      sizes[offset + dim] = b.getIndexAttr(size);
    }
  }
  return sizes;
}

FailureOr<Value> mlir::norm::onnx_import::buildElementwise(
    NodeImporter &node, ValueRange operands, Type resultElementType,
    const ScalarBody &body) {
  OpBuilder &b = node.getBuilder();
  Location loc = node.getLoc();
  SmallVector<int64_t> shape;
  FailureOr<SmallVector<OpFoldResult>> sizes =
      broadcastSizes(node, operands, shape);
  if (failed(sizes))
    return failure();
  int64_t rank = shape.size();
  auto resultType = RankedTensorType::get(shape, resultElementType);
  SmallVector<AffineMap> maps;
  for (Value operand : operands) {
    auto type = cast<RankedTensorType>(operand.getType());
    int64_t offset = rank - type.getRank();
    SmallVector<AffineExpr> exprs;
    for (auto [dim, size] : llvm::enumerate(type.getShape()))
      exprs.push_back(size == 1 && shape[offset + dim] != 1
                          ? b.getAffineConstantExpr(0)
                          : b.getAffineDimExpr(offset + dim));
    maps.push_back(AffineMap::get(rank, 0, exprs, b.getContext()));
  }
  maps.push_back(b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  Value init = createEmpty(b, loc, resultType, *sizes);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, operands, init, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value result = body(nested, nestedLoc, args.drop_back());
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
  return generic.getResult(0);
}

Value mlir::norm::onnx_import::createScalar(OpBuilder &b, Location loc,
                                            Type type, double value) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(floatType, value));
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

Value mlir::norm::onnx_import::convertScalar(OpBuilder &b, Location loc,
                                             Value value, Type to) {
  Type from = value.getType();
  if (from == to)
    return value;
  if (to.isInteger(1)) {
    Value zero = createScalar(b, loc, from, 0);
    if (isa<FloatType>(from))
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, value,
                                   zero);
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, value, zero);
  }
  auto fromFloat = dyn_cast<FloatType>(from);
  auto toFloat = dyn_cast<FloatType>(to);
  bool fromBool = from.isInteger(1);
  if (fromFloat && toFloat) {
    if (fromFloat.getWidth() < toFloat.getWidth())
      return arith::ExtFOp::create(b, loc, to, value);
    if (fromFloat.getWidth() > toFloat.getWidth())
      return arith::TruncFOp::create(b, loc, to, value);
    // f16 <-> bf16: through f32, exactly for f16 -> f32.
    Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), value);
    return arith::TruncFOp::create(b, loc, to, wide);
  }
  if (toFloat)
    return fromBool ? arith::UIToFPOp::create(b, loc, to, value).getResult()
                    : arith::SIToFPOp::create(b, loc, to, value).getResult();
  if (fromFloat)
    return arith::FPToSIOp::create(b, loc, to, value);
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  unsigned toWidth = to.getIntOrFloatBitWidth();
  if (fromWidth > toWidth)
    return arith::TruncIOp::create(b, loc, to, value);
  return fromBool ? arith::ExtUIOp::create(b, loc, to, value).getResult()
                  : arith::ExtSIOp::create(b, loc, to, value).getResult();
}

Value mlir::norm::onnx_import::reshapeTo(OpBuilder &b, Location loc,
                                         Value value, RankedTensorType type,
                                         ArrayRef<OpFoldResult> sizes) {
  auto sourceType = cast<RankedTensorType>(value.getType());
  if (sourceType == type)
    return value;
  // Through a 1-D tensor: collapse_shape and expand_shape need no copy and
  // every reshape of a row-major tensor is one.
  SmallVector<ReassociationIndices> collapse;
  if (sourceType.getRank() > 0)
    collapse.push_back(
        llvm::to_vector(llvm::seq<int64_t>(0, sourceType.getRank())));
  Value flat = value;
  if (sourceType.getRank() == 0)
    flat = insertUnitDims(b, loc, value, {0});
  else if (sourceType.getRank() != 1)
    flat = tensor::CollapseShapeOp::create(b, loc, value, collapse);
  if (type.getRank() == 1)
    return tensor::CastOp::create(b, loc, type, flat);
  SmallVector<ReassociationIndices> expand;
  if (type.getRank() > 0)
    expand.push_back(llvm::to_vector(llvm::seq<int64_t>(0, type.getRank())));
  if (type.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, type, flat, expand);
  return tensor::ExpandShapeOp::create(b, loc, type, flat, expand, sizes);
}

Value mlir::norm::onnx_import::insertUnitDims(OpBuilder &b, Location loc,
                                              Value value,
                                              ArrayRef<int64_t> axes) {
  if (axes.empty())
    return value;
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<OpFoldResult> sourceSizes = getSizes(b, loc, value);
  int64_t rank = type.getRank() + axes.size();
  SmallVector<int64_t> shape;
  SmallVector<OpFoldResult> sizes;
  // Each source dim takes the unit dims inserted before it; trailing unit
  // dims go to the last source dim.
  SmallVector<ReassociationIndices> reassociation;
  ReassociationIndices group;
  int64_t source = 0;
  for (int64_t dim = 0; dim < rank; ++dim) {
    group.push_back(dim);
    if (llvm::is_contained(axes, dim)) {
      shape.push_back(1);
      sizes.push_back(b.getIndexAttr(1));
      continue;
    }
    shape.push_back(type.getDimSize(source));
    sizes.push_back(sourceSizes[source++]);
    reassociation.push_back(group);
    group.clear();
  }
  if (!group.empty() && !reassociation.empty())
    llvm::append_range(reassociation.back(), group);
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  return tensor::ExpandShapeOp::create(b, loc, resultType, value, reassociation,
                                       sizes);
}

Value mlir::norm::onnx_import::dropUnitDims(OpBuilder &b, Location loc,
                                            Value value,
                                            ArrayRef<int64_t> axes) {
  if (axes.empty())
    return value;
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape;
  // Each kept dim takes the unit dims dropped before it; trailing ones go to
  // the last kept dim.
  SmallVector<ReassociationIndices> reassociation;
  ReassociationIndices group;
  for (int64_t dim = 0; dim < type.getRank(); ++dim) {
    group.push_back(dim);
    if (llvm::is_contained(axes, dim))
      continue;
    shape.push_back(type.getDimSize(dim));
    reassociation.push_back(group);
    group.clear();
  }
  if (!group.empty() && !reassociation.empty())
    llvm::append_range(reassociation.back(), group);
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  return tensor::CollapseShapeOp::create(b, loc, resultType, value,
                                         reassociation);
}
