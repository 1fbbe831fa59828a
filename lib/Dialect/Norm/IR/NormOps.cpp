//===- NormOps.cpp - norm.rms_norm and norm.layer_norm --------------------===//
//
// The ops are defined in ODS; what they share (verifier, builders' result
// types, tiling, shape reification) is written once against
// the op interfaces (NormInterfaces.cpp, NormInterfaceModels.cpp).
// Here: the dialect's canonicalization patterns.
//
//===----------------------------------------------------------------------===//

#include "norm/Dialect/Norm/IR/NormOps.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::norm;

namespace {
/// Rewrites `axes` into canonical form: non-negative and sorted. The meaning
/// of the op is unchanged since parameter dims follow the sorted axes.
struct CanonicalizeAxes : public OpInterfaceRewritePattern<NormOpInterface> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;

  LogicalResult matchAndRewrite(NormOpInterface op,
                                PatternRewriter &rewriter) const override {
    SmallVector<int64_t> canonical = op.getCanonicalAxes();
    if (ArrayRef<int64_t>(canonical) == op.getAxes())
      return rewriter.notifyMatchFailure(op, "axes already canonical");
    rewriter.modifyOpInPlace(op, [&] { op.setAxes(canonical); });
    return success();
  }
};

/// With residual_scale = 1 the residual's gradient equals the input's: its
/// users take input_grad, and the lowering skips computing it.
struct ForwardUnitResidualGrad
    : public OpInterfaceRewritePattern<NormalizationGradOpInterface> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;

  LogicalResult matchAndRewrite(NormalizationGradOpInterface op,
                                PatternRewriter &rewriter) const override {
    Value residualGrad = op.getResidualGrad();
    if (!residualGrad || residualGrad.use_empty() ||
        !op.getResidualScale().isExactlyValue(1.0))
      return rewriter.notifyMatchFailure(op, "no unit-scale residual grad");
    rewriter.replaceAllUsesWith(residualGrad, op.getInputGrad());
    return success();
  }
};
} // namespace

void NormDialect::getCanonicalizationPatterns(
    RewritePatternSet &results) const {
  results.add<CanonicalizeAxes, ForwardUnitResidualGrad>(getContext());
}

NormalizationOpInterface mlir::norm::createNormalizationOpLike(
    OpBuilder &b, NormalizationOpInterface like, bool centered, Value input,
    Value residual, double residualScale, Value bias, bool withStatistics) {
  Location loc = like.getLoc();
  double epsilon = like.getEpsilon().convertToDouble();
  FloatType computeType = like.getComputeType().value_or(FloatType());
  if (residual && centered)
    return AddLayerNormOp::create(
        b, loc, input, residual, like.getAxes(), epsilon, residualScale,
        like.getScale(), bias, like.getFeatureEpsilon(), withStatistics,
        computeType, like.getScaleOffset(), like.getCasting());
  if (residual)
    return AddRMSNormOp::create(
        b, loc, input, residual, like.getAxes(), epsilon, residualScale,
        like.getScale(), bias, like.getFeatureEpsilon(), withStatistics,
        computeType, like.getScaleOffset(), like.getCasting());
  if (centered)
    return LayerNormOp::create(b, loc, input, like.getAxes(), epsilon,
                               like.getScale(), bias, like.getFeatureEpsilon(),
                               withStatistics, computeType,
                               like.getScaleOffset(), like.getCasting());
  return RMSNormOp::create(b, loc, input, like.getAxes(), epsilon,
                           like.getScale(), bias, like.getFeatureEpsilon(),
                           withStatistics, computeType, like.getScaleOffset(),
                           like.getCasting());
}

#define GET_OP_CLASSES
#include "norm/Dialect/Norm/IR/NormOps.cpp.inc"
