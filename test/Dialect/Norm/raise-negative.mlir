// RUN: norm-opt %s --norm-raise --split-input-file | FileCheck %s

// Near-misses of RMSNorm and LayerNorm that the norm ops would not compute
// exactly: all left alone.

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#col = affine_map<(d0, d1) -> (d1)>

// The sum reduces dim 1 but the inverse root is broadcast along dim 0.
// CHECK-LABEL: func.func @broadcast_along_other_dim(
//   CHECK-NOT:   norm.
func.func @broadcast_along_other_dim(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %er = tensor.empty() : tensor<4xf32>
  %e = tensor.empty() : tensor<4x4xf32>
  %sq = arith.mulf %x, %x : tensor<4x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%er : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.reduce ins(%sq : tensor<4x4xf32>) outs(%init : tensor<4xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %inv_n = arith.constant dense<2.500000e-01> : tensor<4xf32>
  %eps = arith.constant dense<1.0e-6> : tensor<4xf32>
  %mean = arith.mulf %sum, %inv_n : tensor<4xf32>
  %shifted = arith.addf %mean, %eps : tensor<4xf32>
  %r = math.rsqrt %shifted : tensor<4xf32>
  %y = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %r : tensor<4x4xf32>, tensor<4xf32>) outs(%e : tensor<4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<4x4xf32>
  return %y : tensor<4x4xf32>
}

// -----

// No epsilon: rsqrt(mean(x^2)). The op's clamp max(., tiny) would give zeros
// for a zero row where this gives NaN.
// CHECK-LABEL: func.func @no_epsilon(
//   CHECK-NOT:   norm.
func.func @no_epsilon(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %er = tensor.empty() : tensor<4xf32>
  %e = tensor.empty() : tensor<4x8xf32>
  %sq = arith.mulf %x, %x : tensor<4x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%er : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.reduce ins(%sq : tensor<4x8xf32>) outs(%init : tensor<4xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %inv_n = arith.constant dense<1.250000e-01> : tensor<4xf32>
  %mean = arith.mulf %sum, %inv_n : tensor<4xf32>
  %r = math.rsqrt %mean : tensor<4xf32>
  %rb = linalg.broadcast ins(%r : tensor<4xf32>) outs(%e : tensor<4x8xf32>) dimensions = [1]
  %y = arith.mulf %x, %rb : tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// An epsilon of zero: the same reason.
// CHECK-LABEL: func.func @zero_epsilon(
//   CHECK-NOT:   norm.
func.func @zero_epsilon(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %er = tensor.empty() : tensor<4xf32>
  %e = tensor.empty() : tensor<4x8xf32>
  %sq = arith.mulf %x, %x : tensor<4x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%er : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.reduce ins(%sq : tensor<4x8xf32>) outs(%init : tensor<4xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %inv_n = arith.constant dense<1.250000e-01> : tensor<4xf32>
  %eps = arith.constant dense<0.0> : tensor<4xf32>
  %mean = arith.mulf %sum, %inv_n : tensor<4xf32>
  %shifted = arith.addf %mean, %eps : tensor<4xf32>
  %r = math.rsqrt %shifted : tensor<4xf32>
  %rb = linalg.broadcast ins(%r : tensor<4xf32>) outs(%e : tensor<4x8xf32>) dimensions = [1]
  %y = arith.mulf %x, %rb : tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// The mean divides by 7, not by the 8 elements reduced.
// CHECK-LABEL: func.func @mean_over_other_count(
//   CHECK-NOT:   norm.
func.func @mean_over_other_count(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %er = tensor.empty() : tensor<4xf32>
  %e = tensor.empty() : tensor<4x8xf32>
  %sq = arith.mulf %x, %x : tensor<4x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%er : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.reduce ins(%sq : tensor<4x8xf32>) outs(%init : tensor<4xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %n = arith.constant dense<7.0> : tensor<4xf32>
  %eps = arith.constant dense<1.0e-6> : tensor<4xf32>
  %mean = arith.divf %sum, %n : tensor<4xf32>
  %shifted = arith.addf %mean, %eps : tensor<4xf32>
  %r = math.rsqrt %shifted : tensor<4xf32>
  %rb = linalg.broadcast ins(%r : tensor<4xf32>) outs(%e : tensor<4x8xf32>) dimensions = [1]
  %y = arith.mulf %x, %rb : tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// The sum starts from a nonzero init.
// CHECK-LABEL: func.func @sum_with_init(
//   CHECK-NOT:   norm.
func.func @sum_with_init(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %one = arith.constant 1.0 : f32
  %er = tensor.empty() : tensor<4xf32>
  %e = tensor.empty() : tensor<4x8xf32>
  %sq = arith.mulf %x, %x : tensor<4x8xf32>
  %init = linalg.fill ins(%one : f32) outs(%er : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.reduce ins(%sq : tensor<4x8xf32>) outs(%init : tensor<4xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %inv_n = arith.constant dense<1.250000e-01> : tensor<4xf32>
  %eps = arith.constant dense<1.0e-6> : tensor<4xf32>
  %mean = arith.mulf %sum, %inv_n : tensor<4xf32>
  %shifted = arith.addf %mean, %eps : tensor<4xf32>
  %r = math.rsqrt %shifted : tensor<4xf32>
  %rb = linalg.broadcast ins(%r : tensor<4xf32>) outs(%e : tensor<4x8xf32>) dimensions = [1]
  %y = arith.mulf %x, %rb : tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// The mean square is of another tensor than the one normalized.
// CHECK-LABEL: func.func @square_of_other_tensor(
//   CHECK-NOT:   norm.
func.func @square_of_other_tensor(%x: tensor<4x8xf32>, %z: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %er = tensor.empty() : tensor<4xf32>
  %e = tensor.empty() : tensor<4x8xf32>
  %sq = arith.mulf %z, %z : tensor<4x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%er : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.reduce ins(%sq : tensor<4x8xf32>) outs(%init : tensor<4xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %inv_n = arith.constant dense<1.250000e-01> : tensor<4xf32>
  %eps = arith.constant dense<1.0e-6> : tensor<4xf32>
  %mean = arith.mulf %sum, %inv_n : tensor<4xf32>
  %shifted = arith.addf %mean, %eps : tensor<4xf32>
  %r = math.rsqrt %shifted : tensor<4xf32>
  %rb = linalg.broadcast ins(%r : tensor<4xf32>) outs(%e : tensor<4x8xf32>) dimensions = [1]
  %y = arith.mulf %x, %rb : tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// The mean square is also returned: no statistic of the op is it, and
// raising would compute it twice.
// CHECK-LABEL: func.func @mean_square_used_elsewhere(
//   CHECK-NOT:   norm.
func.func @mean_square_used_elsewhere(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4xf32>) {
  %zero = arith.constant 0.0 : f32
  %er = tensor.empty() : tensor<4xf32>
  %e = tensor.empty() : tensor<4x8xf32>
  %sq = arith.mulf %x, %x : tensor<4x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%er : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.reduce ins(%sq : tensor<4x8xf32>) outs(%init : tensor<4xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %inv_n = arith.constant dense<1.250000e-01> : tensor<4xf32>
  %eps = arith.constant dense<1.0e-6> : tensor<4xf32>
  %mean = arith.mulf %sum, %inv_n : tensor<4xf32>
  %shifted = arith.addf %mean, %eps : tensor<4xf32>
  %r = math.rsqrt %shifted : tensor<4xf32>
  %rb = linalg.broadcast ins(%r : tensor<4xf32>) outs(%e : tensor<4x8xf32>) dimensions = [1]
  %y = arith.mulf %x, %rb : tensor<4x8xf32>
  return %y, %mean : tensor<4x8xf32>, tensor<4xf32>
}

// -----

// A per-row tensor in place of the scale: not a per-feature parameter. The
// normalization it multiplies is raised without it. Square, so that
// only the broadcast dims tell the rows from the features.
// CHECK-LABEL: func.func @per_row_scale(
//  CHECK-SAME:   %[[X:.*]]: tensor<8x8xf32>, %[[W:.*]]: tensor<8xf32>)
//       CHECK:   %[[N:.*]] = norm.rms_norm %[[X]] {axes = array<i64: 1>, epsilon = {{.*}}} : tensor<8x8xf32> -> tensor<8x8xf32>
//       CHECK:   %[[WB:.*]] = linalg.broadcast ins(%[[W]]
//       CHECK:   arith.mulf %[[N]], %[[WB]]
func.func @per_row_scale(%x: tensor<8x8xf32>, %w: tensor<8xf32>) -> tensor<8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %er = tensor.empty() : tensor<8xf32>
  %e = tensor.empty() : tensor<8x8xf32>
  %sq = arith.mulf %x, %x : tensor<8x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%er : tensor<8xf32>) -> tensor<8xf32>
  %sum = linalg.reduce ins(%sq : tensor<8x8xf32>) outs(%init : tensor<8xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %inv_n = arith.constant dense<1.250000e-01> : tensor<8xf32>
  %eps = arith.constant dense<1.0e-6> : tensor<8xf32>
  %mean = arith.mulf %sum, %inv_n : tensor<8xf32>
  %shifted = arith.addf %mean, %eps : tensor<8xf32>
  %r = math.rsqrt %shifted : tensor<8xf32>
  %rb = linalg.broadcast ins(%r : tensor<8xf32>) outs(%e : tensor<8x8xf32>) dimensions = [1]
  %n = arith.mulf %x, %rb : tensor<8x8xf32>
  %wb = linalg.broadcast ins(%w : tensor<8xf32>) outs(%e : tensor<8x8xf32>) dimensions = [1]
  %y = arith.mulf %n, %wb : tensor<8x8xf32>
  return %y : tensor<8x8xf32>
}

// -----

// bf16 extended to f32 without a truncf back: the result is f32, the op's
// would be bf16.
// CHECK-LABEL: func.func @result_not_truncated(
//   CHECK-NOT:   norm.
func.func @result_not_truncated(%x: tensor<4x8xbf16>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %er = tensor.empty() : tensor<4xf32>
  %e = tensor.empty() : tensor<4x8xf32>
  %xf = arith.extf %x : tensor<4x8xbf16> to tensor<4x8xf32>
  %sq = arith.mulf %xf, %xf : tensor<4x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%er : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.reduce ins(%sq : tensor<4x8xf32>) outs(%init : tensor<4xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %inv_n = arith.constant dense<1.250000e-01> : tensor<4xf32>
  %eps = arith.constant dense<1.0e-6> : tensor<4xf32>
  %mean = arith.mulf %sum, %inv_n : tensor<4xf32>
  %shifted = arith.addf %mean, %eps : tensor<4xf32>
  %r = math.rsqrt %shifted : tensor<4xf32>
  %rb = linalg.broadcast ins(%r : tensor<4xf32>) outs(%e : tensor<4x8xf32>) dimensions = [1]
  %y = arith.mulf %xf, %rb : tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// LayerNorm with the variance as E[x^2] - E[x]^2: the variance
// mathematically, but not numerically (it cancels).
// CHECK-LABEL: func.func @variance_not_centered(
//   CHECK-NOT:   norm.
func.func @variance_not_centered(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %er = tensor.empty() : tensor<4xf32>
  %e = tensor.empty() : tensor<4x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%er : tensor<4xf32>) -> tensor<4xf32>
  %inv_n = arith.constant dense<1.250000e-01> : tensor<4xf32>
  %eps = arith.constant dense<1.0e-5> : tensor<4xf32>
  %sum = linalg.reduce ins(%x : tensor<4x8xf32>) outs(%init : tensor<4xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %mean = arith.mulf %sum, %inv_n : tensor<4xf32>
  %sq = arith.mulf %x, %x : tensor<4x8xf32>
  %sqsum = linalg.reduce ins(%sq : tensor<4x8xf32>) outs(%init : tensor<4xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %meansq = arith.mulf %sqsum, %inv_n : tensor<4xf32>
  %mean2 = arith.mulf %mean, %mean : tensor<4xf32>
  %var = arith.subf %meansq, %mean2 : tensor<4xf32>
  %shifted = arith.addf %var, %eps : tensor<4xf32>
  %r = math.rsqrt %shifted : tensor<4xf32>
  %mb = linalg.broadcast ins(%mean : tensor<4xf32>) outs(%e : tensor<4x8xf32>) dimensions = [1]
  %d = arith.subf %x, %mb : tensor<4x8xf32>
  %rb = linalg.broadcast ins(%r : tensor<4xf32>) outs(%e : tensor<4x8xf32>) dimensions = [1]
  %y = arith.mulf %d, %rb : tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// LayerNorm whose subtracted mean is of another tensor: not a LayerNorm of
// x, but exactly an RMSNorm of x - mean(z), which is what is raised.
// CHECK-LABEL: func.func @mean_of_other_tensor(
//   CHECK-NOT:   norm.layer_norm
//       CHECK:   %[[D:.*]] = arith.subf
//       CHECK:   norm.rms_norm %[[D]] {axes = array<i64: 1>
//   CHECK-NOT:   norm.layer_norm
func.func @mean_of_other_tensor(%x: tensor<4x8xf32>, %z: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %er = tensor.empty() : tensor<4xf32>
  %e = tensor.empty() : tensor<4x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%er : tensor<4xf32>) -> tensor<4xf32>
  %inv_n = arith.constant dense<1.250000e-01> : tensor<4xf32>
  %eps = arith.constant dense<1.0e-5> : tensor<4xf32>
  %sum = linalg.reduce ins(%z : tensor<4x8xf32>) outs(%init : tensor<4xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %mean = arith.mulf %sum, %inv_n : tensor<4xf32>
  %mb = linalg.broadcast ins(%mean : tensor<4xf32>) outs(%e : tensor<4x8xf32>) dimensions = [1]
  %d = arith.subf %x, %mb : tensor<4x8xf32>
  %sq = arith.mulf %d, %d : tensor<4x8xf32>
  %sqsum = linalg.reduce ins(%sq : tensor<4x8xf32>) outs(%init : tensor<4xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %var = arith.mulf %sqsum, %inv_n : tensor<4xf32>
  %shifted = arith.addf %var, %eps : tensor<4xf32>
  %r = math.rsqrt %shifted : tensor<4xf32>
  %rb = linalg.broadcast ins(%r : tensor<4xf32>) outs(%e : tensor<4x8xf32>) dimensions = [1]
  %y = arith.mulf %d, %rb : tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// LayerNorm whose variance is also returned: no statistic of the op is it
// (inv_std is), and raising would compute it twice.
// CHECK-LABEL: func.func @variance_used_elsewhere(
//   CHECK-NOT:   norm.
func.func @variance_used_elsewhere(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4xf32>) {
  %zero = arith.constant 0.0 : f32
  %er = tensor.empty() : tensor<4xf32>
  %e = tensor.empty() : tensor<4x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%er : tensor<4xf32>) -> tensor<4xf32>
  %inv_n = arith.constant dense<1.250000e-01> : tensor<4xf32>
  %eps = arith.constant dense<1.0e-5> : tensor<4xf32>
  %sum = linalg.reduce ins(%x : tensor<4x8xf32>) outs(%init : tensor<4xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %mean = arith.mulf %sum, %inv_n : tensor<4xf32>
  %mb = linalg.broadcast ins(%mean : tensor<4xf32>) outs(%e : tensor<4x8xf32>) dimensions = [1]
  %d = arith.subf %x, %mb : tensor<4x8xf32>
  %sq = arith.mulf %d, %d : tensor<4x8xf32>
  %sqsum = linalg.reduce ins(%sq : tensor<4x8xf32>) outs(%init : tensor<4xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %var = arith.mulf %sqsum, %inv_n : tensor<4xf32>
  %shifted = arith.addf %var, %eps : tensor<4xf32>
  %r = math.rsqrt %shifted : tensor<4xf32>
  %rb = linalg.broadcast ins(%r : tensor<4xf32>) outs(%e : tensor<4x8xf32>) dimensions = [1]
  %y = arith.mulf %d, %rb : tensor<4x8xf32>
  return %y, %var : tensor<4x8xf32>, tensor<4xf32>
}

// -----

// A dynamic reduced dim: the count is tensor.dim-derived, which the matcher
// does not follow (not raised, though it would be exact).
// CHECK-LABEL: func.func @dynamic_reduced_dim(
//   CHECK-NOT:   norm.
func.func @dynamic_reduced_dim(%x: tensor<4x?xf32>) -> tensor<4x?xf32> {
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %eps = arith.constant dense<1.0e-6> : tensor<4xf32>
  %cols = tensor.dim %x, %c1 : tensor<4x?xf32>
  %cols_i = arith.index_cast %cols : index to i64
  %cols_f = arith.sitofp %cols_i : i64 to f32
  %er = tensor.empty() : tensor<4xf32>
  %n = linalg.fill ins(%cols_f : f32) outs(%er : tensor<4xf32>) -> tensor<4xf32>
  %sq = arith.mulf %x, %x : tensor<4x?xf32>
  %init = linalg.fill ins(%zero : f32) outs(%er : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.reduce ins(%sq : tensor<4x?xf32>) outs(%init : tensor<4xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %mean = arith.divf %sum, %n : tensor<4xf32>
  %shifted = arith.addf %mean, %eps : tensor<4xf32>
  %r = math.rsqrt %shifted : tensor<4xf32>
  %e = tensor.empty(%cols) : tensor<4x?xf32>
  %rb = linalg.broadcast ins(%r : tensor<4xf32>) outs(%e : tensor<4x?xf32>) dimensions = [1]
  %y = arith.mulf %x, %rb : tensor<4x?xf32>
  return %y : tensor<4x?xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>

// A fused payload (rsqrt(v + eps) in one generic): one op per step only.
// CHECK-LABEL: func.func @fused_payload(
//   CHECK-NOT:   norm.
func.func @fused_payload(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %er = tensor.empty() : tensor<4xf32>
  %e = tensor.empty() : tensor<4x8xf32>
  %sq = arith.mulf %x, %x : tensor<4x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%er : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.reduce ins(%sq : tensor<4x8xf32>) outs(%init : tensor<4xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %inv_n = arith.constant dense<1.250000e-01> : tensor<4xf32>
  %mean = arith.mulf %sum, %inv_n : tensor<4xf32>
  %y = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %mean : tensor<4x8xf32>, tensor<4xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %c = arith.constant 1.0e-6 : f32
    %s = arith.addf %m, %c : f32
    %r = math.rsqrt %s : f32
    %p = arith.mulf %a, %r : f32
    linalg.yield %p : f32
  } -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>

// Both loops are marked reductions but the init keeps dim 0: a sum per row,
// not over dims 0 and 1 (which the 1/32 would then match).
// CHECK-LABEL: func.func @reduced_dim_kept(
//   CHECK-NOT:   norm.
func.func @reduced_dim_kept(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %er = tensor.empty() : tensor<4xf32>
  %e = tensor.empty() : tensor<4x8xf32>
  %sq = arith.mulf %x, %x : tensor<4x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%er : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["reduction", "reduction"]} ins(%sq : tensor<4x8xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %inv_n = arith.constant dense<3.125000e-02> : tensor<4xf32>
  %eps = arith.constant dense<1.0e-6> : tensor<4xf32>
  %mean = arith.mulf %sum, %inv_n : tensor<4xf32>
  %shifted = arith.addf %mean, %eps : tensor<4xf32>
  %r = math.rsqrt %shifted : tensor<4xf32>
  %rb = linalg.broadcast ins(%r : tensor<4xf32>) outs(%e : tensor<4x8xf32>) dimensions = [1]
  %y = arith.mulf %x, %rb : tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// The result is truncated toward zero; the op rounds to nearest even.
// CHECK-LABEL: func.func @truncf_toward_zero(
//   CHECK-NOT:   norm.
func.func @truncf_toward_zero(%x: tensor<4x8xbf16>) -> tensor<4x8xbf16> {
  %zero = arith.constant 0.0 : f32
  %er = tensor.empty() : tensor<4xf32>
  %e = tensor.empty() : tensor<4x8xf32>
  %xf = arith.extf %x : tensor<4x8xbf16> to tensor<4x8xf32>
  %sq = arith.mulf %xf, %xf : tensor<4x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%er : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.reduce ins(%sq : tensor<4x8xf32>) outs(%init : tensor<4xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %inv_n = arith.constant dense<1.250000e-01> : tensor<4xf32>
  %eps = arith.constant dense<1.0e-6> : tensor<4xf32>
  %mean = arith.mulf %sum, %inv_n : tensor<4xf32>
  %shifted = arith.addf %mean, %eps : tensor<4xf32>
  %r = math.rsqrt %shifted : tensor<4xf32>
  %rb = linalg.broadcast ins(%r : tensor<4xf32>) outs(%e : tensor<4x8xf32>) dimensions = [1]
  %n = arith.mulf %xf, %rb : tensor<4x8xf32>
  %y = arith.truncf %n toward_zero : tensor<4x8xf32> to tensor<4x8xbf16>
  return %y : tensor<4x8xbf16>
}
