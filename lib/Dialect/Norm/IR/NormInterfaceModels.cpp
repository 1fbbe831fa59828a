//===- NormInterfaceModels.cpp - Tiling and shapes of the norm ops --------===//
//
// TilingInterface and ReifyRankedShapedTypeOpInterface, written once against
// the op interfaces and attached to every op of the dialect.
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
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/TilingInterface.h"

using namespace mlir;
using namespace mlir::norm;

/// Widens a tile of the iteration domain to whole rows: normalized axes are
/// never split.
static void widenToRows(NormalizationOpInterface op, OpBuilder &b,
                        SmallVectorImpl<OpFoldResult> &offsets,
                        SmallVectorImpl<OpFoldResult> &sizes) {
  for (int64_t axis : op.getCanonicalAxes()) {
    offsets[axis] = b.getIndexAttr(0);
    sizes[axis] = tensor::getMixedSize(b, op.getLoc(), op.getInput(), axis);
  }
}

/// The op on the rows of a tile: a clone on a slice of the input.
static FailureOr<TilingResult> tileRows(NormalizationOpInterface op,
                                        OpBuilder &b,
                                        ArrayRef<OpFoldResult> tileOffsets,
                                        ArrayRef<OpFoldResult> tileSizes) {
  Location loc = op.getLoc();
  SmallVector<OpFoldResult> offsets(tileOffsets), sizes(tileSizes);
  widenToRows(op, b, offsets, sizes);
  SmallVector<OpFoldResult> strides(offsets.size(), b.getIndexAttr(1));

  // The input and the residual (fused ops): the input-shaped operands.
  SmallVector<Value> operands;
  SmallVector<Operation *> slices;
  for (Value value : {Value(op.getInput()), Value(op.getResidual())}) {
    if (!value)
      continue;
    auto slice =
        tensor::ExtractSliceOp::create(b, loc, value, offsets, sizes, strides);
    operands.push_back(slice);
    slices.push_back(slice);
  }
  for (Value param : op.getParameters())
    if (param)
      operands.push_back(param);

  auto outputType = cast<RankedTensorType>(operands[0].getType());
  SmallVector<Type> resultTypes(op.getNumInputShapedResults(), outputType);
  SmallVector<int64_t> statisticsShape =
      getStatisticsShape(outputType.getShape(), op.getCanonicalAxes());
  for (Value statistic : op.getStatistics())
    resultTypes.push_back(RankedTensorType::get(
        statisticsShape, getElementTypeOrSelf(statistic.getType())));

  Operation *tiled = mlir::clone(b, op.getOperation(), resultTypes, operands);
  return TilingResult{{tiled}, SmallVector<Value>(tiled->getResults()), slices};
}

namespace {
template <typename OpTy>
struct NormTilingModel
    : public TilingInterface::ExternalModel<NormTilingModel<OpTy>, OpTy> {
  SmallVector<utils::IteratorType> getLoopIteratorTypes(Operation *op) const {
    auto norm = cast<NormalizationOpInterface>(op);
    SmallVector<utils::IteratorType> types(norm.getInputType().getRank(),
                                           utils::IteratorType::parallel);
    for (int64_t axis : norm.getCanonicalAxes())
      types[axis] = utils::IteratorType::reduction;
    return types;
  }

  SmallVector<Range> getIterationDomain(Operation *op, OpBuilder &b) const {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(op);
    SmallVector<Range> domain;
    for (OpFoldResult size : tensor::getMixedSizes(
             b, op->getLoc(), cast<NormalizationOpInterface>(op).getInput()))
      domain.push_back(Range{b.getIndexAttr(0), size, b.getIndexAttr(1)});
    return domain;
  }

  FailureOr<TilingResult>
  getTiledImplementation(Operation *op, OpBuilder &b,
                         ArrayRef<OpFoldResult> offsets,
                         ArrayRef<OpFoldResult> sizes) const {
    return tileRows(cast<NormalizationOpInterface>(op), b, offsets, sizes);
  }

  LogicalResult
  getResultTilePosition(Operation *op, OpBuilder &b, unsigned resultNumber,
                        ArrayRef<OpFoldResult> offsets,
                        ArrayRef<OpFoldResult> sizes,
                        SmallVector<OpFoldResult> &resultOffsets,
                        SmallVector<OpFoldResult> &resultSizes) const {
    auto norm = cast<NormalizationOpInterface>(op);
    resultOffsets.assign(offsets.begin(), offsets.end());
    resultSizes.assign(sizes.begin(), sizes.end());
    if (resultNumber < norm.getNumInputShapedResults()) {
      widenToRows(norm, b, resultOffsets, resultSizes);
      return success();
    }
    for (int64_t axis : norm.getCanonicalAxes()) {
      resultOffsets[axis] = b.getIndexAttr(0);
      resultSizes[axis] = b.getIndexAttr(1);
    }
    return success();
  }

  FailureOr<TilingResult>
  generateResultTileValue(Operation *op, OpBuilder &b, unsigned resultNumber,
                          ArrayRef<OpFoldResult> offsets,
                          ArrayRef<OpFoldResult> sizes) const {
    // Any result tile maps to the same rows of the iteration domain; the
    // statistics' unit dims widen to whole rows in tileRows.
    FailureOr<TilingResult> tiled =
        tileRows(cast<NormalizationOpInterface>(op), b, offsets, sizes);
    if (failed(tiled))
      return failure();
    return TilingResult{tiled->tiledOps,
                        {tiled->tiledValues[resultNumber]},
                        tiled->generatedSlices};
  }
};

template <typename OpTy>
struct NormReifyShapesModel
    : public ReifyRankedShapedTypeOpInterface::ExternalModel<
          NormReifyShapesModel<OpTy>, OpTy> {
  LogicalResult
  reifyResultShapes(Operation *op, OpBuilder &b,
                    ReifiedRankedShapedTypeDims &reifiedReturnShapes) const {
    auto norm = cast<NormalizationOpInterface>(op);
    SmallVector<OpFoldResult> sizes =
        tensor::getMixedSizes(b, op->getLoc(), norm.getInput());
    reifiedReturnShapes.append(norm.getNumInputShapedResults(), sizes);
    SmallVector<OpFoldResult> statisticsSizes(sizes);
    for (int64_t axis : norm.getCanonicalAxes())
      statisticsSizes[axis] = b.getIndexAttr(1);
    for (size_t i = 0, e = norm.getStatistics().size(); i < e; ++i)
      reifiedReturnShapes.push_back(statisticsSizes);
    return success();
  }
};
} // namespace

namespace {
/// Gradient ops: dx has the input's shape, each parameter gradient its
/// parameter's. (They are tiled by norm-tile-rows, which also combines the
/// parameter gradients of the row tasks; a TilingInterface tile would not.)
template <typename OpTy>
struct NormGradReifyShapesModel
    : public ReifyRankedShapedTypeOpInterface::ExternalModel<
          NormGradReifyShapesModel<OpTy>, OpTy> {
  LogicalResult
  reifyResultShapes(Operation *op, OpBuilder &b,
                    ReifiedRankedShapedTypeDims &reifiedReturnShapes) const {
    auto grad = cast<NormalizationGradOpInterface>(op);
    reifiedReturnShapes.append(
        grad.hasResidual() ? 2 : 1,
        tensor::getMixedSizes(b, op->getLoc(), grad.getInput()));
    for (Value param : grad.getParameters())
      if (param)
        reifiedReturnShapes.push_back(
            tensor::getMixedSizes(b, op->getLoc(), param));
    return success();
  }
};

template <typename OpTy> struct ModelAttacher {
  static void attach(MLIRContext *context) {
    if constexpr (OpTy::template hasTrait<NormalizationOpInterface::Trait>())
      OpTy::template attachInterface<NormTilingModel<OpTy>,
                                     NormReifyShapesModel<OpTy>>(*context);
    else
      OpTy::template attachInterface<NormGradReifyShapesModel<OpTy>>(*context);
  }
};
} // namespace

template <typename... OpTys> static void attachModels(MLIRContext *context) {
  (ModelAttacher<OpTys>::attach(context), ...);
}

void mlir::norm::attachNormalizationOpModels(MLIRContext *context) {
  attachModels<
#define GET_OP_LIST
#include "norm/Dialect/Norm/IR/NormOps.cpp.inc"
      >(context);
}
