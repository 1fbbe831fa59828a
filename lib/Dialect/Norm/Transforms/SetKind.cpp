//===- SetKind.cpp - Switch norm ops between RMSNorm and LayerNorm --------===//

#include "norm/Dialect/Norm/IR/NormOps.h"
#include "norm/Dialect/Norm/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMSETKIND
#include "norm/Dialect/Norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;
using namespace mlir::norm;

/// The gradient op of `kind` with `op`'s operands, attributes, scale and
/// feature epsilon, and `bias` (may be null).
static Operation *createGradOp(OpBuilder &b, StringRef kind,
                               NormalizationGradOpInterface op, Value bias) {
  double epsilon = op.getEpsilon().convertToDouble();
  FloatType computeType = op.getComputeType().value_or(FloatType());
  bool scaleOffset = op.getScaleOffset();
  if (op.hasResidual()) {
    double residualScale = op.getResidualScale().convertToDouble();
    if (kind == "rms")
      return AddRMSNormGradOp::create(
          b, op.getLoc(), op.getOutputGrad(), op.getSumGrad(), op.getInput(),
          op.getAxes(), epsilon, residualScale, op.getScale(), bias,
          op.getFeatureEpsilon(), ValueRange(), computeType, scaleOffset);
    return AddLayerNormGradOp::create(
        b, op.getLoc(), op.getOutputGrad(), op.getSumGrad(), op.getInput(),
        op.getAxes(), epsilon, residualScale, op.getScale(), bias,
        op.getFeatureEpsilon(), ValueRange(), computeType, scaleOffset);
  }
  if (kind == "rms")
    return RMSNormGradOp::create(b, op.getLoc(), op.getOutputGrad(),
                                 op.getInput(), op.getAxes(), epsilon,
                                 op.getScale(), bias, op.getFeatureEpsilon(),
                                 ValueRange(), computeType, scaleOffset);
  return LayerNormGradOp::create(b, op.getLoc(), op.getOutputGrad(),
                                 op.getInput(), op.getAxes(), epsilon,
                                 op.getScale(), bias, op.getFeatureEpsilon(),
                                 ValueRange(), computeType, scaleOffset);
}

/// Switches a gradient op as its forward op is switched: a dropped bias
/// gets a zero gradient (it no longer affects the output).
static LogicalResult switchGradOp(IRRewriter &rewriter, StringRef kind,
                                  NormalizationGradOpInterface op) {
  if (!op.getStatistics().empty())
    return op->emitOpError("cannot change the norm kind: it takes saved "
                           "statistics, which the other kind does not have");
  bool centered = kind == "layer";
  rewriter.setInsertionPoint(op);
  Operation *replacement =
      createGradOp(rewriter, kind, op, centered ? op.getBias() : Value());
  auto newGrad = cast<NormalizationGradOpInterface>(replacement);
  std::array<Value, 3> oldGrads = op.getParameterGradsByKind();
  std::array<Value, 3> newGrads = newGrad.getParameterGradsByKind();
  SmallVector<Value> results = {newGrad.getInputGrad()};
  if (op.hasResidual())
    results.push_back(newGrad.getResidualGrad());
  for (unsigned k = 0; k < 3; ++k) {
    if (!oldGrads[k])
      continue;
    if (newGrads[k]) {
      results.push_back(newGrads[k]);
      continue;
    }
    // The bias dropped by RMSNorm: its gradient is zero.
    auto type = cast<RankedTensorType>(oldGrads[k].getType());
    SmallVector<Value> dynamicSizes;
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (type.isDynamicDim(d))
        dynamicSizes.push_back(
            tensor::DimOp::create(rewriter, op.getLoc(), op.getBias(), d));
    Value zero = arith::ConstantOp::create(
        rewriter, op.getLoc(),
        rewriter.getFloatAttr(type.getElementType(), 0.0));
    results.push_back(tensor::SplatOp::create(rewriter, op.getLoc(), type, zero,
                                              dynamicSizes));
  }
  rewriter.replaceOp(op, results);
  return success();
}

LogicalResult mlir::norm::setNormKind(Operation *root, StringRef kind) {
  if (kind != "rms" && kind != "layer")
    return root->emitError("unknown norm kind '")
           << kind << "': expected rms or layer";
  // LayerNorm is the centered kind. RMSNorm keeps the scale only (its point
  // is fewer parameters); LayerNorm keeps an RMSNorm's bias.
  bool centered = kind == "layer";
  SmallVector<NormalizationOpInterface> ops;
  root->walk([&](NormalizationOpInterface op) {
    if (op.isCentered() != centered)
      ops.push_back(op);
  });
  IRRewriter rewriter(root->getContext());
  for (NormalizationOpInterface op : ops) {
    for (Value statistic : op.getStatistics())
      if (!statistic.use_empty())
        return op->emitOpError("cannot change the norm kind: its statistics "
                               "results are used");
    rewriter.setInsertionPoint(op);
    // The variants carry over: both kinds keep the scale, so
    // `scale_offset` keeps its meaning, and `casting` does not depend on
    // the kind.
    NormalizationOpInterface replacement = createNormalizationOpLike(
        rewriter, op, centered, op.getInput(), op.getResidual(),
        op.getResidualScale().convertToDouble(),
        centered ? op.getBias() : Value(), /*withStatistics=*/false);
    rewriter.replaceAllUsesWith(op.getOutput(), replacement.getOutput());
    if (op.hasResidual())
      rewriter.replaceAllUsesWith(op.getSum(), replacement.getSum());
    rewriter.eraseOp(op);
  }
  SmallVector<NormalizationGradOpInterface> grads;
  root->walk([&](NormalizationGradOpInterface op) {
    if (op.isCentered() != centered)
      grads.push_back(op);
  });
  for (NormalizationGradOpInterface op : grads)
    if (failed(switchGradOp(rewriter, kind, op)))
      return failure();
  return success();
}

namespace {
struct NormSetKindPass : public norm::impl::NormSetKindBase<NormSetKindPass> {
  using Base::Base;

  void runOnOperation() override {
    if (failed(setNormKind(getOperation(), kind)))
      signalPassFailure();
  }
};
} // namespace
