//===- AccumulateWithFMA.cpp - Loop accumulators of products as FMAs ------===//

#include "norm/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMACCUMULATEWITHFMA
#include "norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;

/// The product that `add` accumulates: one operand of `add` an iteration
/// argument of the `scf.for` whose body holds it, the other a product with
/// no other use; null if `add` is no such accumulation.
static arith::MulFOp matchAccumulatedProduct(arith::AddFOp add) {
  auto loop = dyn_cast<scf::ForOp>(add->getParentOp());
  if (!loop)
    return {};
  for (unsigned i : {0u, 1u}) {
    auto mul = add->getOperand(1 - i).getDefiningOp<arith::MulFOp>();
    if (mul && mul->hasOneUse() &&
        llvm::is_contained(loop.getRegionIterArgs(), add->getOperand(i)))
      return mul;
  }
  return {};
}

namespace {
struct NormAccumulateWithFMAPass
    : public norm::impl::NormAccumulateWithFMABase<NormAccumulateWithFMAPass> {
  void runOnOperation() override {
    // Contractible rather than math.fma: LLVM fuses them where the target
    // has FMA and keeps the multiply and the add elsewhere, where a math.fma
    // would become one libm call per lane (x86 before Haswell).
    getOperation().walk([](arith::AddFOp add) {
      if (arith::MulFOp mul = matchAccumulatedProduct(add)) {
        add.setFastmath(add.getFastmath() | arith::FastMathFlags::contract);
        mul.setFastmath(mul.getFastmath() | arith::FastMathFlags::contract);
      }
    });
  }
};
} // namespace
