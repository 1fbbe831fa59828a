// REQUIRES: avx512bf16
// With the CPU's own narrowing (vcvtneps2bf16, which ignores MXCSR), a
// subnormal bf16 result is flushed to zero: the one place where it differs
// from round-to-nearest-even (bf16-expand.mlir keeps it with expand-bf16).
// RUN: norm-runner %s --expand-bf16=false --print | FileCheck %s --check-prefix=NATIVE
// RUN: norm-runner %s --expand-bf16 --print | FileCheck %s --check-prefix=INT

// NATIVE: {{\[\[}} 0, -0, 1]]
// INT:    {{\[\[}}9.18355e-41,-9.18355e-41, 1]]
func.func @main() -> tensor<1x3xbf16> {
  %x = arith.constant dense<[[3.0, -3.0, 3.0]]> : tensor<1x3xbf16>
  %g = arith.constant dense<[9.2e-41, 9.2e-41, 1.0]> : tensor<3xbf16>
  %y = norm.rms_norm %x scale(%g : tensor<3xbf16>) {epsilon = 0.0 : f64} : tensor<1x3xbf16> -> tensor<1x3xbf16>
  return %y : tensor<1x3xbf16>
}
