//===- Passes.h - norm dialect passes -----------------------------*- C++
//-*-===//

#ifndef NORM_DIALECT_NORM_TRANSFORMS_PASSES_H
#define NORM_DIALECT_NORM_TRANSFORMS_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"

#include <string>
#include <vector>

namespace mlir::norm {

#define GEN_PASS_DECL
#include "norm/Dialect/Norm/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "norm/Dialect/Norm/Transforms/Passes.h.inc"

/// Learnable parameters of the norm ops of a module.
struct NormParameterCount {
  struct PerOp {
    Operation *op;
    int64_t scale = 0, bias = 0, featureEpsilon = 0;
    bool dynamic = false; // some parameter has dynamic dims
    int64_t total() const { return scale + bias + featureEpsilon; }
  };
  std::vector<PerOp> ops;
  /// Sum over distinct parameter tensors with static shapes.
  int64_t total = 0;
};

/// Counts the parameters of every norm op in `module`.
NormParameterCount countNormParameters(ModuleOp module);

/// Adds the patterns of norm-fuse-residual.
void populateNormFuseResidualPatterns(RewritePatternSet &patterns);

/// Rewrites the norm ops under `root` to `kind` ("rms" or "layer"); emits an
/// error and fails when an op's statistics are used.
LogicalResult setNormKind(Operation *root, StringRef kind);

/// Adds the patterns of norm-trailing-axes.
void populateNormTrailingAxesPatterns(RewritePatternSet &patterns);

/// Adds the patterns of norm-raise: decomposed RMSNorm and LayerNorm to
/// norm.rms_norm and norm.layer_norm.
void populateNormRaisePatterns(RewritePatternSet &patterns);

} // namespace mlir::norm

#endif // NORM_DIALECT_NORM_TRANSFORMS_PASSES_H
