//===- NormToLinalg.cpp - Decompose norm ops into linalg ------------------===//
//
// Each norm op becomes linalg on tensors, in the compute type:
//   1. per-row reductions over the normalized axes (linalg.generic with
//      reduction iterators into zero-filled tensors of the kept dims); for
//      LayerNorm the mean, then the centered squares in a second pass (the
//      row is still in cache after row tiling; a one-pass shifted variance
//      loses precision when the shift is an outlier);
//   2. a per-row elementwise op producing the inverse RMS / std;
//      rows whose sums overflowed (|x| beyond the square root of the compute
//      type's range) are summed again, under an scf.if that only such rows
//      enter, scaled by a power of two per row;
//   3. one elementwise op over the input that normalizes, applies scale and
//      bias and converts back to the input element type.
// Statistics results are tensor.expand_shape views of the per-row tensors.
//
//===----------------------------------------------------------------------===//

#include "norm/Conversion/NormToLinalg/NormToLinalg.h"
#include "norm/Conversion/Passes.h"
#include "norm/Dialect/Norm/IR/NormOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::norm {
#define GEN_PASS_DEF_CONVERTNORMTOLINALG
#include "norm/Conversion/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;
using namespace mlir::norm;

namespace {
/// Body of a linalg.generic: receives the block arguments for the inputs (the
/// trailing output/accumulator argument excluded for elementwise ops) and
/// returns the value to yield.
using BodyFn =
    function_ref<Value(OpBuilder &, Location, ValueRange /*blockArgs*/)>;

/// The facts about one norm op that every step of its lowering needs.
class NormLowering {
public:
  template <typename OpTy>
  NormLowering(OpBuilder &b, OpTy op)
      : b(b), loc(op.getLoc()), input(op.getInput()),
        inputType(op.getInputType()),
        elementType(cast<FloatType>(inputType.getElementType())),
        computeType(op.getEffectiveComputeType()), axes(op.getCanonicalAxes()) {
    int64_t rank = inputType.getRank();
    for (int64_t dim = 0; dim < rank; ++dim)
      if (!llvm::is_contained(axes, dim))
        keptDims.push_back(dim);
    MLIRContext *ctx = b.getContext();
    identityMap = b.getMultiDimIdentityMap(rank);
    SmallVector<AffineExpr> rowExprs;
    for (int64_t dim : keptDims)
      rowExprs.push_back(getAffineDimExpr(dim, ctx));
    rowMap = AffineMap::get(rank, 0, rowExprs, ctx);
    inputSizes = tensor::getMixedSizes(b, loc, input);
    invCount = createInverseCount();
  }

  FloatType getComputeType() const { return computeType; }

  Value constant(double value) {
    return arith::ConstantOp::create(b, loc, computeType,
                                     b.getFloatAttr(computeType, value));
  }

  /// Converts `value` to the compute type (any float type in, extend or
  /// truncate).
  Value toCompute(OpBuilder &nb, Location nloc, Value value) const {
    return convertFloat(nb, nloc, value, computeType);
  }

  /// Sums `term(x, rowValues...)` over the normalized axes, per row.
  Value reduceRows(ValueRange rowValues, BodyFn term) {
    return reduceRows(
        rowValues, term,
        [](OpBuilder &nb, Location nloc, Value acc, Value value) -> Value {
          return arith::AddFOp::create(nb, nloc, acc, value);
        });
  }

  /// Combines `term(x, rowValues...)` over the normalized axes with
  /// `combine`, from 0, per row.
  Value
  reduceRows(ValueRange rowValues, BodyFn term,
             function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
    Value init = linalg::FillOp::create(b, loc, constant(0.0),
                                        createEmptyRows(computeType))
                     .getResult(0);
    SmallVector<Value> inputs = {input};
    llvm::append_range(inputs, rowValues);
    SmallVector<AffineMap> maps = {identityMap};
    maps.append(rowValues.size() + 1, rowMap);
    SmallVector<utils::IteratorType> iterators(inputType.getRank(),
                                               utils::IteratorType::parallel);
    for (int64_t axis : axes)
      iterators[axis] = utils::IteratorType::reduction;
    auto generic = linalg::GenericOp::create(
        b, loc, init.getType(), inputs, init, maps, iterators,
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          Value acc =
              combine(nb, nloc, args.back(), term(nb, nloc, args.drop_back()));
          linalg::YieldOp::create(nb, nloc, acc);
        });
    return generic.getResult(0);
  }

  /// Applies `fn` elementwise to per-row tensors.
  Value mapRows(ValueRange rowValues, BodyFn fn) {
    Value init = createEmptyRows(computeType);
    int64_t rank = keptDims.size();
    SmallVector<AffineMap> maps(rowValues.size() + 1,
                                b.getMultiDimIdentityMap(rank));
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        b, loc, init.getType(), rowValues, init, maps, iterators,
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          linalg::YieldOp::create(nb, nloc, fn(nb, nloc, args.drop_back()));
        });
    return generic.getResult(0);
  }

  /// Divides per-row sums by the number of normalized elements.
  Value meanOfRows(Value sums) {
    return mapRows(sums, [&](OpBuilder &nb, Location nloc, ValueRange args) {
      return arith::MulFOp::create(nb, nloc, args[0], invCount).getResult();
    });
  }

  /// rsqrt(max(meanValue + eps, tiny)): the clamp keeps zero rows finite.
  Value inverseRoot(OpBuilder &nb, Location nloc, Value meanValue,
                    Value eps) const {
    Value tiny = arith::ConstantOp::create(
        nb, nloc, computeType,
        nb.getFloatAttr(computeType, APFloat::getSmallestNormalized(
                                         computeType.getFloatSemantics())));
    Value sum = arith::AddFOp::create(nb, nloc, meanValue, eps);
    Value clamped = arith::MaximumFOp::create(nb, nloc, sum, tiny);
    return math::RsqrtOp::create(nb, nloc, clamped);
  }

  /// The inverse root of a moment of x, given `scaledMoment`, the moment of
  /// x * scale: scale * rsqrt(max(scaledMoment + eps * scale^2, tiny)).
  /// Exactly inverseRoot(moment, eps) when scale is 1.
  Value scaledInverseRoot(OpBuilder &nb, Location nloc, Value scaledMoment,
                          Value eps, Value scale) const {
    Value scaledEps = arith::MulFOp::create(
        nb, nloc, arith::MulFOp::create(nb, nloc, eps, scale), scale);
    return arith::MulFOp::create(
        nb, nloc, scale, inverseRoot(nb, nloc, scaledMoment, scaledEps));
  }

  /// x * scale, or x when there is no scale.
  static Value scaled(OpBuilder &nb, Location nloc, Value x, Value scale) {
    return scale ? arith::MulFOp::create(nb, nloc, x, scale).getResult() : x;
  }

  /// Per-row statistics `compute(scale)` of x * scale, whose last value is
  /// the moment (mean square or variance), and the per-row scale. The first
  /// evaluation is unscaled (null scale; the scales returned are 1). Only
  /// when some row's moment is not finite (its squares or sum overflowed the
  /// compute type) does an scf.if evaluate it again with per-row powers of
  /// two: ordinary data pays one check per call, and rows that were finite,
  /// or hold a NaN or an infinity, get scale 1 and the same values again.
  SmallVector<Value>
  computeWithOverflowGuard(function_ref<SmallVector<Value>(Value)> compute) {
    SmallVector<Value> values = compute(Value());
    SmallVector<Type> types = llvm::to_vector(ValueRange(values).getTypes());
    types.push_back(values.back().getType());
    auto ifOp = scf::IfOp::create(b, loc, types, anyNonFinite(values.back()),
                                  /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(ifOp.thenBlock());
    Value scale = overflowScales(values.back());
    SmallVector<Value> rescaled = compute(scale);
    rescaled.push_back(scale);
    scf::YieldOp::create(b, loc, rescaled);

    b.setInsertionPointToEnd(ifOp.elseBlock());
    values.push_back(linalg::FillOp::create(b, loc, constant(1.0),
                                            createEmptyRows(computeType))
                         .getResult(0));
    scf::YieldOp::create(b, loc, values);
    return SmallVector<Value>(ifOp.getResults());
  }

  /// Divides per-row values by per-row scales.
  Value unscale(Value values, Value scales) {
    return mapRows(
        {values, scales}, [&](OpBuilder &nb, Location nloc, ValueRange args) {
          return arith::DivFOp::create(nb, nloc, args[0], args[1]).getResult();
        });
  }

  /// What the final elementwise op needs per row: the inverse root of the
  /// moment, or, with a per-feature epsilon (where the inverse root depends
  /// on the feature and is computed per element), the scaled moment itself
  /// (the element op then also takes the scale).
  Value rowFactor(Value scaledMoment, Value scale, double epsilon,
                  bool perFeature) {
    if (perFeature)
      return scaledMoment;
    Value eps = constant(epsilon);
    return mapRows({scaledMoment, scale},
                   [&](OpBuilder &nb, Location nloc, ValueRange args) {
                     return scaledInverseRoot(nb, nloc, args[0], eps, args[1]);
                   });
  }

  /// The final elementwise op over the input: `normalize(x, rowArgs,
  /// paramArgs)` in the compute type, where paramArgs holds the compute-type
  /// values of `params` (null params are skipped), converted back to the
  /// input element type.
  Value
  mapElements(ValueRange rowValues, ArrayRef<Value> params,
              function_ref<Value(OpBuilder &, Location, Value x,
                                 ValueRange rowArgs, ArrayRef<Value> paramArgs)>
                  normalize) {
    Value init = tensor::EmptyOp::create(b, loc, inputSizes, elementType);
    SmallVector<Value> inputs = {input};
    llvm::append_range(inputs, rowValues);
    SmallVector<AffineMap> maps = {identityMap};
    maps.append(rowValues.size(), rowMap);
    for (Value param : params) {
      if (!param)
        continue;
      inputs.push_back(param);
      maps.push_back(getParameterMap(param));
    }
    maps.push_back(identityMap);
    SmallVector<utils::IteratorType> iterators(inputType.getRank(),
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        b, loc, init.getType(), inputs, init, maps, iterators,
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          Value x = toCompute(nb, nloc, args[0]);
          ValueRange rowArgs = args.slice(1, rowValues.size());
          SmallVector<Value> paramArgs;
          unsigned next = 1 + rowValues.size();
          for (Value param : params)
            paramArgs.push_back(param ? toCompute(nb, nloc, args[next++])
                                      : Value());
          Value y = normalize(nb, nloc, x, rowArgs, paramArgs);
          linalg::YieldOp::create(nb, nloc,
                                  convertFloat(nb, nloc, y, elementType));
        });
    return generic.getResult(0);
  }

  /// Reshapes a per-row tensor into the statistics result shape (the input's
  /// shape with the normalized axes set to 1).
  Value toStatistics(Value rows) {
    auto resultType = RankedTensorType::get(
        getStatisticsShape(inputType.getShape(), axes), computeType);
    // A group starts at every kept dim but the first; the unit dims of the
    // normalized axes join the group on their left (the first if none).
    SmallVector<ReassociationIndices> groups;
    if (!keptDims.empty()) {
      for (int64_t dim = 0, rank = inputType.getRank(); dim < rank; ++dim) {
        if (llvm::is_contained(keptDims, dim) && dim != keptDims.front())
          groups.emplace_back();
        if (groups.empty())
          groups.emplace_back();
        groups.back().push_back(dim);
      }
    }
    SmallVector<OpFoldResult> outputShape(inputSizes);
    for (int64_t axis : axes)
      outputShape[axis] = b.getIndexAttr(1);
    return tensor::ExpandShapeOp::create(b, loc, resultType, rows, groups,
                                         outputShape);
  }

private:
  /// Whether `value` is neither infinite nor NaN.
  static Value isFinite(OpBuilder &nb, Location nloc, Value value) {
    auto type = cast<FloatType>(value.getType());
    Value inf = arith::ConstantOp::create(
        nb, nloc, type,
        nb.getFloatAttr(type, APFloat::getInf(type.getFloatSemantics())));
    return arith::CmpFOp::create(nb, nloc, arith::CmpFPredicate::ONE,
                                 math::AbsFOp::create(nb, nloc, value), inf);
  }

  /// Whether any of the per-row values is not finite, as an i1.
  Value anyNonFinite(Value rows) {
    int64_t rank = keptDims.size();
    Value init =
        linalg::FillOp::create(
            b, loc, constant(0.0),
            tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{}, computeType)
                .getResult())
            .getResult(0);
    SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank),
                                   AffineMap::get(rank, 0, {}, b.getContext())};
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::reduction);
    auto count = linalg::GenericOp::create(
        b, loc, init.getType(), rows, init, maps, iterators,
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          auto one = [&](double value) {
            return arith::ConstantOp::create(
                nb, nloc, computeType, nb.getFloatAttr(computeType, value));
          };
          Value bad = arith::SelectOp::create(
              nb, nloc, isFinite(nb, nloc, args[0]), one(0.0), one(1.0));
          linalg::YieldOp::create(
              nb, nloc,
              arith::AddFOp::create(nb, nloc, args[1], bad).getResult());
        });
    Value total =
        tensor::ExtractOp::create(b, loc, count.getResult(0), ValueRange{});
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, total,
                                 constant(0.0));
  }

  /// Per-row scales for rows whose `moment` is not finite: the power of two
  /// that brings the row's largest magnitude m into [0.5, 1) (at least the
  /// smallest normal power, for m in the top binade), from m's exponent
  /// bits; 1 for the other rows and for rows where m is not finite.
  Value overflowScales(Value moment) {
    Value maxAbs = reduceRows(
        {},
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          return math::AbsFOp::create(nb, nloc, toCompute(nb, nloc, args[0]))
              .getResult();
        },
        [](OpBuilder &nb, Location nloc, Value acc, Value value) -> Value {
          return arith::MaximumFOp::create(nb, nloc, acc, value);
        });
    const llvm::fltSemantics &semantics = computeType.getFloatSemantics();
    int64_t mantissaBits = APFloat::semanticsPrecision(semantics) - 1;
    int64_t bias = 1 - APFloat::semanticsMinExponent(semantics);
    auto intType = b.getIntegerType(computeType.getWidth());
    return mapRows(
        {moment, maxAbs},
        [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
          auto intConstant = [&](int64_t value) {
            return arith::ConstantOp::create(nb, nloc, intType,
                                             nb.getIntegerAttr(intType, value));
          };
          Value exponent = arith::ShRUIOp::create(
              nb, nloc, arith::BitcastOp::create(nb, nloc, intType, args[1]),
              intConstant(mantissaBits));
          Value scaleExponent = arith::MaxSIOp::create(
              nb, nloc,
              arith::SubIOp::create(nb, nloc, intConstant(2 * bias - 1),
                                    exponent),
              intConstant(1));
          Value scale = arith::BitcastOp::create(
              nb, nloc, computeType,
              arith::ShLIOp::create(nb, nloc, scaleExponent,
                                    intConstant(mantissaBits)));
          Value keep = arith::OrIOp::create(
              nb, nloc, isFinite(nb, nloc, args[0]),
              arith::XOrIOp::create(
                  nb, nloc, isFinite(nb, nloc, args[1]),
                  arith::ConstantIntOp::create(nb, nloc, 1, 1)));
          Value one = arith::ConstantOp::create(
              nb, nloc, computeType, nb.getFloatAttr(computeType, 1.0));
          return arith::SelectOp::create(nb, nloc, keep, one, scale);
        });
  }

  static Value convertFloat(OpBuilder &nb, Location nloc, Value value,
                            FloatType type) {
    auto from = cast<FloatType>(value.getType());
    if (from == type)
      return value;
    if (from.getWidth() == type.getWidth()) // f16 <-> bf16: through f32.
      value = arith::ExtFOp::create(nb, nloc, nb.getF32Type(), value);
    if (cast<FloatType>(value.getType()).getWidth() < type.getWidth())
      return arith::ExtFOp::create(nb, nloc, type, value);
    return arith::TruncFOp::create(nb, nloc, type, value);
  }

  Value createEmptyRows(Type type) {
    SmallVector<OpFoldResult> sizes;
    for (int64_t dim : keptDims)
      sizes.push_back(inputSizes[dim]);
    return tensor::EmptyOp::create(b, loc, sizes, type);
  }

  /// Maps the loop dims to a parameter's dims: the k-th parameter dim follows
  /// the k-th normalized axis, or is broadcast (constant 0) when it is 1.
  AffineMap getParameterMap(Value param) const {
    auto type = cast<RankedTensorType>(param.getType());
    SmallVector<AffineExpr> exprs;
    for (auto [k, axis] : llvm::enumerate(axes))
      exprs.push_back(type.getDimSize(k) == 1
                          ? getAffineConstantExpr(0, b.getContext())
                          : getAffineDimExpr(axis, b.getContext()));
    return AffineMap::get(inputType.getRank(), 0, exprs, b.getContext());
  }

  /// 1 / max(N, 1) in the compute type, N the number of normalized elements:
  /// empty rows get a zero mean instead of NaN.
  Value createInverseCount() {
    int64_t staticCount = 1;
    Value dynamicCount;
    for (int64_t axis : axes) {
      int64_t size = inputType.getDimSize(axis);
      if (!ShapedType::isDynamic(size)) {
        staticCount *= size;
        continue;
      }
      Value dim = tensor::DimOp::create(b, loc, input, axis);
      dynamicCount =
          dynamicCount ? arith::MulIOp::create(b, loc, dynamicCount, dim) : dim;
    }
    if (!dynamicCount)
      return constant(1.0 /
                      static_cast<double>(std::max<int64_t>(staticCount, 1)));
    Value count = arith::MulIOp::create(
        b, loc, dynamicCount,
        arith::ConstantIndexOp::create(b, loc, staticCount));
    count = arith::MaxUIOp::create(b, loc, count,
                                   arith::ConstantIndexOp::create(b, loc, 1));
    Value asInt = arith::IndexCastUIOp::create(b, loc, b.getI64Type(), count);
    Value asFloat = arith::UIToFPOp::create(b, loc, computeType, asInt);
    return arith::DivFOp::create(b, loc, constant(1.0), asFloat);
  }

  OpBuilder &b;
  Location loc;
  Value input;
  RankedTensorType inputType;
  FloatType elementType;
  FloatType computeType;
  SmallVector<int64_t> axes;
  SmallVector<int64_t> keptDims;
  SmallVector<OpFoldResult> inputSizes;
  AffineMap identityMap;
  AffineMap rowMap;
  Value invCount;
};

/// x * rsqrt(max(mean(x^2) + eps, tiny)) [* scale] [+ bias].
struct RMSNormOpLowering : public OpRewritePattern<RMSNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(RMSNormOp op,
                                PatternRewriter &rewriter) const override {
    NormLowering lowering(rewriter, op);
    SmallVector<Value> stats =
        lowering.computeWithOverflowGuard([&](Value scale) {
          Value sumOfSquares = lowering.reduceRows(
              scale ? ValueRange(scale) : ValueRange(),
              [&](OpBuilder &nb, Location nloc, ValueRange args) {
                Value x = NormLowering::scaled(
                    nb, nloc, lowering.toCompute(nb, nloc, args[0]),
                    scale ? args[1] : Value());
                return arith::MulFOp::create(nb, nloc, x, x).getResult();
              });
          return SmallVector<Value>{lowering.meanOfRows(sumOfSquares)};
        });
    Value meanSquare = stats[0], scale = stats[1];
    bool perFeature = static_cast<bool>(op.getFeatureEpsilon());
    Value rowFactor = lowering.rowFactor(
        meanSquare, scale, op.getEpsilon().convertToDouble(), perFeature);
    SmallVector<Value> rowValues = {rowFactor};
    if (perFeature)
      rowValues.push_back(scale);
    Value output = lowering.mapElements(
        rowValues, {op.getScale(), op.getBias(), op.getFeatureEpsilon()},
        [&](OpBuilder &nb, Location nloc, Value x, ValueRange rowArgs,
            ArrayRef<Value> params) {
          Value inv = perFeature
                          ? lowering.scaledInverseRoot(nb, nloc, rowArgs[0],
                                                       params[2], rowArgs[1])
                          : rowArgs[0];
          return applyAffine(nb, nloc, arith::MulFOp::create(nb, nloc, x, inv),
                             params[0], params[1]);
        });

    SmallVector<Value> results = {output};
    if (op.getInvRms())
      results.push_back(lowering.toStatistics(rowFactor));
    rewriter.replaceOp(op, results);
    return success();
  }

  static Value applyAffine(OpBuilder &nb, Location nloc, Value normalized,
                           Value scale, Value bias) {
    if (scale)
      normalized = arith::MulFOp::create(nb, nloc, normalized, scale);
    if (bias)
      normalized = arith::AddFOp::create(nb, nloc, normalized, bias);
    return normalized;
  }
};

/// (x - mean(x)) * rsqrt(max(var(x) + eps, tiny)) [* scale] [+ bias], with
/// the variance from a second, centered pass over the row.
struct LayerNormOpLowering : public OpRewritePattern<LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(LayerNormOp op,
                                PatternRewriter &rewriter) const override {
    NormLowering lowering(rewriter, op);
    // Mean, then the centered second pass over the row.
    SmallVector<Value> stats =
        lowering.computeWithOverflowGuard([&](Value scale) {
          auto scaledInput = [&](OpBuilder &nb, Location nloc,
                                 ValueRange args) {
            return NormLowering::scaled(nb, nloc,
                                        lowering.toCompute(nb, nloc, args[0]),
                                        scale ? args.back() : Value());
          };
          Value sum = lowering.reduceRows(
              scale ? ValueRange(scale) : ValueRange(), scaledInput);
          Value mean = lowering.meanOfRows(sum);
          SmallVector<Value> rowValues = {mean};
          if (scale)
            rowValues.push_back(scale);
          Value centeredSquares = lowering.reduceRows(
              rowValues, [&](OpBuilder &nb, Location nloc, ValueRange args) {
                Value centered = arith::SubFOp::create(
                    nb, nloc, scaledInput(nb, nloc, args), args[1]);
                return arith::MulFOp::create(nb, nloc, centered, centered)
                    .getResult();
              });
          return SmallVector<Value>{mean, lowering.meanOfRows(centeredSquares)};
        });
    Value scale = stats[2];
    Value mean = lowering.unscale(stats[0], scale);
    bool perFeature = static_cast<bool>(op.getFeatureEpsilon());
    Value rowFactor = lowering.rowFactor(
        stats[1], scale, op.getEpsilon().convertToDouble(), perFeature);
    SmallVector<Value> rowValues = {mean, rowFactor};
    if (perFeature)
      rowValues.push_back(scale);
    Value output = lowering.mapElements(
        rowValues, {op.getScale(), op.getBias(), op.getFeatureEpsilon()},
        [&](OpBuilder &nb, Location nloc, Value x, ValueRange rowArgs,
            ArrayRef<Value> params) {
          Value inv = perFeature
                          ? lowering.scaledInverseRoot(nb, nloc, rowArgs[1],
                                                       params[2], rowArgs[2])
                          : rowArgs[1];
          Value centered = arith::SubFOp::create(nb, nloc, x, rowArgs[0]);
          return RMSNormOpLowering::applyAffine(
              nb, nloc, arith::MulFOp::create(nb, nloc, centered, inv),
              params[0], params[1]);
        });

    SmallVector<Value> results = {output};
    if (op.getMean()) {
      results.push_back(lowering.toStatistics(mean));
      results.push_back(lowering.toStatistics(rowFactor));
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct ConvertNormToLinalgPass
    : public norm::impl::ConvertNormToLinalgBase<ConvertNormToLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateNormToLinalgPatterns(patterns);
    // Norm ops never survive: every form has a lowering.
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace

void mlir::norm::populateNormToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<RMSNormOpLowering, LayerNormOpLowering>(patterns.getContext());
}
