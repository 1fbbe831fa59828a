//===- StreamingStores.cpp - Non-temporal stores for large results --------===//

#include "norm/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/LoopLikeInterface.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMSTREAMINGSTORES
#include "norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;
using namespace mlir::norm;

static constexpr int64_t kAlignment = 64;

/// Whether `value` (an index) is a multiple of `multiple`: a constant, or an
/// scf.for induction variable whose lower bound and step are.
static bool isMultipleOf(Value value, int64_t multiple) {
  APInt constant;
  if (matchPattern(value, m_ConstantInt(&constant)))
    return constant.getSExtValue() % multiple == 0;
  auto loop = scf::getForInductionVarOwner(value);
  if (!loop)
    return false;
  return isMultipleOf(loop.getLowerBound(), multiple) &&
         isMultipleOf(loop.getStep(), multiple);
}

/// Whether element offset `offset` times `stride` is a multiple of
/// `elements`.
static bool isAlignedTerm(OpFoldResult offset, int64_t stride,
                          int64_t elements) {
  if (stride % elements == 0)
    return true;
  if (ShapedType::isDynamic(stride))
    return false;
  int64_t needed = elements / std::gcd(stride, elements);
  if (auto attr = dyn_cast<Attribute>(offset))
    return cast<IntegerAttr>(attr).getInt() % needed == 0;
  return isMultipleOf(cast<Value>(offset), needed);
}

/// Follows subviews from `memref` to the allocation; returns it when every
/// offset on the way keeps 64-byte alignment, else null.
static memref::AllocOp getAlignedRoot(Value memref, ValueRange indices,
                                      int64_t elementBytes) {
  int64_t elements = kAlignment / elementBytes;
  auto checkTerms = [&](Value base, ArrayRef<OpFoldResult> offsets) {
    auto type = cast<MemRefType>(base.getType());
    auto [strides, offset] = type.getStridesAndOffset();
    for (auto [o, stride] : llvm::zip(offsets, strides))
      if (!isAlignedTerm(o, stride, elements))
        return false;
    return true;
  };
  SmallVector<OpFoldResult> offsets = getAsOpFoldResult(indices);
  if (!checkTerms(memref, offsets))
    return nullptr;
  while (auto subview = memref.getDefiningOp<memref::SubViewOp>()) {
    if (!checkTerms(subview.getSource(), subview.getMixedOffsets()))
      return nullptr;
    memref = subview.getSource();
  }
  auto alloc = memref.getDefiningOp<memref::AllocOp>();
  if (!alloc || alloc.getAlignment().value_or(0) < kAlignment ||
      alloc.getType().getLayout().getAffineMap().isIdentity() == false)
    return nullptr;
  return alloc;
}

/// The allocation that `memref` views through subviews, or null.
static Operation *getRootAlloc(Value memref) {
  while (auto subview = memref.getDefiningOp<memref::SubViewOp>())
    memref = subview.getSource();
  return memref.getDefiningOp<memref::AllocOp>();
}

/// The outermost loop around `op` in its function (null outside loops).
static Operation *getOutermostLoop(Operation *op) {
  Operation *outermost = nullptr;
  for (Operation *parent = op->getParentOp(); parent;
       parent = parent->getParentOp())
    if (isa<LoopLikeOpInterface>(parent))
      outermost = parent;
  return outermost;
}

namespace {
struct NormStreamingStoresPass
    : public norm::impl::NormStreamingStoresBase<NormStreamingStoresPass> {
  using Base::Base;

  void runOnOperation() override {
    // A buffer read in the loop nest that writes it (a fused residual op's
    // sum, read back by the row's statistics and output passes) must stay
    // in cache; one read by a later loop nest (the norm after an unfused
    // add) is read from memory either way.
    getOperation().walk([&](Operation *op) {
      Value source;
      if (auto read = dyn_cast<vector::TransferReadOp>(op))
        source = read.getBase();
      else if (auto load = dyn_cast<vector::LoadOp>(op))
        source = load.getBase();
      else if (auto load = dyn_cast<memref::LoadOp>(op))
        source = load.getMemRef();
      if (source)
        if (Operation *root = getRootAlloc(source))
          if (Operation *loop = getOutermostLoop(op))
            readBack.insert({root, loop});
    });
    SmallVector<vector::TransferWriteOp> writes;
    getOperation().walk([&](vector::TransferWriteOp op) {
      if (isStreamable(op))
        writes.push_back(op);
    });
    for (vector::TransferWriteOp op : writes) {
      OpBuilder b(op);
      vector::StoreOp::create(b, op.getLoc(), op.getVector(), op.getBase(),
                              op.getIndices(), /*nontemporal=*/true,
                              b.getI64IntegerAttr(kAlignment));
      op.erase();
    }
  }

  bool isStreamable(vector::TransferWriteOp op) const {
    auto memrefType = dyn_cast<MemRefType>(op.getBase().getType());
    VectorType vectorType = op.getVectorType();
    if (!memrefType || op.getMask() || vectorType.getRank() != 1 ||
        !op.getPermutationMap().isMinorIdentity() || !op.getInBounds()[0] ||
        !memrefType.isLastDimUnitStride())
      return false;
    int64_t elementBytes = vectorType.getElementTypeBitWidth() / 8;
    if (elementBytes == 0 ||
        vectorType.getNumElements() * elementBytes % kAlignment != 0)
      return false;
    memref::AllocOp root =
        getAlignedRoot(op.getBase(), op.getIndices(), elementBytes);
    if (!root || readBack.contains({root.getOperation(),
                                    getOutermostLoop(op.getOperation())}))
      return false;
    MemRefType rootType = root.getType();
    if (rootType.hasStaticShape() &&
        rootType.getNumElements() * elementBytes < minBytes)
      return false;
    // Only results leave the function; buffers it reads back stay cached.
    return llvm::any_of(root->getUsers(), [](Operation *user) {
      return isa<func::ReturnOp>(user);
    });
  }

  /// The allocations read in the function, with the outermost loop of the
  /// read.
  llvm::DenseSet<std::pair<Operation *, Operation *>> readBack;
};
} // namespace
