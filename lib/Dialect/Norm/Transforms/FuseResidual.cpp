//===- FuseResidual.cpp - Residual adds into the norm ops they feed -------===//
//
// (residual [* alpha]) + input -> norm  ==>  norm.add_*_norm input, residual
//
// The add is matched in the forms the block examples, importers and
// hand-written IR use (arith on tensors, linalg.add, an elementwise
// linalg.generic), the optional scale as a constant multiply of one operand.
//
//===----------------------------------------------------------------------===//

#include "norm/Dialect/Norm/IR/NormOps.h"
#include "norm/Dialect/Norm/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMFUSERESIDUAL
#include "norm/Dialect/Norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;
using namespace mlir::norm;

namespace {
/// `residual * scale + input`, as matched.
struct ResidualAdd {
  Value input, residual;
  double scale = 1.0;
};

/// The value of a float constant: a scalar, a splat tensor, or a tensor
/// filled with one (linalg.fill).
std::optional<double> getConstantScale(Value value) {
  if (auto fill = value.getDefiningOp<linalg::FillOp>())
    value = fill.getInputs()[0];
  Attribute attr;
  if (!matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  if (auto splat = dyn_cast<SplatElementsAttr>(attr))
    attr = splat.getSplatValue<Attribute>();
  if (auto floatAttr = dyn_cast<FloatAttr>(attr))
    return floatAttr.getValueAsDouble();
  return std::nullopt;
}

/// `lhs + rhs` where one operand may be a constant multiple (`product` is
/// `operand * constant` or `constant * operand`, matched by `matchProduct`):
/// the multiplied operand is the residual, else `lhs` is.
ResidualAdd classifyOperands(
    Value lhs, Value rhs,
    function_ref<std::optional<std::pair<Value, double>>(Value)> matchProduct) {
  if (auto product = matchProduct(lhs))
    return {rhs, product->first, product->second};
  if (auto product = matchProduct(rhs))
    return {lhs, product->first, product->second};
  return {rhs, lhs, 1.0};
}

/// `a * c` or `c * a` with constant c (from `getScale`), as (a, c).
template <typename GetScale>
std::optional<std::pair<Value, double>> matchScaled(Value a, Value b,
                                                    GetScale getScale) {
  if (std::optional<double> scale = getScale(b))
    return std::make_pair(a, *scale);
  if (std::optional<double> scale = getScale(a))
    return std::make_pair(b, *scale);
  return std::nullopt;
}

/// Whether every indexing map of `op` is the identity and every loop
/// parallel: an elementwise op without broadcasting.
bool isPlainElementwise(linalg::LinalgOp op) {
  return op.getNumLoops() == op.getNumParallelLoops() &&
         llvm::all_of(op.getIndexingMapsArray(),
                      [](AffineMap map) { return map.isIdentity(); });
}

/// A tensor-level product `x * c` (arith.mulf or linalg.mul by a constant).
std::optional<std::pair<Value, double>> matchTensorProduct(Value value) {
  if (auto mul = value.getDefiningOp<arith::MulFOp>())
    return matchScaled(mul.getLhs(), mul.getRhs(), getConstantScale);
  if (auto mul = value.getDefiningOp<linalg::MulOp>();
      mul && isPlainElementwise(mul))
    return matchScaled(mul.getInputs()[0], mul.getInputs()[1],
                       getConstantScale);
  return std::nullopt;
}

/// The body of an elementwise generic with inputs (a, b): `a + b`, or with
/// one side multiplied by a scalar constant; nothing else but constants.
std::optional<ResidualAdd> matchGenericAdd(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !isPlainElementwise(op))
    return std::nullopt;
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getValues()[0].getDefiningOp<arith::AddFOp>();
  if (!add || add->getBlock() != &body)
    return std::nullopt;
  Operation *product = nullptr;
  auto matchProduct = [&](Value v) -> std::optional<std::pair<Value, double>> {
    auto mul = v.getDefiningOp<arith::MulFOp>();
    if (!mul || mul->getBlock() != &body || !mul->hasOneUse())
      return std::nullopt;
    auto scaled = matchScaled(mul.getLhs(), mul.getRhs(), getConstantScale);
    if (scaled)
      product = mul;
    return scaled;
  };
  ResidualAdd sum = classifyOperands(add.getLhs(), add.getRhs(), matchProduct);
  for (Operation &inner : body.without_terminator())
    if (&inner != add && &inner != product &&
        !matchPattern(&inner, m_Constant()))
      return std::nullopt;
  // Block argument k of the body stands for input k.
  for (Value *value : {&sum.input, &sum.residual}) {
    auto arg = dyn_cast<BlockArgument>(*value);
    if (!arg || arg.getOwner() != &body || arg.getArgNumber() >= 2)
      return std::nullopt;
    *value = op.getDpsInputs()[arg.getArgNumber()];
  }
  return sum;
}

/// `value` as a residual add, if it is one.
std::optional<ResidualAdd> matchResidualAdd(Value value) {
  if (auto add = value.getDefiningOp<arith::AddFOp>())
    return classifyOperands(add.getLhs(), add.getRhs(), matchTensorProduct);
  if (auto add = value.getDefiningOp<linalg::AddOp>();
      add && isPlainElementwise(add))
    return classifyOperands(add.getInputs()[0], add.getInputs()[1],
                            matchTensorProduct);
  if (auto generic = value.getDefiningOp<linalg::GenericOp>())
    return matchGenericAdd(generic);
  return std::nullopt;
}

struct FuseResidualAdd
    : public OpInterfaceRewritePattern<NormalizationOpInterface> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;

  LogicalResult matchAndRewrite(NormalizationOpInterface op,
                                PatternRewriter &rewriter) const override {
    if (op.hasResidual())
      return rewriter.notifyMatchFailure(op, "already fused");
    Value sum = op.getInput();
    std::optional<ResidualAdd> add = matchResidualAdd(sum);
    if (!add)
      return rewriter.notifyMatchFailure(op, "input is not a residual add");
    if (add->input.getType() != sum.getType() ||
        add->residual.getType() != sum.getType())
      return rewriter.notifyMatchFailure(op, "operands of another type");
    // The fused op takes the norm op's place: the sum's other users must
    // come after it.
    DominanceInfo dominance;
    for (Operation *user : sum.getUsers())
      if (user != op && !dominance.properlyDominates(op, user))
        return rewriter.notifyMatchFailure(op, "sum used before the norm");

    rewriter.setInsertionPoint(op);
    NormalizationOpInterface fused = createNormalizationOpLike(
        rewriter, op, op.isCentered(), add->input, add->residual, add->scale,
        op.getBias(), /*withStatistics=*/!op.getStatistics().empty());
    rewriter.replaceAllUsesExcept(sum, fused.getSum(), op);
    SmallVector<Value> results = {fused.getOutput()};
    llvm::append_range(results, fused.getStatistics());
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct NormFuseResidualPass
    : public norm::impl::NormFuseResidualBase<NormFuseResidualPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateNormFuseResidualPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void mlir::norm::populateNormFuseResidualPatterns(RewritePatternSet &patterns) {
  patterns.add<FuseResidualAdd>(patterns.getContext());
}
