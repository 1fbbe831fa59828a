// RUN: norm-opt %s --norm-raise --split-input-file | FileCheck %s

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#feature = affine_map<(d0, d1) -> (d1)>
#vec = affine_map<(d0) -> (d0)>

// RMSNorm as linalg.generic ops: x * x, a sum over the last dim into a
// zero fill, * 1/8, + eps and rsqrt with constants in or captured by the
// payloads, the broadcast in the indexing map, and a scale.
// CHECK-LABEL: func.func @rms_rsqrt_generic(
//  CHECK-SAME:   %[[X:.*]]: tensor<4x8xf32>, %[[G:.*]]: tensor<8xf32>)
//       CHECK:   %[[Y:.*]] = norm.rms_norm %[[X]] scale(%[[G]] : tensor<8xf32>) {axes = array<i64: 1>, epsilon = 9.9999999747524271E-7 : f64} : tensor<4x8xf32> -> tensor<4x8xf32>
//   CHECK-NOT:   linalg.generic
//       CHECK:   return %[[Y]]
func.func @rms_rsqrt_generic(%x: tensor<4x8xf32>, %g: tensor<8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %eps = arith.constant 1.0e-6 : f32
  %e = tensor.empty() : tensor<4x8xf32>
  %er = tensor.empty() : tensor<4xf32>
  %sq = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %a : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%er : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]} ins(%sq : tensor<4x8xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %mean = linalg.generic {indexing_maps = [#vec, #vec], iterator_types = ["parallel"]} ins(%sum : tensor<4xf32>) outs(%er : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %c = arith.constant 1.250000e-01 : f32
    %m = arith.mulf %a, %c : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  %shifted = linalg.generic {indexing_maps = [#vec, #vec], iterator_types = ["parallel"]} ins(%mean : tensor<4xf32>) outs(%er : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.addf %a, %eps : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  %r = linalg.generic {indexing_maps = [#vec, #vec], iterator_types = ["parallel"]} ins(%shifted : tensor<4xf32>) outs(%er : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = math.rsqrt %a : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  %n = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %r : tensor<4x8xf32>, tensor<4xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %y = linalg.generic {indexing_maps = [#id, #feature, #id], iterator_types = ["parallel", "parallel"]} ins(%n, %g : tensor<4x8xf32>, tensor<8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// RMSNorm as arith/math on tensors, math.powf 2, a linalg.reduce, a division
// by N and x / sqrt(.) with the root broadcast by linalg.broadcast; the scale
// multiplies from the left.
// CHECK-LABEL: func.func @rms_sqrt_div(
//  CHECK-SAME:   %[[X:.*]]: tensor<?x16xf32>, %[[G:.*]]: tensor<16xf32>)
//       CHECK:   %[[Y:.*]] = norm.rms_norm %[[X]] scale(%[[G]] : tensor<16xf32>) {axes = array<i64: 1>, epsilon = 9.9999997473787516E-6 : f64} : tensor<?x16xf32> -> tensor<?x16xf32>
//       CHECK:   return %[[Y]]
func.func @rms_sqrt_div(%x: tensor<?x16xf32>, %g: tensor<16xf32>) -> tensor<?x16xf32> {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16.0 : f32
  %c1e5 = arith.constant 1.0e-5 : f32
  %c2 = arith.constant 2.0 : f32
  %rows = tensor.dim %x, %c0 : tensor<?x16xf32>
  %e = tensor.empty(%rows) : tensor<?x16xf32>
  %two = linalg.fill ins(%c2 : f32) outs(%e : tensor<?x16xf32>) -> tensor<?x16xf32>
  %sq = math.powf %x, %two : tensor<?x16xf32>
  %er = tensor.empty(%rows) : tensor<?xf32>
  %zero = arith.constant 0.0 : f32
  %init = linalg.fill ins(%zero : f32) outs(%er : tensor<?xf32>) -> tensor<?xf32>
  %sum = linalg.reduce ins(%sq : tensor<?x16xf32>) outs(%init : tensor<?xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %acc, %in : f32
      linalg.yield %s : f32
    }
  %n = linalg.fill ins(%c16 : f32) outs(%er : tensor<?xf32>) -> tensor<?xf32>
  %mean = arith.divf %sum, %n : tensor<?xf32>
  %eps = linalg.fill ins(%c1e5 : f32) outs(%er : tensor<?xf32>) -> tensor<?xf32>
  %shifted = arith.addf %mean, %eps : tensor<?xf32>
  %root = math.sqrt %shifted : tensor<?xf32>
  %b = linalg.broadcast ins(%root : tensor<?xf32>) outs(%e : tensor<?x16xf32>) dimensions = [1]
  %norm = arith.divf %x, %b : tensor<?x16xf32>
  %gb = linalg.broadcast ins(%g : tensor<16xf32>) outs(%e : tensor<?x16xf32>) dimensions = [0]
  %y = arith.mulf %gb, %norm : tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// -----

// RMSNorm as named linalg ops: linalg.square, linalg.reduce, linalg.mul by a
// splat 1/N, linalg.add of a filled eps, linalg.sqrt, linalg.reciprocal and
// linalg.mul by the broadcast inverse root; no scale.
// CHECK-LABEL: func.func @rms_reciprocal_named(
//  CHECK-SAME:   %[[X:.*]]: tensor<2x32xf32>)
//       CHECK:   %[[Y:.*]] = norm.rms_norm %[[X]] {axes = array<i64: 1>, epsilon = 9.9999997473787516E-6 : f64} : tensor<2x32xf32> -> tensor<2x32xf32>
//       CHECK:   return %[[Y]]
func.func @rms_reciprocal_named(%x: tensor<2x32xf32>) -> tensor<2x32xf32> {
  %zero = arith.constant 0.0 : f32
  %eps = arith.constant 1.0e-5 : f32
  %inv_n = arith.constant dense<3.125000e-02> : tensor<2xf32>
  %e = tensor.empty() : tensor<2x32xf32>
  %er = tensor.empty() : tensor<2xf32>
  %sq = linalg.square ins(%x : tensor<2x32xf32>) outs(%e : tensor<2x32xf32>) -> tensor<2x32xf32>
  %init = linalg.fill ins(%zero : f32) outs(%er : tensor<2xf32>) -> tensor<2xf32>
  %sum = linalg.reduce ins(%sq : tensor<2x32xf32>) outs(%init : tensor<2xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %mean = linalg.mul ins(%sum, %inv_n : tensor<2xf32>, tensor<2xf32>) outs(%er : tensor<2xf32>) -> tensor<2xf32>
  %eps_t = linalg.fill ins(%eps : f32) outs(%er : tensor<2xf32>) -> tensor<2xf32>
  %shifted = linalg.add ins(%eps_t, %mean : tensor<2xf32>, tensor<2xf32>) outs(%er : tensor<2xf32>) -> tensor<2xf32>
  %root = linalg.sqrt ins(%shifted : tensor<2xf32>) outs(%er : tensor<2xf32>) -> tensor<2xf32>
  %r = linalg.reciprocal ins(%root : tensor<2xf32>) outs(%er : tensor<2xf32>) -> tensor<2xf32>
  %rb = linalg.broadcast ins(%r : tensor<2xf32>) outs(%e : tensor<2x32xf32>) dimensions = [1]
  %y = linalg.mul ins(%x, %rb : tensor<2x32xf32>, tensor<2x32xf32>) outs(%e : tensor<2x32xf32>) -> tensor<2x32xf32>
  return %y : tensor<2x32xf32>
}

// -----

#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#sum = affine_map<(d0, d1, d2) -> (d0, d1)>
#keep = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
#feature = affine_map<(d0, d1, d2) -> (d2)>
#stat = affine_map<(d0, d1, d2) -> (d0, d1, d2)>

// LayerNorm as an ONNX export before opset 17 gives it, in the importer's
// linalg form: ReduceMean (keepdims: a sum, * 1/N, tensor.expand_shape) ->
// Sub -> Pow 2 -> ReduceMean -> Add eps -> Sqrt -> Div -> Mul gamma ->
// Add beta, with the statistics broadcast by indexing maps.
// CHECK-LABEL: func.func @ln_onnx(
//  CHECK-SAME:   %[[X:.*]]: tensor<2x3x4xf32>, %[[G:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xf32>)
//       CHECK:   %[[Y:.*]] = norm.layer_norm %[[X]] scale(%[[G]] : tensor<4xf32>) bias(%[[B]] : tensor<4xf32>) {axes = array<i64: 2>, epsilon = 9.9999997473787516E-6 : f64} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
//   CHECK-NOT:   linalg.
//       CHECK:   return %[[Y]]
func.func @ln_onnx(%x: tensor<2x3x4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<2x3x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3x4xf32>
  %es = tensor.empty() : tensor<2x3xf32>
  %ek = tensor.empty() : tensor<2x3x1xf32>
  %init = linalg.fill ins(%zero : f32) outs(%es : tensor<2x3xf32>) -> tensor<2x3xf32>
  %sum = linalg.generic {indexing_maps = [#id, #sum], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<2x3x4xf32>) outs(%init : tensor<2x3xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  } -> tensor<2x3xf32>
  %sumk = tensor.expand_shape %sum [[0], [1, 2]] output_shape [2, 3, 1] : tensor<2x3xf32> into tensor<2x3x1xf32>
  %mean = linalg.generic {indexing_maps = [#stat, #stat], iterator_types = ["parallel", "parallel", "parallel"]} ins(%sumk : tensor<2x3x1xf32>) outs(%ek : tensor<2x3x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %c = arith.constant 4.0 : f32
    %m = arith.divf %a, %c : f32
    linalg.yield %m : f32
  } -> tensor<2x3x1xf32>
  %d = linalg.generic {indexing_maps = [#id, #keep, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %mean : tensor<2x3x4xf32>, tensor<2x3x1xf32>) outs(%e : tensor<2x3x4xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %s = arith.subf %a, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x3x4xf32>
  %sq = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%d : tensor<2x3x4xf32>) outs(%e : tensor<2x3x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %c2 = arith.constant 2.0 : f32
    %p = math.powf %a, %c2 : f32
    linalg.yield %p : f32
  } -> tensor<2x3x4xf32>
  %vsum = linalg.generic {indexing_maps = [#id, #sum], iterator_types = ["parallel", "parallel", "reduction"]} ins(%sq : tensor<2x3x4xf32>) outs(%init : tensor<2x3xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  } -> tensor<2x3xf32>
  %vsumk = tensor.expand_shape %vsum [[0], [1, 2]] output_shape [2, 3, 1] : tensor<2x3xf32> into tensor<2x3x1xf32>
  %var = linalg.generic {indexing_maps = [#stat, #stat], iterator_types = ["parallel", "parallel", "parallel"]} ins(%vsumk : tensor<2x3x1xf32>) outs(%ek : tensor<2x3x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %c = arith.constant 4.0 : f32
    %m = arith.divf %a, %c : f32
    linalg.yield %m : f32
  } -> tensor<2x3x1xf32>
  %shifted = linalg.generic {indexing_maps = [#stat, #stat], iterator_types = ["parallel", "parallel", "parallel"]} ins(%var : tensor<2x3x1xf32>) outs(%ek : tensor<2x3x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %c = arith.constant 1.0e-5 : f32
    %m = arith.addf %a, %c : f32
    linalg.yield %m : f32
  } -> tensor<2x3x1xf32>
  %root = linalg.generic {indexing_maps = [#stat, #stat], iterator_types = ["parallel", "parallel", "parallel"]} ins(%shifted : tensor<2x3x1xf32>) outs(%ek : tensor<2x3x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = math.sqrt %a : f32
    linalg.yield %m : f32
  } -> tensor<2x3x1xf32>
  %n = linalg.generic {indexing_maps = [#id, #keep, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%d, %root : tensor<2x3x4xf32>, tensor<2x3x1xf32>) outs(%e : tensor<2x3x4xf32>) {
  ^bb0(%a: f32, %r: f32, %o: f32):
    %q = arith.divf %a, %r : f32
    linalg.yield %q : f32
  } -> tensor<2x3x4xf32>
  %scaled = linalg.generic {indexing_maps = [#id, #feature, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%n, %g : tensor<2x3x4xf32>, tensor<4xf32>) outs(%e : tensor<2x3x4xf32>) {
  ^bb0(%a: f32, %w: f32, %o: f32):
    %m = arith.mulf %a, %w : f32
    linalg.yield %m : f32
  } -> tensor<2x3x4xf32>
  %y = linalg.generic {indexing_maps = [#id, #feature, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%scaled, %b : tensor<2x3x4xf32>, tensor<4xf32>) outs(%e : tensor<2x3x4xf32>) {
  ^bb0(%a: f32, %w: f32, %o: f32):
    %m = arith.addf %a, %w : f32
    linalg.yield %m : f32
  } -> tensor<2x3x4xf32>
  return %y : tensor<2x3x4xf32>
}

// -----

// bf16 RMSNorm computed in f32: arith.extf of the input, arith.truncf of the
// result, a bf16 scale extended to f32. The op normalizes the bf16 input
// with the default compute type f32 and takes the bf16 scale as it is.
// CHECK-LABEL: func.func @rms_bf16_casts(
//  CHECK-SAME:   %[[X:.*]]: tensor<4x64xbf16>, %[[G:.*]]: tensor<64xbf16>)
//       CHECK:   %[[Y:.*]] = norm.rms_norm %[[X]] scale(%[[G]] : tensor<64xbf16>) {axes = array<i64: 1>, epsilon = 9.9999999747524271E-7 : f64} : tensor<4x64xbf16> -> tensor<4x64xbf16>
//       CHECK:   return %[[Y]]
func.func @rms_bf16_casts(%x: tensor<4x64xbf16>, %g: tensor<64xbf16>) -> tensor<4x64xbf16> {
  %zero = arith.constant 0.0 : f32
  %xf = arith.extf %x : tensor<4x64xbf16> to tensor<4x64xf32>
  %gf = arith.extf %g : tensor<64xbf16> to tensor<64xf32>
  %sq = arith.mulf %xf, %xf : tensor<4x64xf32>
  %er = tensor.empty() : tensor<4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%er : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.reduce ins(%sq : tensor<4x64xf32>) outs(%init : tensor<4xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %inv_n = arith.constant dense<1.562500e-02> : tensor<4xf32>
  %eps = arith.constant dense<1.0e-6> : tensor<4xf32>
  %mean = arith.mulf %sum, %inv_n : tensor<4xf32>
  %shifted = arith.addf %mean, %eps : tensor<4xf32>
  %r = math.rsqrt %shifted : tensor<4xf32>
  %e = tensor.empty() : tensor<4x64xf32>
  %rb = linalg.broadcast ins(%r : tensor<4xf32>) outs(%e : tensor<4x64xf32>) dimensions = [1]
  %gb = linalg.broadcast ins(%gf : tensor<64xf32>) outs(%e : tensor<4x64xf32>) dimensions = [0]
  %n = arith.mulf %xf, %rb : tensor<4x64xf32>
  %s = arith.mulf %n, %gb : tensor<4x64xf32>
  %y = arith.truncf %s : tensor<4x64xf32> to tensor<4x64xbf16>
  return %y : tensor<4x64xbf16>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>

// f16 computed in f16 (no casts): compute_type = f16, since the default for
// f16 input would be f32; epsilon is the f16 constant's exact value.
// CHECK-LABEL: func.func @rms_f16_in_f16(
//       CHECK:   norm.rms_norm %{{.*}} {axes = array<i64: 1>, compute_type = f16, epsilon = 0.0010004043579101563 : f64} : tensor<4x8xf16> -> tensor<4x8xf16>
func.func @rms_f16_in_f16(%x: tensor<4x8xf16>) -> tensor<4x8xf16> {
  %zero = arith.constant 0.0 : f16
  %er = tensor.empty() : tensor<4xf16>
  %sq = arith.mulf %x, %x : tensor<4x8xf16>
  %init = linalg.fill ins(%zero : f16) outs(%er : tensor<4xf16>) -> tensor<4xf16>
  %sum = linalg.reduce ins(%sq : tensor<4x8xf16>) outs(%init : tensor<4xf16>) dimensions = [1]
    (%in: f16, %acc: f16) {
      %s = arith.addf %in, %acc : f16
      linalg.yield %s : f16
    }
  %inv_n = arith.constant dense<1.250000e-01> : tensor<4xf16>
  %eps = arith.constant dense<1.0e-3> : tensor<4xf16>
  %mean = arith.mulf %sum, %inv_n : tensor<4xf16>
  %shifted = arith.addf %mean, %eps : tensor<4xf16>
  %r = math.rsqrt %shifted : tensor<4xf16>
  %e = tensor.empty() : tensor<4x8xf16>
  %y = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %r : tensor<4x8xf16>, tensor<4xf16>) outs(%e : tensor<4x8xf16>) {
  ^bb0(%a: f16, %b: f16, %o: f16):
    %m = arith.mulf %a, %b : f16
    linalg.yield %m : f16
  } -> tensor<4x8xf16>
  return %y : tensor<4x8xf16>
}

// -----

#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row = affine_map<(d0, d1, d2) -> (d1)>
#feature = affine_map<(d0, d1, d2) -> (d0, d2)>

// Two non-contiguous axes (0 and 2): N = 2 * 8, a 2-D scale indexed by the
// normalized dims in order, math.fpowi 2 as the square.
// CHECK-LABEL: func.func @rms_multi_axis(
//  CHECK-SAME:   %[[X:.*]]: tensor<2x3x8xf32>, %[[G:.*]]: tensor<2x8xf32>)
//       CHECK:   norm.rms_norm %[[X]] scale(%[[G]] : tensor<2x8xf32>) {axes = array<i64: 0, 2>, epsilon = 9.9999999747524271E-7 : f64} : tensor<2x3x8xf32> -> tensor<2x3x8xf32>
func.func @rms_multi_axis(%x: tensor<2x3x8xf32>, %g: tensor<2x8xf32>) -> tensor<2x3x8xf32> {
  %zero = arith.constant 0.0 : f32
  %eps = arith.constant 1.0e-6 : f32
  %c2 = arith.constant 2 : i32
  %e = tensor.empty() : tensor<2x3x8xf32>
  %er = tensor.empty() : tensor<3xf32>
  %sq = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x : tensor<2x3x8xf32>) outs(%e : tensor<2x3x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %p = math.fpowi %a, %c2 : f32, i32
    linalg.yield %p : f32
  } -> tensor<2x3x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%er : tensor<3xf32>) -> tensor<3xf32>
  %sum = linalg.reduce ins(%sq : tensor<2x3x8xf32>) outs(%init : tensor<3xf32>) dimensions = [0, 2]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %inv_n = arith.constant dense<6.250000e-02> : tensor<3xf32>
  %epst = linalg.fill ins(%eps : f32) outs(%er : tensor<3xf32>) -> tensor<3xf32>
  %mean = arith.mulf %inv_n, %sum : tensor<3xf32>
  %shifted = arith.addf %mean, %epst : tensor<3xf32>
  %r = math.rsqrt %shifted : tensor<3xf32>
  %n = linalg.generic {indexing_maps = [#row, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%r, %x : tensor<3xf32>, tensor<2x3x8xf32>) outs(%e : tensor<2x3x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<2x3x8xf32>
  %y = linalg.generic {indexing_maps = [#id, #feature, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%n, %g : tensor<2x3x8xf32>, tensor<2x8xf32>) outs(%e : tensor<2x3x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<2x3x8xf32>
  return %y : tensor<2x3x8xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#keep = affine_map<(d0, d1) -> (d0, 0)>
#stat = affine_map<(d0, d1) -> (d0, d1)>
#feature = affine_map<(d0, d1) -> (d1)>

// LayerNorm as torch-mlir lowers a decomposed aten.layer_norm on bf16 to
// linalg: extf, sums into [B] expanded to [B, 1] (keepdims), x - mean,
// (x - mean) * (x - mean), rsqrt(var + eps), a multiply by the [B, 1] inverse
// std through a broadcasting map, and truncf.
// CHECK-LABEL: func.func @ln_torch_bf16(
//  CHECK-SAME:   %[[X:.*]]: tensor<3x16xbf16>)
//       CHECK:   %[[Y:.*]] = norm.layer_norm %[[X]] {axes = array<i64: 1>, epsilon = 9.9999997473787516E-6 : f64} : tensor<3x16xbf16> -> tensor<3x16xbf16>
//       CHECK:   return %[[Y]]
func.func @ln_torch_bf16(%x: tensor<3x16xbf16>) -> tensor<3x16xbf16> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x16xf32>
  %es = tensor.empty() : tensor<3xf32>
  %ek = tensor.empty() : tensor<3x1xf32>
  %xf = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<3x16xbf16>) outs(%e : tensor<3x16xf32>) {
  ^bb0(%a: bf16, %o: f32):
    %f = arith.extf %a : bf16 to f32
    linalg.yield %f : f32
  } -> tensor<3x16xf32>
  %init = linalg.fill ins(%zero : f32) outs(%es : tensor<3xf32>) -> tensor<3xf32>
  %sum = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]} ins(%xf : tensor<3x16xf32>) outs(%init : tensor<3xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a : f32
    linalg.yield %s : f32
  } -> tensor<3xf32>
  %sumk = tensor.expand_shape %sum [[0, 1]] output_shape [3, 1] : tensor<3xf32> into tensor<3x1xf32>
  %mean = linalg.generic {indexing_maps = [#stat, #stat], iterator_types = ["parallel", "parallel"]} ins(%sumk : tensor<3x1xf32>) outs(%ek : tensor<3x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %c = arith.constant 1.6000000e+01 : f32
    %m = arith.divf %a, %c : f32
    linalg.yield %m : f32
  } -> tensor<3x1xf32>
  %d = linalg.generic {indexing_maps = [#id, #keep, #id], iterator_types = ["parallel", "parallel"]} ins(%xf, %mean : tensor<3x16xf32>, tensor<3x1xf32>) outs(%e : tensor<3x16xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %s = arith.subf %a, %m : f32
    linalg.yield %s : f32
  } -> tensor<3x16xf32>
  %sq = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%d, %d : tensor<3x16xf32>, tensor<3x16xf32>) outs(%e : tensor<3x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    linalg.yield %p : f32
  } -> tensor<3x16xf32>
  %vsum = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]} ins(%sq : tensor<3x16xf32>) outs(%init : tensor<3xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a : f32
    linalg.yield %s : f32
  } -> tensor<3xf32>
  %vsumk = tensor.expand_shape %vsum [[0, 1]] output_shape [3, 1] : tensor<3xf32> into tensor<3x1xf32>
  %r = linalg.generic {indexing_maps = [#stat, #stat], iterator_types = ["parallel", "parallel"]} ins(%vsumk : tensor<3x1xf32>) outs(%ek : tensor<3x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %c = arith.constant 1.6000000e+01 : f32
    %m = arith.divf %a, %c : f32
    linalg.yield %m : f32
  } -> tensor<3x1xf32>
  %shifted = linalg.generic {indexing_maps = [#stat, #stat], iterator_types = ["parallel", "parallel"]} ins(%r : tensor<3x1xf32>) outs(%ek : tensor<3x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %c = arith.constant 1.0e-5 : f32
    %m = arith.addf %a, %c : f32
    linalg.yield %m : f32
  } -> tensor<3x1xf32>
  %inv = linalg.generic {indexing_maps = [#stat, #stat], iterator_types = ["parallel", "parallel"]} ins(%shifted : tensor<3x1xf32>) outs(%ek : tensor<3x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = math.rsqrt %a : f32
    linalg.yield %m : f32
  } -> tensor<3x1xf32>
  %n = linalg.generic {indexing_maps = [#id, #keep, #id], iterator_types = ["parallel", "parallel"]} ins(%d, %inv : tensor<3x16xf32>, tensor<3x1xf32>) outs(%e : tensor<3x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<3x16xf32>
  %eb = tensor.empty() : tensor<3x16xbf16>
  %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%n : tensor<3x16xf32>) outs(%eb : tensor<3x16xbf16>) {
  ^bb0(%a: f32, %o: bf16):
    %t = arith.truncf %a : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<3x16xbf16>
  return %y : tensor<3x16xbf16>
}

// -----

// The inverse root (rsqrt) is also returned, without the unit axis: the op
// returns inv_rms, collapsed to the returned shape, instead of computing it
// twice.
// CHECK-LABEL: func.func @rms_inverse_root_returned(
//  CHECK-SAME:   %[[X:.*]]: tensor<4x8xf32>)
//       CHECK:   %[[Y:.*]], %[[R:.*]] = norm.rms_norm %[[X]] {axes = array<i64: 1>, epsilon = {{.*}}} : tensor<4x8xf32> -> tensor<4x8xf32>, tensor<4x1xf32>
//       CHECK:   %[[RC:.*]] = tensor.collapse_shape %[[R]] {{\[\[}}0, 1]] : tensor<4x1xf32> into tensor<4xf32>
//   CHECK-NOT:   math.rsqrt
//       CHECK:   return %[[Y]], %[[RC]]
func.func @rms_inverse_root_returned(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4xf32>) {
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
  return %y, %r : tensor<4x8xf32>, tensor<4xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#keep = affine_map<(d0, d1) -> (d0, 0)>
#stat = affine_map<(d0, d1) -> (d0, d1)>

// LayerNorm whose keepdims mean and inverse std are also returned (ONNX
// LayerNormalization's optional outputs): the op's statistics replace them.
// CHECK-LABEL: func.func @ln_statistics_returned(
//  CHECK-SAME:   %[[X:.*]]: tensor<3x16xf32>)
//       CHECK:   %[[Y:.*]], %[[S:.*]]:2 = norm.layer_norm %[[X]] {axes = array<i64: 1>, epsilon = {{.*}}} : tensor<3x16xf32> -> tensor<3x16xf32>, tensor<3x1xf32>, tensor<3x1xf32>
//       CHECK:   return %[[Y]], %[[S]]#0, %[[S]]#1
func.func @ln_statistics_returned(%x: tensor<3x16xf32>) -> (tensor<3x16xf32>, tensor<3x1xf32>, tensor<3x1xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x16xf32>
  %es = tensor.empty() : tensor<3xf32>
  %ek = tensor.empty() : tensor<3x1xf32>
  %init = linalg.fill ins(%zero : f32) outs(%es : tensor<3xf32>) -> tensor<3xf32>
  %sum = linalg.reduce ins(%x : tensor<3x16xf32>) outs(%init : tensor<3xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %sumk = tensor.expand_shape %sum [[0, 1]] output_shape [3, 1] : tensor<3xf32> into tensor<3x1xf32>
  %inv_n = arith.constant dense<6.250000e-02> : tensor<3x1xf32>
  %eps = arith.constant dense<1.0e-5> : tensor<3x1xf32>
  %mean = arith.mulf %sumk, %inv_n : tensor<3x1xf32>
  %d = linalg.generic {indexing_maps = [#id, #keep, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %mean : tensor<3x16xf32>, tensor<3x1xf32>) outs(%e : tensor<3x16xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %s = arith.subf %a, %m : f32
    linalg.yield %s : f32
  } -> tensor<3x16xf32>
  %sq = arith.mulf %d, %d : tensor<3x16xf32>
  %vsum = linalg.reduce ins(%sq : tensor<3x16xf32>) outs(%init : tensor<3xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %vsumk = tensor.expand_shape %vsum [[0, 1]] output_shape [3, 1] : tensor<3xf32> into tensor<3x1xf32>
  %var = arith.mulf %vsumk, %inv_n : tensor<3x1xf32>
  %shifted = arith.addf %var, %eps : tensor<3x1xf32>
  %inv = math.rsqrt %shifted : tensor<3x1xf32>
  %n = linalg.generic {indexing_maps = [#id, #keep, #id], iterator_types = ["parallel", "parallel"]} ins(%d, %inv : tensor<3x16xf32>, tensor<3x1xf32>) outs(%e : tensor<3x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<3x16xf32>
  return %n, %mean, %inv : tensor<3x16xf32>, tensor<3x1xf32>, tensor<3x1xf32>
}

// -----

// Hugging Face's LlamaRMSNorm on bf16: the weight multiplies after the
// truncf, in bf16 (two roundings; the op's scale would round once). The
// normalization up to the truncf is raised; the bf16 multiply stays.
// CHECK-LABEL: func.func @rms_scale_after_truncf(
//  CHECK-SAME:   %[[X:.*]]: tensor<4x64xbf16>, %[[G:.*]]: tensor<64xbf16>)
//       CHECK:   %[[N:.*]] = norm.rms_norm %[[X]] {axes = array<i64: 1>, epsilon = {{.*}}} : tensor<4x64xbf16> -> tensor<4x64xbf16>
//       CHECK:   %[[GB:.*]] = linalg.broadcast ins(%[[G]]
//       CHECK:   %[[Y:.*]] = arith.mulf %[[GB]], %[[N]] : tensor<4x64xbf16>
//       CHECK:   return %[[Y]]
func.func @rms_scale_after_truncf(%x: tensor<4x64xbf16>, %g: tensor<64xbf16>) -> tensor<4x64xbf16> {
  %zero = arith.constant 0.0 : f32
  %xf = arith.extf %x : tensor<4x64xbf16> to tensor<4x64xf32>
  %sq = arith.mulf %xf, %xf : tensor<4x64xf32>
  %er = tensor.empty() : tensor<4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%er : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.reduce ins(%sq : tensor<4x64xf32>) outs(%init : tensor<4xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %inv_n = arith.constant dense<1.562500e-02> : tensor<4xf32>
  %eps = arith.constant dense<1.0e-6> : tensor<4xf32>
  %mean = arith.mulf %sum, %inv_n : tensor<4xf32>
  %shifted = arith.addf %mean, %eps : tensor<4xf32>
  %r = math.rsqrt %shifted : tensor<4xf32>
  %e = tensor.empty() : tensor<4x64xf32>
  %rb = linalg.broadcast ins(%r : tensor<4xf32>) outs(%e : tensor<4x64xf32>) dimensions = [1]
  %n = arith.mulf %xf, %rb : tensor<4x64xf32>
  %nb = arith.truncf %n : tensor<4x64xf32> to tensor<4x64xbf16>
  %eb = tensor.empty() : tensor<4x64xbf16>
  %gb = linalg.broadcast ins(%g : tensor<64xbf16>) outs(%eb : tensor<4x64xbf16>) dimensions = [0]
  %y = arith.mulf %gb, %nb : tensor<4x64xbf16>
  return %y : tensor<4x64xbf16>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#vec = affine_map<(d0) -> (d0)>

// RMSNorm as linalg.elementwise ops, the last one broadcasting the inverse
// root through its indexing maps; eps and 1/N as splat tensor constants.
// CHECK-LABEL: func.func @rms_linalg_elementwise(
//  CHECK-SAME:   %[[X:.*]]: tensor<4x8xf32>)
//       CHECK:   %[[Y:.*]] = norm.rms_norm %[[X]] {axes = array<i64: 1>, epsilon = 9.9999999747524271E-7 : f64} : tensor<4x8xf32> -> tensor<4x8xf32>
//       CHECK:   return %[[Y]]
func.func @rms_linalg_elementwise(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %inv_n = arith.constant dense<1.250000e-01> : tensor<4xf32>
  %eps = arith.constant dense<1.0e-6> : tensor<4xf32>
  %e = tensor.empty() : tensor<4x8xf32>
  %er = tensor.empty() : tensor<4xf32>
  %sq = linalg.elementwise kind=#linalg.elementwise_kind<square> ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%er : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.reduce ins(%sq : tensor<4x8xf32>) outs(%init : tensor<4xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %mean = linalg.elementwise kind=#linalg.elementwise_kind<mul> ins(%sum, %inv_n : tensor<4xf32>, tensor<4xf32>) outs(%er : tensor<4xf32>) -> tensor<4xf32>
  %shifted = linalg.elementwise kind=#linalg.elementwise_kind<add> ins(%mean, %eps : tensor<4xf32>, tensor<4xf32>) outs(%er : tensor<4xf32>) -> tensor<4xf32>
  %r = linalg.elementwise kind=#linalg.elementwise_kind<rsqrt> ins(%shifted : tensor<4xf32>) outs(%er : tensor<4xf32>) -> tensor<4xf32>
  %y = linalg.elementwise kind=#linalg.elementwise_kind<mul> indexing_maps = [#id, #row, #id] ins(%x, %r : tensor<4x8xf32>, tensor<4xf32>) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#keep = affine_map<(d0, d1) -> (d0, 0)>
#feature = affine_map<(d0, d1) -> (0, d1)>

// A keepdims-shaped scale and bias ([1, D], as some ONNX exports store
// them): collapsed to [D] for the op.
// CHECK-LABEL: func.func @ln_unit_dim_parameters(
//  CHECK-SAME:   %[[X:.*]]: tensor<?x8xf32>, %[[G:.*]]: tensor<1x8xf32>, %[[B:.*]]: tensor<1x8xf32>)
//   CHECK-DAG:   %[[GC:.*]] = tensor.collapse_shape %[[G]] {{\[\[}}0, 1]] : tensor<1x8xf32> into tensor<8xf32>
//   CHECK-DAG:   %[[BC:.*]] = tensor.collapse_shape %[[B]] {{\[\[}}0, 1]] : tensor<1x8xf32> into tensor<8xf32>
//       CHECK:   %[[Y:.*]] = norm.layer_norm %[[X]] scale(%[[GC]] : tensor<8xf32>) bias(%[[BC]] : tensor<8xf32>) {axes = array<i64: 1>, epsilon = {{.*}}} : tensor<?x8xf32> -> tensor<?x8xf32>
//       CHECK:   return %[[Y]]
func.func @ln_unit_dim_parameters(%x: tensor<?x8xf32>, %g: tensor<1x8xf32>, %b: tensor<1x8xf32>) -> tensor<?x8xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %rows = tensor.dim %x, %c0 : tensor<?x8xf32>
  %e = tensor.empty(%rows) : tensor<?x8xf32>
  %es = tensor.empty(%rows) : tensor<?xf32>
  %init = linalg.fill ins(%zero : f32) outs(%es : tensor<?xf32>) -> tensor<?xf32>
  %sum = linalg.reduce ins(%x : tensor<?x8xf32>) outs(%init : tensor<?xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %sumk = tensor.expand_shape %sum [[0, 1]] output_shape [%rows, 1] : tensor<?xf32> into tensor<?x1xf32>
  %ek = tensor.empty(%rows) : tensor<?x1xf32>
  %n = arith.constant 8.0 : f32
  %nt = linalg.fill ins(%n : f32) outs(%ek : tensor<?x1xf32>) -> tensor<?x1xf32>
  %mean = arith.divf %sumk, %nt : tensor<?x1xf32>
  %d = linalg.generic {indexing_maps = [#id, #keep, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %mean : tensor<?x8xf32>, tensor<?x1xf32>) outs(%e : tensor<?x8xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %s = arith.subf %a, %m : f32
    linalg.yield %s : f32
  } -> tensor<?x8xf32>
  %sq = arith.mulf %d, %d : tensor<?x8xf32>
  %vsum = linalg.reduce ins(%sq : tensor<?x8xf32>) outs(%init : tensor<?xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  %vsumk = tensor.expand_shape %vsum [[0, 1]] output_shape [%rows, 1] : tensor<?xf32> into tensor<?x1xf32>
  %var = arith.divf %vsumk, %nt : tensor<?x1xf32>
  %eps = arith.constant 1.0e-5 : f32
  %epst = linalg.fill ins(%eps : f32) outs(%ek : tensor<?x1xf32>) -> tensor<?x1xf32>
  %shifted = arith.addf %var, %epst : tensor<?x1xf32>
  %inv = math.rsqrt %shifted : tensor<?x1xf32>
  %nrm = linalg.generic {indexing_maps = [#id, #keep, #id], iterator_types = ["parallel", "parallel"]} ins(%d, %inv : tensor<?x8xf32>, tensor<?x1xf32>) outs(%e : tensor<?x8xf32>) {
  ^bb0(%a: f32, %r: f32, %o: f32):
    %m = arith.mulf %a, %r : f32
    linalg.yield %m : f32
  } -> tensor<?x8xf32>
  %scaled = linalg.generic {indexing_maps = [#id, #feature, #id], iterator_types = ["parallel", "parallel"]} ins(%nrm, %g : tensor<?x8xf32>, tensor<1x8xf32>) outs(%e : tensor<?x8xf32>) {
  ^bb0(%a: f32, %w: f32, %o: f32):
    %m = arith.mulf %a, %w : f32
    linalg.yield %m : f32
  } -> tensor<?x8xf32>
  %y = linalg.generic {indexing_maps = [#id, #feature, #id], iterator_types = ["parallel", "parallel"]} ins(%scaled, %b : tensor<?x8xf32>, tensor<1x8xf32>) outs(%e : tensor<?x8xf32>) {
  ^bb0(%a: f32, %w: f32, %o: f32):
    %m = arith.addf %a, %w : f32
    linalg.yield %m : f32
  } -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
