//===- AccumulateWithFMA.cpp - Loop accumulators of products as FMAs ------===//

#include "norm/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <optional>

namespace mlir::norm {
#define GEN_PASS_DEF_NORMACCUMULATEWITHFMA
#include "norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;

namespace {
/// `acc + a * b` in a loop body: the add, its product and the accumulator.
struct Accumulation {
  arith::AddFOp add;
  arith::MulFOp mul;
  Value acc;
};
} // namespace

/// `add` as an accumulation: one operand an iteration argument of the
/// `scf.for` whose body holds it, the other a product with no other use.
static std::optional<Accumulation> matchAccumulation(arith::AddFOp add) {
  auto loop = dyn_cast<scf::ForOp>(add->getParentOp());
  if (!loop)
    return std::nullopt;
  for (unsigned i : {0u, 1u}) {
    Value acc = add->getOperand(i);
    auto mul = add->getOperand(1 - i).getDefiningOp<arith::MulFOp>();
    if (mul && mul->hasOneUse() &&
        llvm::is_contained(loop.getRegionIterArgs(), acc))
      return Accumulation{add, mul, acc};
  }
  return std::nullopt;
}

namespace {
struct NormAccumulateWithFMAPass
    : public norm::impl::NormAccumulateWithFMABase<NormAccumulateWithFMAPass> {
  void runOnOperation() override {
    SmallVector<Accumulation> accumulations;
    getOperation().walk([&](arith::AddFOp add) {
      if (std::optional<Accumulation> match = matchAccumulation(add))
        accumulations.push_back(*match);
    });
    for (auto [add, mul, acc] : accumulations) {
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
