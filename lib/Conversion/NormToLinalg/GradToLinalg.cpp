//===- GradToLinalg.cpp - Decompose norm gradient ops into linalg ---------===//
//
// Every NormalizationGradOpInterface op becomes linalg on tensors, in the
// compute type, with the forward's per-row statistics (the saved ones, or
// recomputed with the forward's overflow-guarded moments):
//   1. per-row sums over the normalized axes: of g = dy * scale (centered
//      ops) and of g * xhat, where xhat = (x [- mean]) * r;
//   2. one elementwise op over the input for dx (see the ops' descriptions);
//      (plus `sum_grad` for the gradient of a fused residual op, whose
//      residual's gradient is then residual_scale times it, when used);
//   3. per parameter, a reduction over the rows (and over the parameter's
//      broadcast dims) of dy * xhat (scale), dy (bias) or
//      -1/2 * g * xhat * r^2 (feature_epsilon), converted to its type.
// Each generic reads x and dy again: after norm-tile-rows a row is in cache.
//
//===----------------------------------------------------------------------===//

#include "NormLowering.h"
#include "norm/Conversion/NormToLinalg/NormToLinalg.h"

#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::norm;

namespace {
/// The per-element values of the gradient formulas, in the compute type.
struct Element {
  Value x, dy;
  Value d;    // x - mean (centered), x
  Value r;    // the inverse root of the element's row (and feature)
  Value xhat; // d * r
  Value g;    // dy * scale factor (scale, or 1 + scale), dy
  /// sum_grad's element (fused residual ops' dx), or null.
  Value addend;
  /// Whether the clamp of the inverse root is inactive (i1): the moment
  /// then contributes to the derivative.
  Value active;
};

/// The body of a generic over the input's index space: the element's
/// values, the extra per-row values and the accumulator (null for an
/// elementwise op).
using ElementFn = function_ref<Value(OpBuilder &, Location, const Element &,
                                     ValueRange rowArgs, Value acc)>;

class GradLowering : public NormLowering {
public:
  GradLowering(OpBuilder &b, NormalizationGradOpInterface op,
               bool overflowGuard)
      : NormLowering(b, op, overflowGuard), grad(op),
        perFeature(static_cast<bool>(op.getFeatureEpsilon())),
        params(op.getParameters()) {
    Value zero = constant(0.0);
    maxInverseRoot = createInverseRoot(b, loc, zero, zero);
  }

  SmallVector<Value> lower() {
    computeRowStatistics();
    SmallVector<Value> results = {computeInputGrad()};
    if (Value residualGrad = grad.getResidualGrad())
      // Unused: any value of its type (dx) stands in.
      results.push_back(
          residualGrad.use_empty()
              ? results[0]
              : createScaledTensor(b, loc, results[0],
                                   grad.getResidualScale().convertToDouble()));
    auto paramGrads = grad.getParameterGradsByKind();
    for (unsigned kind = 0; kind < 3; ++kind)
      if (paramGrads[kind])
        results.push_back(computeParameterGrad(kind));
    return results;
  }

private:
  /// mean (centered), the row's inverse root, or, with a per-feature
  /// epsilon, the scaled moment and its scale (the inverse root is then
  /// computed per element).
  void computeRowStatistics() {
    ValueRange saved = grad.getStatistics();
    if (!saved.empty()) {
      if (grad.isCentered())
        rowValues.push_back(fromStatistics(saved[0]));
      rowValues.push_back(fromStatistics(saved.back()));
      return;
    }
    RowMoments moments = computeMoments(grad.isCentered());
    if (moments.mean)
      rowValues.push_back(moments.mean);
    rowValues.push_back(
        rowFactor(moments, grad.getEpsilon().convertToDouble(), perFeature));
    if (perFeature)
      rowValues.push_back(moments.scale);
  }

  /// dx: r * (g - c1 - xhat * c2) with per-row c1 = mean(g) (centered),
  /// c2 = mean(g * xhat) where the clamp is inactive; with a per-feature
  /// epsilon g * r - c1 - d * c2, c1 = mean(g * r), c2 = mean(g * xhat * w).
  Value computeInputGrad() {
    Value c1;
    if (grad.isCentered())
      c1 = meanOfRows(
          reduceElements({}, [&](OpBuilder &nb, Location nloc, const Element &e,
                                 ValueRange, Value) {
            return perFeature ? mul(nb, nloc, e.g, e.r) : e.g;
          }));
    Value c2 =
        meanOfRows(reduceElements({}, [&](OpBuilder &nb, Location nloc,
                                          const Element &e, ValueRange, Value) {
          Value term = mul(nb, nloc, e.g, e.xhat);
          return perFeature ? mul(nb, nloc, term, featureWeight(nb, nloc, e))
                            : term;
        }));
    if (!perFeature)
      c2 = mapRows({c2, rowValues[factorIndex()]},
                   [&](OpBuilder &nb, Location nloc, ValueRange args) {
                     return selectActive(nb, nloc, args[1], args[0]);
                   });
    SmallVector<Value> extra;
    if (c1)
      extra.push_back(c1);
    extra.push_back(c2);
    Value init = tensor::EmptyOp::create(b, loc, inputSizes, elementType);
    SmallVector<utils::IteratorType> iterators(inputType.getRank(),
                                               utils::IteratorType::parallel);
    return buildGeneric(
        extra, init, identityMap, iterators,
        [&](OpBuilder &nb, Location nloc, const Element &e, ValueRange rowArgs,
            Value) {
          Value c2 = rowArgs.back();
          Value dx;
          if (perFeature) {
            dx = mul(nb, nloc, e.g, e.r);
            if (c1)
              dx = arith::SubFOp::create(nb, nloc, dx, rowArgs[0]);
            return withAddend(
                nb, nloc, e,
                arith::SubFOp::create(nb, nloc, dx, mul(nb, nloc, e.d, c2)));
          }
          dx = e.g;
          if (c1)
            dx = arith::SubFOp::create(nb, nloc, dx, rowArgs[0]);
          dx = arith::SubFOp::create(nb, nloc, dx, mul(nb, nloc, e.xhat, c2));
          return withAddend(nb, nloc, e, mul(nb, nloc, e.r, dx));
        },
        grad.getSumGrad());
  }

  /// dx + sum_grad (when given), converted to the input element type.
  Value withAddend(OpBuilder &nb, Location nloc, const Element &e, Value dx) {
    if (e.addend)
      dx = arith::AddFOp::create(nb, nloc, dx, e.addend);
    return convertFloat(nb, nloc, dx, elementType);
  }

  /// The gradient of parameter `kind` (0 scale, 1 bias, 2 feature_epsilon):
  /// its term summed over every dim the parameter does not follow, in the
  /// compute type, then converted to the parameter's type.
  Value computeParameterGrad(unsigned kind) {
    Value param = params[kind];
    auto paramType = cast<RankedTensorType>(param.getType());
    // The parameter dims that follow an input axis (not broadcast).
    SmallVector<AffineExpr> exprs;
    SmallVector<OpFoldResult> sizes;
    SmallVector<utils::IteratorType> iterators(inputType.getRank(),
                                               utils::IteratorType::reduction);
    for (auto [k, axis] : llvm::enumerate(axes)) {
      if (paramType.getDimSize(k) == 1)
        continue;
      exprs.push_back(b.getAffineDimExpr(axis));
      sizes.push_back(tensor::getMixedSize(b, loc, param, k));
      iterators[axis] = utils::IteratorType::parallel;
    }
    AffineMap outMap =
        AffineMap::get(inputType.getRank(), 0, exprs, b.getContext());
    Value init =
        linalg::FillOp::create(
            b, loc, constant(0.0),
            tensor::EmptyOp::create(b, loc, sizes, computeType).getResult())
            .getResult(0);
    Value sum = buildGeneric(
        {}, init, outMap, iterators,
        [&](OpBuilder &nb, Location nloc, const Element &e, ValueRange,
            Value acc) {
          Value term;
          switch (kind) {
          case 0:
            term = mul(nb, nloc, e.dy, e.xhat);
            break;
          case 1:
            term = e.dy;
            break;
          default:
            term = mul(nb, nloc,
                       mul(nb, nloc, mul(nb, nloc, e.g, e.xhat),
                           featureWeight(nb, nloc, e)),
                       createFloatConstant(nb, nloc, computeType, -0.5));
          }
          return arith::AddFOp::create(nb, nloc, acc, term).getResult();
        });
    return toParameterType(sum, param);
  }

  /// `sum` (the non-broadcast dims of `param`, compute type) reshaped to the
  /// parameter's shape and converted to its element type.
  Value toParameterType(Value sum, Value param) {
    auto paramType = cast<RankedTensorType>(param.getType());
    auto sumType = cast<RankedTensorType>(sum.getType());
    if (sumType.getRank() != paramType.getRank()) {
      SmallVector<bool> kept;
      for (int64_t k = 0; k < paramType.getRank(); ++k)
        kept.push_back(paramType.getDimSize(k) != 1);
      sum = tensor::ExpandShapeOp::create(b, loc, paramType.clone(computeType),
                                          sum, getUnitDimGroups(kept),
                                          tensor::getMixedSizes(b, loc, param));
    }
    return convertTensor(b, loc, sum,
                         cast<FloatType>(paramType.getElementType()));
  }

  /// Sums `term` over the normalized axes, per row.
  Value reduceElements(ValueRange extra, ElementFn term) {
    Value init = linalg::FillOp::create(b, loc, constant(0.0),
                                        createEmptyRows(computeType))
                     .getResult(0);
    SmallVector<utils::IteratorType> iterators(inputType.getRank(),
                                               utils::IteratorType::parallel);
    for (int64_t axis : axes)
      iterators[axis] = utils::IteratorType::reduction;
    return buildGeneric(
        extra, init, rowMap, iterators,
        [&](OpBuilder &nb, Location nloc, const Element &e, ValueRange rowArgs,
            Value acc) {
          Value value = term(nb, nloc, e, rowArgs, acc);
          return arith::AddFOp::create(nb, nloc, acc, value).getResult();
        });
  }

  /// A linalg.generic over the input's index space reading x, dy, the
  /// input-shaped `addend` (if any; the element's `addend`), the row
  /// statistics, `extra` per-row values and the parameters, into `init`
  /// (indexed by `outMap`); the body yields `fn` of the element.
  Value buildGeneric(ValueRange extra, Value init, AffineMap outMap,
                     ArrayRef<utils::IteratorType> iterators, ElementFn fn,
                     Value addend = {}) {
    SmallVector<Value> inputs = {input, grad.getOutputGrad()};
    if (addend)
      inputs.push_back(addend);
    unsigned numElementwise = inputs.size();
    llvm::append_range(inputs, rowValues);
    llvm::append_range(inputs, extra);
    SmallVector<AffineMap> maps(numElementwise, identityMap);
    maps.append(rowValues.size() + extra.size(), rowMap);
    for (Value param : params) {
      if (!param)
        continue;
      inputs.push_back(param);
      maps.push_back(getParameterMap(param));
    }
    maps.push_back(outMap);
    // Accumulators are zero-filled; an elementwise op's init is empty.
    bool accumulate = !init.getDefiningOp<tensor::EmptyOp>();
    auto generic = linalg::GenericOp::create(
        b, loc, init.getType(), inputs, init, maps, iterators,
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          unsigned numRows = rowValues.size();
          ValueRange rowArgs = args.slice(numElementwise, numRows);
          ValueRange extraArgs =
              args.slice(numElementwise + numRows, extra.size());
          SmallVector<Value> paramArgs;
          unsigned next = numElementwise + numRows + extra.size();
          for (Value param : params)
            paramArgs.push_back(
                param ? convertFloat(nb, nloc, args[next++], computeType)
                      : Value());
          Element e =
              buildElement(nb, nloc, args[0], args[1], rowArgs, paramArgs);
          if (addend)
            e.addend = convertFloat(nb, nloc, args[2], computeType);
          linalg::YieldOp::create(
              nb, nloc,
              fn(nb, nloc, e, extraArgs, accumulate ? args.back() : Value()));
        });
    return generic.getResult(0);
  }

  /// The element's values from its x, dy, row statistics and parameters.
  Element buildElement(OpBuilder &nb, Location nloc, Value x, Value dy,
                       ValueRange rowArgs, ArrayRef<Value> paramArgs) {
    Element e;
    e.x = convertFloat(nb, nloc, x, computeType);
    e.dy = convertFloat(nb, nloc, dy, computeType);
    e.d = grad.isCentered()
              ? arith::SubFOp::create(nb, nloc, e.x, rowArgs[0]).getResult()
              : e.x;
    Value factor = rowArgs[factorIndex()];
    e.r = perFeature ? createScaledInverseRoot(nb, nloc, factor, paramArgs[2],
                                               rowArgs[factorIndex() + 1])
                     : factor;
    e.xhat = mul(nb, nloc, e.d, e.r);
    e.g = paramArgs[0]
              ? mul(nb, nloc, e.dy,
                    createScaleFactor(nb, nloc, paramArgs[0], scaleOffset))
              : e.dy;
    e.active = arith::CmpFOp::create(nb, nloc, arith::CmpFPredicate::OLT, e.r,
                                     maxInverseRoot);
    return e;
  }

  /// r^2 where the element's clamp is inactive, else 0: the weight of the
  /// moment's derivative with a per-feature epsilon.
  Value featureWeight(OpBuilder &nb, Location nloc, const Element &e) {
    return arith::SelectOp::create(
        nb, nloc, e.active, mul(nb, nloc, e.r, e.r),
        createFloatConstant(nb, nloc, computeType, 0.0));
  }

  /// `value` where the row's inverse root `r` is below the clamp's, else 0.
  Value selectActive(OpBuilder &nb, Location nloc, Value r, Value value) {
    Value active = arith::CmpFOp::create(nb, nloc, arith::CmpFPredicate::OLT, r,
                                         maxInverseRoot);
    return arith::SelectOp::create(
        nb, nloc, active, value,
        createFloatConstant(nb, nloc, computeType, 0.0));
  }

  static Value mul(OpBuilder &nb, Location nloc, Value lhs, Value rhs) {
    return arith::MulFOp::create(nb, nloc, lhs, rhs);
  }

  /// The position of the inverse root (or scaled moment) in rowValues.
  unsigned factorIndex() { return grad.isCentered() ? 1 : 0; }

  NormalizationGradOpInterface grad;
  bool perFeature;
  std::array<Value, 3> params;
  /// [mean], inverse root or scaled moment, [moment scale].
  SmallVector<Value> rowValues;
  /// The clamped inverse root rsqrt(tiny): rows (or elements) at it have a
  /// constant inverse root.
  Value maxInverseRoot;
};

/// `acc + reduce(init = 0)` -> `reduce(init = acc)`: norm-tile-rows adds each
/// row's parameter gradients to its task's sums with an elementwise
/// `linalg.generic` (out + in); once the row's gradient op is lowered, its
/// sum over the row can start from the task's sum instead of a zero-filled
/// temporary (the same numbers: 0 + t is t).
struct FoldAccumulationIntoReduction
    : public OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp add,
                                PatternRewriter &rewriter) const override {
    if (add.getNumDpsInputs() != 1 || add.getNumDpsInits() != 1 ||
        add.getNumReductionLoops() != 0 ||
        !llvm::all_of(add.getIndexingMapsArray(),
                      [](AffineMap map) { return map.isIdentity(); }))
      return failure();
    // The body: yield (out + in) or (in + out).
    Block &body = add.getRegion().front();
    auto yield = cast<linalg::YieldOp>(body.getTerminator());
    auto sum = yield.getValues()[0].getDefiningOp<arith::AddFOp>();
    if (!sum || body.getOperations().size() != 2 ||
        !llvm::is_contained(sum->getOperands(), body.getArgument(0)) ||
        !llvm::is_contained(sum->getOperands(), body.getArgument(1)))
      return failure();
    auto reduce = add.getDpsInputs()[0].getDefiningOp<linalg::GenericOp>();
    if (!reduce || reduce.getNumDpsInits() != 1 || !reduce->hasOneUse() ||
        reduce.getResult(0).getType() != add.getResult(0).getType() ||
        !isZeroFill(reduce.getDpsInits()[0]) || !isSumOfTerms(reduce))
      return failure();
    Value acc = add.getDpsInits()[0];
    if (!acc.getParentBlock() ||
        !(acc.getParentRegion()->isAncestor(reduce->getParentRegion())))
      return failure();
    rewriter.modifyOpInPlace(
        reduce, [&] { reduce.getDpsInitsMutable()[0].assign(acc); });
    rewriter.replaceOp(add, reduce.getResult(0));
    return success();
  }

  static bool isZeroFill(Value init) {
    auto fill = init.getDefiningOp<linalg::FillOp>();
    return fill && matchPattern(fill.getInputs()[0], m_AnyZeroFloat());
  }

  /// Whether the body yields acc + term (acc the output's argument, used
  /// nowhere else).
  static bool isSumOfTerms(linalg::GenericOp op) {
    Block &body = op.getRegion().front();
    Value acc = body.getArguments().back();
    auto yield = cast<linalg::YieldOp>(body.getTerminator());
    auto sum = yield.getValues()[0].getDefiningOp<arith::AddFOp>();
    return sum && sum.getLhs() == acc && acc.hasOneUse();
  }
};

/// Any normalization gradient op.
struct NormalizationGradOpLowering
    : public OpInterfaceConversionPattern<NormalizationGradOpInterface> {
  NormalizationGradOpLowering(MLIRContext *context, bool overflowGuard)
      : OpInterfaceConversionPattern(context), overflowGuard(overflowGuard) {}

  LogicalResult
  matchAndRewrite(NormalizationGradOpInterface op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    GradLowering lowering(rewriter, op, overflowGuard);
    rewriter.replaceOp(op, lowering.lower());
    return success();
  }

  bool overflowGuard;
};
} // namespace

void mlir::norm::populateNormGradAccumulationPatterns(
    RewritePatternSet &patterns) {
  patterns.add<FoldAccumulationIntoReduction>(patterns.getContext());
}

void mlir::norm::populateNormGradToLinalgPatterns(RewritePatternSet &patterns,
                                                  bool overflowGuard) {
  patterns.add<NormalizationGradOpLowering>(patterns.getContext(),
                                            overflowGuard);
}
