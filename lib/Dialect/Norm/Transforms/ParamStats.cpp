//===- ParamStats.cpp - Count normalization parameters --------------------===//

#include "norm/Dialect/Norm/IR/NormOps.h"
#include "norm/Dialect/Norm/Transforms/Passes.h"

#include "llvm/ADT/DenseSet.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMPARAMSTATS
#include "norm/Dialect/Norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;
using namespace mlir::norm;

NormParameterCount mlir::norm::countNormParameters(ModuleOp module) {
  NormParameterCount count;
  llvm::DenseSet<Value> counted;
  auto visit = [&](Operation *op, Value scale, Value bias, Value epsilon) {
    NormParameterCount::PerOp perOp{op};
    auto add = [&](Value param, int64_t &slot) {
      if (!param)
        return;
      auto type = cast<RankedTensorType>(param.getType());
      if (!type.hasStaticShape()) {
        perOp.dynamic = true;
        return;
      }
      slot = type.getNumElements();
      if (counted.insert(param).second)
        count.total += slot;
    };
    add(scale, perOp.scale);
    add(bias, perOp.bias);
    add(epsilon, perOp.featureEpsilon);
    count.ops.push_back(perOp);
  };
  module.walk([&](Operation *op) {
    if (auto rms = dyn_cast<RMSNormOp>(op))
      visit(op, rms.getScale(), rms.getBias(), rms.getFeatureEpsilon());
    else if (auto layer = dyn_cast<LayerNormOp>(op))
      visit(op, layer.getScale(), layer.getBias(), layer.getFeatureEpsilon());
  });
  return count;
}

namespace {
struct NormParamStatsPass
    : public norm::impl::NormParamStatsBase<NormParamStatsPass> {
  using Base::Base;

  void runOnOperation() override {
    NormParameterCount count = countNormParameters(getOperation());
    for (const NormParameterCount::PerOp &op : count.ops) {
      InFlightDiagnostic remark =
          op.op->emitRemark()
          << op.total() << " parameters (scale " << op.scale << ", bias "
          << op.bias << ", feature_epsilon " << op.featureEpsilon << ")";
      if (op.dynamic)
        remark << "; parameters with dynamic dims are not counted";
    }
    getOperation().emitRemark()
        << count.total << " normalization parameters in " << count.ops.size()
        << " norm ops";
  }
};
} // namespace
