//===- ScalarTransfers.cpp - Single-element transfers as scalars ----------===//

#include "norm/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMSCALARTRANSFERS
#include "norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;

namespace {
/// A read of one element of a buffer (a one-element vector, or a broadcast:
/// every result of its permutation map is the constant 0), masked or not:
/// a scalar load (guarded by the mask) and a vector.broadcast.
struct OneElementReadToLoad : public OpRewritePattern<vector::TransferReadOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(vector::TransferReadOp read,
                                PatternRewriter &rewriter) const override {
    if (!isa<MemRefType>(read.getBase().getType()))
      return rewriter.notifyMatchFailure(read, "not a buffer read");
    AffineMap map = read.getPermutationMap();
    bool broadcast = map.getNumResults() > 0 &&
                     llvm::all_of(map.getResults(), [](AffineExpr expr) {
                       auto constant = dyn_cast<AffineConstantExpr>(expr);
                       return constant && constant.getValue() == 0;
                     });
    VectorType type = read.getVectorType();
    if (!broadcast && type.getNumElements() != 1)
      return rewriter.notifyMatchFailure(read, "reads several elements");
    Value mask = read.getMask();
    if (mask && cast<VectorType>(mask.getType()).getNumElements() != 1)
      return rewriter.notifyMatchFailure(read, "mask of several elements");
    // One element per vector dim read, in bounds unless masked off.
    if (!broadcast && !mask && !read.getInBoundsValues().empty() &&
        !llvm::all_of(read.getInBoundsValues(), [](bool b) { return b; }))
      return rewriter.notifyMatchFailure(read, "may read out of bounds");

    Location loc = read.getLoc();
    Value scalar;
    if (!mask) {
      scalar = memref::LoadOp::create(rewriter, loc, read.getBase(),
                                      read.getIndices());
    } else {
      auto maskType = cast<VectorType>(mask.getType());
      Value bit = vector::ExtractOp::create(
          rewriter, loc, mask, SmallVector<int64_t>(maskType.getRank(), 0));
      auto ifOp = scf::IfOp::create(
          rewriter, loc, bit,
          [&](OpBuilder &b, Location l) {
            scf::YieldOp::create(b, l,
                                 ValueRange{memref::LoadOp::create(
                                     b, l, read.getBase(), read.getIndices())});
          },
          [&](OpBuilder &b, Location l) {
            scf::YieldOp::create(b, l, read.getPadding());
          });
      scalar = ifOp.getResult(0);
    }
    rewriter.replaceOpWithNewOp<vector::BroadcastOp>(read, type, scalar);
    return success();
  }
};

/// A float conversion of a one-element vector, as a scalar one: LLVM's X86
/// backend cannot extend <1 x bfloat>.
template <typename OpTy>
struct ScalarizeOneElementConversion : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto type = dyn_cast<VectorType>(op.getType());
    if (!type || type.getNumElements() != 1)
      return rewriter.notifyMatchFailure(op, "not a one-element vector");
    Location loc = op.getLoc();
    Value element = vector::ExtractOp::create(
        rewriter, loc, op.getIn(), SmallVector<int64_t>(type.getRank(), 0));
    Value converted =
        OpTy::create(rewriter, loc, type.getElementType(), element);
    rewriter.replaceOpWithNewOp<vector::BroadcastOp>(op, type, converted);
    return success();
  }
};

/// extf/truncf(broadcast(scalar)) -> broadcast(extf/truncf(scalar)): LLVM's
/// X86 backend cannot legalize a splat of bfloat feeding an extension.
template <typename OpTy>
struct ConvertBeforeBroadcast : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto broadcast = op.getIn().template getDefiningOp<vector::BroadcastOp>();
    auto type = dyn_cast<VectorType>(op.getType());
    if (!broadcast || !type || isa<VectorType>(broadcast.getSourceType()))
      return rewriter.notifyMatchFailure(op, "not a conversion of a splat");
    Value converted = OpTy::create(rewriter, op.getLoc(), type.getElementType(),
                                   broadcast.getSource());
    rewriter.replaceOpWithNewOp<vector::BroadcastOp>(op, type, converted);
    return success();
  }
};

struct NormScalarTransfersPass
    : public norm::impl::NormScalarTransfersBase<NormScalarTransfersPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns
        .add<OneElementReadToLoad, ScalarizeOneElementConversion<arith::ExtFOp>,
             ScalarizeOneElementConversion<arith::TruncFOp>,
             ConvertBeforeBroadcast<arith::ExtFOp>,
             ConvertBeforeBroadcast<arith::TruncFOp>>(&getContext());
    vector::populateScalarVectorTransferLoweringPatterns(
        patterns, /*benefit=*/1, /*allowMultipleUses=*/true);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
