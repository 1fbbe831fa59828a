//===- TileGradRows.cpp - Gradient ops into deterministic row tasks -------===//
//
// A gradient op's dx is per row, like a forward op's output, but its
// parameter gradients sum over all rows: a row tile of the op would not
// compute them. Here the op becomes
//
//   scf.forall (%task) shared_outs(dx, partial sums [tasks, param...]) {
//     scf.for %row in task iter_args(dx rows, sums [param...]) {
//       norm.*_grad on one row, parameters in the compute type
//       sums += the row's parameter gradients
//     }
//   }
//   parameter gradient = sum over tasks of the partial sums, in task order
//
// (the gradient of a fused residual op also has its residual's gradient, when
// used, next to dx), where a task is a slab of the first kept dim (all of the
// other kept dims) and its rows are walked in order. (The kept dims are not
// collapsed into one: MLIR 22's expand-strided-metadata crashes on the collapse
// of dynamic memrefs.) Tasks are sized from the shape alone: every thread count
// adds the same numbers in the same order.
//
//===----------------------------------------------------------------------===//

#include "RowTasks.h"
#include "norm/Dialect/Norm/Utils/Numerics.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "norm-tile-rows"

using namespace mlir;
using namespace mlir::norm;

namespace {
/// Builds the tiled form of one gradient op.
class GradTiler {
public:
  GradTiler(RewriterBase &rewriter, NormalizationGradOpInterface op)
      : b(rewriter), loc(op.getLoc()), op(op),
        computeType(op.getEffectiveComputeType()),
        numAxes(op.getCanonicalAxes().size()),
        numKept(op.getInputType().getRank() - numAxes),
        numRowResults(
            op.hasResidual() && !op.getResidualGrad().use_empty() ? 2 : 1) {}

  LogicalResult tile(int64_t taskBytes, int64_t maxTasks) {
    SmallVector<Value> params;
    for (Value param : op.getParameters())
      if (param)
        params.push_back(toComputeType(param));

    // Slabs of `slabRows` of the first kept dim, `rest` rows each.
    Value input = op.getInput();
    Value outer = tensor::DimOp::create(b, loc, input, 0);
    Value rest = index(1);
    for (int64_t d = 1; d < numKept; ++d)
      rest = arith::MulIOp::create(b, loc, rest,
                                   tensor::DimOp::create(b, loc, input, d));
    Value rowsPerTask = getValueOrCreateConstantIndexOp(
        b, loc,
        getRowsPerTask(b, loc, input, op.getCanonicalAxes(), taskBytes));
    Value slabRows = arith::MaxUIOp::create(
        b, loc, index(1),
        arith::DivUIOp::create(b, loc, rowsPerTask,
                               arith::MaxUIOp::create(b, loc, rest, index(1))));
    // At most maxTasks tasks.
    slabRows = arith::MaxUIOp::create(b, loc, slabRows,
                                      ceilDiv(outer, index(maxTasks)));
    Value numTasks = ceilDiv(outer, slabRows);
    zero = index(0);
    one = index(1);
    LLVM_DEBUG(llvm::dbgs()
               << "[" DEBUG_TYPE "] " << op->getName() << " at " << loc
               << ": tasks of rows, grad-task-bytes " << taskBytes
               << ", at most " << maxTasks << " tasks\n");

    SmallVector<Value> outputs;
    for (unsigned k = 0; k < numRowResults; ++k)
      outputs.push_back(
          tensor::EmptyOp::create(b, loc, tensor::getMixedSizes(b, loc, input),
                                  op.getInputType().getElementType()));
    for (Value param : params) {
      SmallVector<OpFoldResult> sizes = {numTasks};
      llvm::append_range(sizes, tensor::getMixedSizes(b, loc, param));
      outputs.push_back(tensor::EmptyOp::create(b, loc, sizes, computeType));
    }
    auto forall = scf::ForallOp::create(
        b, loc, ArrayRef<OpFoldResult>{numTasks}, outputs, std::nullopt,
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          buildTask(nb, args[0], args.drop_front(), slabRows, outer, rest,
                    params);
        });

    SmallVector<Value> results = {forall.getResult(0)};
    // The residual's gradient: computed when used, else any value of its
    // type (dx) stands in.
    if (op.hasResidual())
      results.push_back(forall.getResult(numRowResults - 1));
    unsigned next = numRowResults;
    for (Value param : op.getParameters())
      if (param)
        results.push_back(sumTasks(forall.getResult(next++), param));
    b.replaceOp(op, results);
    return success();
  }

private:
  /// One task: the slab [t * slabRows, min(+slabRows, outer)) of the first
  /// kept dim, walked row by row.
  void buildTask(OpBuilder &nb, Value task, ValueRange shared, Value slabRows,
                 Value outer, Value rest, ArrayRef<Value> params) {
    OpBuilder::InsertionGuard guard(nb);
    Value first = arith::MulIOp::create(nb, loc, task, slabRows);
    Value count = arith::MinUIOp::create(
        nb, loc, slabRows, arith::SubIOp::create(nb, loc, outer, first));
    SmallVector<Value> iterArgs;
    for (unsigned k = 0; k < numRowResults; ++k)
      iterArgs.push_back(extractSlab(nb, shared[k], first, count));
    for (Value param : params)
      iterArgs.push_back(
          linalg::FillOp::create(
              nb, loc, createFloatConstant(nb, loc, computeType, 0.0),
              tensor::EmptyOp::create(
                  nb, loc, tensor::getMixedSizes(nb, loc, param), computeType)
                  .getResult())
              .getResult(0));
    // The row's index in the slab: (first-dim offset, other kept dims).
    SmallVector<OpFoldResult> basis = {count};
    for (int64_t d = 1; d < numKept; ++d)
      basis.push_back(tensor::getMixedSize(nb, loc, op.getInput(), d));
    Value numRows = arith::MulIOp::create(nb, loc, count, rest);
    auto loop = scf::ForOp::create(
        nb, loc, zero, numRows, one, iterArgs,
        [&](OpBuilder &lb, Location lloc, Value i, ValueRange acc) {
          ValueRange inSlab =
              affine::AffineDelinearizeIndexOp::create(lb, lloc, i, basis)
                  .getResults();
          SmallVector<Value> row(inSlab);
          row[0] = arith::AddIOp::create(lb, lloc, first, inSlab[0]);
          // Operands in the op's order: dy, [sum_grad], x, parameters,
          // statistics.
          SmallVector<Value> operands = {
              extractRow(lb, op.getOutputGrad(), row)};
          if (Value sumGrad = op.getSumGrad())
            operands.push_back(extractRow(lb, sumGrad, row));
          Value inputRow = extractRow(lb, op.getInput(), row);
          operands.push_back(inputRow);
          llvm::append_range(operands, params);
          for (Value statistic : op.getStatistics())
            operands.push_back(extractRow(lb, statistic, row));
          SmallVector<Type> types(op.hasResidual() ? 2 : 1, inputRow.getType());
          for (Value param : params)
            types.push_back(param.getType());
          Operation *rowOp = mlir::clone(lb, op, types, operands);
          SmallVector<Value> yields;
          for (unsigned k = 0; k < numRowResults; ++k)
            yields.push_back(insertRow(lb, rowOp->getResult(k), acc[k],
                                       SmallVector<Value>(inSlab)));
          unsigned firstParamGrad = types.size() - params.size();
          for (unsigned k = numRowResults; k < acc.size(); ++k)
            yields.push_back(
                add(lb, acc[k],
                    rowOp->getResult(firstParamGrad + k - numRowResults)));
          scf::YieldOp::create(lb, lloc, yields);
        });

    // shared_outs: dx of the slab, the task's partial sums. (Sizes are built
    // first: the terminator holds parallel inserts only.)
    SmallVector<SmallVector<OpFoldResult>> sizes;
    for (Value result : loop.getResults())
      sizes.push_back(tensor::getMixedSizes(nb, loc, result));
    for (unsigned k = numRowResults; k < sizes.size(); ++k)
      sizes[k].insert(sizes[k].begin(), nb.getIndexAttr(1));
    auto inParallel = scf::InParallelOp::create(nb, loc);
    nb.setInsertionPointToStart(inParallel.getBody());
    for (unsigned k = 0; k < shared.size(); ++k)
      insertParallel(nb, loop.getResult(k), shared[k],
                     k < numRowResults ? first : task, sizes[k]);
  }

  /// Sums the task dim (0) of `partials` in order and converts the sum to
  /// `param`'s type.
  Value sumTasks(Value partials, Value param) {
    auto paramType = cast<RankedTensorType>(param.getType());
    int64_t rank = paramType.getRank();
    Value init =
        linalg::FillOp::create(
            b, loc, createFloatConstant(b, loc, computeType, 0.0),
            tensor::EmptyOp::create(
                b, loc, tensor::getMixedSizes(b, loc, param), computeType)
                .getResult())
            .getResult(0);
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 1; d <= rank; ++d)
      exprs.push_back(b.getAffineDimExpr(d));
    SmallVector<AffineMap> maps = {
        b.getMultiDimIdentityMap(rank + 1),
        AffineMap::get(rank + 1, 0, exprs, b.getContext())};
    SmallVector<utils::IteratorType> iterators(rank + 1,
                                               utils::IteratorType::parallel);
    iterators[0] = utils::IteratorType::reduction;
    Value sum = linalg::GenericOp::create(
                    b, loc, init.getType(), partials, init, maps, iterators,
                    [&](OpBuilder &nb, Location nloc, ValueRange args) {
                      linalg::YieldOp::create(
                          nb, nloc,
                          arith::AddFOp::create(nb, nloc, args[1], args[0])
                              .getResult());
                    })
                    .getResult(0);
    return convertTensor(b, loc, sum,
                         cast<FloatType>(paramType.getElementType()));
  }

  /// `param` converted to the compute type (elementwise).
  Value toComputeType(Value param) {
    return convertTensor(b, loc, param, computeType);
  }

  /// lhs + rhs, elementwise, into lhs.
  Value add(OpBuilder &nb, Value lhs, Value rhs) {
    int64_t rank = cast<RankedTensorType>(lhs.getType()).getRank();
    SmallVector<AffineMap> maps(2, nb.getMultiDimIdentityMap(rank));
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    return linalg::GenericOp::create(
               nb, loc, lhs.getType(), rhs, lhs, maps, iterators,
               [&](OpBuilder &bb, Location bloc, ValueRange args) {
                 linalg::YieldOp::create(
                     bb, bloc,
                     arith::AddFOp::create(bb, bloc, args[1], args[0])
                         .getResult());
               })
        .getResult(0);
  }

  /// Rows [first, first + count) of the first dim of `value`.
  Value extractSlab(OpBuilder &nb, Value value, Value first, Value count) {
    int64_t rank = cast<RankedTensorType>(value.getType()).getRank();
    SmallVector<OpFoldResult> offsets(rank, nb.getIndexAttr(0));
    SmallVector<OpFoldResult> strides(rank, nb.getIndexAttr(1));
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(nb, loc, value);
    offsets[0] = first;
    sizes[0] = count;
    return tensor::ExtractSliceOp::create(nb, loc, value, offsets, sizes,
                                          strides);
  }

  /// The row at kept indices `row` of `value` (input- or statistics-shaped),
  /// keeping its rank: unit kept dims.
  Value extractRow(OpBuilder &nb, Value value, ArrayRef<Value> row) {
    auto [offsets, sizes, strides] = rowSlice(nb, value, row);
    return tensor::ExtractSliceOp::create(nb, loc, value, offsets, sizes,
                                          strides);
  }

  Value insertRow(OpBuilder &nb, Value rowValue, Value into,
                  ArrayRef<Value> row) {
    auto [offsets, sizes, strides] = rowSlice(nb, into, row);
    return tensor::InsertSliceOp::create(nb, loc, rowValue, into, offsets,
                                         sizes, strides);
  }

  std::tuple<SmallVector<OpFoldResult>, SmallVector<OpFoldResult>,
             SmallVector<OpFoldResult>>
  rowSlice(OpBuilder &nb, Value value, ArrayRef<Value> row) {
    int64_t rank = cast<RankedTensorType>(value.getType()).getRank();
    SmallVector<OpFoldResult> offsets(rank, nb.getIndexAttr(0));
    SmallVector<OpFoldResult> strides(rank, nb.getIndexAttr(1));
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(nb, loc, value);
    for (int64_t d = 0; d < numKept; ++d) {
      offsets[d] = row[d];
      sizes[d] = nb.getIndexAttr(1);
    }
    return {offsets, sizes, strides};
  }

  /// Inserts `value` at [first, 0, ...] of `into` with `sizes` (a
  /// rank-reduced insert when `value` has no row dim).
  void insertParallel(OpBuilder &nb, Value value, Value into, Value first,
                      ArrayRef<OpFoldResult> sizes) {
    int64_t rank = cast<RankedTensorType>(into.getType()).getRank();
    SmallVector<OpFoldResult> offsets(rank, nb.getIndexAttr(0));
    SmallVector<OpFoldResult> strides(rank, nb.getIndexAttr(1));
    offsets[0] = first;
    tensor::ParallelInsertSliceOp::create(nb, loc, value, into, offsets, sizes,
                                          strides);
  }

  Value ceilDiv(Value lhs, Value rhs) {
    return arith::CeilDivUIOp::create(b, loc, lhs, rhs);
  }

  Value index(int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value);
  }

  RewriterBase &b;
  Location loc;
  /// Index constants, created before the forall.
  Value zero, one;
  NormalizationGradOpInterface op;
  FloatType computeType;
  int64_t numAxes, numKept;
  /// dx, and the residual's gradient when it is computed.
  unsigned numRowResults;
};
} // namespace

LogicalResult mlir::norm::tileGradIntoRowTasks(RewriterBase &rewriter,
                                               NormalizationGradOpInterface op,
                                               int64_t taskBytes,
                                               int64_t maxTasks) {
  // Trailing axes, at least one row dim, nothing statically empty; other
  // forms are lowered whole.
  SmallVector<int64_t> axes = op.getCanonicalAxes();
  int64_t rank = op.getInputType().getRank();
  int64_t numKept = rank - static_cast<int64_t>(axes.size());
  if (numKept == 0 || axes.front() != numKept ||
      llvm::is_contained(op.getInputType().getShape(), 0))
    return success();
  rewriter.setInsertionPoint(op);
  return GradTiler(rewriter, op)
      .tile(taskBytes, std::max<int64_t>(1, maxTasks));
}
