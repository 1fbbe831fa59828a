//===- TileRows.cpp - Split norm ops into an scf.forall over rows ---------===//

#include "norm/Dialect/Norm/IR/NormOps.h"
#include "norm/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMTILEROWS
#include "norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;
using namespace mlir::norm;

namespace {
struct NormTileRowsPass
    : public norm::impl::NormTileRowsBase<NormTileRowsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<TilingInterface> ops;
    getOperation().walk([&](Operation *op) {
      // Statically empty tensors have no rows to split (and zero-sized
      // slices at offset 0 of an empty dim do not verify).
      if (!isa<RMSNormOp, LayerNormOp>(op) ||
          op->getParentOfType<scf::ForallOp>())
        return;
      auto type = cast<RankedTensorType>(op->getOperand(0).getType());
      if (!llvm::is_contained(type.getShape(), 0))
        ops.push_back(cast<TilingInterface>(op));
    });
    IRRewriter rewriter(&getContext());
    for (TilingInterface op : ops) {
      SmallVector<utils::IteratorType> iterators = op.getLoopIteratorTypes();
      SmallVector<OpFoldResult> tileSizes;
      for (auto [dim, iterator] : llvm::enumerate(iterators)) {
        int64_t size = 0;
        if (iterator == utils::IteratorType::parallel)
          size = dim + 1 == iterators.size() ? innerTile : 1;
        tileSizes.push_back(rewriter.getIndexAttr(size));
      }
      if (llvm::none_of(iterators, [](utils::IteratorType t) {
            return t == utils::IteratorType::parallel;
          }))
        continue; // A single row: nothing to split.
      scf::SCFTilingOptions options;
      options.setTileSizes(tileSizes);
      options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
      rewriter.setInsertionPoint(op);
      FailureOr<scf::SCFTilingResult> tiled =
          scf::tileUsingSCF(rewriter, op, options);
      if (failed(tiled)) {
        op.emitOpError("could not be tiled into rows");
        return signalPassFailure();
      }
      rewriter.replaceOp(op, tiled->replacements);
    }
  }
};
} // namespace
