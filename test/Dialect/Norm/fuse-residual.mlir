// RUN: norm-opt %s --norm-fuse-residual --split-input-file | FileCheck %s

#id = affine_map<(d0, d1) -> (d0, d1)>

// linalg.add (the block example's form): the sum is also the next residual.
// CHECK-LABEL: func @linalg_add
// CHECK-SAME: (%[[X:.*]]: tensor<8x64xf32>, %[[F:.*]]: tensor<8x64xf32>, %[[G:.*]]: tensor<64xf32>)
// CHECK-NOT: linalg.add
// CHECK: %[[Y:.*]], %[[S:.*]] = norm.add_rms_norm %[[F]], %[[X]] scale(%[[G]] : tensor<64xf32>) {epsilon = 1.000000e-05 : f64}
// CHECK: return %[[Y]], %[[S]]
func.func @linalg_add(%x: tensor<8x64xf32>, %f: tensor<8x64xf32>, %g: tensor<64xf32>) -> (tensor<8x64xf32>, tensor<8x64xf32>) {
  %e = tensor.empty() : tensor<8x64xf32>
  %s = linalg.add ins(%x, %f : tensor<8x64xf32>, tensor<8x64xf32>) outs(%e : tensor<8x64xf32>) -> tensor<8x64xf32>
  %y = norm.rms_norm %s scale(%g : tensor<64xf32>) {epsilon = 1.0e-05 : f64} : tensor<8x64xf32> -> tensor<8x64xf32>
  return %y, %s : tensor<8x64xf32>, tensor<8x64xf32>
}

// -----

// arith on tensors, the residual scaled by a splat constant (DeepNorm);
// statistics and attributes carried over.
// CHECK-LABEL: func @arith_scaled
// CHECK-SAME: (%[[X:.*]]: tensor<4x64xbf16>, %[[F:.*]]: tensor<4x64xbf16>)
// CHECK: %{{.*}}, %{{.*}}, %{{.*}}:2 = norm.add_layer_norm %[[F]], %[[X]] {compute_type = f64, residual_scale = 2.500000e+00 : f64} : tensor<4x64xbf16> -> tensor<4x64xbf16>, tensor<4x64xbf16>, tensor<4x1xf64>, tensor<4x1xf64>
// CHECK-NOT: arith.mulf
func.func @arith_scaled(%x: tensor<4x64xbf16>, %f: tensor<4x64xbf16>) -> (tensor<4x64xbf16>, tensor<4x1xf64>) {
  %alpha = arith.constant dense<2.5> : tensor<4x64xbf16>
  %a = arith.mulf %x, %alpha : tensor<4x64xbf16>
  %s = arith.addf %f, %a : tensor<4x64xbf16>
  %y, %m, %i = norm.layer_norm %s {compute_type = f64} : tensor<4x64xbf16> -> tensor<4x64xbf16>, tensor<4x1xf64>, tensor<4x1xf64>
  return %y, %m : tensor<4x64xbf16>, tensor<4x1xf64>
}

// -----

// An elementwise generic, the constant inside the body, on either side.
#id = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func @generic_scaled
// CHECK-SAME: (%[[X:.*]]: tensor<4x32xf16>, %[[F:.*]]: tensor<4x32xf16>)
// CHECK: norm.add_rms_norm %[[F]], %[[X]] {residual_scale = 5.000000e-01 : f64}
// CHECK-NOT: linalg.generic
func.func @generic_scaled(%x: tensor<4x32xf16>, %f: tensor<4x32xf16>) -> tensor<4x32xf16> {
  %e = tensor.empty() : tensor<4x32xf16>
  %s = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %f : tensor<4x32xf16>, tensor<4x32xf16>) outs(%e : tensor<4x32xf16>) {
  ^bb0(%a: f16, %b: f16, %o: f16):
    %c = arith.constant 0.5 : f16
    %m = arith.mulf %c, %a : f16
    %t = arith.addf %b, %m : f16
    linalg.yield %t : f16
  } -> tensor<4x32xf16>
  %y = norm.rms_norm %s : tensor<4x32xf16> -> tensor<4x32xf16>
  return %y : tensor<4x32xf16>
}

// -----

// linalg.mul by a filled tensor.
// CHECK-LABEL: func @linalg_mul_fill
// CHECK: norm.add_layer_norm %{{.*}}, %{{.*}} {residual_scale = 1.750000e+00 : f64}
func.func @linalg_mul_fill(%x: tensor<4x32xf32>, %f: tensor<4x32xf32>) -> tensor<4x32xf32> {
  %c = arith.constant 1.75 : f32
  %e = tensor.empty() : tensor<4x32xf32>
  %alpha = linalg.fill ins(%c : f32) outs(%e : tensor<4x32xf32>) -> tensor<4x32xf32>
  %a = linalg.mul ins(%x, %alpha : tensor<4x32xf32>, tensor<4x32xf32>) outs(%e : tensor<4x32xf32>) -> tensor<4x32xf32>
  %s = linalg.add ins(%a, %f : tensor<4x32xf32>, tensor<4x32xf32>) outs(%e : tensor<4x32xf32>) -> tensor<4x32xf32>
  %y = norm.layer_norm %s : tensor<4x32xf32> -> tensor<4x32xf32>
  return %y : tensor<4x32xf32>
}

// -----

// Left alone: the sum is used before the norm.
// CHECK-LABEL: func @used_before
// CHECK: arith.addf
// CHECK: norm.rms_norm
func.func @used_before(%x: tensor<4x32xf32>, %f: tensor<4x32xf32>) -> (tensor<4x32xf32>, tensor<4x32xf32>) {
  %s = arith.addf %x, %f : tensor<4x32xf32>
  %t = arith.mulf %s, %s : tensor<4x32xf32>
  %y = norm.rms_norm %s : tensor<4x32xf32> -> tensor<4x32xf32>
  return %y, %t : tensor<4x32xf32>, tensor<4x32xf32>
}

// -----

// A product by a tensor that is not a constant is an ordinary residual.
// CHECK-LABEL: func @variable_scale
// CHECK: %[[M:.*]] = arith.mulf
// CHECK: norm.add_rms_norm %{{.*}}, %[[M]] :
func.func @variable_scale(%x: tensor<4x32xf32>, %f: tensor<4x32xf32>, %k: tensor<4x32xf32>) -> tensor<4x32xf32> {
  %m = arith.mulf %x, %k : tensor<4x32xf32>
  %s = arith.addf %m, %f : tensor<4x32xf32>
  %y = norm.rms_norm %s : tensor<4x32xf32> -> tensor<4x32xf32>
  return %y : tensor<4x32xf32>
}

// -----

// Left alone: a broadcasting add (the bias of a projection), a generic
// that does more than add, and a subtraction.
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @not_residual_adds
// CHECK-NOT: norm.add_
func.func @not_residual_adds(%x: tensor<4x32xf32>, %f: tensor<4x32xf32>, %b: tensor<32xf32>) -> (tensor<4x32xf32>, tensor<4x32xf32>, tensor<4x32xf32>) {
  %e = tensor.empty() : tensor<4x32xf32>
  %s1 = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %b : tensor<4x32xf32>, tensor<32xf32>) outs(%e : tensor<4x32xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %t = arith.addf %a, %c : f32
    linalg.yield %t : f32
  } -> tensor<4x32xf32>
  %y1 = norm.rms_norm %s1 : tensor<4x32xf32> -> tensor<4x32xf32>
  %s3 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %f : tensor<4x32xf32>, tensor<4x32xf32>) outs(%e : tensor<4x32xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %t = arith.addf %a, %c : f32
    %u = math.tanh %t : f32
    linalg.yield %u : f32
  } -> tensor<4x32xf32>
  %y3 = norm.layer_norm %s3 : tensor<4x32xf32> -> tensor<4x32xf32>
  %s4 = arith.subf %x, %f : tensor<4x32xf32>
  %y4 = norm.layer_norm %s4 : tensor<4x32xf32> -> tensor<4x32xf32>
  return %y1, %y3, %y4 : tensor<4x32xf32>, tensor<4x32xf32>, tensor<4x32xf32>
}

// -----

// The variants carry over to the fused op.
// CHECK-LABEL: func @variants
// CHECK-SAME: (%[[X:.*]]: tensor<4x64xbf16>, %[[F:.*]]: tensor<4x64xbf16>, %[[G:.*]]: tensor<64xbf16>)
// CHECK: %[[Y:.*]], %[[S:.*]] = norm.add_rms_norm %[[X]], %[[F]] scale(%[[G]] : tensor<64xbf16>) {casting = #norm.casting<llama>, scale_offset} : tensor<4x64xbf16> -> tensor<4x64xbf16>, tensor<4x64xbf16>
// CHECK: return %[[Y]], %[[S]]
func.func @variants(%x: tensor<4x64xbf16>, %f: tensor<4x64xbf16>, %g: tensor<64xbf16>) -> (tensor<4x64xbf16>, tensor<4x64xbf16>) {
  %s = arith.addf %f, %x : tensor<4x64xbf16>
  %y = norm.rms_norm %s scale(%g : tensor<64xbf16>) {scale_offset, casting = #norm.casting<llama>} : tensor<4x64xbf16> -> tensor<4x64xbf16>
  return %y, %s : tensor<4x64xbf16>, tensor<4x64xbf16>
}
