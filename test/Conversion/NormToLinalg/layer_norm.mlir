// RUN: norm-opt %s --convert-norm-to-linalg --canonicalize -split-input-file | FileCheck %s

// Static rows: one pass over the row for both sums, shifted by the row's
// first element x0 (d = x - x0); mean = x0 + E[d], var = max(E[d^2] - E[d]^2, 0).
// CHECK-LABEL: func @layer_f16_affine_statistics
// CHECK-SAME: %[[X:.*]]: tensor<?x128xf16>, %[[G:.*]]: tensor<128xf32>, %[[B:.*]]: tensor<128xf64>
// CHECK: %[[X0:.*]] = tensor.extract_slice %[[X]][0, 0] [%{{.*}}, 1] [1, 1] : tensor<?x128xf16> to tensor<?xf16>
// CHECK: %[[SUMS:.*]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[X]], %[[X0]] : tensor<?x128xf16>, tensor<?xf16>)
// CHECK:   %[[D:.*]] = arith.subf
// CHECK:   %[[D2:.*]] = arith.mulf %[[D]], %[[D]]
// CHECK:   arith.addf %{{.*}}, %[[D]]
// CHECK:   arith.addf %{{.*}}, %[[D2]]
// CHECK: %[[ED:.*]] = linalg.generic {{.*}} ins(%[[SUMS]]#0 : tensor<?xf32>)
// CHECK: %[[ED2:.*]] = linalg.generic {{.*}} ins(%[[SUMS]]#1 : tensor<?xf32>)
// CHECK: %[[MEAN:.*]] = linalg.generic {{.*}} ins(%[[X0]], %[[ED]] : tensor<?xf16>, tensor<?xf32>)
// CHECK: %[[VAR:.*]] = linalg.generic {{.*}} ins(%[[ED]], %[[ED2]] : tensor<?xf32>, tensor<?xf32>)
// CHECK:   arith.mulf
// CHECK:   arith.subf
// CHECK:   arith.maximumf
// CHECK: %[[INV:.*]] = linalg.generic {{.*}} ins(%[[VAR]] : tensor<?xf32>)
// CHECK:   math.rsqrt
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[MEAN]], %[[INV]], %[[G]], %[[B]] : tensor<?x128xf16>, tensor<?xf32>, tensor<?xf32>, tensor<128xf32>, tensor<128xf64>)
// CHECK:   arith.truncf %{{.*}} : f64 to f32
// CHECK:   arith.subf
// CHECK:   arith.mulf
// CHECK:   arith.mulf
// CHECK:   arith.addf
// CHECK:   arith.truncf %{{.*}} : f32 to f16
// CHECK-DAG: %[[M:.*]] = tensor.expand_shape %[[MEAN]] {{\[\[}}0, 1]] output_shape [%{{.*}}, 1] : tensor<?xf32> into tensor<?x1xf32>
// CHECK-DAG: %[[S:.*]] = tensor.expand_shape %[[INV]] {{\[\[}}0, 1]] output_shape [%{{.*}}, 1] : tensor<?xf32> into tensor<?x1xf32>
// CHECK: return %[[Y]], %[[M]], %[[S]]
func.func @layer_f16_affine_statistics(%x: tensor<?x128xf16>, %g: tensor<128xf32>, %b: tensor<128xf64>) -> (tensor<?x128xf16>, tensor<?x1xf32>, tensor<?x1xf32>) {
  %y, %m, %s = norm.layer_norm %x scale(%g : tensor<128xf32>) bias(%b : tensor<128xf64>) : tensor<?x128xf16> -> tensor<?x128xf16>, tensor<?x1xf32>, tensor<?x1xf32>
  return %y, %m, %s : tensor<?x128xf16>, tensor<?x1xf32>, tensor<?x1xf32>
}

// -----

// Rows of dynamic length may be empty (no first element): the mean, then a
// centered second pass.
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
