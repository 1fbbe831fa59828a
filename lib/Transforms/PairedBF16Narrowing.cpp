//===- PairedBF16Narrowing.cpp - f32 to bf16 32 lanes at a time -----------===//

#include "norm/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMPAIREDBF16NARROWING
#include "norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;

/// Lanes of one vcvtne2ps2bf16: two 512-bit registers of f32.
static constexpr int64_t kPairLanes = 32;

static bool isPairedNarrowing(LLVM::FPTruncOp op) {
  auto from = dyn_cast<VectorType>(op.getArg().getType());
  auto to = dyn_cast<VectorType>(op.getType());
  return from && to && from.getRank() == 1 && !from.isScalable() &&
         from.getElementType().isF32() && to.getElementType().isBF16() &&
         from.getNumElements() % kPairLanes == 0 &&
         llvm::isPowerOf2_64(from.getNumElements() / kPairLanes);
}

/// Lanes [first, first + count) of `vector`.
static Value slice(OpBuilder &b, Location loc, Value vector, int64_t first,
                   int64_t count) {
  auto lanes = llvm::to_vector(llvm::seq<int32_t>(first, first + count));
  return LLVM::ShuffleVectorOp::create(b, loc, vector, vector, lanes);
}

/// `parts` (of equal lengths, a power-of-two count) concatenated pairwise,
/// so that LLVM sees register-sized halves.
static Value concat(OpBuilder &b, Location loc, SmallVector<Value> parts) {
  while (parts.size() > 1) {
    SmallVector<Value> next;
    for (size_t i = 0; i < parts.size(); i += 2) {
      int32_t n = cast<VectorType>(parts[i].getType()).getNumElements();
      auto lanes = llvm::to_vector(llvm::seq<int32_t>(0, 2 * n));
      next.push_back(
          LLVM::ShuffleVectorOp::create(b, loc, parts[i], parts[i + 1], lanes));
    }
    parts = std::move(next);
  }
  return parts.front();
}

namespace {
struct NormPairedBF16NarrowingPass
    : public norm::impl::NormPairedBF16NarrowingBase<
          NormPairedBF16NarrowingPass> {
  void runOnOperation() override {
    SmallVector<LLVM::FPTruncOp> narrowings;
    getOperation().walk([&](LLVM::FPTruncOp op) {
      if (isPairedNarrowing(op))
        narrowings.push_back(op);
    });
    OpBuilder b(&getContext());
    auto pair = VectorType::get({kPairLanes}, b.getBF16Type());
    StringAttr intrinsic =
        b.getStringAttr("llvm.x86.avx512bf16.cvtne2ps2bf16.512");
    for (LLVM::FPTruncOp op : narrowings) {
      b.setInsertionPoint(op);
      Location loc = op.getLoc();
      int64_t lanes = cast<VectorType>(op.getType()).getNumElements();
      SmallVector<Value> parts;
      for (int64_t first = 0; first < lanes; first += kPairLanes) {
        Value low = slice(b, loc, op.getArg(), first, kPairLanes / 2);
        Value high =
            slice(b, loc, op.getArg(), first + kPairLanes / 2, kPairLanes / 2);
        // The second operand fills the low half of the result.
        parts.push_back(LLVM::CallIntrinsicOp::create(b, loc, pair, intrinsic,
                                                      ValueRange{high, low})
                            .getResult(0));
      }
      op.replaceAllUsesWith(concat(b, loc, std::move(parts)));
      op.erase();
    }
  }
};
} // namespace
