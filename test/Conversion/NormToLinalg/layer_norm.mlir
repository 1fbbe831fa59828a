// RUN: norm-opt %s --convert-norm-to-linalg --canonicalize -split-input-file | FileCheck %s

// Two passes over the row, static rows too: the mean, then the centered
// squares (a one-pass, shifted variance loses precision when the shift is an
// outlier).
// CHECK-LABEL: func @layer_f16_affine_statistics
// CHECK-SAME: %[[X:.*]]: tensor<?x128xf16>, %[[G:.*]]: tensor<128xf32>, %[[B:.*]]: tensor<128xf64>
// CHECK-NOT: tensor.extract_slice
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<?x128xf16>)
// CHECK:   arith.extf
// CHECK:   arith.addf
// CHECK: %[[MEAN:.*]] = linalg.generic {{.*}} ins(%[[SUM]] : tensor<?xf32>)
// CHECK:   arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK: %[[SQ:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[X]], %[[MEAN]] : tensor<?x128xf16>, tensor<?xf32>)
// CHECK:   %[[XC:.*]] = arith.subf
// CHECK:   %[[XC2:.*]] = arith.mulf %[[XC]], %[[XC]]
// CHECK:   arith.addf %{{.*}}, %[[XC2]]
// CHECK: %[[VAR:.*]] = linalg.generic {{.*}} ins(%[[SQ]] : tensor<?xf32>)
// Overflow guard: the variance decides; the rescue sums x * scale, then
// (x * scale - scaled mean)^2, and unscales the mean inside the if.
// CHECK: %[[COUNT:.*]] = linalg.generic {{.*}} ins(%[[VAR]] : tensor<?xf32>)
// CHECK: %[[STATS:.*]]:3 = scf.if
// CHECK:   %[[SCALE:.*]] = linalg.generic {{.*}} ins(%[[VAR]], %{{.*}} : tensor<?xf32>, tensor<?xf32>)
// CHECK:   %[[SSUM:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[SCALE]] : tensor<?x128xf16>, tensor<?xf32>)
// CHECK:   %[[SMEAN:.*]] = linalg.generic {{.*}} ins(%[[SSUM]] : tensor<?xf32>)
// CHECK:   %[[SSQ:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[SMEAN]], %[[SCALE]] : tensor<?x128xf16>, tensor<?xf32>, tensor<?xf32>)
// CHECK:     ^bb0(%{{.*}}: f16, %[[SM:[^:]*]]: f32, %[[SC:[^:]*]]: f32
// CHECK:     %[[XS:.*]] = arith.mulf %{{.*}}, %[[SC]]
// CHECK:     %[[D:.*]] = arith.subf %[[XS]], %[[SM]]
// CHECK:     arith.mulf %[[D]], %[[D]]
// CHECK:   %[[SVAR:.*]] = linalg.generic {{.*}} ins(%[[SSQ]] : tensor<?xf32>)
// CHECK:   %[[UMEAN:.*]] = linalg.generic {{.*}} ins(%[[SMEAN]], %[[SCALE]] : tensor<?xf32>, tensor<?xf32>)
// CHECK:     arith.divf
// CHECK:   scf.yield %[[UMEAN]], %[[SVAR]], %[[SCALE]]
// CHECK: } else {
// CHECK:   scf.yield %[[MEAN]], %[[VAR]], %{{.*}}
// CHECK-NOT: arith.divf
// CHECK: %[[INV:.*]] = linalg.generic {{.*}} ins(%[[STATS]]#1, %[[STATS]]#2 : tensor<?xf32>, tensor<?xf32>)
// CHECK:   math.rsqrt
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[STATS]]#0, %[[INV]], %[[G]], %[[B]] : tensor<?x128xf16>, tensor<?xf32>, tensor<?xf32>, tensor<128xf32>, tensor<128xf64>)
// CHECK:   arith.truncf %{{.*}} : f64 to f32
// CHECK:   arith.subf
// CHECK:   %[[XHAT:.*]] = arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK:   %[[P:.*]] = arith.mulf %[[XHAT]], %{{.*}} fastmath<contract> : f32
// CHECK:   arith.addf %[[P]], %{{.*}} fastmath<contract> : f32
// CHECK:   arith.truncf %{{.*}} : f32 to f16
// CHECK-DAG: %[[M:.*]] = tensor.expand_shape %[[STATS]]#0 {{\[\[}}0, 1]] output_shape [%{{.*}}, 1] : tensor<?xf32> into tensor<?x1xf32>
// CHECK-DAG: %[[S:.*]] = tensor.expand_shape %[[INV]] {{\[\[}}0, 1]] output_shape [%{{.*}}, 1] : tensor<?xf32> into tensor<?x1xf32>
// CHECK: return %[[Y]], %[[M]], %[[S]]
func.func @layer_f16_affine_statistics(%x: tensor<?x128xf16>, %g: tensor<128xf32>, %b: tensor<128xf64>) -> (tensor<?x128xf16>, tensor<?x1xf32>, tensor<?x1xf32>) {
  %y, %m, %s = norm.layer_norm %x scale(%g : tensor<128xf32>) bias(%b : tensor<128xf64>) : tensor<?x128xf16> -> tensor<?x128xf16>, tensor<?x1xf32>, tensor<?x1xf32>
  return %y, %m, %s : tensor<?x128xf16>, tensor<?x1xf32>, tensor<?x1xf32>
}

// -----

// Rows of dynamic length: the same two passes.
// CHECK-LABEL: func @layer_dynamic_rows
// CHECK-SAME: %[[X:.*]]: tensor<4x?xf32>
// CHECK-NOT: tensor.extract_slice
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<4x?xf32>)
// CHECK: %[[MEAN:.*]] = linalg.generic {{.*}} ins(%[[SUM]] : tensor<4xf32>)
// CHECK: %[[SQ:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[X]], %[[MEAN]] : tensor<4x?xf32>, tensor<4xf32>)
// CHECK:   %[[XC:.*]] = arith.subf
// CHECK:   arith.mulf %[[XC]], %[[XC]]
func.func @layer_dynamic_rows(%x: tensor<4x?xf32>) -> tensor<4x?xf32> {
  %y = norm.layer_norm %x : tensor<4x?xf32> -> tensor<4x?xf32>
  return %y : tensor<4x?xf32>
}
