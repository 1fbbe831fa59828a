//===- AccumulateWithFMA.cpp - Loop accumulators of products as FMAs ------===//

#include "norm/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMACCUMULATEWITHFMA
#include "norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;

/// The product that `add` adds to an iteration argument of the loop whose
/// body holds it, if the sum is its only use; null otherwise. `acc` is set
/// to the iteration argument.
static arith::MulFOp getAccumulatedProduct(arith::AddFOp add, Value &acc) {
  auto loop = dyn_cast<scf::ForOp>(add->getParentOp());
  if (!loop)
    return nullptr;
  for (unsigned i : {0u, 1u}) {
    auto arg = dyn_cast<BlockArgument>(add->getOperand(i));
    auto mul = add->getOperand(1 - i).getDefiningOp<arith::MulFOp>();
    if (arg && arg.getOwner() == loop.getBody() && arg.getArgNumber() > 0 &&
        mul && mul->hasOneUse()) {
      acc = arg;
      return mul;
    }
  }
  return nullptr;
}

namespace {
struct NormAccumulateWithFMAPass
    : public norm::impl::NormAccumulateWithFMABase<NormAccumulateWithFMAPass> {
  void runOnOperation() override {
    SmallVector<arith::AddFOp> adds;
    getOperation().walk([&](arith::AddFOp add) {
      Value acc;
      if (getAccumulatedProduct(add, acc))
        adds.push_back(add);
    });
    for (arith::AddFOp add : adds) {
      Value acc;
      arith::MulFOp mul = getAccumulatedProduct(add, acc);
      OpBuilder b(add);
      Value fma =
          math::FmaOp::create(b, add.getLoc(), mul.getLhs(), mul.getRhs(), acc);
      add.replaceAllUsesWith(fma);
      add.erase();
      mul.erase();
    }
  }
};
} // namespace
