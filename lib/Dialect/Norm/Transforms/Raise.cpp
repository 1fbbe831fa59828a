//===- Raise.cpp - Raise decomposed normalizations to norm ops ------------===//
//
// A match starts at the op that ends a normalization and walks operands, so
// it depends on use-def structure only:
//
//   y    = [truncf] ([core * scale] [+ bias])
//   core = X * rsqrt(M + eps) | X * (1 / sqrt(M + eps)) | X / sqrt(M + eps)
//   RMS:  X = x,              M = mean_A(X^2)
//   LN:   X = x - mean_A(x),  M = mean_A(X^2)
//   mean_A(t) = sum_A(t) * (1/N) | sum_A(t) / N,  N = product of dims A
//
// where x may be `arith.extf` of the norm op's input (the compute type).
// Every piece is checked, so that the norm op computes the same function up
// to the order of the sums' additions.
//
//===----------------------------------------------------------------------===//

#include "RaiseMatchers.h"

#include "norm/Dialect/Norm/IR/NormDialect.h"
#include "norm/Dialect/Norm/IR/NormOps.h"
#include "norm/Dialect/Norm/Transforms/Passes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "norm-raise"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMRAISE
#include "norm/Dialect/Norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;
using namespace mlir::norm;
using namespace mlir::norm::raise;

namespace {
/// A scale or bias, and the type the op takes it in (without the unit dims
/// broadcast over the rows that it may have).
struct Parameter {
  Value value;
  RankedTensorType type;
};

/// A normalization found in decomposed IR.
struct NormMatch {
  /// x, before its extension to the compute type.
  Value input;
  FloatType computeType;
  SmallVector<int64_t> axes;
  double epsilon = 0.0;
  Parameter scale, bias;
  /// The subtracted mean (LayerNorm) and the rsqrt (when written as one):
  /// the values the op's statistics equal.
  Value mean, inverseRoot;
  /// Whether one of them is used outside the normalization, so that the op
  /// returns its statistics to replace it.
  bool withStatistics = false;
  /// The ops the rewrite makes dead, but for the statistics' uses.
  llvm::SmallPtrSet<Operation *, 16> ops;
};

/// Matches the normalization (centered or not) that ends at `output`. On
/// failure, `getFailure` says why.
class NormMatcher {
public:
  NormMatcher(Value output, bool centered)
      : output(output), centered(centered) {}

  std::optional<NormMatch> match();
  StringRef getFailure() const { return reason; }

private:
  LogicalResult fail(StringRef why) {
    reason = why;
    return failure();
  }

  std::optional<Elementwise> elementwise(const Term &term) {
    return matchElementwise(term, ops);
  }
  /// The operand as a tensor indexed like the output, or null.
  std::optional<Term> asFull(const ElementwiseOperand &operand) const;
  /// The operand as a tensor broadcast over some output dims, or null.
  std::optional<Term> asBroadcast(const ElementwiseOperand &operand) const;
  /// `value` before an `arith.extf`, if it is one.
  Value stripExtension(Value value) const;

  LogicalResult matchOutput(Term y);
  LogicalResult matchCore(Term y);
  LogicalResult matchCentered(Term x);
  LogicalResult matchSecondMoment(Term moment, Value base);
  FailureOr<Term> matchInverseRoot(Term r);
  FailureOr<Term> matchRoot(Term s);
  FailureOr<Term> matchEpsilon(Term shifted);
  FailureOr<Value> matchMean(Term mean);
  FailureOr<Value> matchSquare(Value square);
  LogicalResult checkParameter(const Term &term, Value &param,
                               RankedTensorType &type) const;
  LogicalResult checkTypes();
  LogicalResult checkUses();
  bool isStatistic(Operation *op) const;

  Value output;
  bool centered;
  ArrayRef<int64_t> shape;
  /// The ops matched so far (with repeats; truncated when a branch of the
  /// match is abandoned).
  SmallVector<Operation *> ops;
  std::optional<Term> scale, bias;
  NormMatch result;
  StringRef reason;
};
} // namespace

std::optional<Term>
NormMatcher::asFull(const ElementwiseOperand &operand) const {
  if (!operand.term || !operand.term->isFull(shape.size()) ||
      cast<ShapedType>(operand.term->value.getType()).getShape() != shape)
    return std::nullopt;
  return operand.term;
}

std::optional<Term>
NormMatcher::asBroadcast(const ElementwiseOperand &operand) const {
  if (!operand.term || asFull(operand))
    return std::nullopt;
  return operand.term;
}

Value NormMatcher::stripExtension(Value value) const {
  SmallVector<Operation *> scratch;
  Term term = Term::getFull(value);
  std::optional<Elementwise> e = matchElementwise(term, scratch);
  if (!e || e->kind != ElementwiseKind::ExtF || !e->operands[0].term ||
      e->operands[0].term->dims != term.dims)
    return value;
  return e->operands[0].term->value;
}

std::optional<NormMatch> NormMatcher::match() {
  auto type = dyn_cast<RankedTensorType>(output.getType());
  if (!type || !isa<FloatType>(type.getElementType())) {
    (void)fail("not a float tensor");
    return std::nullopt;
  }
  shape = type.getShape();
  Term y = Term::getFull(output);
  if (failed(matchOutput(y)) || failed(checkTypes()) || failed(checkUses()))
    return std::nullopt;
  return result;
}

/// [truncf] ([core * scale] [+ bias])
LogicalResult NormMatcher::matchOutput(Term y) {
  std::optional<Elementwise> e = elementwise(y);
  if (e && e->kind == ElementwiseKind::TruncF) {
    std::optional<Term> source = asFull(e->operands[0]);
    if (!source)
      return fail("truncf of a broadcast tensor");
    y = *source;
    e = elementwise(y);
  }
  if (e && e->kind == ElementwiseKind::Add) {
    for (int i : {0, 1}) {
      std::optional<Term> x = asFull(e->operands[i]);
      std::optional<Term> param = asBroadcast(e->operands[1 - i]);
      if (x && param) {
        bias = param;
        y = *x;
        e = elementwise(y);
        break;
      }
    }
  }
  size_t numOps = ops.size();
  if (succeeded(matchCore(y)))
    return success();
  if (!e || e->kind != ElementwiseKind::Mul)
    return failure();
  // Not a core: a scale multiplying one.
  StringRef coreFailure = reason;
  for (int i : {0, 1}) {
    std::optional<Term> x = asFull(e->operands[i]);
    std::optional<Term> param = asBroadcast(e->operands[1 - i]);
    if (!x || !param)
      continue;
    ops.truncate(numOps);
    scale = param;
    if (succeeded(matchCore(*x)))
      return success();
  }
  return fail(coreFailure);
}

/// X * rsqrt(M + eps), X * (1 / sqrt(M + eps)) or X / sqrt(M + eps).
LogicalResult NormMatcher::matchCore(Term y) {
  std::optional<Elementwise> e = elementwise(y);
  if (!e ||
      (e->kind != ElementwiseKind::Mul && e->kind != ElementwiseKind::Div))
    return fail("does not end in a multiply or divide");
  // Mul: either operand is the normalized tensor; Div: the dividend.
  size_t numOps = ops.size();
  for (int i : {0, 1}) {
    if (e->kind == ElementwiseKind::Div && i == 1)
      break;
    std::optional<Term> x = asFull(e->operands[i]);
    std::optional<Term> r = asBroadcast(e->operands[1 - i]);
    if (!x || !r)
      continue;
    ops.truncate(numOps);
    FailureOr<Term> shifted =
        e->kind == ElementwiseKind::Mul ? matchInverseRoot(*r) : matchRoot(*r);
    if (failed(shifted))
      continue;
    FailureOr<Term> moment = matchEpsilon(*shifted);
    if (failed(moment))
      return failure();
    if (centered && failed(matchCentered(*x)))
      return failure();
    if (!centered)
      result.input = stripExtension(x->value);
    result.computeType =
        cast<FloatType>(getElementTypeOrSelf(x->value.getType()));
    return matchSecondMoment(*moment, x->value);
  }
  if (reason.empty())
    return fail("no per-row root divides or inverse root multiplies it");
  return failure();
}

/// x - mean_A(x)
LogicalResult NormMatcher::matchCentered(Term x) {
  std::optional<Elementwise> e = elementwise(x);
  if (!e || e->kind != ElementwiseKind::Sub)
    return fail("the normalized tensor is not centered");
  std::optional<Term> source = asFull(e->operands[0]);
  std::optional<Term> mean = asBroadcast(e->operands[1]);
  if (!source || !mean)
    return fail("the normalized tensor is not centered");
  FailureOr<Value> averaged = matchMean(*mean);
  if (failed(averaged))
    return failure();
  if (*averaged != source->value)
    return fail("the subtracted mean is not the mean of the centered tensor");
  result.mean = mean->value;
  result.input = stripExtension(source->value);
  return success();
}

/// mean_A(base^2)
LogicalResult NormMatcher::matchSecondMoment(Term moment, Value base) {
  FailureOr<Value> averaged = matchMean(moment);
  if (failed(averaged))
    return failure();
  FailureOr<Value> squared = matchSquare(*averaged);
  if (failed(squared))
    return failure();
  if (*squared != base)
    return fail("the mean square is not of the normalized tensor");
  return success();
}

/// rsqrt(s) or 1 / sqrt(s): returns s.
FailureOr<Term> NormMatcher::matchInverseRoot(Term r) {
  std::optional<Elementwise> e = elementwise(r);
  if (e && e->kind == ElementwiseKind::Rsqrt && e->operands[0].term) {
    result.inverseRoot = r.value;
    return *e->operands[0].term;
  }
  if (e && e->kind == ElementwiseKind::Div && e->operands[0].constant &&
      e->operands[0].constant->value == 1.0 && e->operands[1].term)
    return matchRoot(*e->operands[1].term);
  return fail("no rsqrt or reciprocal of a sqrt");
}

/// sqrt(s): returns s.
FailureOr<Term> NormMatcher::matchRoot(Term s) {
  std::optional<Elementwise> e = elementwise(s);
  if (e && e->kind == ElementwiseKind::Sqrt && e->operands[0].term)
    return *e->operands[0].term;
  return fail("no sqrt");
}

/// moment + eps: returns the moment and records eps.
FailureOr<Term> NormMatcher::matchEpsilon(Term shifted) {
  std::optional<Elementwise> e = elementwise(shifted);
  if (e && e->kind == ElementwiseKind::Add) {
    for (int i : {0, 1}) {
      if (e->operands[i].term && e->operands[1 - i].constant) {
        result.epsilon = e->operands[1 - i].constant->value;
        return *e->operands[i].term;
      }
    }
  }
  return fail("no epsilon is added to the moment");
}

/// sum_A(t) * (1/N) or sum_A(t) / N: returns t and records A.
FailureOr<Value> NormMatcher::matchMean(Term mean) {
  std::optional<Elementwise> e = elementwise(mean);
  if (!e ||
      (e->kind != ElementwiseKind::Mul && e->kind != ElementwiseKind::Div))
    return fail("no mean (a sum times 1/N or divided by N)");
  int sumIndex = e->operands[0].term ? 0 : 1;
  std::optional<Constant> count = e->operands[1 - sumIndex].constant;
  if (!e->operands[sumIndex].term || !count ||
      (e->kind == ElementwiseKind::Div && sumIndex != 0))
    return fail("no mean (a sum times 1/N or divided by N)");
  std::optional<Sum> sum = matchSum(*e->operands[sumIndex].term, shape, ops);
  if (!sum)
    return fail("the mean is not of a sum over the tensor's dims");
  if (!result.axes.empty() && result.axes != sum->reducedDims)
    return fail("the sums reduce different dims");
  result.axes = sum->reducedDims;

  int64_t n = 1;
  for (int64_t axis : result.axes) {
    if (ShapedType::isDynamic(shape[axis]))
      return fail("a reduced dim is dynamic");
    n *= shape[axis];
  }
  // The constant as written in the mean's type: N or 1/N rounded to it.
  auto type = cast<FloatType>(getElementTypeOrSelf(mean.value.getType()));
  APFloat expected(e->kind == ElementwiseKind::Div ? double(n) : 1.0 / n);
  bool lost;
  expected.convert(type.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                   &lost);
  if (expected.convertToDouble() != count->value)
    return fail("the mean does not divide by the number of reduced elements");
  return sum->input;
}

/// t * t or pow(t, 2) of a tensor of the output's shape: returns t.
FailureOr<Value> NormMatcher::matchSquare(Value square) {
  Term term = Term::getFull(square);
  std::optional<Elementwise> e = elementwise(term);
  if (e && e->kind == ElementwiseKind::Mul) {
    std::optional<Term> lhs = asFull(e->operands[0]);
    std::optional<Term> rhs = asFull(e->operands[1]);
    if (lhs && rhs && lhs->value == rhs->value)
      return lhs->value;
  }
  if (e && e->kind == ElementwiseKind::Pow && e->operands[1].constant &&
      e->operands[1].constant->value == 2.0)
    if (std::optional<Term> base = asFull(e->operands[0]))
      return base->value;
  return fail("the mean is not of a square");
}

/// A scale or bias: one dim per normalized axis, in order, and unit dims
/// broadcast over the rows (which the rewrite collapses), possibly extended to
/// the compute type (which the op does itself). Sets `param` to the value and
/// `type` to the type the op takes.
LogicalResult NormMatcher::checkParameter(const Term &term, Value &param,
                                          RankedTensorType &type) const {
  param = stripExtension(term.value);
  auto paramType = cast<RankedTensorType>(param.getType());
  SmallVector<int64_t> featureDims, featureShape;
  for (auto [dim, size] : llvm::zip(term.dims, paramType.getShape())) {
    if (dim < 0) {
      if (size != 1)
        return failure();
      continue;
    }
    if (!ShapedType::isDynamic(size) && !ShapedType::isDynamic(shape[dim]) &&
        size != shape[dim])
      return failure();
    featureDims.push_back(dim);
    featureShape.push_back(size);
  }
  type = paramType.clone(featureShape);
  if (type != paramType &&
      !getReassociationIndicesForCollapse(paramType.getShape(), featureShape))
    return failure();
  return success(featureDims == result.axes);
}

LogicalResult NormMatcher::checkTypes() {
  if ((scale &&
       failed(checkParameter(*scale, result.scale.value, result.scale.type))) ||
      (bias &&
       failed(checkParameter(*bias, result.bias.value, result.bias.type))))
    return fail("the scale or bias is not per feature of the normalized axes");

  auto inputType = cast<RankedTensorType>(result.input.getType());
  Type elementType = inputType.getElementType();
  if (!isa<Float16Type, BFloat16Type, Float32Type, Float64Type>(elementType))
    return fail("the input's element type is not one the norm ops take");
  if (output.getType() != inputType)
    return fail("the result is not of the input's type");
  // The clamp max(moment + eps, tiny) of the norm ops is inactive when
  // eps >= tiny: without it, the op would map a zero row to zeros where the
  // decomposed form gives NaN.
  const llvm::fltSemantics &semantics = result.computeType.getFloatSemantics();
  if (result.epsilon <
      APFloat::getSmallestNormalized(semantics).convertToDouble())
    return fail("epsilon is below the smallest normal number: the op's clamp "
                "would change zero rows");
  return success();
}

/// Whether `op` computes a value that one of the op's statistics replaces
/// exactly: the statistic's type, or that type without its unit axes.
bool NormMatcher::isStatistic(Operation *op) const {
  Value value = op->getResult(0);
  if (value != result.mean && value != result.inverseRoot)
    return false;
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> statShape = getStatisticsShape(shape, result.axes);
  SmallVector<int64_t> keptShape;
  for (int64_t dim : getKeptDims(result.axes, shape.size()))
    keptShape.push_back(shape[dim]);
  return type.getElementType() == result.computeType &&
         (type.getShape() == ArrayRef(statShape) ||
          type.getShape() == ArrayRef(keptShape));
}

/// The rewrite replaces `output` and the statistics: every other value it
/// computes must be used by the normalization alone, or it would be computed
/// twice.
LogicalResult NormMatcher::checkUses() {
  result.ops.insert(ops.begin(), ops.end());
  Operation *root = output.getDefiningOp();
  for (Operation *op : result.ops) {
    if (op == root)
      continue;
    for (Operation *user : op->getUsers()) {
      if (result.ops.contains(user))
        continue;
      if (!isStatistic(op))
        return fail("an intermediate value is used outside the "
                    "normalization");
      result.withStatistics = true;
    }
  }
  return success();
}

namespace {
/// Raises the decomposed normalization that ends at an op to `NormOpTy`.
template <typename NormOpTy> struct RaiseNormalization : public RewritePattern {
  RaiseNormalization(MLIRContext *context, PatternBenefit benefit)
      : RewritePattern(MatchAnyOpTypeTag(), benefit, context) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (op->getNumResults() != 1 || isa<NormalizationOpInterface>(op))
      return rewriter.notifyMatchFailure(op, "not a single-result op");
    Value output = op->getResult(0);
    NormMatcher matcher(output, NormOpTy::isCentered());
    std::optional<NormMatch> match = matcher.match();
    if (!match)
      return rewriter.notifyMatchFailure(op, matcher.getFailure());
    if (endsInsideLargerMatch(output))
      return rewriter.notifyMatchFailure(
          op, "a scale, bias or truncation at the user extends the match");

    FloatType defaultType =
        getDefaultComputeType(getElementTypeOrSelf(match->input.getType()));
    auto norm = NormOpTy::create(
        rewriter, op->getLoc(), match->input, match->axes, match->epsilon,
        reshape(rewriter, match->scale), reshape(rewriter, match->bias),
        /*featureEpsilon=*/Value(), match->withStatistics,
        match->computeType == defaultType ? FloatType() : match->computeType);
    if (match->withStatistics) {
      // inv_rms, or mean and inv_std.
      SmallVector<Value> decomposed = {match->inverseRoot};
      if (NormOpTy::isCentered())
        decomposed.insert(decomposed.begin(), match->mean);
      for (auto [value, statistic] :
           llvm::zip(decomposed, norm.getStatistics()))
        replaceOutsideUses(rewriter, *match, value, statistic);
    }
    LLVM_DEBUG(llvm::dbgs() << "norm-raise: " << match->ops.size()
                            << " ops raised to " << norm << "\n");
    rewriter.replaceOp(op, norm.getOutput());
    return success();
  }

  /// `param` in the type the op takes, its unit row dims collapsed.
  static Value reshape(PatternRewriter &rewriter, const Parameter &param) {
    if (!param.value || param.value.getType() == param.type)
      return param.value;
    auto type = cast<RankedTensorType>(param.value.getType());
    std::optional<SmallVector<ReassociationIndices>> groups =
        getReassociationIndicesForCollapse(type.getShape(),
                                           param.type.getShape());
    return tensor::CollapseShapeOp::create(rewriter, param.value.getLoc(),
                                           param.type, param.value, *groups);
  }

  /// Replaces the uses of `value` outside the normalization by `statistic`,
  /// dropping its unit axes where `value` has none.
  static void replaceOutsideUses(PatternRewriter &rewriter,
                                 const NormMatch &match, Value value,
                                 Value statistic) {
    if (!value)
      return;
    auto type = cast<RankedTensorType>(value.getType());
    auto statType = cast<RankedTensorType>(statistic.getType());
    if (type != statType) {
      std::optional<SmallVector<ReassociationIndices>> groups =
          getReassociationIndicesForCollapse(statType.getShape(),
                                             type.getShape());
      statistic = tensor::CollapseShapeOp::create(rewriter, statistic.getLoc(),
                                                  type, statistic, *groups);
    }
    rewriter.replaceUsesWithIf(value, statistic, [&](OpOperand &use) {
      return !match.ops.contains(use.getOwner());
    });
  }

  /// Whether the only user of `output` ends a normalization of either kind
  /// that contains it: that one is raised instead.
  static bool endsInsideLargerMatch(Value output) {
    if (!output.hasOneUse())
      return false;
    Operation *user = *output.getUsers().begin();
    if (user->getNumResults() != 1)
      return false;
    return llvm::any_of(std::array{false, true}, [&](bool centered) {
      return NormMatcher(user->getResult(0), centered).match().has_value();
    });
  }
};

struct NormRaisePass : public norm::impl::NormRaiseBase<NormRaisePass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateNormRaisePatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void mlir::norm::populateNormRaisePatterns(RewritePatternSet &patterns) {
  // LayerNorm first: its centered tensor is also the input of an RMSNorm.
  patterns.add<RaiseNormalization<LayerNormOp>>(patterns.getContext(),
                                                /*benefit=*/2);
  patterns.add<RaiseNormalization<RMSNormOp>>(patterns.getContext(),
                                              /*benefit=*/1);
}
