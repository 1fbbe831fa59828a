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
  module.walk([&](NormalizationOpInterface op) {
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
    add(op.getScale(), perOp.scale);
    add(op.getBias(), perOp.bias);
    add(op.getFeatureEpsilon(), perOp.featureEpsilon);
    count.ops.push_back(perOp);
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
