// REQUIRES: cuda-toolkit
// Found by norm-nvvm-fuzzer (seed test/Dialect/Norm/ops.mlir): a 16-bit
// compute type gave warp shuffles of f16/bf16 that upstream lowers to an
// nvvm.shfl.sync that does not verify (fixed in 70250d4: partial sums are
// shuffled as f32).
// RUN: norm-opt %s --split-input-file --norm-lower-to-nvvm | FileCheck %s

// CHECK-LABEL: llvm.func @layer_f16_compute(
// CHECK: gpu.binary
func.func @layer_f16_compute(%x: tensor<4x8xf16>) -> tensor<4x8xf16> {
  %y = norm.layer_norm %x {compute_type = f16} : tensor<4x8xf16> -> tensor<4x8xf16>
  return %y : tensor<4x8xf16>
}

// -----

// CHECK-LABEL: llvm.func @rms_bf16_compute(
// CHECK: gpu.binary
func.func @rms_bf16_compute(%x: tensor<4x8xbf16>) -> tensor<4x8xbf16> {
  %y = norm.rms_norm %x {compute_type = bf16} : tensor<4x8xbf16> -> tensor<4x8xbf16>
  return %y : tensor<4x8xbf16>
}
