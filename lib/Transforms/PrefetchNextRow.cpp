//===- PrefetchNextRow.cpp - Keep memory streaming across rows ------------===//

#include "norm/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Interfaces/LoopLikeInterface.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMPREFETCHNEXTROW
#include "norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;

static constexpr int64_t kLineBytes = 64;

/// The indices into the function argument that `read` reads from, composed
/// through rank-preserving unit-stride subviews; the argument is returned in
/// `root`. Fails for anything else.
static FailureOr<SmallVector<Value>>
getRootIndices(OpBuilder &b, vector::TransferReadOp read, Value &root) {
  Location loc = read.getLoc();
  Value memref = read.getBase();
  SmallVector<Value> indices(read.getIndices());
  while (auto subview = memref.getDefiningOp<memref::SubViewOp>()) {
    if (subview.getSourceType().getRank() != subview.getType().getRank() ||
        !llvm::all_of(subview.getStaticStrides(),
                      [](int64_t s) { return s == 1; }))
      return failure();
    for (auto [index, offset] : llvm::zip(indices, subview.getMixedOffsets()))
      index = arith::AddIOp::create(
          b, loc, index, getValueOrCreateConstantIndexOp(b, loc, offset));
    memref = subview.getSource();
  }
  if (!isa<BlockArgument>(memref))
    return failure();
  root = memref;
  return indices;
}

/// Whether `loop` writes vectors (the output pass of a row).
static bool writesVectors(Operation *loop) {
  return loop
      ->walk([](Operation *op) {
        return isa<vector::TransferWriteOp, vector::StoreOp,
                   vector::MaskedStoreOp>(op)
                   ? WalkResult::interrupt()
                   : WalkResult::advance();
      })
      .wasInterrupted();
}

namespace {
struct NormPrefetchNextRowPass
    : public norm::impl::NormPrefetchNextRowBase<NormPrefetchNextRowPass> {
  using Base::Base;

  /// Whether the rows `read` reads (the innermost dim of the memref it views)
  /// are known to be shorter than `everyPassBelow` bytes.
  bool isShortRow(vector::TransferReadOp read) const {
    Value memref = read.getBase();
    while (auto subview = memref.getDefiningOp<memref::SubViewOp>())
      memref = subview.getSource();
    auto type = cast<MemRefType>(memref.getType());
    int64_t columns = type.getShape().back();
    return !ShapedType::isDynamic(columns) &&
           columns * type.getElementTypeBitWidth() / 8 < everyPassBelow;
  }

  void runOnOperation() override {
    if (everyPassBelow < 0) {
      getOperation().emitError()
          << "norm-prefetch-next-row: every-pass-below must be >= 0 bytes, got "
          << static_cast<int64_t>(everyPassBelow);
      return signalPassFailure();
    }
    SmallVector<vector::TransferReadOp> candidates;
    getOperation().walk([&](vector::TransferReadOp read) {
      auto type = dyn_cast<MemRefType>(read.getBase().getType());
      if (type && type.getRank() >= 2 && !read.getMask() &&
          read.getVectorType().getRank() == 1 &&
          read.getPermutationMap().isMinorIdentity() &&
          read->getParentOfType<LoopLikeOpInterface>())
        candidates.push_back(read);
    });
    // Where a long row has a loop that writes (its output pass), only that
    // loop prefetches; see the pass description.
    auto loopOf = [](vector::TransferReadOp read) {
      return read->getParentOfType<LoopLikeOpInterface>().getOperation();
    };
    auto rowOf = [](Operation *loop) {
      return loop->getParentOfType<LoopLikeOpInterface>().getOperation();
    };
    // Each loop's body is walked once, however many reads it holds.
    llvm::DenseMap<Operation *, bool> isOutputLoop;
    llvm::DenseSet<Operation *> rowsWithOutputLoops;
    for (vector::TransferReadOp read : candidates) {
      Operation *loop = loopOf(read);
      if (isOutputLoop.contains(loop))
        continue;
      isOutputLoop[loop] = writesVectors(loop);
      if (isOutputLoop[loop])
        rowsWithOutputLoops.insert(rowOf(loop));
    }
    // Each prefetched read and its locality hint: long rows prefetched from
    // their output pass alone go to L2 (2), where they do not evict the
    // current row from L1; the others to L1 (3).
    SmallVector<std::pair<vector::TransferReadOp, uint32_t>> reads;
    for (vector::TransferReadOp read : candidates) {
      if (isShortRow(read) ||
          !rowsWithOutputLoops.contains(rowOf(loopOf(read))))
        reads.push_back({read, 3});
      else if (isOutputLoop.lookup(loopOf(read)))
        reads.push_back({read, 2});
    }
    for (auto [read, locality] : reads) {
      OpBuilder b(read);
      Value root;
      FailureOr<SmallVector<Value>> indices = getRootIndices(b, read, root);
      auto rootType = root ? dyn_cast<MemRefType>(root.getType()) : nullptr;
      if (failed(indices) || !rootType || !rootType.isLastDimUnitStride())
        continue;
      Location loc = read.getLoc();
      // Same columns, one row further.
      int64_t rowDim = rootType.getRank() - 2;
      Value one = arith::ConstantIndexOp::create(b, loc, 1);
      (*indices)[rowDim] =
          arith::AddIOp::create(b, loc, (*indices)[rowDim], one);
      int64_t elementBytes =
          std::max<int64_t>(1, rootType.getElementTypeBitWidth() / 8);
      int64_t perLine = kLineBytes / elementBytes;
      int64_t lines =
          std::max<int64_t>(1, read.getVectorType().getNumElements() / perLine);
      Value column = indices->back();
      for (int64_t line = 0; line < lines; ++line) {
        indices->back() = arith::AddIOp::create(
            b, loc, column,
            arith::ConstantIndexOp::create(b, loc, line * perLine));
        memref::PrefetchOp::create(b, loc, root, *indices, /*isWrite=*/false,
                                   /*localityHint=*/locality,
                                   /*isDataCache=*/true);
      }
    }
  }
};
} // namespace
