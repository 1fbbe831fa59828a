//===- ReassociateReductions.cpp - Tree-shaped horizontal reductions ------===//

#include "norm/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMREASSOCIATEREDUCTIONS
#include "norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;

namespace {
struct NormReassociateReductionsPass
    : public norm::impl::NormReassociateReductionsBase<
          NormReassociateReductionsPass> {
  void runOnOperation() override {
    getOperation().walk([](vector::ReductionOp op) {
      if (!isa<FloatType>(op.getType()) ||
          (op.getKind() != vector::CombiningKind::ADD &&
           op.getKind() != vector::CombiningKind::MUL))
        return;
      op.setFastmath(op.getFastmath() | arith::FastMathFlags::reassoc);
    });
  }
};
} // namespace
