//===- HoistStaticAllocas.cpp - Fixed-size allocas into the entry block ---===//

#include "norm/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Matchers.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMHOISTSTATICALLOCAS
#include "norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;

namespace {
struct NormHoistStaticAllocasPass
    : public norm::impl::NormHoistStaticAllocasBase<
          NormHoistStaticAllocasPass> {
  void runOnOperation() override {
    LLVM::LLVMFuncOp func = getOperation();
    if (func.isExternal())
      return;
    // Each alloca goes to the entry block of its allocation scope: the
    // function, or an omp.parallel region, whose threads each need their own.
    SmallVector<std::pair<LLVM::AllocaOp, Block *>> allocas;
    func.walk([&](LLVM::AllocaOp op) {
      Operation *scope =
          op->getParentWithTrait<OpTrait::AutomaticAllocationScope>();
      Block *entry = &scope->getRegion(0).front();
      if (op->getBlock() != entry)
        allocas.push_back({op, entry});
    });
    OpBuilder builder(&getContext());
    for (auto [op, entry] : allocas) {
      Operation *size = op.getArraySize().getDefiningOp();
      if (!size || !matchPattern(size, m_Constant())) {
        op.emitOpError("of run-time size outside the entry block: the stack "
                       "would grow on every execution");
        return signalPassFailure();
      }
      // A copy of the constant size, then the alloca, first in the entry
      // block: both dominate every former use.
      builder.setInsertionPointToStart(entry);
      Operation *entrySize = builder.clone(*size);
      op->moveAfter(entrySize);
      op.getArraySizeMutable().assign(entrySize->getResult(0));
    }
  }
};
} // namespace
