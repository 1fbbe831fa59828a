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
} // namespace

void NormDialect::getCanonicalizationPatterns(
    RewritePatternSet &results) const {
  results.add<CanonicalizeAxes>(getContext());
}

#define GET_OP_CLASSES
#include "norm/Dialect/Norm/IR/NormOps.cpp.inc"
