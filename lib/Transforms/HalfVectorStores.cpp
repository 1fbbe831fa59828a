//===- HalfVectorStores.cpp - bf16/f16 vector stores as i16 stores --------===//

#include "norm/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMHALFVECTORSTORES
#include "norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;

static bool isHalfVector(Type type) {
  auto vector = dyn_cast<VectorType>(type);
  return vector &&
         (vector.getElementType().isBF16() || vector.getElementType().isF16());
}

static Value bitcastToI16(OpBuilder &b, Value value) {
  auto type = cast<VectorType>(value.getType());
  return LLVM::BitcastOp::create(b, value.getLoc(), type.clone(b.getI16Type()),
                                 value);
}

namespace {
/// Zero vectors that LLVM cannot prove zero: volatile loads, in the entry
/// block, of stack slots that hold zeros; one per vector type.
class OpaqueZeros {
public:
  explicit OpaqueZeros(LLVM::LLVMFuncOp func) : func(func) {}

  Value get(VectorType type) {
    Value &zero = zeros[type];
    if (zero)
      return zero;
    Location loc = func.getLoc();
    OpBuilder b = OpBuilder::atBlockBegin(&func.getBody().front());
    Value one = LLVM::ConstantOp::create(b, loc, b.getI64Type(),
                                         b.getI64IntegerAttr(1));
    Value slot = LLVM::AllocaOp::create(
        b, loc, LLVM::LLVMPointerType::get(b.getContext()), type, one);
    Value constant = LLVM::ConstantOp::create(
        b, loc, type,
        DenseElementsAttr::get(type, b.getZeroAttr(type.getElementType())));
    LLVM::StoreOp::create(b, loc, constant, slot);
    zero = LLVM::LoadOp::create(b, loc, type, slot, /*alignment=*/0,
                                /*isVolatile=*/true);
    return zero;
  }

private:
  LLVM::LLVMFuncOp func;
  DenseMap<Type, Value> zeros;
};

struct NormHalfVectorStoresPass
    : public norm::impl::NormHalfVectorStoresBase<NormHalfVectorStoresPass> {
  void runOnOperation() override {
    LLVM::LLVMFuncOp func = getOperation();
    if (func.isExternal())
      return;
    SmallVector<LLVM::MaskedStoreOp> maskedStores;
    SmallVector<LLVM::StoreOp> nontemporalStores;
    func.walk([&](Operation *op) {
      if (auto store = dyn_cast<LLVM::MaskedStoreOp>(op)) {
        auto type = dyn_cast<VectorType>(store.getValue().getType());
        if (type && type.getElementType().isBF16())
          maskedStores.push_back(store);
      } else if (auto store = dyn_cast<LLVM::StoreOp>(op)) {
        if (store.getNontemporal() && isHalfVector(store.getValue().getType()))
          nontemporalStores.push_back(store);
      }
    });

    OpBuilder b(&getContext());
    for (LLVM::MaskedStoreOp op : maskedStores) {
      b.setInsertionPoint(op);
      op.getValueMutable().assign(bitcastToI16(b, op.getValue()));
    }
    OpaqueZeros zeros(func);
    for (LLVM::StoreOp op : nontemporalStores) {
      b.setInsertionPoint(op);
      Value bits = bitcastToI16(b, op.getValue());
      Value zero = zeros.get(cast<VectorType>(bits.getType()));
      op.getValueMutable().assign(
          LLVM::OrOp::create(b, op.getLoc(), bits, zero));
    }
  }
};
} // namespace
