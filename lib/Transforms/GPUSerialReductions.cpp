//===- GPUSerialReductions.cpp - A unit parallel loop for reductions ------===//

#include "norm/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMGPUSERIALREDUCTIONS
#include "norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;

/// `map` with a new leading dim d0 (the others shifted), and d0 as a new
/// leading result when `withResult`.
static AffineMap prependDim(AffineMap map, bool withResult) {
  MLIRContext *ctx = map.getContext();
  AffineMap shifted = map.shiftDims(1);
  SmallVector<AffineExpr> results;
  if (withResult)
    results.push_back(getAffineDimExpr(0, ctx));
  llvm::append_range(results, shifted.getResults());
  return AffineMap::get(map.getNumDims() + 1, 0, results, ctx);
}

/// `buffer` with a leading unit dim.
static Value expandLeadingUnit(OpBuilder &b, Location loc, Value buffer) {
  auto type = cast<MemRefType>(buffer.getType());
  SmallVector<ReassociationIndices> groups;
  if (type.getRank() > 0) {
    groups.push_back({0, 1});
    for (int64_t d = 1; d < type.getRank(); ++d)
      groups.push_back({d + 1});
  }
  SmallVector<int64_t> shape = {1};
  llvm::append_range(shape, type.getShape());
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1)};
  llvm::append_range(sizes, memref::getMixedSizes(b, loc, buffer));
  return memref::ExpandShapeOp::create(
      b, loc, MemRefType::get(shape, type.getElementType()), buffer, groups,
      sizes);
}

/// Rewrites `op` (buffers, no parallel loop) with a leading unit parallel
/// loop; linalg.index ops in the body are shifted to match.
static LogicalResult addUnitParallelLoop(RewriterBase &rewriter,
                                         linalg::GenericOp op) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  SmallVector<Value> outputs;
  for (Value output : op.getOutputs()) {
    auto type = dyn_cast<MemRefType>(output.getType());
    if (!type || !type.getLayout().isIdentity())
      return failure(); // Strided views: left to fail loudly downstream.
    outputs.push_back(expandLeadingUnit(rewriter, loc, output));
  }
  SmallVector<AffineMap> maps;
  for (OpOperand &operand : op->getOpOperands())
    maps.push_back(prependDim(op.getMatchingIndexingMap(&operand),
                              op.isDpsInit(&operand)));
  SmallVector<utils::IteratorType> iterators = {utils::IteratorType::parallel};
  llvm::append_range(iterators, op.getIteratorTypesArray());
  auto generic = linalg::GenericOp::create(
      rewriter, loc, TypeRange{}, op.getInputs(), outputs, maps, iterators);
  rewriter.inlineRegionBefore(op.getRegion(), generic.getRegion(),
                              generic.getRegion().begin());
  generic.walk(
      [&](linalg::IndexOp index) { index.setDim(index.getDim() + 1); });
  rewriter.eraseOp(op);
  return success();
}

namespace {
struct NormGPUSerialReductionsPass
    : public norm::impl::NormGPUSerialReductionsBase<
          NormGPUSerialReductionsPass> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> ops;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op.hasPureBufferSemantics() && op.getNumParallelLoops() == 0)
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : ops) {
      rewriter.setInsertionPoint(op);
      auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
      if (!generic) {
        FailureOr<linalg::GenericOp> generalized =
            linalg::generalizeNamedOp(rewriter, op);
        if (failed(generalized))
          continue;
        generic = *generalized;
      }
      (void)addUnitParallelLoop(rewriter, generic);
    }
  }
};
} // namespace
