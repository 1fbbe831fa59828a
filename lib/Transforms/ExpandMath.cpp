//===- ExpandMath.cpp - Math ops without an LLVM lowering -----------------===//

#include "norm/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMEXPANDMATH
#include "norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;

/// The math functions rewritten into polynomials: those LLVM would
/// scalarize into library calls. Not sqrt and rsqrt, which are instructions.
static bool isApproximated(StringRef name) {
  name.consume_front("math.");
  return llvm::is_contained({"exp", "expm1", "exp2", "log", "log1p", "log2",
                             "tanh", "sin", "cos", "atan", "atan2", "asin",
                             "acos", "erf", "erfc"},
                            name);
}

namespace {
struct NormExpandMathPass
    : public norm::impl::NormExpandMathBase<NormExpandMathPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populatePolynomialApproximateErfPattern(patterns);
    // LLVM scalarizes vector exp, log, tanh, ... into one libm call per
    // lane (896 expf calls in the tiny block's softmax and SwiGLU); the
    // upstream approximations stay vectorized. f16/bf16 are computed in f32;
    // f64 keeps libm.
    populateMathF32ExpansionPatterns(patterns, isApproximated);
    populateMathPolynomialApproximationPatterns(patterns, isApproximated);
    if (bf16)
      arith::populateExpandBFloat16Patterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
