//===- BF16MaskedStores.cpp - Masked bf16 stores as i16 stores ------------===//

#include "norm/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMBF16MASKEDSTORES
#include "norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;

namespace {
struct NormBF16MaskedStoresPass
    : public norm::impl::NormBF16MaskedStoresBase<NormBF16MaskedStoresPass> {
  void runOnOperation() override {
    SmallVector<LLVM::MaskedStoreOp> stores;
    getOperation().walk([&](LLVM::MaskedStoreOp op) {
      auto type = dyn_cast<VectorType>(op.getValue().getType());
      if (type && type.getElementType().isBF16())
        stores.push_back(op);
    });
    OpBuilder b(&getContext());
    for (LLVM::MaskedStoreOp op : stores) {
      b.setInsertionPoint(op);
      auto type = cast<VectorType>(op.getValue().getType());
      Value bits = LLVM::BitcastOp::create(
          b, op.getLoc(), type.clone(b.getI16Type()), op.getValue());
      op.getValueMutable().assign(bits);
    }
  }
};
} // namespace
