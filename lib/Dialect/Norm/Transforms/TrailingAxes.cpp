//===- TrailingAxes.cpp - Move normalized axes to the end -----------------===//
//
// norm(x, axes) == transpose^-1(norm(transpose(x), trailing axes)), with the
// permutation that lists the kept dims first and then the normalized axes,
// both in increasing order. Parameters follow the normalized axes in
// increasing order, so they are the same on both sides.
//
//===----------------------------------------------------------------------===//

#include "norm/Dialect/Norm/IR/NormOps.h"
#include "norm/Dialect/Norm/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMTRAILINGAXES
#include "norm/Dialect/Norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;
using namespace mlir::norm;

namespace {
/// Transposes `value` by `permutation` (result dim i = source dim
/// permutation[i]).
Value transpose(OpBuilder &b, Location loc, Value value,
                ArrayRef<int64_t> permutation) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, value);
  SmallVector<OpFoldResult> permuted;
  for (int64_t dim : permutation)
    permuted.push_back(sizes[dim]);
  Value init = tensor::EmptyOp::create(b, loc, permuted, type.getElementType());
  return linalg::TransposeOp::create(b, loc, value, init, permutation)
      .getResult()[0];
}

struct MoveAxesLast
    : public OpInterfaceRewritePattern<NormalizationOpInterface> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;

  LogicalResult matchAndRewrite(NormalizationOpInterface op,
                                PatternRewriter &rewriter) const override {
    SmallVector<int64_t> axes = op.getCanonicalAxes();
    int64_t rank = op.getInputType().getRank();
    SmallVector<int64_t> permutation = op.getKeptDims();
    int64_t numKept = permutation.size();
    llvm::append_range(permutation, axes);
    if (llvm::equal(permutation, llvm::seq<int64_t>(0, rank)))
      return rewriter.notifyMatchFailure(op, "axes are already trailing");

    // The same op on the transposed input, normalizing its trailing dims.
    Location loc = op.getLoc();
    SmallVector<Value> operands = {
        transpose(rewriter, loc, op.getInput(), permutation)};
    if (Value residual = op.getResidual())
      operands.push_back(transpose(rewriter, loc, residual, permutation));
    for (Value param : op.getParameters())
      if (param)
        operands.push_back(param);
    SmallVector<int64_t> trailing =
        llvm::to_vector(llvm::seq<int64_t>(numKept, rank));
    SmallVector<Type> resultTypes = inferNormalizationResultTypes(
        operands[0], trailing, op.getStatistics().size(),
        op.getEffectiveComputeType());
    if (op.hasResidual())
      resultTypes.insert(resultTypes.begin() + 1, operands[0].getType());
    auto moved = cast<NormalizationOpInterface>(
        mlir::clone(rewriter, op, resultTypes, operands));
    moved.setAxes(trailing);

    SmallVector<int64_t> inverse(rank);
    for (auto [i, dim] : llvm::enumerate(permutation))
      inverse[dim] = i;
    SmallVector<Value> results;
    for (Value result : moved->getResults())
      results.push_back(transpose(rewriter, loc, result, inverse));
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct NormTrailingAxesPass
    : public norm::impl::NormTrailingAxesBase<NormTrailingAxesPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateNormTrailingAxesPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void mlir::norm::populateNormTrailingAxesPatterns(RewritePatternSet &patterns) {
  patterns.add<MoveAxesLast>(patterns.getContext());
}
