//===- InlineAllocaScopes.cpp - memref.alloca_scope bodies inlined --------===//

#include "norm/Transforms/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMINLINEALLOCASCOPES
#include "norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;

namespace {
struct NormInlineAllocaScopesPass
    : public norm::impl::NormInlineAllocaScopesBase<
          NormInlineAllocaScopesPass> {
  void runOnOperation() override {
    SmallVector<memref::AllocaScopeOp> scopes;
    getOperation().walk(
        [&](memref::AllocaScopeOp op) { scopes.push_back(op); });
    // Inner scopes first (post-order walk): each body is then plain code.
    for (memref::AllocaScopeOp op : scopes) {
      Block *body = &op.getBodyRegion().front();
      Operation *terminator = body->getTerminator();
      SmallVector<Value> results(terminator->getOperands());
      terminator->erase();
      op->getBlock()->getOperations().splice(op->getIterator(),
                                             body->getOperations());
      op->replaceAllUsesWith(results);
      op->erase();
    }
  }
};
} // namespace
