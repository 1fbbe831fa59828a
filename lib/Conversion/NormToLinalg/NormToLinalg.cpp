//===- NormToLinalg.cpp - Decompose norm ops into linalg ------------------===//
//
// Every NormalizationOpInterface op becomes linalg on tensors, in the compute
// type, built from the shared numerics (Dialect/Norm/Utils/Numerics.h):
//   1. per-row reductions over the normalized axes (linalg.generic with
//      reduction iterators into zero-filled tensors of the kept dims); for a
//      centered op (LayerNorm) the mean, then the centered squares in a
//      second pass (the row is still in cache after row tiling; a one-pass
//      shifted variance loses precision when the shift is an outlier);
//      rows whose sums overflowed (|x| beyond the square root of the compute
//      type's range) are summed again, under an scf.if that only such rows
//      enter, scaled by a power of two per row;
//   2. a per-row elementwise op producing the inverse RMS / std;
//   3. one elementwise op over the input that normalizes, applies scale and
//      bias and converts back to the input element type.
// A fused residual op normalizes the sum of its input and residual. In f32
// and f64 each pass reads both (the second and later ones from cache after
// norm-tile-rows) and computes the sum again, and the output pass also
// writes it: the sum is never read back, so it can be streamed to memory.
// In f16 and bf16 the sum is computed once, by its own pass, and read back.
// Statistics results are tensor.expand_shape views of the per-row tensors.
//
//===----------------------------------------------------------------------===//

#include "norm/Conversion/NormToLinalg/NormToLinalg.h"
#include "NormLowering.h"
#include "norm/Conversion/Passes.h"
#include "norm/Dialect/Norm/IR/NormOps.h"
#include "norm/Dialect/Norm/Utils/Numerics.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::norm {
#define GEN_PASS_DEF_CONVERTNORMTOLINALG
#include "norm/Conversion/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;
using namespace mlir::norm;

namespace {
/// Any normalization op: its moments, the per-row factor, the output; the
/// statistics are (mean, inv_std) for centered ops, (inv_rms) otherwise.
struct NormalizationOpLowering
    : public OpInterfaceConversionPattern<NormalizationOpInterface> {
  NormalizationOpLowering(MLIRContext *context, bool overflowGuard)
      : OpInterfaceConversionPattern(context), overflowGuard(overflowGuard) {}

  LogicalResult
  matchAndRewrite(NormalizationOpInterface op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    // Half types: the sum is computed once, by its own pass, and read back
    // from cache (one conversion per pass instead of the five of its
    // rounded arithmetic); wider types recompute it in every pass and never
    // read it back, so that it streams to memory.
    double residualScale = op.getResidualScale().convertToDouble();
    Value sum;
    if (op.hasResidual() && op.getInputType().getElementTypeBitWidth() < 32)
      sum = createResidualSum(rewriter, op.getLoc(), op.getInput(),
                              op.getResidual(), residualScale);
    NormLowering lowering(rewriter, op, overflowGuard,
                          sum ? Value() : Value(op.getResidual()),
                          residualScale, sum);
    RowMoments moments = lowering.computeMoments(op.isCentered());
    bool perFeature = static_cast<bool>(op.getFeatureEpsilon());
    Value factor = lowering.rowFactor(
        moments, op.getEpsilon().convertToDouble(), perFeature);
    SmallVector<Value> results = lowering.normalize(
        moments, factor, op.getParameters(), op.getAffineRoundingType());
    if (sum)
      results.push_back(sum);
    if (!op.getStatistics().empty()) {
      if (moments.mean)
        results.push_back(lowering.toStatistics(moments.mean));
      results.push_back(lowering.toStatistics(factor));
    }
    rewriter.replaceOp(op, results);
    return success();
  }

  bool overflowGuard;
};

struct ConvertNormToLinalgPass
    : public norm::impl::ConvertNormToLinalgBase<ConvertNormToLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    ConversionTarget target(getContext());
    target.addIllegalDialect<NormDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(&getContext());
    populateNormToLinalgPatterns(patterns, overflowGuard);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      return signalPassFailure();
    RewritePatternSet folds(&getContext());
    populateNormGradAccumulationPatterns(folds);
    if (failed(applyPatternsGreedily(getOperation(), std::move(folds))))
      signalPassFailure();
  }
};
} // namespace

void mlir::norm::populateNormToLinalgPatterns(RewritePatternSet &patterns,
                                              bool overflowGuard) {
  patterns.add<NormalizationOpLowering>(patterns.getContext(), overflowGuard);
  populateNormGradToLinalgPatterns(patterns, overflowGuard);
}
