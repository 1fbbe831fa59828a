//===- NormLowering.h - Shared builders of the linalg lowerings -*- C++ -*-===//
//
// NormLowering builds the linalg ops of a norm op's lowering: per-row
// reductions, the overflow-guarded moments, per-row and elementwise maps.
// The forward (NormToLinalg.cpp) and gradient (GradToLinalg.cpp) patterns
// are written with it.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_LIB_CONVERSION_NORMTOLINALG_NORMLOWERING_H
#define NORM_LIB_CONVERSION_NORMTOLINALG_NORMLOWERING_H

#include "norm/Dialect/Norm/IR/NormOps.h"
#include "norm/Dialect/Norm/Utils/Numerics.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/LoopLikeInterface.h"

namespace mlir::norm {
/// The reassociation that inserts unit dims into a shape of the `kept` dims
/// (an expand_shape; a collapse_shape the other way): a group starts at
/// every kept dim but the first, and each unit dim joins the group on its
/// left (the first if none). No kept dim: no groups (rank 0 to all ones).
inline SmallVector<ReassociationIndices> getUnitDimGroups(ArrayRef<bool> kept) {
  SmallVector<ReassociationIndices> groups;
  if (!llvm::is_contained(kept, true))
    return groups;
  bool seenKept = false;
  for (auto [dim, isKept] : llvm::enumerate(kept)) {
    if (isKept && seenKept)
      groups.emplace_back();
    seenKept |= isKept;
    if (groups.empty())
      groups.emplace_back();
    groups.back().push_back(dim);
  }
  return groups;
}
/// Body of a linalg.generic: receives the block arguments for the inputs (the
/// trailing output/accumulator argument excluded for elementwise ops) and
/// returns the value to yield.
using BodyFn =
    function_ref<Value(OpBuilder &, Location, ValueRange /*blockArgs*/)>;
/// Combines an accumulator with a term.
using CombineFn = function_ref<Value(OpBuilder &, Location, Value, Value)>;

/// Per-row statistics: the mean (centered ops; null otherwise), the moment
/// of x * scale about the scaled mean, and the per-row scale (1 unless the
/// row's sums overflowed).
struct RowMoments {
  Value mean, scaledMoment, scale;
};

/// Builds the linalg ops of one norm op's lowering.
class NormLowering {
public:
  /// With a `residual` (a fused residual op), the tensor normalized is
  /// `residualScale * residual + input` (createResidualSumElement): every
  /// pass over the row reads both and computes it again, so that the sum is
  /// written once, by the output pass, and never read back.
  /// `normalized`, if given, replaces the op's input (a sum computed
  /// beforehand).
  NormLowering(OpBuilder &b, NormOpInterface op, bool overflowGuard = true,
               Value residual = {}, double residualScale = 1.0,
               Value normalized = {})
      : b(b), loc(op.getLoc()),
        input(normalized ? normalized : Value(op.getInput())),
        residual(residual), residualScale(residualScale),
        inputType(op.getInputType()),
        elementType(cast<FloatType>(inputType.getElementType())),
        computeType(op.getEffectiveComputeType()), axes(op.getCanonicalAxes()),
        keptDims(op.getKeptDims()), scaleOffset(op.getScaleOffset()),
        overflowGuard(overflowGuard) {
    MLIRContext *ctx = b.getContext();
    identityMap = b.getMultiDimIdentityMap(inputType.getRank());
    SmallVector<AffineExpr> rowExprs;
    for (int64_t dim : keptDims)
      rowExprs.push_back(getAffineDimExpr(dim, ctx));
    rowMap = AffineMap::get(inputType.getRank(), 0, rowExprs, ctx);
    inputSizes = tensor::getMixedSizes(b, loc, input);
    invCount = createRowInverseCount();
  }

  /// The mean (if `centered`) and the second moment of every row, guarded
  /// against overflow.
  RowMoments computeMoments(bool centered) {
    SmallVector<Value> stats = computeWithOverflowGuard(
        [&](Value scale) { return computeScaledMoments(centered, scale); });
    RowMoments moments;
    moments.scale = stats.back();
    moments.scaledMoment = stats[stats.size() - 2];
    if (centered)
      moments.mean = stats[0];
    return moments;
  }

  /// What the final elementwise op needs per row: the inverse root of the
  /// moment, or, with a per-feature epsilon (where the inverse root depends
  /// on the feature and is computed per element), the scaled moment itself
  /// (the element op then also takes the scale).
  Value rowFactor(const RowMoments &moments, double epsilon, bool perFeature) {
    if (perFeature)
      return moments.scaledMoment;
    Value eps = constant(epsilon);
    return mapRows({moments.scaledMoment, moments.scale},
                   [&](OpBuilder &nb, Location nloc, ValueRange args) {
                     return createScaledInverseRoot(nb, nloc, args[0], eps,
                                                    args[1]);
                   });
  }

  /// The output: (x [- mean]) * inv, then the affine transform
  /// (createAffine: rounded to `roundingType` where set), converted back to
  /// the input element type; with a residual, then the sum.
  SmallVector<Value> normalize(const RowMoments &moments, Value factor,
                               std::array<Value, 3> params,
                               FloatType roundingType) {
    bool perFeature = static_cast<bool>(params[2]);
    // Per-row block arguments: [mean], factor, [scale].
    SmallVector<Value> rowValues;
    if (moments.mean)
      rowValues.push_back(moments.mean);
    rowValues.push_back(factor);
    if (perFeature)
      rowValues.push_back(moments.scale);
    unsigned factorIndex = moments.mean ? 1 : 0;
    return mapElements(rowValues, params,
                       [&](OpBuilder &nb, Location nloc, Value x,
                           ValueRange rowArgs, ArrayRef<Value> paramArgs) {
                         Value inv = rowArgs[factorIndex];
                         if (perFeature)
                           inv = createScaledInverseRoot(
                               nb, nloc, inv, paramArgs[2], rowArgs.back());
                         if (moments.mean)
                           x = arith::SubFOp::create(nb, nloc, x, rowArgs[0]);
                         Value xhat = arith::MulFOp::create(nb, nloc, x, inv);
                         return createAffine(nb, nloc, xhat, paramArgs[0],
                                             paramArgs[1], scaleOffset,
                                             roundingType);
                       });
  }

  /// Reshapes a per-row tensor into the statistics result shape (the input's
  /// shape with the normalized axes set to 1).
  Value toStatistics(Value rows) {
    auto resultType = RankedTensorType::get(
        getStatisticsShape(inputType.getShape(), axes), computeType);
    SmallVector<OpFoldResult> outputShape(inputSizes);
    for (int64_t axis : axes)
      outputShape[axis] = b.getIndexAttr(1);
    return tensor::ExpandShapeOp::create(b, loc, resultType, rows,
                                         getStatisticsGroups(), outputShape);
  }

  /// The inverse of toStatistics: a statistics tensor as a per-row tensor.
  Value fromStatistics(Value statistics) {
    return tensor::CollapseShapeOp::create(b, loc, statistics,
                                           getStatisticsGroups());
  }

protected:
  /// The reassociation between the statistics shape and the per-row shape.
  SmallVector<ReassociationIndices> getStatisticsGroups() const {
    SmallVector<bool> kept;
    for (int64_t dim = 0, rank = inputType.getRank(); dim < rank; ++dim)
      kept.push_back(llvm::is_contained(keptDims, dim));
    return getUnitDimGroups(kept);
  }

  Value constant(double value) {
    return createFloatConstant(b, loc, computeType, value);
  }

  /// x in the compute type, times `scale` when there is one.
  Value scaledInput(OpBuilder &nb, Location nloc, Value x, Value scale) const {
    x = convertFloat(nb, nloc, x, computeType);
    return scale ? arith::MulFOp::create(nb, nloc, x, scale).getResult() : x;
  }

  /// [mean of x (centered)], moment of x * scale, per row; `scale` null for
  /// the unscaled first evaluation.
  SmallVector<Value> computeScaledMoments(bool centered, Value scale) {
    SmallVector<Value> scales;
    if (scale)
      scales.push_back(scale);
    Value mean;
    if (centered) {
      Value sum = reduceRows(
          scales, [&](OpBuilder &nb, Location nloc, ValueRange args) {
            return scaledInput(nb, nloc, args[0], scale ? args[1] : Value());
          });
      mean = meanOfRows(sum);
    }
    // Block arguments: x, [mean], [scale].
    SmallVector<Value> rowValues;
    if (mean)
      rowValues.push_back(mean);
    llvm::append_range(rowValues, scales);
    Value squares = reduceRows(rowValues, [&](OpBuilder &nb, Location nloc,
                                              ValueRange args) {
      Value x = scaledInput(nb, nloc, args[0], scale ? args.back() : Value());
      return createSquaredDeviation(nb, nloc, x, mean ? args[1] : Value());
    });
    Value moment = meanOfRows(squares);
    if (!mean)
      return {moment};
    // The mean itself is returned unscaled (exact: the scale is a power of
    // two), so that the common, unscaled path has no division.
    return {scale ? unscale(mean, scale) : mean, moment};
  }

  /// The tensors read per element: the input, and the residual if any.
  SmallVector<Value> getElementInputs() const {
    SmallVector<Value> inputs = {input};
    if (residual)
      inputs.push_back(residual);
    return inputs;
  }

  /// The element normalized, in the input element type, from the block
  /// arguments of getElementInputs().
  Value loadElement(OpBuilder &nb, Location nloc, ValueRange args) const {
    if (!residual)
      return args[0];
    return createResidualSumElement(nb, nloc, elementType, args[0], args[1],
                                    residualScale);
  }

  /// `args` with the element inputs' arguments replaced by the element.
  SmallVector<Value> withElement(OpBuilder &nb, Location nloc,
                                 ValueRange args) const {
    unsigned n = residual ? 2 : 1;
    SmallVector<Value> result = {loadElement(nb, nloc, args.take_front(n))};
    llvm::append_range(result, args.drop_front(n));
    return result;
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
  Value reduceRows(ValueRange rowValues, BodyFn term, CombineFn combine) {
    Value init = linalg::FillOp::create(b, loc, constant(0.0),
                                        createEmptyRows(computeType))
                     .getResult(0);
    SmallVector<Value> inputs = getElementInputs();
    SmallVector<AffineMap> maps(inputs.size(), identityMap);
    llvm::append_range(inputs, rowValues);
    maps.append(rowValues.size() + 1, rowMap);
    SmallVector<utils::IteratorType> iterators(inputType.getRank(),
                                               utils::IteratorType::parallel);
    for (int64_t axis : axes)
      iterators[axis] = utils::IteratorType::reduction;
    auto generic = linalg::GenericOp::create(
        b, loc, init.getType(), inputs, init, maps, iterators,
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          SmallVector<Value> terms = withElement(nb, nloc, args.drop_back());
          Value acc = combine(nb, nloc, args.back(), term(nb, nloc, terms));
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

  /// Divides per-row values by per-row scales.
  Value unscale(Value values, Value scales) {
    return mapRows(
        {values, scales}, [&](OpBuilder &nb, Location nloc, ValueRange args) {
          return arith::DivFOp::create(nb, nloc, args[0], args[1]).getResult();
        });
  }

  /// Per-row statistics `compute(scale)` of x * scale, whose last value is
  /// the moment, and the per-row scale. The first evaluation is unscaled
  /// (null scale; the scales returned are 1). Only when some row's moment is
  /// not finite (its squares or sum overflowed the compute type) does an
  /// scf.if evaluate it again with per-row powers of two: ordinary data pays
  /// one check per call, and rows that were finite, or hold a NaN or an
  /// infinity, get scale 1 and the same values again.
  SmallVector<Value>
  computeWithOverflowGuard(function_ref<SmallVector<Value>(Value)> compute) {
    SmallVector<Value> values = compute(Value());
    if (!overflowGuard) {
      values.push_back(linalg::FillOp::create(b, loc, constant(1.0),
                                              createEmptyRows(computeType))
                           .getResult(0));
      return values;
    }
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
          Value bad = arith::SelectOp::create(
              nb, nloc, createIsFinite(nb, nloc, args[0]),
              createFloatConstant(nb, nloc, computeType, 0.0),
              createFloatConstant(nb, nloc, computeType, 1.0));
          linalg::YieldOp::create(
              nb, nloc,
              arith::AddFOp::create(nb, nloc, args[1], bad).getResult());
        });
    Value total =
        tensor::ExtractOp::create(b, loc, count.getResult(0), ValueRange{});
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, total,
                                 constant(0.0));
  }

  /// Per-row scales (createOverflowScale) from the rows' largest magnitudes.
  Value overflowScales(Value moment) {
    Value maxAbs = reduceRows(
        {},
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          return math::AbsFOp::create(nb, nloc,
                                      scaledInput(nb, nloc, args[0], Value()))
              .getResult();
        },
        [](OpBuilder &nb, Location nloc, Value acc, Value value) -> Value {
          return arith::MaximumFOp::create(nb, nloc, acc, value);
        });
    return mapRows({moment, maxAbs},
                   [&](OpBuilder &nb, Location nloc, ValueRange args) {
                     return createOverflowScale(nb, nloc, args[0], args[1]);
                   });
  }

  /// The final elementwise op over the input: `fn(x, rowArgs, paramArgs)`
  /// in the compute type, where paramArgs holds the compute-type values of
  /// `params` (null where a param is absent), converted back to the input
  /// element type; with a residual, a second result holds the sum.
  SmallVector<Value>
  mapElements(ValueRange rowValues, ArrayRef<Value> params,
              function_ref<Value(OpBuilder &, Location, Value x,
                                 ValueRange rowArgs, ArrayRef<Value> paramArgs)>
                  fn) {
    SmallVector<Value> inits = {
        tensor::EmptyOp::create(b, loc, inputSizes, elementType)};
    if (residual)
      inits.push_back(tensor::EmptyOp::create(b, loc, inputSizes, elementType));
    SmallVector<Value> inputs = getElementInputs();
    unsigned numElementInputs = inputs.size();
    SmallVector<AffineMap> maps(numElementInputs, identityMap);
    llvm::append_range(inputs, rowValues);
    maps.append(rowValues.size(), rowMap);
    for (Value param : params) {
      if (!param)
        continue;
      inputs.push_back(widenOutsideLoops(param));
      maps.push_back(getParameterMap(param));
    }
    maps.append(inits.size(), identityMap);
    SmallVector<utils::IteratorType> iterators(inputType.getRank(),
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        b, loc, ValueRange(inits).getTypes(), inputs, inits, maps, iterators,
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          Value element =
              loadElement(nb, nloc, args.take_front(numElementInputs));
          Value x = convertFloat(nb, nloc, element, computeType);
          ValueRange rowArgs = args.slice(numElementInputs, rowValues.size());
          SmallVector<Value> paramArgs;
          unsigned next = numElementInputs + rowValues.size();
          for (Value param : params)
            paramArgs.push_back(
                param ? convertFloat(nb, nloc, args[next++], computeType)
                      : Value());
          Value y = fn(nb, nloc, x, rowArgs, paramArgs);
          SmallVector<Value> yields = {convertFloat(nb, nloc, y, elementType)};
          if (residual)
            yields.push_back(element);
          linalg::YieldOp::create(nb, nloc, yields);
        });
    return SmallVector<Value>(generic.getResults());
  }

  /// `param` in the compute type, converted before the outermost loop
  /// (norm-tile-rows' row loops) that it is defined outside of: once per
  /// call rather than once per row. In bf16 every widening costs a shuffle
  /// on the port that the output's narrowing also needs; widening is exact,
  /// so the results do not change. Outside loops (untiled ops, as on GPUs)
  /// `param` stays as it is and the output op widens it.
  Value widenOutsideLoops(Value param) {
    Operation *outermost = nullptr;
    Operation *definer = param.getParentBlock()->getParentOp();
    for (Operation *op = b.getInsertionBlock()->getParentOp();
         op && !op->isAncestor(definer); op = op->getParentOp())
      if (isa<LoopLikeOpInterface>(op))
        outermost = op;
    if (!outermost)
      return param;
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(outermost);
    return convertTensor(b, loc, param, computeType);
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

  /// 1 / max(N, 1), N the number of normalized elements of a row.
  Value createRowInverseCount() {
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
      return constant(getInverseCount(staticCount));
    Value count = arith::MulIOp::create(
        b, loc, dynamicCount,
        arith::ConstantIndexOp::create(b, loc, staticCount));
    return createInverseCount(b, loc, count, computeType);
  }

  OpBuilder &b;
  Location loc;
  Value input;
  /// The residual of a fused residual op (else null), and its factor.
  Value residual;
  double residualScale;
  RankedTensorType inputType;
  FloatType elementType;
  FloatType computeType;
  SmallVector<int64_t> axes;
  SmallVector<int64_t> keptDims;
  /// Whether the scale factor is 1 + scale.
  bool scaleOffset;
  SmallVector<OpFoldResult> inputSizes;
  AffineMap identityMap;
  AffineMap rowMap;
  Value invCount;
  /// Whether rows whose moments overflow are summed again, scaled.
  bool overflowGuard;
};

} // namespace mlir::norm

#endif // NORM_LIB_CONVERSION_NORMTOLINALG_NORMLOWERING_H
