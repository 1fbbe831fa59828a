//===- Vectorize.cpp - Tile linalg ops to vector tiles and vectorize ------===//
//
// After norm rows are decomposed into linalg, each op still spans a whole
// row. This pass tiles the innermost loop to `vector-size` elements with
// upstream tiling (partial reductions keep a vector accumulator) and then
// vectorizes every linalg op with upstream linalg vectorization, masking the
// tiles whose size is only known at run time.
//
//===----------------------------------------------------------------------===//

#include "norm/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Interfaces/ValueBoundsOpInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMVECTORIZE
#include "norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;
using namespace mlir::norm;

/// Tiles `op` so that its innermost loop spans at most `vectorSize` elements
/// and every other loop one. Returns false when `op` already fits.
static LogicalResult tileForVectors(RewriterBase &rewriter,
                                    linalg::LinalgOp op, int64_t vectorSize) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (ranges.empty())
    return success();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<OpFoldResult> tileSizes;
  SmallVector<unsigned> tiledReductionDims;
  bool needsTiling = false;
  for (auto [dim, range] : llvm::enumerate(ranges)) {
    int64_t tile = dim + 1 == ranges.size() ? vectorSize : 1;
    if (!ShapedType::isDynamic(range) && range <= tile)
      tile = 0; // Already fits in one tile.
    needsTiling |= tile != 0;
    if (tile != 0 && iterators[dim] == utils::IteratorType::reduction)
      tiledReductionDims.push_back(dim);
    tileSizes.push_back(rewriter.getIndexAttr(tile));
  }
  if (!needsTiling)
    return success();

  scf::SCFTilingOptions options;
  options.setTileSizes(tileSizes);
  // A reduction along the innermost loop accumulates into a vector-shaped
  // partial result, reduced once after the loop.
  if (iterators.back() == utils::IteratorType::reduction &&
      llvm::is_contained(tiledReductionDims, ranges.size() - 1)) {
    options.setReductionTilingStrategy(
        ReductionTilingStrategy::PartialReductionOuterReduction);
    options.setReductionDims(tiledReductionDims);
  }
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
      rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(tiled))
    return op.emitOpError("could not be tiled to vector size ") << vectorSize;
  rewriter.replaceOp(op, tiled->replacements);
  return success();
}

/// The vector shape for `op`: its static loop ranges, with dynamic ranges
/// replaced by their constant upper bound (the op is then masked).
static FailureOr<SmallVector<int64_t>> getVectorSizes(OpBuilder &b,
                                                      linalg::LinalgOp op) {
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  if (llvm::none_of(sizes, ShapedType::isDynamic))
    return sizes;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(op);
  SmallVector<Range> ranges = op.createLoopRanges(b, op.getLoc());
  for (auto [size, range] : llvm::zip(sizes, ranges)) {
    if (!ShapedType::isDynamic(size))
      continue;
    FailureOr<int64_t> bound = ValueBoundsConstraintSet::computeConstantBound(
        presburger::BoundType::UB,
        ValueBoundsConstraintSet::Variable(range.size), nullptr,
        /*closedUB=*/true);
    if (failed(bound))
      return failure();
    size = *bound;
  }
  return sizes;
}

namespace {
struct NormVectorizePass
    : public norm::impl::NormVectorizeBase<NormVectorizePass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    IRRewriter rewriter(&getContext());

    SmallVector<linalg::LinalgOp> toTile;
    func.walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics())
        toTile.push_back(op);
    });
    for (linalg::LinalgOp op : toTile)
      if (failed(tileForVectors(rewriter, op, vectorSize)))
        return signalPassFailure();

    // Fold the tile-size arithmetic so that full tiles become static.
    if (failed(simplify()))
      return signalPassFailure();

    SmallVector<linalg::LinalgOp> toVectorize;
    func.walk([&](linalg::LinalgOp op) { toVectorize.push_back(op); });
    for (linalg::LinalgOp op : toVectorize) {
      FailureOr<SmallVector<int64_t>> sizes = getVectorSizes(rewriter, op);
      if (failed(sizes)) {
        op.emitOpError("has a dynamic loop range without a constant bound");
        return signalPassFailure();
      }
      bool masked = *sizes != op.getStaticLoopRanges();
      rewriter.setInsertionPoint(op);
      // Scalable flags are passed explicitly: masked vectorization reads one
      // per vector dim.
      SmallVector<bool> scalable(sizes->size(), false);
      FailureOr<linalg::VectorizationResult> result =
          masked ? linalg::vectorize(rewriter, op, *sizes, scalable)
                 : linalg::vectorize(rewriter, op);
      if (failed(result)) {
        op.emitOpError("could not be vectorized");
        return signalPassFailure();
      }
      rewriter.replaceOp(op, result->replacements);
    }

    // Masks become operands of the transfers they guard, so that the unit
    // dims of one-row tiles can then be dropped for the LLVM lowering.
    RewritePatternSet maskPatterns(&getContext());
    vector::populateVectorMaskLoweringPatternsForSideEffectingOps(maskPatterns);
    if (failed(applyPatternsGreedily(func, std::move(maskPatterns))))
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
    vector::populateVectorTransferDropUnitDimsPatterns(patterns);
    vector::populateDropUnitDimWithShapeCastPatterns(patterns);
    if (failed(applyPatternsGreedily(func, std::move(patterns))))
      return signalPassFailure();
    (void)simplify();
  }

  LogicalResult simplify() {
    RewritePatternSet patterns(&getContext());
    for (RegisteredOperationName name :
         getContext().getRegisteredOperations())
      name.getCanonicalizationPatterns(patterns, &getContext());
    return applyPatternsGreedily(getOperation(), std::move(patterns));
  }
};
} // namespace
