//===- InlineAllocaScopes.cpp - memref.alloca_scope bodies inlined --------===//

#include "norm/Transforms/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

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
    IRRewriter rewriter(&getContext());
    for (memref::AllocaScopeOp op : scopes) {
      Operation *terminator = op.getBodyRegion().front().getTerminator();
      rewriter.inlineBlockBefore(&op.getBodyRegion().front(), op);
      rewriter.replaceOp(op, terminator->getOperands());
      rewriter.eraseOp(terminator);
    }
  }
};
} // namespace
