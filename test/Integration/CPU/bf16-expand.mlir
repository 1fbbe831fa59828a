// The integer bf16 conversions (expand-bf16, chosen by the JIT where the CPU
// has no avx512bf16) give the same bits as the native ones (round to nearest
// even, overflow to infinity) on random rows, a 33-element row (masked tail)
// and results at bf16's largest finite value and past it. The integer
// rounding keeps subnormal results (vcvtneps2bf16 flushes them to zero:
// bf16-native-subnormals.mlir).
// RUN: norm-runner %s -e rms --random-inputs --seed 7 --output %t.rms.native.npy
// RUN: norm-runner %s -e rms --random-inputs --seed 7 --expand-bf16 --output %t.rms.int.npy
// RUN: cmp %t.rms.native.npy %t.rms.int.npy
// RUN: norm-runner %s -e layer --random-inputs --seed 8 --output %t.layer.native.npy
// RUN: norm-runner %s -e layer --random-inputs --seed 8 --expand-bf16 --output %t.layer.int.npy
// RUN: cmp %t.layer.native.npy %t.layer.int.npy
// RUN: norm-runner %s -e extremes --expand-bf16 --print | FileCheck %s

func.func @rms(%x: tensor<64x1000xbf16>, %g: tensor<1000xbf16>) -> tensor<64x1000xbf16> {
  %y = norm.rms_norm %x scale(%g : tensor<1000xbf16>) : tensor<64x1000xbf16> -> tensor<64x1000xbf16>
  return %y : tensor<64x1000xbf16>
}

func.func @layer(%x: tensor<16x33xbf16>, %g: tensor<33xbf16>, %b: tensor<33xbf16>) -> tensor<16x33xbf16> {
  %y = norm.layer_norm %x scale(%g : tensor<33xbf16>) bias(%b : tensor<33xbf16>) : tensor<16x33xbf16> -> tensor<16x33xbf16>
  return %y : tensor<16x33xbf16>
}

// xhat = [1, -1, 1, -1] times scales near bf16's largest finite value and in
// its subnormals; xhat = [2, 0, 0, 0] takes the first past it, to infinity.
// CHECK:      {{\[\[}}3.00406e+38,-3.38953e+38,9.18355e-41, -1],
// CHECK-NEXT: {{^ \[}} inf, 0, 0, 0]]
func.func @extremes() -> tensor<2x4xbf16> {
  %x = arith.constant dense<[[3.0, -3.0, 3.0, -3.0], [2.0, 0.0, 0.0, 0.0]]> : tensor<2x4xbf16>
  %g = arith.constant dense<[3.0e38, 3.3895e38, 9.2e-41, 1.0]> : tensor<4xbf16>
  %y = norm.rms_norm %x scale(%g : tensor<4xbf16>) {epsilon = 0.0 : f64} : tensor<2x4xbf16> -> tensor<2x4xbf16>
  return %y : tensor<2x4xbf16>
}
