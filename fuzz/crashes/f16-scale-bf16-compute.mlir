// Found by norm-ir-fuzzer: a parameter whose float type has the compute
// type's width but another format (f16 scale, bf16 compute type).
// convert-norm-to-linalg at 41f0ee6 converts it with arith.truncf f16 -> bf16,
// which does not verify ("'arith.truncf' op operand type 'f16' and result
// type 'bf16' are cast incompatible"); the pipeline stops with that error.
// Fixed by the uncommitted convertFloat change (f16 <-> bf16 through f32) in
// lib/Conversion/NormToLinalg/NormToLinalg.cpp; move this file to test/Fuzz/
// with that commit.
// RUN: norm-opt %s --split-input-file --norm-lower-to-cpu | FileCheck %s

// CHECK-LABEL: llvm.func @layer_f16_scale_bf16_compute(
func.func @layer_f16_scale_bf16_compute(%x: tensor<4x128xbf16>, %g: tensor<128xf16>) -> tensor<4x128xbf16> {
  %y = norm.layer_norm %x scale(%g : tensor<128xf16>) {compute_type = bf16} : tensor<4x128xbf16> -> tensor<4x128xbf16>
  return %y : tensor<4x128xbf16>
}

// -----

// CHECK-LABEL: llvm.func @rms_bf16_scale_f16_compute(
func.func @rms_bf16_scale_f16_compute(%x: tensor<4x128xf16>, %g: tensor<128xbf16>) -> tensor<4x128xf16> {
  %y = norm.rms_norm %x scale(%g : tensor<128xbf16>) {compute_type = f16} : tensor<4x128xf16> -> tensor<4x128xf16>
  return %y : tensor<4x128xf16>
}
