//===- GradientCheck.h - Gradients against finite differences ---*- C++ -*-===//
//
// norm-train --check-gradients: on an f64 module (examples/lm/check-*.mlir),
// compares @loss_and_grads's gradient of every parameter tensor with
// central finite differences of @eval_loss, and @train_step's update
// (global-norm clipping, AdamW) with the same update computed here from
// those gradients.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_TOOLS_NORM_TRAIN_GRADIENTCHECK_H
#define NORM_TOOLS_NORM_TRAIN_GRADIENTCHECK_H

#include "Model.h"

#include "llvm/Support/raw_ostream.h"

namespace norm {
namespace train {

struct GradientCheckOptions {
  uint64_t seed = 0;
  /// Coordinates checked per tensor: all when it has at most this many,
  /// else this many drawn at random.
  int64_t maxCoordinates = 0;
  /// Central differences (L(p + h) - L(p - h)) / 2h.
  double step = 0;
  /// A coordinate passes when |g - fd| <= atol + rtol * |fd|.
  double rtol = 0, atol = 0;
};

/// Prints one line per parameter tensor and fails when any coordinate of
/// any tensor, or the update, is out of tolerance.
llvm::Error checkGradients(mlir::ModuleOp module, const ModelInfo &info,
                           const JitOptions &jitOptions,
                           const GradientCheckOptions &options,
                           llvm::raw_ostream &os);

} // namespace train
} // namespace norm

#endif // NORM_TOOLS_NORM_TRAIN_GRADIENTCHECK_H
