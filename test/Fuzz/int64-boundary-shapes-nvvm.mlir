// REQUIRES: cuda-toolkit
// The largest static shapes the verifier accepts (size in bytes just below
// 2^63, also with a zero dim) lower without wrapped strides or row counts.
// RUN: norm-opt %s --split-input-file --norm-lower-to-nvvm | FileCheck %s

// CHECK-LABEL: llvm.func @largest_f64(
func.func @largest_f64(%x: tensor<2x576460752303423487xf64>) -> tensor<2x576460752303423487xf64> {
  %y = norm.rms_norm %x : tensor<2x576460752303423487xf64> -> tensor<2x576460752303423487xf64>
  return %y : tensor<2x576460752303423487xf64>
}

// -----

// CHECK-LABEL: llvm.func @zero_rows(
func.func @zero_rows(%x: tensor<0x2305843009213693951x2xf16>) -> tensor<0x2305843009213693951x2xf16> {
  %y = norm.layer_norm %x {axes = array<i64: 1, 2>} : tensor<0x2305843009213693951x2xf16> -> tensor<0x2305843009213693951x2xf16>
  return %y : tensor<0x2305843009213693951x2xf16>
}
