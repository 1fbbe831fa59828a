//===- RaiseMatchers.cpp - Views of decomposed normalizations -------------===//
//
// Every linalg op is read through LinalgOp (indexing maps, iterator types and
// payload), so linalg.generic, the named elementwise ops, linalg.elementwise,
// linalg.broadcast and linalg.reduce share one reading.
//
//===----------------------------------------------------------------------===//

#include "RaiseMatchers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::norm;
using namespace mlir::norm::raise;

Term Term::getFull(Value value) {
  int64_t rank = cast<ShapedType>(value.getType()).getRank();
  return {value, llvm::to_vector(llvm::seq<int64_t>(0, rank))};
}

bool Term::isFull(int64_t rank) const {
  return llvm::equal(dims, llvm::seq<int64_t>(0, rank));
}

namespace {
/// The kind of a scalar arith/math op, if it is one the views know.
std::optional<ElementwiseKind> getKind(Operation *op) {
  return llvm::TypeSwitch<Operation *, std::optional<ElementwiseKind>>(op)
      .Case([](arith::AddFOp) { return ElementwiseKind::Add; })
      .Case([](arith::SubFOp) { return ElementwiseKind::Sub; })
      .Case([](arith::MulFOp) { return ElementwiseKind::Mul; })
      .Case([](arith::DivFOp) { return ElementwiseKind::Div; })
      .Case([](math::SqrtOp) { return ElementwiseKind::Sqrt; })
      .Case([](math::RsqrtOp) { return ElementwiseKind::Rsqrt; })
      .Case([](math::PowFOp) { return ElementwiseKind::Pow; })
      .Case([](math::FPowIOp) { return ElementwiseKind::Pow; })
      .Case([](arith::ExtFOp) { return ElementwiseKind::ExtF; })
      .Case([](arith::TruncFOp op) -> std::optional<ElementwiseKind> {
        // The norm ops round their result to nearest, ties to even.
        arith::RoundingModeAttr mode = op.getRoundingmodeAttr();
        if (mode && mode.getValue() != arith::RoundingMode::to_nearest_even)
          return std::nullopt;
        return ElementwiseKind::TruncF;
      })
      .Default([](Operation *) { return std::nullopt; });
}

/// A float or integer scalar constant as a double (exact for every float
/// type the norm ops take).
std::optional<Constant> getScalarConstant(Attribute attr) {
  if (auto splat = dyn_cast_if_present<SplatElementsAttr>(attr))
    attr = splat.getSplatValue<Attribute>();
  if (auto f = dyn_cast_if_present<FloatAttr>(attr))
    return Constant{f.getValueAsDouble()};
  if (auto i = dyn_cast_if_present<IntegerAttr>(attr))
    return Constant{static_cast<double>(i.getInt())};
  return std::nullopt;
}

/// `value` as a constant: a scalar or splat constant, or a fill of one.
std::optional<Constant> getConstant(Value value) {
  Attribute attr;
  if (matchPattern(value, m_Constant(&attr)))
    return getScalarConstant(attr);
  if (auto fill = value.getDefiningOp<linalg::FillOp>())
    return getConstant(fill.getInputs()[0]);
  return std::nullopt;
}

/// The output dim indexing each loop of `op`, given the output dims indexing
/// its single result (`resultDims`); null unless the result's indexing map is
/// a permutation.
std::optional<SmallVector<int64_t>> getLoopDims(linalg::LinalgOp op,
                                                ArrayRef<int64_t> resultDims) {
  AffineMap map = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (!map.isPermutation())
    return std::nullopt;
  SmallVector<int64_t> loopDims(op.getNumLoops(), -1);
  for (auto [i, expr] : llvm::enumerate(map.getResults()))
    loopDims[cast<AffineDimExpr>(expr).getPosition()] = resultDims[i];
  return loopDims;
}

/// The term of `operand` of `op` whose loops index the output dims
/// `loopDims`; null if a map result is neither a loop nor the constant 0.
std::optional<Term> getOperandTerm(linalg::LinalgOp op, OpOperand &operand,
                                   ArrayRef<int64_t> loopDims) {
  Term term{operand.get(), {}};
  for (AffineExpr expr : op.getMatchingIndexingMap(&operand).getResults()) {
    if (auto dim = dyn_cast<AffineDimExpr>(expr))
      term.dims.push_back(loopDims[dim.getPosition()]);
    else if (auto cst = dyn_cast<AffineConstantExpr>(expr);
             cst && cst.getValue() == 0)
      term.dims.push_back(-1);
    else
      return std::nullopt;
  }
  return term;
}

/// A linalg op with all-parallel loops and one init that the payload does
/// not read (it only gives the result's shape).
bool isElementwiseLinalg(linalg::LinalgOp op) {
  return op && op.getNumDpsInits() == 1 && op->getNumResults() == 1 &&
         op.getNumLoops() == op.getNumParallelLoops() &&
         !op.payloadUsesValueFromOperand(op.getDpsInitOperand(0));
}

/// Looks through one broadcast or unit-dim expansion of `term`; null if
/// `term` is not defined by one.
std::optional<Term> peelOneBroadcast(const Term &term) {
  Operation *def = term.value.getDefiningOp();
  if (auto expand = dyn_cast_if_present<tensor::ExpandShapeOp>(def)) {
    // Each group expands one source dim into it and unit dims: the source dim
    // is indexed like its group's only dim that is not a static 1.
    Term source{expand.getSrc(), {}};
    ArrayRef<int64_t> shape = expand.getResultType().getShape();
    for (const ReassociationIndices &group : expand.getReassociationIndices()) {
      auto nonUnit = llvm::make_filter_range(
          group, [&](int64_t dim) { return shape[dim] != 1; });
      int64_t count = llvm::range_size(nonUnit);
      if (count > 1)
        return std::nullopt;
      source.dims.push_back(count ? term.dims[*nonUnit.begin()] : -1);
    }
    return source;
  }
  auto linalgOp = dyn_cast_if_present<linalg::LinalgOp>(def);
  if (!isElementwiseLinalg(linalgOp) || linalgOp.getNumDpsInputs() != 1)
    return std::nullopt;
  // A copy: the payload yields its input unchanged.
  auto yield = cast<linalg::YieldOp>(linalgOp.getBlock()->getTerminator());
  if (yield.getValues()[0] != linalgOp.getBlock()->getArgument(0))
    return std::nullopt;
  std::optional<SmallVector<int64_t>> loopDims =
      getLoopDims(linalgOp, term.dims);
  if (!loopDims)
    return std::nullopt;
  return getOperandTerm(linalgOp, *linalgOp.getDpsInputOperand(0), *loopDims);
}

/// Looks through every broadcast of `term`, appending them to `ops`.
Term peelBroadcasts(Term term, SmallVectorImpl<Operation *> &ops) {
  while (std::optional<Term> source = peelOneBroadcast(term)) {
    ops.push_back(term.value.getDefiningOp());
    term = *source;
  }
  return term;
}

/// The operand `value` with `dims`: a constant, or a tensor after its
/// broadcasts.
ElementwiseOperand getOperand(Term term, SmallVectorImpl<Operation *> &ops) {
  if (std::optional<Constant> constant = getConstant(term.value))
    return {std::nullopt, constant};
  return {peelBroadcasts(std::move(term), ops), std::nullopt};
}

std::optional<Elementwise>
matchLinalgElementwise(linalg::LinalgOp op, const Term &term,
                       SmallVectorImpl<Operation *> &ops) {
  if (!isElementwiseLinalg(op))
    return std::nullopt;
  std::optional<SmallVector<int64_t>> loopDims = getLoopDims(op, term.dims);
  if (!loopDims)
    return std::nullopt;
  // The payload is one computation (plus the constants it uses) yielded.
  Block *body = op.getBlock();
  Value yielded = body->getTerminator()->getOperand(0);
  Operation *scalar = yielded.getDefiningOp();
  if (!scalar || scalar->getBlock() != body || scalar->getNumResults() != 1)
    return std::nullopt;
  for (Operation &other : body->without_terminator())
    if (&other != scalar && !isa<arith::ConstantOp>(other))
      return std::nullopt;
  std::optional<ElementwiseKind> kind = getKind(scalar);
  if (!kind)
    return std::nullopt;

  Elementwise result{*kind, {}};
  for (Value operand : scalar->getOperands()) {
    auto arg = dyn_cast<BlockArgument>(operand);
    if (!arg || arg.getOwner() != body) {
      // Defined in the payload or captured from above: only constants.
      std::optional<Constant> constant = getConstant(operand);
      if (!constant)
        return std::nullopt;
      result.operands.push_back({std::nullopt, constant});
      continue;
    }
    OpOperand *opOperand = op.getMatchingOpOperand(arg);
    std::optional<Term> operandTerm = getOperandTerm(op, *opOperand, *loopDims);
    if (!operandTerm)
      return std::nullopt;
    result.operands.push_back(getOperand(*operandTerm, ops));
  }
  return result;
}

std::optional<Elementwise>
matchTensorElementwise(Operation *op, const Term &term,
                       SmallVectorImpl<Operation *> &ops) {
  std::optional<ElementwiseKind> kind = getKind(op);
  if (!kind)
    return std::nullopt;
  // arith and math ops on tensors take operands of the result's shape.
  Elementwise result{*kind, {}};
  for (Value operand : op->getOperands())
    result.operands.push_back(getOperand({operand, term.dims}, ops));
  return result;
}
} // namespace

std::optional<Elementwise>
mlir::norm::raise::matchElementwise(const Term &term,
                                    SmallVectorImpl<Operation *> &ops) {
  Operation *def = term.value.getDefiningOp();
  if (!def)
    return std::nullopt;
  size_t numOps = ops.size();
  ops.push_back(def);
  std::optional<Elementwise> result;
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(def))
    result = matchLinalgElementwise(linalgOp, term, ops);
  else if (isa<RankedTensorType>(term.value.getType()))
    result = matchTensorElementwise(def, term, ops);
  if (!result)
    ops.truncate(numOps);
  return result;
}

std::optional<Sum>
mlir::norm::raise::matchSum(const Term &term, ArrayRef<int64_t> outputShape,
                            SmallVectorImpl<Operation *> &ops) {
  auto op = term.value.getDefiningOp<linalg::LinalgOp>();
  if (!op || op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() == 0)
    return std::nullopt;
  // The input is indexed like the output: its loops are the output's dims.
  OpOperand *input = op.getDpsInputOperand(0);
  OpOperand *init = op.getDpsInitOperand(0);
  auto inputType = dyn_cast<RankedTensorType>(input->get().getType());
  if (!inputType || inputType.getShape() != outputShape ||
      !op.getMatchingIndexingMap(input).isIdentity())
    return std::nullopt;
  std::optional<Term> initTerm = getOperandTerm(
      op, *init, llvm::to_vector(llvm::seq<int64_t>(0, op.getNumLoops())));
  if (!initTerm || initTerm->dims != ArrayRef(term.dims))
    return std::nullopt;
  // The init keeps every parallel loop once, in order (and no reduced one).
  SmallVector<unsigned> parallel;
  op.getParallelDims(parallel);
  if (!llvm::equal(llvm::make_filter_range(
                       initTerm->dims, [](int64_t dim) { return dim >= 0; }),
                   parallel))
    return std::nullopt;
  std::optional<Constant> initValue = getConstant(init->get());
  if (!initValue || initValue->value != 0.0)
    return std::nullopt;

  // The payload adds the input element to the accumulator.
  Block *body = op.getBlock();
  auto add =
      body->getTerminator()->getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add || add->getBlock() != body || body->getOperations().size() != 2)
    return std::nullopt;
  Value in = op.getMatchingBlockArgument(input);
  Value acc = op.getMatchingBlockArgument(init);
  if (!((add.getLhs() == in && add.getRhs() == acc) ||
        (add.getLhs() == acc && add.getRhs() == in)))
    return std::nullopt;
  ops.push_back(op);
  SmallVector<unsigned> reduced;
  op.getReductionDims(reduced);
  return Sum{input->get(), llvm::to_vector_of<int64_t>(reduced)};
}
