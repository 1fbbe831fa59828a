//===- Passes.td - norm conversion passes ------------------*- tablegen -*-===//

#ifndef NORM_CONVERSION_PASSES_TD
#define NORM_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertNormToLinalg : Pass<"convert-norm-to-linalg"> {
  let summary = "Decompose norm ops into linalg on tensors";
  let description = [{
    Rewrites every `norm.rms_norm` and `norm.layer_norm` into `linalg.fill`
    and `linalg.generic` ops on tensors: reductions over the normalized axes
    into per-row accumulators of the compute type, a per-row elementwise op
    that turns them into the inverse RMS / standard deviation, and one
    elementwise op over the input that normalizes, applies the affine
    parameters and converts back to the input element type. LayerNorm uses
    two passes over the row (mean, then centered sum of squares) for
    numerical robustness. Statistics results are reshaped views of the
    per-row tensors. Works for any axes set, dynamic dims and empty tensors.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // NORM_CONVERSION_PASSES_TD
