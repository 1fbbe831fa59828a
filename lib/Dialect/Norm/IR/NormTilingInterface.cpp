//===- NormTilingInterface.cpp - TilingInterface for the norm ops ---------===//
//
// The iteration domain of a norm op is its input's index space: the
// normalized axes are reduction dims, the others parallel. Only parallel dims
// can be tiled: a tile always covers whole rows, so a tile is itself a norm op
// on a slice of the input. This lets upstream tiling (scf::tileUsingSCF, the
// transform dialect) split norm ops across threads or GPU blocks before they
// are decomposed into linalg.
//
//===----------------------------------------------------------------------===//

#include "norm/Dialect/Norm/IR/NormOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::norm;

template <typename OpTy>
static SmallVector<utils::IteratorType> getIteratorTypesImpl(OpTy op) {
  SmallVector<utils::IteratorType> types(op.getInputType().getRank(),
                                         utils::IteratorType::parallel);
  for (int64_t axis : op.getCanonicalAxes())
    types[axis] = utils::IteratorType::reduction;
  return types;
}

template <typename OpTy>
static SmallVector<Range> getIterationDomainImpl(OpTy op, OpBuilder &b) {
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(op);
  SmallVector<Range> domain;
  for (OpFoldResult size : tensor::getMixedSizes(b, op.getLoc(), op.getInput()))
    domain.push_back(Range{b.getIndexAttr(0), size, b.getIndexAttr(1)});
  return domain;
}

/// Widens a tile of the iteration domain to whole rows: normalized axes are
/// never split.
template <typename OpTy>
static void widenToRows(OpTy op, OpBuilder &b,
                        SmallVectorImpl<OpFoldResult> &offsets,
                        SmallVectorImpl<OpFoldResult> &sizes) {
  for (int64_t axis : op.getCanonicalAxes()) {
    offsets[axis] = b.getIndexAttr(0);
    sizes[axis] = tensor::getMixedSize(b, op.getLoc(), op.getInput(), axis);
  }
}

template <typename OpTy>
static FailureOr<TilingResult>
getTiledImplementationImpl(OpTy op, OpBuilder &b,
                           ArrayRef<OpFoldResult> tileOffsets,
                           ArrayRef<OpFoldResult> tileSizes) {
  Location loc = op.getLoc();
  SmallVector<OpFoldResult> offsets(tileOffsets), sizes(tileSizes);
  widenToRows(op, b, offsets, sizes);
  SmallVector<OpFoldResult> strides(offsets.size(), b.getIndexAttr(1));

  auto slice = tensor::ExtractSliceOp::create(b, loc, op.getInput(), offsets,
                                              sizes, strides);
  SmallVector<Value> operands = {slice};
  for (Value param : {op.getScale(), op.getBias(), op.getFeatureEpsilon()})
    if (param)
      operands.push_back(param);

  auto outputType = cast<RankedTensorType>(slice.getType());
  SmallVector<Type> resultTypes = {outputType};
  SmallVector<int64_t> statisticsShape =
      getStatisticsShape(outputType.getShape(), op.getCanonicalAxes());
  for (Value statistic : op.getStatistics())
    resultTypes.push_back(RankedTensorType::get(
        statisticsShape, getElementTypeOrSelf(statistic.getType())));

  Operation *tiled = mlir::clone(b, op.getOperation(), resultTypes, operands);
  return TilingResult{
      {tiled}, SmallVector<Value>(tiled->getResults()), {slice.getOperation()}};
}

template <typename OpTy>
static LogicalResult
getResultTilePositionImpl(OpTy op, OpBuilder &b, unsigned resultNumber,
                          ArrayRef<OpFoldResult> offsets,
                          ArrayRef<OpFoldResult> sizes,
                          SmallVector<OpFoldResult> &resultOffsets,
                          SmallVector<OpFoldResult> &resultSizes) {
  resultOffsets.assign(offsets.begin(), offsets.end());
  resultSizes.assign(sizes.begin(), sizes.end());
  if (resultNumber == 0) {
    widenToRows(op, b, resultOffsets, resultSizes);
    return success();
  }
  for (int64_t axis : op.getCanonicalAxes()) {
    resultOffsets[axis] = b.getIndexAttr(0);
    resultSizes[axis] = b.getIndexAttr(1);
  }
  return success();
}

template <typename OpTy>
static FailureOr<TilingResult>
generateResultTileValueImpl(OpTy op, OpBuilder &b, unsigned resultNumber,
                            ArrayRef<OpFoldResult> offsets,
                            ArrayRef<OpFoldResult> sizes) {
  // Any result tile maps to the same rows of the iteration domain; the
  // statistics' unit dims widen to whole rows in getTiledImplementation.
  FailureOr<TilingResult> tiled =
      getTiledImplementationImpl(op, b, offsets, sizes);
  if (failed(tiled))
    return failure();
  return TilingResult{tiled->tiledOps,
                      {tiled->tiledValues[resultNumber]},
                      tiled->generatedSlices};
}

#define NORM_DEFINE_TILING_METHODS(OpTy)                                       \
  SmallVector<utils::IteratorType> OpTy::getLoopIteratorTypes() {              \
    return getIteratorTypesImpl(*this);                                        \
  }                                                                            \
  SmallVector<Range> OpTy::getIterationDomain(OpBuilder &b) {                  \
    return getIterationDomainImpl(*this, b);                                   \
  }                                                                            \
  FailureOr<TilingResult> OpTy::getTiledImplementation(                        \
      OpBuilder &b, ArrayRef<OpFoldResult> offsets,                            \
      ArrayRef<OpFoldResult> sizes) {                                          \
    return getTiledImplementationImpl(*this, b, offsets, sizes);               \
  }                                                                            \
  LogicalResult OpTy::getResultTilePosition(                                   \
      OpBuilder &b, unsigned resultNumber, ArrayRef<OpFoldResult> offsets,     \
      ArrayRef<OpFoldResult> sizes, SmallVector<OpFoldResult> &resultOffsets,  \
      SmallVector<OpFoldResult> &resultSizes) {                                \
    return getResultTilePositionImpl(*this, b, resultNumber, offsets, sizes,   \
                                     resultOffsets, resultSizes);              \
  }                                                                            \
  FailureOr<TilingResult> OpTy::generateResultTileValue(                       \
      OpBuilder &b, unsigned resultNumber, ArrayRef<OpFoldResult> offsets,     \
      ArrayRef<OpFoldResult> sizes) {                                          \
    return generateResultTileValueImpl(*this, b, resultNumber, offsets,        \
                                       sizes);                                 \
  }

NORM_DEFINE_TILING_METHODS(RMSNormOp)
NORM_DEFINE_TILING_METHODS(LayerNormOp)

#undef NORM_DEFINE_TILING_METHODS
