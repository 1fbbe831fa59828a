//===- TileRows.cpp - Split norm ops into an scf.forall over rows ---------===//

#include "RowTasks.h"
#include "norm/Dialect/Norm/IR/NormOps.h"
#include "norm/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "norm-tile-rows"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMTILEROWS
#include "norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;
using namespace mlir::norm;

OpFoldResult mlir::norm::getRowsPerTask(OpBuilder &b, Location loc, Value input,
                                        ArrayRef<int64_t> axes,
                                        int64_t minTaskBytes) {
  auto type = cast<RankedTensorType>(input.getType());
  int64_t bytesPerElement =
      2 * std::max<int64_t>(1, type.getElementTypeBitWidth() / 8);
  int64_t elementsPerTask =
      std::max<int64_t>(1, minTaskBytes / bytesPerElement);
  int64_t staticRow = 1;
  Value dynamicRow;
  for (int64_t axis : axes) {
    if (!type.isDynamicDim(axis)) {
      staticRow *= type.getDimSize(axis);
      continue;
    }
    Value dim = tensor::DimOp::create(b, loc, input, axis);
    dynamicRow =
        dynamicRow ? arith::MulIOp::create(b, loc, dynamicRow, dim) : dim;
  }
  if (!dynamicRow)
    return b.getIndexAttr(std::max<int64_t>(
        1, elementsPerTask / std::max<int64_t>(staticRow, 1)));
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value row = arith::MulIOp::create(
      b, loc, dynamicRow, arith::ConstantIndexOp::create(b, loc, staticRow));
  row = arith::MaxUIOp::create(b, loc, row, one);
  Value rows = arith::DivUIOp::create(
      b, loc, arith::ConstantIndexOp::create(b, loc, elementsPerTask), row);
  return arith::MaxUIOp::create(b, loc, rows, one).getResult();
}

namespace {
struct NormTileRowsPass
    : public norm::impl::NormTileRowsBase<NormTileRowsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<TilingInterface> ops;
    getOperation().walk([&](NormalizationOpInterface op) {
      // Statically empty tensors have no rows to split (and zero-sized
      // slices at offset 0 of an empty dim do not verify).
      if (op->getParentOfType<scf::ForallOp>() ||
          llvm::is_contained(op.getInputType().getShape(), 0))
        return;
      ops.push_back(cast<TilingInterface>(op.getOperation()));
    });
    IRRewriter rewriter(&getContext());
    for (TilingInterface op : ops)
      if (failed(tileIntoRows(rewriter, op)))
        return signalPassFailure();

    SmallVector<NormalizationGradOpInterface> grads;
    getOperation().walk([&](NormalizationGradOpInterface op) {
      if (!op->getParentOfType<scf::ForallOp>())
        grads.push_back(op);
    });
    for (NormalizationGradOpInterface op : grads)
      if (gradTaskBytes > 0 && failed(tileGradIntoRowTasks(
                                   rewriter, op, gradTaskBytes, gradMaxTasks)))
        return signalPassFailure();
  }

  /// Tiles `op` with an scf.forall over tasks; with `min-task-bytes`, a task
  /// is a chunk of rows walked by an scf.for, else a single row.
  LogicalResult tileIntoRows(RewriterBase &rewriter, TilingInterface op) {
    SmallVector<utils::IteratorType> iterators = op.getLoopIteratorTypes();
    int64_t rank = iterators.size();
    SmallVector<int64_t> parallelDims, axes;
    for (auto [dim, iterator] : llvm::enumerate(iterators))
      (iterator == utils::IteratorType::parallel ? parallelDims : axes)
          .push_back(dim);
    if (parallelDims.empty())
      return success(); // A single row: nothing to split.

    // Rows are chunked along the last kept dim, unless it is the innermost
    // dim (axes not trailing), which is tiled for vectorization instead.
    int64_t chunkDim = parallelDims.back();
    bool chunked = minTaskBytes > 0 && chunkDim != rank - 1;
    rewriter.setInsertionPoint(op);
    SmallVector<OpFoldResult> taskSizes, rowSizes;
    for (int64_t dim = 0; dim < rank; ++dim) {
      bool parallel = iterators[dim] == utils::IteratorType::parallel;
      int64_t rowSize = !parallel ? 0 : dim == rank - 1 ? innerTile : 1;
      rowSizes.push_back(rewriter.getIndexAttr(rowSize));
      taskSizes.push_back(rowSizes.back());
    }
    if (chunked)
      taskSizes[chunkDim] = getRowsPerTask(
          rewriter, op.getLoc(), op->getOperand(0), axes, minTaskBytes);
    LLVM_DEBUG({
      llvm::dbgs() << "[" DEBUG_TYPE "] " << op->getName() << " at "
                   << op->getLoc() << ": "
                   << (chunked ? "tasks of rows along dim " +
                                     std::to_string(chunkDim)
                               : std::string("one task per row"))
                   << ", task tile [";
      llvm::interleaveComma(taskSizes, llvm::dbgs());
      llvm::dbgs() << "], row tile [";
      llvm::interleaveComma(rowSizes, llvm::dbgs());
      llvm::dbgs() << "] (min-task-bytes " << minTaskBytes.getValue()
                   << ", inner-tile " << innerTile.getValue() << ")\n";
    });

    scf::SCFTilingOptions taskOptions;
    taskOptions.setTileSizes(taskSizes);
    taskOptions.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
    FailureOr<scf::SCFTilingResult> tasks =
        scf::tileUsingSCF(rewriter, op, taskOptions);
    if (failed(tasks))
      return op.emitOpError("could not be tiled into row tasks");
    rewriter.replaceOp(op, tasks->replacements);
    if (!chunked)
      return success();

    // Walk the rows of each task one at a time.
    auto task = cast<TilingInterface>(tasks->tiledOps.back());
    scf::SCFTilingOptions rowOptions;
    rowOptions.setTileSizes(rowSizes);
    rewriter.setInsertionPoint(task);
    FailureOr<scf::SCFTilingResult> rows =
        scf::tileUsingSCF(rewriter, task, rowOptions);
    if (failed(rows))
      return task.emitOpError("could not be tiled into rows");
    rewriter.replaceOp(task, rows->replacements);
    return success();
  }
};
} // namespace
