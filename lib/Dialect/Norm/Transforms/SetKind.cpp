//===- SetKind.cpp - Switch norm ops between RMSNorm and LayerNorm --------===//

#include "norm/Dialect/Norm/IR/NormOps.h"
#include "norm/Dialect/Norm/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMSETKIND
#include "norm/Dialect/Norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;
using namespace mlir::norm;

/// Creates the norm op of `kind` ("rms" or "layer") with `op`'s input,
/// attributes, scale and feature epsilon, and `bias` (may be null).
static NormalizationOpInterface createNormOp(OpBuilder &b, StringRef kind,
                                             NormalizationOpInterface op,
                                             Value bias) {
  double epsilon = op.getEpsilon().convertToDouble();
  FloatType computeType = op.getComputeType().value_or(FloatType());
  if (kind == "rms")
    return RMSNormOp::create(
        b, op.getLoc(), op.getInput(), op.getAxes(), epsilon, op.getScale(),
        bias, op.getFeatureEpsilon(), /*withStatistics=*/false, computeType);
  return LayerNormOp::create(
      b, op.getLoc(), op.getInput(), op.getAxes(), epsilon, op.getScale(), bias,
      op.getFeatureEpsilon(), /*withStatistics=*/false, computeType);
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
    NormalizationOpInterface replacement =
        createNormOp(rewriter, kind, op, centered ? op.getBias() : Value());
    rewriter.replaceAllUsesWith(op.getOutput(), replacement.getOutput());
    rewriter.eraseOp(op);
  }
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
