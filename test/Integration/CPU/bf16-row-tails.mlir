// bf16 rows one element past a 32-lane half (33 = 32 + 1) with 64-element
// vector tiles: the tail's masked store keeps one lane, which LLVM 22's X86
// backend turned into a scalar bfloat store it cannot select (the JIT
// aborted). norm-half-vector-stores stores those vectors as i16.
// RUN: norm-runner %s -e rms_bf16_33 --vector-size 64 --summary | FileCheck %s --check-prefix=RMS
// RUN: norm-runner %s -e grad_bf16_33 --vector-size 64 --summary | FileCheck %s --check-prefix=GRAD
// RUN: norm-opt %s --norm-lower-to-cpu=vector-size=64 | FileCheck %s --check-prefix=IR

// A constant row normalizes to ones.
// RMS: shape [2, 33] first [1, 1, 1, 1] sum 66 mean|x| 1
func.func @rms_bf16_33() -> tensor<2x33xbf16> {
  %x = arith.constant dense<2.0> : tensor<2x33xbf16>
  %y = norm.rms_norm %x : tensor<2x33xbf16> -> tensor<2x33xbf16>
  return %y : tensor<2x33xbf16>
}

// With epsilon 0, dx = r * (g - xhat * mean(g * xhat)) = 0 for a constant
// row and dy;
// dscale = sum over rows of dy * xhat = 2 per feature.
// GRAD: result #0: tensor<2x33xbf16> shape [2, 33] first [0, 0, 0, 0] sum 0 mean|x| 0
// GRAD: result #1: tensor<33xbf16> shape [33] first [2, 2, 2, 2] sum 66 mean|x| 2
func.func @grad_bf16_33() -> (tensor<2x33xbf16>, tensor<33xbf16>) {
  %x = arith.constant dense<2.0> : tensor<2x33xbf16>
  %dy = arith.constant dense<1.0> : tensor<2x33xbf16>
  %g = arith.constant dense<1.0> : tensor<33xbf16>
  %dx, %dg = norm.rms_norm_grad %dy, %x scale(%g : tensor<33xbf16>) {epsilon = 0.0 : f64} : tensor<2x33xbf16> -> tensor<2x33xbf16>, tensor<33xbf16>
  return %dx, %dg : tensor<2x33xbf16>, tensor<33xbf16>
}

// IR-NOT: llvm.intr.masked.store {{.*}} : vector<{{[0-9]+}}xbf16>
// IR: llvm.intr.masked.store {{.*}} : vector<64xi16>
