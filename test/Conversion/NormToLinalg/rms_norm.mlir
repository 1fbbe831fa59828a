// RUN: norm-opt %s --convert-norm-to-linalg --canonicalize --cse --split-input-file | FileCheck %s

// bf16 in, f32 accumulation, bf16 out; dynamic rows; broadcast-free scale.
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[$COL:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @rms_bf16_scale
// CHECK-SAME: %[[X:.*]]: tensor<?x4096xbf16>, %[[G:.*]]: tensor<4096xbf16>
// CHECK-DAG: %[[TINY:.*]] = arith.constant 1.17549435E-38 : f32
// CHECK-DAG: %[[EPS:.*]] = arith.constant 9.99999997E-7 : f32
// CHECK-DAG: %[[INVN:.*]] = arith.constant 2.44140625E-4 : f32
// CHECK-DAG: %[[INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK-DAG: %[[ZEROF:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[ONEF:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG: %[[C23:.*]] = arith.constant 23 : i32
// CHECK-DAG: %[[C253:.*]] = arith.constant 253 : i32
// CHECK: %[[ZERO:.*]] = linalg.fill
// CHECK: %[[SUMSQ:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<?x4096xbf16>) outs(%[[ZERO]] : tensor<?xf32>)
// CHECK:   arith.extf %{{.*}} : bf16 to f32
// CHECK:   arith.mulf
// CHECK:   arith.addf
// CHECK: %[[MS:.*]] = linalg.generic {{.*}} ins(%[[SUMSQ]] : tensor<?xf32>)
// CHECK:   arith.mulf %{{.*}}, %[[INVN]]
// Overflow guard: count the rows whose mean square is not finite ...
// CHECK: %[[COUNT:.*]] = linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%[[MS]] : tensor<?xf32>) outs(%{{.*}} : tensor<f32>)
// CHECK:   %[[ABS:.*]] = math.absf
// CHECK:   %[[FINITE:.*]] = arith.cmpf one, %[[ABS]], %[[INF]]
// CHECK:   arith.select %[[FINITE]], %[[ZEROF]], %[[ONEF]]
// CHECK: %[[N:.*]] = tensor.extract %[[COUNT]][]
// CHECK: %[[BAD:.*]] = arith.cmpf ogt, %[[N]], %[[ZEROF]]
// ... and only then sum again, scaled by 2^(253 - exponent(max |x|)).
// CHECK: %[[STATS:.*]]:2 = scf.if %[[BAD]] -> (tensor<?xf32>, tensor<?xf32>) {
// CHECK:   %[[MAX:.*]] = linalg.generic {{.*}} ins(%[[X]] : tensor<?x4096xbf16>)
// CHECK:     math.absf
// CHECK:     arith.maximumf
// CHECK:   %[[SCALE:.*]] = linalg.generic {{.*}} ins(%[[MS]], %[[MAX]] : tensor<?xf32>, tensor<?xf32>)
// CHECK:     arith.bitcast %{{.*}} : f32 to i32
// CHECK:     arith.shrui %{{.*}}, %[[C23]]
// CHECK:     arith.subi %[[C253]]
// CHECK:     arith.bitcast %{{.*}} : i32 to f32
// CHECK:   %[[SSQ:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[SCALE]] : tensor<?x4096xbf16>, tensor<?xf32>)
// CHECK:     %[[XS:.*]] = arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK:     arith.mulf %[[XS]], %[[XS]]
// CHECK:   %[[SMS:.*]] = linalg.generic {{.*}} ins(%[[SSQ]] : tensor<?xf32>)
// CHECK:   scf.yield %[[SMS]], %[[SCALE]]
// CHECK: } else {
// CHECK:   %[[ONES:.*]] = linalg.fill ins(%[[ONEF]] : f32)
// CHECK:   scf.yield %[[MS]], %[[ONES]]
// CHECK: %[[INV:.*]] = linalg.generic {{.*}} ins(%[[STATS]]#0, %[[STATS]]#1 : tensor<?xf32>, tensor<?xf32>)
// CHECK:   ^bb0(%[[M:[^:]*]]: f32, %[[SC:[^:]*]]: f32
// CHECK:   %[[E1:.*]] = arith.mulf %[[SC]], %[[EPS]]
// CHECK:   %[[E2:.*]] = arith.mulf %[[E1]], %[[SC]]
// CHECK:   %[[S:.*]] = arith.addf %[[M]], %[[E2]]
// CHECK:   %[[C:.*]] = arith.maximumf %[[S]], %[[TINY]]
// CHECK:   %[[R:.*]] = math.rsqrt %[[C]]
// CHECK:   arith.mulf %[[SC]], %[[R]]
// CHECK: %[[Y:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ROW]], #[[$COL]], #[[$ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[INV]], %[[G]] : tensor<?x4096xbf16>, tensor<?xf32>, tensor<4096xbf16>)
// CHECK:   arith.truncf %{{.*}} : f32 to bf16
// CHECK: return %[[Y]]
func.func @rms_bf16_scale(%x: tensor<?x4096xbf16>, %g: tensor<4096xbf16>) -> tensor<?x4096xbf16> {
  %y = norm.rms_norm %x scale(%g : tensor<4096xbf16>) : tensor<?x4096xbf16> -> tensor<?x4096xbf16>
  return %y : tensor<?x4096xbf16>
}

// -----

// Non-trailing axes, broadcast scale (dim of size 1 maps to constant 0),
// statistics reshaped to the input rank.
// CHECK-DAG: #[[$RED:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-DAG: #[[$SCALE:.*]] = affine_map<(d0, d1, d2) -> (d0, 0)>
// CHECK-LABEL: func @rms_axes_broadcast_statistics
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$RED]]], iterator_types = ["reduction", "parallel", "reduction"]}
// CHECK: linalg.generic {{.*}}#[[$SCALE]]
// CHECK: %[[STATS:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0, 1, 2]] output_shape [1, 3, 1] : tensor<3xf32> into tensor<1x3x1xf32>
// CHECK: return %{{.*}}, %[[STATS]]
func.func @rms_axes_broadcast_statistics(%x: tensor<2x3x4xf32>, %g: tensor<2x1xf32>) -> (tensor<2x3x4xf32>, tensor<1x3x1xf32>) {
  %y, %s = norm.rms_norm %x scale(%g : tensor<2x1xf32>) {axes = array<i64: 0, 2>} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>, tensor<1x3x1xf32>
  return %y, %s : tensor<2x3x4xf32>, tensor<1x3x1xf32>
}

// -----

// Dynamic normalized dims: the element count is computed at run time and
// clamped to 1 so that empty rows do not divide by zero.
// CHECK-LABEL: func @rms_dynamic_count
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[D1:.*]] = tensor.dim %{{.*}}, %c1
// CHECK: %[[N:.*]] = arith.maxui %[[D1]], %[[C1]] : index
// CHECK: %[[NI:.*]] = arith.index_castui %[[N]] : index to i64
// CHECK: %[[NF:.*]] = arith.uitofp %[[NI]] : i64 to f32
// CHECK: arith.divf %{{.*}}, %[[NF]] : f32
func.func @rms_dynamic_count(%x: tensor<?x?xf16>) -> tensor<?x?xf16> {
  %y = norm.rms_norm %x : tensor<?x?xf16> -> tensor<?x?xf16>
  return %y : tensor<?x?xf16>
}

// -----

// A per-feature epsilon moves the inverse root into the elementwise op, which
// then takes the (scaled) mean square and the scale of each row.
// CHECK-LABEL: func @rms_feature_epsilon
// CHECK: %[[STATS:.*]]:2 = scf.if
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[STATS]]#0, %[[STATS]]#1, %{{.*}} : tensor<2x16xf32>, tensor<2xf32>, tensor<2xf32>, tensor<16xf16>)
// CHECK:   arith.extf %{{.*}} : f16 to f32
// CHECK:   arith.mulf
// CHECK:   arith.mulf
// CHECK:   arith.addf
// CHECK:   arith.maximumf
// CHECK:   math.rsqrt
func.func @rms_feature_epsilon(%x: tensor<2x16xf32>, %e: tensor<16xf16>) -> tensor<2x16xf32> {
  %y = norm.rms_norm %x feature_epsilon(%e : tensor<16xf16>) : tensor<2x16xf32> -> tensor<2x16xf32>
  return %y : tensor<2x16xf32>
}

// -----

// All axes normalized: per-row tensors are rank 0.
// CHECK-LABEL: func @rms_all_axes
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<f32>)
// CHECK: tensor.expand_shape %{{.*}} [] output_shape [1, 1] : tensor<f32> into tensor<1x1xf32>
func.func @rms_all_axes(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<1x1xf32>) {
  %y, %s = norm.rms_norm %x {axes = array<i64: 0, 1>} : tensor<4x8xf32> -> tensor<4x8xf32>, tensor<1x1xf32>
  return %y, %s : tensor<4x8xf32>, tensor<1x1xf32>
}
