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

/// Replaces `op` by a `TargetOp` with the same input, attributes, scale and
/// feature epsilon; `bias` is the new op's bias (may be null).
template <typename TargetOp, typename SourceOp>
static LogicalResult convert(RewriterBase &rewriter, SourceOp op, Value bias) {
  for (Value statistic : op.getStatistics())
    if (!statistic.use_empty())
      return op.emitOpError("cannot change the norm kind: its statistics "
                            "results are used");
  rewriter.setInsertionPoint(op);
  std::optional<Type> computeType = op.getComputeType();
  auto replacement = TargetOp::create(
      rewriter, op.getLoc(), op.getInput(), op.getAxes(),
      op.getEpsilon().convertToDouble(), op.getScale(), bias,
      op.getFeatureEpsilon(), /*withStatistics=*/false,
      computeType ? cast<FloatType>(*computeType) : FloatType());
  rewriter.replaceAllUsesWith(op.getOutput(), replacement.getOutput());
  rewriter.eraseOp(op);
  return success();
}

LogicalResult mlir::norm::setNormKind(Operation *root, StringRef kind) {
  if (kind != "rms" && kind != "layer")
    return root->emitError("unknown norm kind '")
           << kind << "': expected rms or layer";
  IRRewriter rewriter(root->getContext());
  SmallVector<Operation *> ops;
  root->walk([&](Operation *op) {
    if ((kind == "rms" && isa<LayerNormOp>(op)) ||
        (kind == "layer" && isa<RMSNormOp>(op)))
      ops.push_back(op);
  });
  for (Operation *op : ops) {
    LogicalResult converted =
        kind == "rms"
            ? convert<RMSNormOp>(rewriter, cast<LayerNormOp>(op), Value())
            : convert<LayerNormOp>(rewriter, cast<RMSNormOp>(op),
                                   cast<RMSNormOp>(op).getBias());
    if (failed(converted))
      return failure();
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
