//===- NormToLinalg.cpp - Decompose norm ops into linalg ------------------===//
//
// Each norm op becomes linalg on tensors, in the compute type:
//   1. per-row reductions over the normalized axes (linalg.generic with
//      reduction iterators into zero-filled tensors of the kept dims); for
//      LayerNorm the mean, then the centered squares in a second pass (the
//      row is still in cache after row tiling; a one-pass shifted variance
//      loses precision when the shift is an outlier);
//   2. a per-row elementwise op producing the inverse RMS / std;
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
          Value sum = arith::AddFOp::create(nb, nloc, args.back(),
                                            term(nb, nloc, args.drop_back()));
          linalg::YieldOp::create(nb, nloc, sum);
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

  /// What the final elementwise op needs per row: rsqrt(max(moment + eps,
  /// tiny)), or, with a per-feature epsilon (where the inverse root depends
  /// on the feature and is computed per element), the moment itself.
  Value rowFactor(Value moment, double epsilon, bool perFeature) {
    if (perFeature)
      return moment;
    Value eps = constant(epsilon);
    return mapRows(moment, [&](OpBuilder &nb, Location nloc, ValueRange args) {
      return inverseRoot(nb, nloc, args[0], eps);
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
    Value sumOfSquares = lowering.reduceRows(
        {}, [&](OpBuilder &nb, Location nloc, ValueRange args) {
          Value x = lowering.toCompute(nb, nloc, args[0]);
          return arith::MulFOp::create(nb, nloc, x, x).getResult();
        });
    Value meanSquare = lowering.meanOfRows(sumOfSquares);
    bool perFeature = static_cast<bool>(op.getFeatureEpsilon());
    Value rowFactor = lowering.rowFactor(
        meanSquare, op.getEpsilon().convertToDouble(), perFeature);
    Value output = lowering.mapElements(
        rowFactor, {op.getScale(), op.getBias(), op.getFeatureEpsilon()},
        [&](OpBuilder &nb, Location nloc, Value x, ValueRange rowArgs,
            ArrayRef<Value> params) {
          Value inv =
              perFeature ? lowering.inverseRoot(nb, nloc, rowArgs[0], params[2])
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
    Value sum = lowering.reduceRows(
        {}, [&](OpBuilder &nb, Location nloc, ValueRange args) {
          return lowering.toCompute(nb, nloc, args[0]);
        });
    Value mean = lowering.meanOfRows(sum);
    Value centeredSquares = lowering.reduceRows(mean, [&](OpBuilder &nb,
                                                          Location nloc,
                                                          ValueRange args) {
      Value x = lowering.toCompute(nb, nloc, args[0]);
      Value centered = arith::SubFOp::create(nb, nloc, x, args[1]);
      return arith::MulFOp::create(nb, nloc, centered, centered).getResult();
    });
    Value variance = lowering.meanOfRows(centeredSquares);

    bool perFeature = static_cast<bool>(op.getFeatureEpsilon());
    Value rowFactor = lowering.rowFactor(
        variance, op.getEpsilon().convertToDouble(), perFeature);
    Value output = lowering.mapElements(
        {mean, rowFactor},
        {op.getScale(), op.getBias(), op.getFeatureEpsilon()},
        [&](OpBuilder &nb, Location nloc, Value x, ValueRange rowArgs,
            ArrayRef<Value> params) {
          Value inv =
              perFeature ? lowering.inverseRoot(nb, nloc, rowArgs[1], params[2])
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
