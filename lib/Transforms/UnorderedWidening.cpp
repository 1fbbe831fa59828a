//===- UnorderedWidening.cpp - bf16 widening where lane order is free -----===//
//
// A bf16 is the upper half of an f32, so the even elements of a vector of
// bf16 read as i32 lanes become f32 by a left shift and the odd ones by
// masking the low half: two integer ops per 32 elements, against two
// zero-extending shuffles and two shifts for an in-order widening. The
// result holds the elements in the order (0, 2, 4, ..., 1, 3, 5, ...), which
// is harmless wherever the widened values only flow, lane-wise, into a loop
// accumulator that is reduced across all its lanes after the loop: the
// sums, squares and maxima of the statistics passes.
//
//===----------------------------------------------------------------------===//

#include "norm/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMUNORDEREDWIDENING
#include "norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;

/// Whether every lane of `value` (a vector) holds the same value: a splat
/// constant, a broadcast of a scalar or of a one-element vector, a transfer
/// read that broadcasts one element, or a lane-wise op of such values.
static bool isLaneInvariant(Value value, int depth = 0) {
  if (depth > 8)
    return false;
  Operation *def = value.getDefiningOp();
  if (!def)
    return false;
  DenseElementsAttr constant;
  if (matchPattern(value, m_Constant(&constant)))
    return constant.isSplat();
  if (auto broadcast = dyn_cast<vector::BroadcastOp>(def)) {
    auto source = dyn_cast<VectorType>(broadcast.getSourceType());
    return !source || source.getNumElements() == 1;
  }
  if (auto read = dyn_cast<vector::TransferReadOp>(def))
    return llvm::all_of(read.getPermutationMap().getResults(),
                        [](AffineExpr e) {
                          auto c = dyn_cast<AffineConstantExpr>(e);
                          return c && c.getValue() == 0;
                        });
  if (OpTrait::hasElementwiseMappableTraits(def))
    return llvm::all_of(def->getOperands(), [&](Value operand) {
      return !isa<VectorType>(operand.getType()) ||
             isLaneInvariant(operand, depth + 1);
    });
  return false;
}

/// Whether `result` (a loop result holding a lane-permuted accumulator) is
/// only reduced across all its lanes: `vector.reduction`, or a
/// `vector.multi_reduction` of it or of its broadcast to unit leading dims
/// over every non-unit dim.
static bool isOnlyFullyReduced(Value result) {
  return llvm::all_of(result.getUsers(), [](Operation *user) {
    if (isa<vector::ReductionOp>(user))
      return true;
    Value reduced = user->getResult(0);
    if (auto broadcast = dyn_cast<vector::BroadcastOp>(user)) {
      auto type = cast<VectorType>(broadcast.getType());
      if (llvm::any_of(type.getShape().drop_back(),
                       [](int64_t d) { return d != 1; }) ||
          !reduced.hasOneUse())
        return false;
      user = *reduced.getUsers().begin();
    }
    auto reduction = dyn_cast<vector::MultiDimReductionOp>(user);
    if (!reduction)
      return false;
    VectorType type = reduction.getSourceVectorType();
    for (auto [dim, size] : llvm::enumerate(type.getShape()))
      if (size != 1 && !reduction.isReducedDim(dim))
        return false;
    return true;
  });
}

/// Whether the lanes of `widened` may be permuted: every value computed from
/// it in `loop`'s body, lane-wise with lane-invariant values or other such
/// values, ends in accumulators that start lane-invariant and are only
/// reduced across all lanes after the loop.
static bool isLaneOrderFree(Value widened, scf::ForOp loop) {
  ArrayRef<int64_t> shape = cast<VectorType>(widened.getType()).getShape();
  SmallVector<Value> worklist{widened};
  llvm::DenseSet<Value> permuted{widened};
  // Operands that must turn out permuted too (accumulators met before their
  // yield).
  SmallVector<Value> required;
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (OpOperand &use : value.getUses()) {
      Operation *user = use.getOwner();
      if (user == loop.getBody()->getTerminator()) {
        unsigned index = use.getOperandNumber();
        if (!isLaneInvariant(loop.getInitArgs()[index]) ||
            !isOnlyFullyReduced(loop.getResult(index)))
          return false;
        if (permuted.insert(loop.getRegionIterArgs()[index]).second)
          worklist.push_back(loop.getRegionIterArgs()[index]);
        continue;
      }
      auto resultType = user->getNumResults() == 1
                            ? dyn_cast<VectorType>(user->getResult(0).getType())
                            : nullptr;
      if (user->getBlock() != loop.getBody() ||
          !OpTrait::hasElementwiseMappableTraits(user) || !resultType ||
          resultType.getShape() != shape)
        return false;
      for (Value operand : user->getOperands())
        if (!permuted.contains(operand) && !isLaneInvariant(operand))
          required.push_back(operand);
      if (permuted.insert(user->getResult(0)).second)
        worklist.push_back(user->getResult(0));
    }
  }
  return llvm::all_of(required,
                      [&](Value value) { return permuted.contains(value); });
}

/// `source` (a vector of n bf16, n even) widened to f32 in the order
/// (0, 2, ..., n - 2, 1, 3, ..., n - 1). Little-endian: element 2k is the
/// low half of i32 lane k.
static Value widenEvenOdd(OpBuilder &b, Location loc, Value source) {
  int64_t n = cast<VectorType>(source.getType()).getNumElements();
  auto words = VectorType::get({n / 2}, b.getI32Type());
  auto floats = VectorType::get({n / 2}, b.getF32Type());
  auto splat = [&](uint32_t bits) {
    return arith::ConstantOp::create(
        b, loc, words, DenseElementsAttr::get(words, APInt(32, bits)));
  };
  Value bits = vector::BitCastOp::create(b, loc, words, source);
  Value even = arith::ShLIOp::create(b, loc, bits, splat(16));
  Value odd = arith::AndIOp::create(b, loc, bits, splat(0xFFFF0000u));
  auto concat = llvm::to_vector(llvm::seq<int64_t>(0, n));
  return vector::ShuffleOp::create(
      b, loc, vector::BitCastOp::create(b, loc, floats, even),
      vector::BitCastOp::create(b, loc, floats, odd), concat);
}

namespace {
struct NormUnorderedWideningPass
    : public norm::impl::NormUnorderedWideningBase<NormUnorderedWideningPass> {
  void runOnOperation() override {
    SmallVector<arith::ExtFOp> candidates;
    getOperation().walk([&](arith::ExtFOp op) {
      auto source = dyn_cast<VectorType>(op.getIn().getType());
      auto loop = dyn_cast<scf::ForOp>(op->getParentOp());
      if (source && source.getRank() == 1 && source.getDimSize(0) % 2 == 0 &&
          source.getElementType().isBF16() &&
          cast<VectorType>(op.getType()).getElementType().isF32() && loop &&
          isLaneOrderFree(op.getResult(), loop))
        candidates.push_back(op);
    });
    for (arith::ExtFOp op : candidates) {
      OpBuilder b(op);
      op.replaceAllUsesWith(widenEvenOdd(b, op.getLoc(), op.getIn()));
      op.erase();
    }
  }
};
} // namespace
