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

#include "ContractionTiling.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Affine/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/Linalg/Transforms/TilingInterfaceImpl.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Interfaces/ValueBoundsOpInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "norm-vectorize"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMVECTORIZE
#include "norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;
using namespace mlir::norm;

/// Tiles `op` with `tileSizes` (0: not tiled), loops in the op's order;
/// returns the tiled op.
static FailureOr<linalg::LinalgOp> tile(RewriterBase &rewriter,
                                        linalg::LinalgOp op,
                                        ArrayRef<int64_t> tileSizes,
                                        bool partialReduction) {
  if (llvm::all_of(tileSizes, [](int64_t size) { return size == 0; }))
    return op;
  scf::SCFTilingOptions options;
  options.setTileSizes(
      getAsIndexOpFoldResult(rewriter.getContext(), tileSizes));
  if (partialReduction) {
    // The accumulator stays vector-shaped across the loop and is reduced
    // once after it.
    options.setReductionTilingStrategy(
        ReductionTilingStrategy::PartialReductionOuterReduction);
    SmallVector<unsigned> dims;
    for (auto [dim, size] : llvm::enumerate(tileSizes))
      if (size != 0)
        dims.push_back(dim);
    options.setReductionDims(dims);
  }
  rewriter.setInsertionPoint(op);
  auto tilable = dyn_cast<TilingInterface>(op.getOperation());
  if (!tilable)
    return op.emitOpError("has no TilingInterface model");
  FailureOr<scf::SCFTilingResult> tiled =
      scf::tileUsingSCF(rewriter, tilable, options);
  if (failed(tiled))
    return op.emitOpError("could not be tiled for vectorization");
  rewriter.replaceOp(op, tiled->replacements);
  // With a partial reduction the last tiled op is the partial one; the merge
  // ops are small and vectorized as they are.
  for (Operation *tiledOp : llvm::reverse(tiled->tiledOps))
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(tiledOp))
      return linalgOp;
  return failure();
}

/// Tiles `op` so that its innermost loop spans at most `vectorSize` elements
/// and every other loop one: first the parallel loops, then the reductions,
/// as partial reductions when the innermost loop is one.
static LogicalResult tileForVectors(RewriterBase &rewriter, linalg::LinalgOp op,
                                    const NormVectorizeOptions &options) {
  if (linalg::isaContractionOpInterface(op)) {
    ContractionBlocks blocks{options.matmulRows, options.matmulCols,
                             options.matmulDepth, options.matmulTaskCols,
                             options.matmulMinTaskFlops};
    // A contraction that is not A x B (e.g. a dot) gets vector tiles.
    if (isContractionPanel(op))
      return tileContractionPanel(
          rewriter, op, blocks, [&](linalg::LinalgOp copy) {
            return tileForVectors(rewriter, copy, options);
          });
    if (isBlockableContraction(op))
      return tileContractionIntoPanels(rewriter, op, blocks);
  }
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (ranges.empty())
    return success();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<int64_t> parallelSizes(ranges.size(), 0);
  SmallVector<int64_t> reductionSizes(ranges.size(), 0);
  for (auto [dim, range] : llvm::enumerate(ranges)) {
    int64_t size = dim + 1 == ranges.size() ? options.vectorSize : 1;
    if (!ShapedType::isDynamic(range) && range <= size)
      continue; // Already fits in one tile.
    (iterators[dim] == utils::IteratorType::reduction ? reductionSizes
                                                      : parallelSizes)[dim] =
        size;
  }
  LLVM_DEBUG({
    llvm::dbgs() << "[" DEBUG_TYPE "] " << op->getName() << " at "
                 << op.getLoc() << ": parallel tiles [";
    llvm::interleaveComma(parallelSizes, llvm::dbgs());
    llvm::dbgs() << "], reduction tiles [";
    llvm::interleaveComma(reductionSizes, llvm::dbgs());
    llvm::dbgs() << "] (vector-size " << options.vectorSize << ")\n";
  });
  FailureOr<linalg::LinalgOp> tiled =
      tile(rewriter, op, parallelSizes, /*partialReduction=*/false);
  if (failed(tiled))
    return failure();
  bool innermostReduction = reductionSizes.back() != 0;
  return tile(rewriter, *tiled, reductionSizes, innermostReduction);
}

/// The vector shape for `op`: its static loop ranges, with dynamic ranges
/// replaced by their constant upper bound and the innermost one rounded up to
/// a power of two (the op is then masked).
static FailureOr<SmallVector<int64_t>> getVectorSizes(OpBuilder &b,
                                                      linalg::LinalgOp op) {
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  // The innermost vector dim, and every dim bounded from a dynamic range (a
  // contraction's column tail), is a power of two (masked where the range is
  // shorter): LLVM's X86 backend cannot legalize e.g. <33 x bfloat> loads.
  auto roundInnermost = [&]() {
    if (!sizes.empty() && sizes.back() > 1)
      sizes.back() = llvm::PowerOf2Ceil(sizes.back());
    return sizes;
  };
  if (llvm::none_of(sizes, ShapedType::isDynamic))
    return roundInnermost();
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
    size = llvm::PowerOf2Ceil(*bound);
  }
  return roundInnermost();
}

namespace {
struct NormVectorizePass
    : public norm::impl::NormVectorizeBase<NormVectorizePass> {
  using Base::Base;

  void getDependentDialects(DialectRegistry &registry) const override {
    Base::getDependentDialects(registry);
    // Tiling linalg ops and bounding their dynamic sizes go through external
    // models; register them here rather than rely on the tool's registry.
    linalg::registerTilingInterfaceExternalModels(registry);
    affine::registerValueBoundsOpInterfaceExternalModels(registry);
    arith::registerValueBoundsOpInterfaceExternalModels(registry);
    linalg::registerValueBoundsOpInterfaceExternalModels(registry);
    scf::registerValueBoundsOpInterfaceExternalModels(registry);
    tensor::registerValueBoundsOpInterfaceExternalModels(registry);
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    IRRewriter rewriter(&getContext());

    // Ops over statically empty ranges do no work; they are left to the
    // loop lowering (and tiling or vectorizing 0-sized ranges is not
    // supported upstream).
    auto isEmpty = [](linalg::LinalgOp op) {
      return llvm::is_contained(op.getStaticLoopRanges(), 0);
    };
    SmallVector<linalg::LinalgOp> toTile;
    func.walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics() && !isEmpty(op))
        toTile.push_back(op);
    });
    NormVectorizeOptions options{vectorSize,     matmulRows,
                                 matmulCols,     matmulDepth,
                                 matmulTaskCols, matmulMinTaskFlops};
    for (linalg::LinalgOp op : toTile)
      if (failed(tileForVectors(rewriter, op, options)))
        return signalPassFailure();
    // Fold the tile-size arithmetic so that full tiles become static.
    if (failed(simplify()))
      return signalPassFailure();

    // Contractions' cache blocks, static where full, into register blocks.
    SmallVector<linalg::LinalgOp> panels;
    func.walk([&](linalg::LinalgOp op) {
      if (isContractionPanel(op))
        panels.push_back(op);
    });
    for (linalg::LinalgOp op : panels)
      if (failed(tileForVectors(rewriter, op, options)))
        return signalPassFailure();
    if (failed(simplify()))
      return signalPassFailure();

    SmallVector<linalg::LinalgOp> toVectorize;
    func.walk([&](linalg::LinalgOp op) {
      if (!isEmpty(op))
        toVectorize.push_back(op);
    });
    for (linalg::LinalgOp op : toVectorize) {
      FailureOr<SmallVector<int64_t>> sizes = getVectorSizes(rewriter, op);
      if (failed(sizes)) {
        op.emitOpError("has a dynamic loop range without a constant bound");
        return signalPassFailure();
      }
      bool masked = *sizes != op.getStaticLoopRanges();
      LLVM_DEBUG({
        llvm::dbgs() << "[" DEBUG_TYPE "] " << op->getName() << " at "
                     << op->getLoc() << ": vector shape [";
        llvm::interleaveComma(*sizes, llvm::dbgs());
        llvm::dbgs() << "]" << (masked ? ", masked" : "") << "\n";
      });
      rewriter.setInsertionPoint(op);
      // Scalable flags are passed explicitly: masked vectorization reads one
      // per vector dim.
      SmallVector<bool> scalable(sizes->size(), false);
      // tensor.extract in a body (a gather, e.g. an imported embedding)
      // becomes a vector.gather or a contiguous load.
      // Full register blocks become vector.contract, lowered below to
      // outer products: one FMA per row of the block and step of k.
      FailureOr<linalg::VectorizationResult> result = linalg::vectorize(
          rewriter, op, masked ? *sizes : SmallVector<int64_t>(),
          masked ? scalable : SmallVector<bool>(),
          /*vectorizeNDExtract=*/true,
          /*flatten1DDepthwiseConv=*/false,
          /*assumeDynamicDimsMatchVecSizes=*/false,
          /*createNamedContraction=*/true);
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
    vector::populateVectorContractLoweringPatterns(
        patterns, vector::VectorContractLowering::OuterProduct);
    vector::populateVectorOuterProductLoweringPatterns(patterns);
    vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
    vector::populateVectorTransferDropUnitDimsPatterns(patterns);
    vector::populateDropUnitDimWithShapeCastPatterns(patterns);
    if (failed(applyPatternsGreedily(func, std::move(patterns))))
      return signalPassFailure();
    (void)simplify();
  }

  LogicalResult simplify() {
    RewritePatternSet patterns(&getContext());
    // Dialect patterns too: linalg's fold the casts that peeled tiles leave
    // into static ops.
    for (Dialect *dialect : getContext().getLoadedDialects())
      dialect->getCanonicalizationPatterns(patterns);
    for (RegisteredOperationName name : getContext().getRegisteredOperations())
      name.getCanonicalizationPatterns(patterns, &getContext());
    return applyPatternsGreedily(getOperation(), std::move(patterns));
  }
};
} // namespace
